// Sorted-set commands (Redis "sorted-set" group), part 1: adding, removing, scores and
// ranks, pops, random members and ZSCAN; the helpers of zsets.h. Ranges live in
// zsets_range.cc, set operations in zsets_setops.cc, blocking pops in blocking.cc.
// Replies and errors are Redis 7.0's.
#include "server/commands/zsets.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "lattice/numbers.h"
#include "lattice/zset_ops.h"
#include "server/commands/collections.h"
#include "server/commands/common.h"
#include "server/session.h"

namespace starling::server {
namespace zsets {

void ReplyMembers(CommandContext& ctx, std::span<const ScoredMember> items, bool withscores) {
  resp::ReplyWriter& w = ctx.reply();
  bool pairs = withscores && w.protocol() >= 3;
  w.ArrayHeader(withscores && !pairs ? items.size() * 2 : items.size());
  for (const auto& [member, score] : items) {
    if (pairs)
      w.ArrayHeader(2);
    w.Bulk(member);
    if (withscores)
      w.Double(score);
  }
}

std::vector<ScoredMember> MembersByRank(const Index& index, size_t from, size_t n, bool reverse) {
  std::vector<ScoredMember> out;
  if (n == 0 || from >= index.size())
    return out;
  out.reserve(n);
  auto it = index.select(from);
  for (size_t i = 0; i < n; ++i) {
    out.emplace_back(it.key().member, it.key().score);
    if (reverse) {
      if (it == index.begin())
        break;
      --it;
    } else {
      if (++it == index.end())
        break;
    }
  }
  return out;
}

std::vector<ScoredMember> PopMembers(Node& node, std::string_view key, bool max, size_t count) {
  const lattice::Object* o = node.Lookup(key, /*count_stats=*/false);
  if (!o || !o->zset() || count == 0)
    return {};
  const Index& index = o->zset()->index();
  size_t n = std::min(count, index.size());
  std::vector<ScoredMember> out = MembersByRank(index, max ? index.size() - 1 : 0, n, max);
  std::vector<std::string_view> names;
  names.reserve(out.size());
  for (const auto& p : out)
    names.push_back(p.first);
  node.Write(key, [&](lattice::Mutation& m) { lattice::ZsetRemove(m, names); });
  return out;
}

std::optional<MpopArgs> ParseMpop(CommandContext& ctx, size_t numkeys_idx, std::string_view lo,
                                  std::string_view hi) {
  const size_t argc = ctx.args.size();
  std::optional<int64_t> numkeys = lattice::ParseInt64(ctx.args[numkeys_idx]);
  if (!numkeys || *numkeys < 1) {
    ctx.Error("ERR numkeys should be greater than 0");
    return std::nullopt;
  }
  if (static_cast<uint64_t>(*numkeys) >= argc - numkeys_idx - 1) {
    ctx.Error(err::kSyntax);
    return std::nullopt;
  }
  MpopArgs out;
  size_t where_idx = numkeys_idx + static_cast<size_t>(*numkeys) + 1;
  out.keys.assign(ctx.args.begin() + static_cast<ptrdiff_t>(numkeys_idx) + 1,
                  ctx.args.begin() + static_cast<ptrdiff_t>(where_idx));
  if (EqualsIgnoreCase(ctx.args[where_idx], lo)) {
    out.max = false;
  } else if (EqualsIgnoreCase(ctx.args[where_idx], hi)) {
    out.max = true;
  } else {
    ctx.Error(err::kSyntax);
    return std::nullopt;
  }
  bool have_count = false;
  for (size_t j = where_idx + 1; j < argc; ++j) {
    if (!have_count && EqualsIgnoreCase(ctx.args[j], "COUNT") && j + 1 < argc) {
      std::optional<int64_t> c = lattice::ParseInt64(ctx.args[++j]);
      if (!c || *c < 1) {
        ctx.Error("ERR count should be greater than 0");
        return std::nullopt;
      }
      out.count = *c;
      have_count = true;
    } else {
      ctx.Error(err::kSyntax);
      return std::nullopt;
    }
  }
  return out;
}

void ReplyKeyAndPairs(CommandContext& ctx, std::string_view key,
                      std::span<const ScoredMember> popped) {
  resp::ReplyWriter& w = ctx.reply();
  w.ArrayHeader(2);
  w.Bulk(key);
  w.ArrayHeader(popped.size());
  for (const auto& [member, score] : popped) {
    w.ArrayHeader(2);
    w.Bulk(member);
    w.Double(score);
  }
}

}  // namespace zsets

namespace {

using lattice::KeyType;
using lattice::Mutation;
using lattice::Object;
using zsets::ScoredMember;

constexpr std::string_view kPositive = "ERR value is out of range, must be positive";

// Redis keeps no negative zero in a small sorted set; neither do we.
double NoNegativeZero(double v) { return v == 0 ? 0.0 : v; }

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member... and ZINCRBY key increment member.
void ZaddGeneric(CommandContext& ctx, bool zincrby) {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = zincrby;
  size_t i = 2;
  for (; !zincrby && i < ctx.args.size(); ++i) {
    std::string_view a = ctx.args[i];
    if (EqualsIgnoreCase(a, "NX")) {
      nx = true;
    } else if (EqualsIgnoreCase(a, "XX")) {
      xx = true;
    } else if (EqualsIgnoreCase(a, "GT")) {
      gt = true;
    } else if (EqualsIgnoreCase(a, "LT")) {
      lt = true;
    } else if (EqualsIgnoreCase(a, "CH")) {
      ch = true;
    } else if (EqualsIgnoreCase(a, "INCR")) {
      incr = true;
    } else {
      break;
    }
  }
  size_t n = ctx.args.size() - i;
  if (n == 0 || n % 2 != 0)
    return ctx.Error(err::kSyntax);
  n /= 2;
  if (nx && xx)
    return ctx.Error("ERR XX and NX options at the same time are not compatible");
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    return ctx.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (incr && n > 1)
    return ctx.Error("ERR INCR option supports a single increment-element pair");
  std::vector<double> scores(n);
  for (size_t j = 0; j < n; ++j) {
    std::optional<double> v = lattice::ParseDouble(ctx.args[i + 2 * j]);
    if (!v)
      return ctx.Error(err::kNotFloat);
    scores[j] = NoNegativeZero(*v);
  }
  std::string_view key = ctx.args[1];
  bool wrong;
  const Object* o = LookupTyped(ctx, key, KeyType::kZset, &wrong, false);
  if (wrong)
    return;
  int64_t added = 0, updated = 0, processed = 0;
  double result = 0;
  struct Op {
    std::string_view member;
    double score;    // the new visible score
    bool increment;  // ZINCRBY-style (else an assignment)
    double by;
  };
  std::vector<Op> ops;
  // Scores this command has set so far (a member may repeat).
  absl::flat_hash_map<std::string_view, double> pending;
  if (o || !xx) {
    for (size_t j = 0; j < n; ++j) {
      std::string_view member = ctx.args[i + 2 * j + 1];
      std::optional<double> cur;
      if (auto it = pending.find(member); it != pending.end()) {
        cur = it->second;
      } else if (o) {
        cur = lattice::ZsetScore(*o, member);
      }
      double s = scores[j];
      if (cur) {
        if (nx)
          continue;
        if (incr) {
          s = NoNegativeZero(*cur + scores[j]);
          if (std::isnan(s))
            return ctx.Error(err::kScoreNaN);
        }
        if ((lt && s >= *cur) || (gt && s <= *cur))
          continue;
        if (s != *cur) {
          ++updated;
          ops.push_back(Op{member, s, incr, scores[j]});
          pending[member] = s;
        }
      } else {
        if (xx)
          continue;
        ++added;
        ops.push_back(Op{member, s, false, 0});
        pending[member] = s;
      }
      ++processed;
      result = s;
    }
  }
  if (!ops.empty()) {
    ctx.node.Write(key, [&](Mutation& m) {
      for (const Op& op : ops) {
        if (op.increment) {
          lattice::ZsetIncrementTo(m, op.member, op.by, op.score);
        } else {
          lattice::ZsetAdd(m, op.member, op.score);
        }
      }
    });
  }
  if (incr)
    return processed ? ctx.reply().Double(result) : ctx.reply().Null();
  ctx.reply().Integer(ch ? added + updated : added);
}

void CmdZadd(CommandContext& ctx) { ZaddGeneric(ctx, false); }
void CmdZincrby(CommandContext& ctx) { ZaddGeneric(ctx, true); }

void CmdZrem(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kZset, &wrong, false);
  if (wrong)
    return;
  std::vector<std::string_view> members(ctx.args.begin() + 2, ctx.args.end());
  bool any = o && std::any_of(members.begin(), members.end(), [&](std::string_view m) {
               return lattice::ZsetScore(*o, m).has_value();
             });
  if (!any)
    return ctx.reply().Integer(0);
  size_t removed = 0;
  ctx.node.Write(ctx.args[1], [&](Mutation& m) { removed = lattice::ZsetRemove(m, members); });
  ctx.reply().Integer(static_cast<int64_t>(removed));
}

void CmdZscore(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kZset, &wrong);
  if (wrong)
    return;
  std::optional<double> s = o ? lattice::ZsetScore(*o, ctx.args[2]) : std::nullopt;
  if (!s)
    return ctx.reply().Null();
  ctx.reply().Double(*s);
}

void CmdZmscore(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kZset, &wrong);
  if (wrong)
    return;
  ctx.reply().ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    std::optional<double> s = o ? lattice::ZsetScore(*o, ctx.args[i]) : std::nullopt;
    if (s) {
      ctx.reply().Double(*s);
    } else {
      ctx.reply().Null();
    }
  }
}

void CmdZcard(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kZset, &wrong);
  if (wrong)
    return;
  ctx.reply().Integer(o ? static_cast<int64_t>(lattice::ZsetCard(*o)) : 0);
}

void ZrankGeneric(CommandContext& ctx, bool reverse) {
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kZset, &wrong);
  if (wrong)
    return;
  std::optional<double> s = o ? lattice::ZsetScore(*o, ctx.args[2]) : std::nullopt;
  if (!s)
    return ctx.reply().Null();
  const zsets::Index& index = o->zset()->index();
  size_t rank = index.rank_of(lattice::ScoreKeyLess::View{*s, ctx.args[2]});
  ctx.reply().Integer(static_cast<int64_t>(reverse ? index.size() - 1 - rank : rank));
}
void CmdZrank(CommandContext& ctx) { ZrankGeneric(ctx, false); }
void CmdZrevrank(CommandContext& ctx) { ZrankGeneric(ctx, true); }

// ZPOPMIN / ZPOPMAX key [count]: without count a flat [member, score]; with a count, RESP3
// nests [member, score] pairs.
void ZpopGeneric(CommandContext& ctx, bool max) {
  if (ctx.args.size() > 3)
    return ctx.Error(err::kSyntax);
  int64_t count = -1;
  if (ctx.args.size() == 3) {
    std::optional<int64_t> c = lattice::ParseInt64(ctx.args[2]);
    if (!c || *c < 0)
      return ctx.Error(kPositive);
    count = *c;
  }
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kZset, &wrong, false);
  if (wrong)
    return;
  if (!o || count == 0)
    return ctx.reply().ArrayHeader(0);
  std::vector<ScoredMember> popped =
      zsets::PopMembers(ctx.node, ctx.args[1], max, count < 0 ? 1 : static_cast<size_t>(count));
  resp::ReplyWriter& w = ctx.reply();
  bool nested = count >= 0 && w.protocol() >= 3;
  w.ArrayHeader(nested ? popped.size() : popped.size() * 2);
  for (const auto& [member, score] : popped) {
    if (nested)
      w.ArrayHeader(2);
    w.Bulk(member);
    w.Double(score);
  }
}
void CmdZpopmin(CommandContext& ctx) { ZpopGeneric(ctx, false); }
void CmdZpopmax(CommandContext& ctx) { ZpopGeneric(ctx, true); }

// ZMPOP numkeys key... MIN|MAX [COUNT count].
void CmdZmpop(CommandContext& ctx) {
  std::optional<zsets::MpopArgs> a = zsets::ParseMpop(ctx, 1, "MIN", "MAX");
  if (!a)
    return;
  for (std::string_view key : a->keys) {
    bool wrong;
    const Object* o = LookupTyped(ctx, key, KeyType::kZset, &wrong, false);
    if (wrong)
      return;
    if (!o)
      continue;
    std::vector<ScoredMember> popped =
        zsets::PopMembers(ctx.node, key, a->max, static_cast<size_t>(a->count));
    return zsets::ReplyKeyAndPairs(ctx, key, popped);
  }
  ctx.reply().NullArray();
}

// ZRANDMEMBER key [count [WITHSCORES]].
void CmdZrandmember(CommandContext& ctx) {
  Random& random = ctx.node.random();
  if (ctx.args.size() == 2) {
    bool wrong;
    const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kZset, &wrong);
    if (wrong)
      return;
    if (!o)
      return ctx.reply().Null();
    const zsets::Index& index = o->zset()->index();
    return ctx.reply().Bulk(index.select(random.Uniform(index.size())).key().member);
  }
  std::optional<int64_t> count = ParseRandomCount(ctx, ctx.args[2]);
  if (!count)
    return;
  bool withscores = false;
  if (ctx.args.size() > 4 ||
      (ctx.args.size() == 4 && !EqualsIgnoreCase(ctx.args[3], "WITHSCORES"))) {
    return ctx.Error(err::kSyntax);
  }
  if (ctx.args.size() == 4) {
    withscores = true;
    if (*count < -INT64_MAX / 2 || *count > INT64_MAX / 2) {
      return ctx.Error("ERR value is out of range");
    }
  }
  if (!CheckRepeatedPicks(ctx, *count))
    return;
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kZset, &wrong);
  if (wrong)
    return;
  if (!o || *count == 0)
    return ctx.reply().ArrayHeader(0);
  const zsets::Index& index = o->zset()->index();
  const uint64_t size = index.size();
  std::vector<ScoredMember> picks;
  auto pick = [&](uint64_t rank) {
    auto it = index.select(rank);
    picks.emplace_back(it.key().member, it.key().score);
  };
  if (*count < 0) {
    uint64_t k = static_cast<uint64_t>(-*count);
    picks.reserve(k);
    for (uint64_t i = 0; i < k; ++i)
      pick(random.Uniform(size));
  } else if (static_cast<uint64_t>(*count) >= size) {
    // The whole set, highest rank first, as Redis replies it.
    picks = zsets::MembersByRank(index, size - 1, size, true);
  } else {
    uint64_t k = static_cast<uint64_t>(*count);
    picks.reserve(k);
    if (k * 3 > size) {
      // Selection sampling over the ranks: exactly uniform, one pass.
      uint64_t need = k;
      for (uint64_t r = 0; r < size && need > 0; ++r) {
        if (random.Uniform(size - r) < need) {
          pick(r);
          --need;
        }
      }
    } else {
      // Floyd's sampling: k distinct ranks in O(k log n).
      absl::flat_hash_set<uint64_t> chosen;
      for (uint64_t j = size - k; j < size; ++j) {
        uint64_t t = random.Uniform(j + 1);
        uint64_t r = chosen.insert(t).second ? t : j;
        if (r == j)
          chosen.insert(j);
        pick(r);
      }
    }
  }
  zsets::ReplyMembers(ctx, picks, withscores);
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]. A sorted set of at most kWholeScanMax
// members comes whole, in rank order, with cursor 0 (as Redis's listpack encoding);
// larger ones are scanned in member-hash order (collections.h).
void CmdZscan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = ParseScanCursor(ctx.args[2]);
  if (!cursor)
    return ctx.Error(err::kInvalidCursor);
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kZset, &wrong);
  if (wrong)
    return;
  ScanOptions opt;
  if (!o) {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk("0");
    return ctx.reply().ArrayHeader(0);
  }
  if (!ParseScanOptions(ctx, 3, &opt))
    return;
  const lattice::ZsetStore& z = *o->zset();
  std::vector<ScoredMember> found;
  uint64_t next = 0;
  if (z.size() <= kWholeScanMax) {
    for (auto it = z.index().begin(); it != z.index().end(); ++it) {
      if (opt.Matches(it.key().member))
        found.emplace_back(it.key().member, it.key().score);
    }
  } else {
    next = ScanElements(z.members().map(), *cursor, opt.count, [&](auto it) {
      if (opt.Matches(it->first.str)) {
        found.emplace_back(it->first.str,
                           lattice::ZsetStore::VisibleScore(it->second, z.RunsOf(it->first.ref())));
      }
    });
  }
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(std::to_string(next));
  ctx.reply().ArrayHeader(found.size() * 2);
  for (const auto& [member, score] : found) {
    ctx.reply().Bulk(member);
    ctx.reply().Bulk(lattice::FormatDouble(score));
  }
}

constexpr uint32_t kW = kCmdWrite | kCmdDenyOom;

constexpr CommandSpec kZsetCommands[] = {
    {"zadd", -4, kW | kCmdFast, 1, 1, 1, CmdZadd, "sorted-set", "1.2.0",
     "Adds one or more members to a sorted set, or updates their scores. Creates the key if "
     "it doesn't exist.",
     "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
     "key [NX | XX] [GT | LT] [CH] [INCR] (score:double member)..."},
    {"zincrby", 4, kW | kCmdFast, 1, 1, 1, CmdZincrby, "sorted-set", "1.2.0",
     "Increments the score of a member in a sorted set.",
     "O(log(N)) where N is the number of elements in the sorted set.",
     "key increment:double member"},
    {"zrem", -3, kCmdWrite | kCmdFast, 1, 1, 1, CmdZrem, "sorted-set", "1.2.0",
     "Removes one or more members from a sorted set. Deletes the sorted set if all members "
     "were removed.",
     "O(M*log(N)) with N being the number of elements in the sorted set and M the number of "
     "elements to be removed.",
     "key member..."},
    {"zscore", 3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdZscore, "sorted-set", "1.2.0",
     "Returns the score of a member in a sorted set.", "O(1)", "key member"},
    {"zmscore", -3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdZmscore, "sorted-set", "6.2.0",
     "Returns the score of one or more members in a sorted set.",
     "O(N) where N is the number of members being requested.", "key member..."},
    {"zcard", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdZcard, "sorted-set", "1.2.0",
     "Returns the number of members in a sorted set.", "O(1)", "key"},
    {"zrank", 3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdZrank, "sorted-set", "2.0.0",
     "Returns the index of a member in a sorted set ordered by ascending scores.", "O(log(N))",
     "key member"},
    {"zrevrank", 3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdZrevrank, "sorted-set", "2.0.0",
     "Returns the index of a member in a sorted set ordered by descending scores.", "O(log(N))",
     "key member"},
    {"zpopmin", -2, kCmdWrite | kCmdFast, 1, 1, 1, CmdZpopmin, "sorted-set", "5.0.0",
     "Returns the lowest-scoring members from a sorted set after removing them. Deletes the "
     "sorted set if the last member was popped.",
     "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
     "number of elements popped.",
     "key [count:integer]"},
    {"zpopmax", -2, kCmdWrite | kCmdFast, 1, 1, 1, CmdZpopmax, "sorted-set", "5.0.0",
     "Returns the highest-scoring members from a sorted set after removing them. Deletes the "
     "sorted set if the last member was popped.",
     "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
     "number of elements popped.",
     "key [count:integer]"},
    // Keys are found through numkeys (Redis: movablekeys, legacy positions 0 0 0).
    {"zmpop", -4, kCmdWrite, 0, 0, 0, CmdZmpop, "sorted-set", "7.0.0",
     "Returns the highest- or lowest-scoring members from one or more sorted sets after "
     "removing them. Deletes the sorted set if the last member was popped.",
     "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
     "elements in the sorted set, and M being the number of elements popped.",
     "numkeys:integer key:string... (where: MIN | MAX) [COUNT count:integer]"},
    {"zrandmember", -2, kCmdReadonly, 1, 1, 1, CmdZrandmember, "sorted-set", "6.2.0",
     "Returns one or more random members from a sorted set.",
     "O(N) where N is the number of members returned", "key [count:integer [WITHSCORES]]"},
    {"zscan", -3, kCmdReadonly, 1, 1, 1, CmdZscan, "sorted-set", "2.8.0",
     "Iterates over members and scores of a sorted set.",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls "
     "for the cursor to return back to 0. N is the number of elements inside the collection.",
     "key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]"},
};

}  // namespace

void RegisterZsetCommands(CommandTable& table) {
  table.Register(kZsetCommands);
  zsets::RegisterZsetRangeCommands(table);
  zsets::RegisterZsetSetOpCommands(table);
}

}  // namespace starling::server
