// Sorted-set commands, part 2: ranges by rank, score and lex (ZRANGE and its legacy
// forms, ZRANGESTORE, ZCOUNT, ZLEXCOUNT, ZREMRANGEBY*), and the range helpers of zsets.h.
// Every range is located through the order index: O(log n) to find it, O(m) to read it.
// Replies and errors are Redis 7.0's (t_zset.c zrangeGenericCommand and friends).
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "lattice/numbers.h"
#include "lattice/zset_ops.h"
#include "server/commands/common.h"
#include "server/commands/zsets.h"

namespace starling::server::zsets {
namespace {

using lattice::KeyType;
using lattice::Mutation;
using lattice::Object;
using View = lattice::ScoreKeyLess::View;

constexpr double kInf = std::numeric_limits<double>::infinity();

// zslParseRange's reading of one bound.
bool ParseScoreBound(std::string_view arg, double* v, bool* exclusive) {
  std::string buf(arg);  // strtod needs a NUL; an embedded NUL ends the number, as in Redis
  const char* p = buf.c_str();
  *exclusive = false;
  if (!buf.empty() && buf[0] == '(') {
    *exclusive = true;
    ++p;
  }
  char* end = nullptr;
  *v = std::strtod(p, &end);
  return *end == '\0' && !std::isnan(*v);
}

bool ParseLexBound(std::string_view arg, LexBound* b) {
  if (arg.empty())
    return false;
  switch (arg[0]) {
    case '+':
    case '-':
      if (arg.size() != 1)
        return false;
      b->kind = arg[0] == '+' ? LexBound::kPlusInf : LexBound::kMinusInf;
      b->exclusive = true;
      return true;
    case '(':
    case '[':
      b->kind = LexBound::kValue;
      b->exclusive = arg[0] == '(';
      b->value = std::string(arg.substr(1));
      return true;
    default:
      return false;
  }
}

// -1, 0, 1 as Redis's sdscmplex, with "-" below and "+" above every string.
int CompareBounds(const LexBound& a, const LexBound& b) {
  auto rank = [](const LexBound& x) {
    return x.kind == LexBound::kMinusInf ? 0 : x.kind == LexBound::kValue ? 1 : 2;
  };
  if (rank(a) != rank(b))
    return rank(a) < rank(b) ? -1 : 1;
  if (a.kind != LexBound::kValue)
    return 0;
  int c = a.value.compare(b.value);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

bool SameScores(const Index& index) {
  return index.begin().key().score == std::prev(index.end()).key().score;
}

// How many members (all of score s) sort below v, or below-or-equal when include_equal.
size_t CountBelow(const Index& index, double s, std::string_view v, bool include_equal) {
  size_t r = index.rank_of(View{s, v});
  if (include_equal && r < index.size() && index.select(r).key().member == v)
    ++r;
  return r;
}

// How many members (all of one score) are below the lower end of r.
size_t LowerRank(const Index& index, const LexRange& r) {
  switch (r.min.kind) {
    case LexBound::kMinusInf:
      return 0;
    case LexBound::kPlusInf:
      return index.size();
    case LexBound::kValue:
      break;
  }
  return CountBelow(index, index.begin().key().score, r.min.value, r.min.exclusive);
}

// How many members (all of one score) are at or below the upper end of r.
size_t UpperRank(const Index& index, const LexRange& r) {
  switch (r.max.kind) {
    case LexBound::kMinusInf:
      return 0;
    case LexBound::kPlusInf:
      return index.size();
    case LexBound::kValue:
      break;
  }
  return CountBelow(index, index.begin().key().score, r.max.value, !r.max.exclusive);
}

// Redis's quick rejection (zzlIsInLexRange): the range is empty, or misses both ends.
bool LexRangeMisses(const Index& index, const LexRange& r) {
  return r.Empty() || index.empty() || !r.GteMin(std::prev(index.end()).key().member) ||
         !r.LteMax(index.begin().key().member);
}

}  // namespace

std::optional<ScoreRange> ParseScoreRange(std::string_view min, std::string_view max) {
  ScoreRange r;
  if (!ParseScoreBound(min, &r.min, &r.minex) || !ParseScoreBound(max, &r.max, &r.maxex)) {
    return std::nullopt;
  }
  return r;
}

std::pair<size_t, size_t> ScoreRanks(const Index& index, const ScoreRange& r) {
  // Scores are doubles, so "above x" is "at least the next double after x".
  size_t lo, hi;
  if (!r.minex) {
    lo = index.rank_of(View{r.min, {}});
  } else if (r.min == kInf) {
    lo = index.size();
  } else {
    lo = index.rank_of(View{std::nextafter(r.min, kInf), {}});
  }
  if (r.maxex) {
    hi = index.rank_of(View{r.max, {}});
  } else if (r.max == kInf) {
    hi = index.size();
  } else {
    hi = index.rank_of(View{std::nextafter(r.max, kInf), {}});
  }
  return {lo, std::max(lo, hi)};
}

bool LexRange::GteMin(std::string_view s) const {
  switch (min.kind) {
    case LexBound::kMinusInf:
      return true;
    case LexBound::kPlusInf:
      return false;
    case LexBound::kValue:
      break;
  }
  return min.exclusive ? s > min.value : s >= min.value;
}

bool LexRange::LteMax(std::string_view s) const {
  switch (max.kind) {
    case LexBound::kMinusInf:
      return false;
    case LexBound::kPlusInf:
      return true;
    case LexBound::kValue:
      break;
  }
  return max.exclusive ? s < max.value : s <= max.value;
}

bool LexRange::Empty() const {
  int c = CompareBounds(min, max);
  return c > 0 || (c == 0 && (min.exclusive || max.exclusive));
}

std::optional<LexRange> ParseLexRange(std::string_view min, std::string_view max) {
  LexRange r;
  if (!ParseLexBound(min, &r.min) || !ParseLexBound(max, &r.max))
    return std::nullopt;
  return r;
}

std::optional<size_t> FirstInLex(const Index& index, const LexRange& r) {
  if (LexRangeMisses(index, r))
    return std::nullopt;
  if (SameScores(index)) {
    size_t first = LowerRank(index, r);
    if (first >= index.size() || !r.LteMax(index.select(first).key().member)) {
      return std::nullopt;
    }
    return first;
  }
  size_t rank = 0;
  for (auto it = index.begin(); it != index.end(); ++it, ++rank) {
    if (r.GteMin(it.key().member)) {
      return r.LteMax(it.key().member) ? std::optional<size_t>(rank) : std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<size_t> LastInLex(const Index& index, const LexRange& r) {
  if (LexRangeMisses(index, r))
    return std::nullopt;
  if (SameScores(index)) {
    size_t end = UpperRank(index, r);
    if (end == 0 || !r.GteMin(index.select(end - 1).key().member))
      return std::nullopt;
    return end - 1;
  }
  size_t rank = index.size();
  for (auto it = index.end(); it != index.begin();) {
    --it;
    --rank;
    if (r.LteMax(it.key().member)) {
      return r.GteMin(it.key().member) ? std::optional<size_t>(rank) : std::nullopt;
    }
  }
  return std::nullopt;
}

size_t LexRunLength(const Index& index, size_t from, const LexRange& r, bool reverse) {
  if (from >= index.size())
    return 0;
  if (SameScores(index)) {
    if (!reverse) {
      size_t end = UpperRank(index, r);
      return end > from ? end - from : 0;
    }
    size_t start = LowerRank(index, r);
    return from + 1 > start ? from + 1 - start : 0;
  }
  size_t n = 0;
  auto it = index.select(from);
  if (!reverse) {
    for (; it != index.end() && r.LteMax(it.key().member); ++it)
      ++n;
    return n;
  }
  while (r.GteMin(it.key().member)) {
    ++n;
    if (it == index.begin())
      break;
    --it;
  }
  return n;
}

void StoreAndReply(CommandContext& ctx, std::string_view dst, std::span<const ScoredMember> items) {
  if (items.empty()) {
    ctx.node.Delete(dst);
    return ctx.reply().Integer(0);
  }
  ctx.node.Write(dst, [&](Mutation& m) {
    if (!m.obj().store.IsBottom())
      m.RemoveAll();
    // A stored sorted set keeps no negative zero (as Redis's compact encoding).
    for (const auto& [member, score] : items)
      lattice::ZsetAdd(m, member, score == 0 ? 0.0 : score);
  });
  ctx.reply().Integer(static_cast<int64_t>(items.size()));
}

namespace {

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

// Rank bounds normalised as Redis does: negatives count from the end; [start, start + n).
bool NormalizeRanks(int64_t start, int64_t end, size_t size, size_t* from, size_t* n) {
  int64_t len = static_cast<int64_t>(size);
  if (start < 0)
    start = len + start;
  if (end < 0)
    end = len + end;
  if (start < 0)
    start = 0;
  if (start > end || start >= len)
    return false;
  if (end >= len)
    end = len - 1;
  *from = static_cast<size_t>(start);
  *n = static_cast<size_t>(end - start + 1);
  return true;
}

// The shared body of ZRANGE, ZRANGESTORE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX,
// ZREVRANGEBYLEX and ZREVRANGE: the source key is args[src]; dst is empty unless storing.
void ZrangeGeneric(CommandContext& ctx, size_t src, std::string_view dst, RangeType type,
                   Direction dir) {
  const bool store = !dst.empty();
  const size_t argc = ctx.args.size();
  bool withscores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = src + 3; j < argc; ++j) {
    size_t left = argc - j - 1;
    std::string_view a = ctx.args[j];
    if (!store && EqualsIgnoreCase(a, "WITHSCORES")) {
      withscores = true;
    } else if (EqualsIgnoreCase(a, "LIMIT") && left >= 2) {
      std::optional<int64_t> o = lattice::ParseInt64(ctx.args[j + 1]);
      std::optional<int64_t> l = lattice::ParseInt64(ctx.args[j + 2]);
      if (!o || !l)
        return ctx.Error(err::kNotInteger);
      offset = *o;
      limit = *l;
      j += 2;
    } else if (dir == Direction::kAuto && EqualsIgnoreCase(a, "REV")) {
      dir = Direction::kReverse;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(a, "BYLEX")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(a, "BYSCORE")) {
      type = RangeType::kScore;
    } else {
      return ctx.Error(err::kSyntax);
    }
  }
  if (dir == Direction::kAuto)
    dir = Direction::kForward;
  if (type == RangeType::kAuto)
    type = RangeType::kRank;
  if (limit != -1 && type == RangeType::kRank) {
    return ctx.Error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (withscores && type == RangeType::kLex) {
    return ctx.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  const bool reverse = dir == Direction::kReverse;
  std::string_view lo_arg = ctx.args[src + 1], hi_arg = ctx.args[src + 2];
  // By score or lex, a reverse range is written max first.
  if (reverse && type != RangeType::kRank)
    std::swap(lo_arg, hi_arg);
  int64_t start = 0, end = 0;
  std::optional<ScoreRange> score_range;
  std::optional<LexRange> lex_range;
  if (type == RangeType::kRank) {
    std::optional<int64_t> s = lattice::ParseInt64(lo_arg), e = lattice::ParseInt64(hi_arg);
    if (!s || !e)
      return ctx.Error(err::kNotInteger);
    start = *s;
    end = *e;
  } else if (type == RangeType::kScore) {
    score_range = ParseScoreRange(lo_arg, hi_arg);
    if (!score_range)
      return ctx.Error(err::kMinMaxNotFloat);
  } else {
    lex_range = ParseLexRange(lo_arg, hi_arg);
    if (!lex_range)
      return ctx.Error(err::kMinMaxNotString);
  }
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[src], KeyType::kZset, &wrong);
  if (wrong)
    return;
  std::vector<ScoredMember> items;
  if (o) {
    const Index& index = o->zset()->index();
    const size_t size = index.size();
    size_t from = 0, n = 0;
    if (type == RangeType::kRank) {
      if (NormalizeRanks(start, end, size, &from, &n) && reverse)
        from = size - 1 - from;
    } else if (offset >= 0) {
      // The first entry in range on the walk's side, then `offset` entries on.
      std::optional<size_t> first;
      size_t avail = 0;
      if (type == RangeType::kScore) {
        auto [r0, r1] = ScoreRanks(index, *score_range);
        if (r1 > r0)
          first = reverse ? r1 - 1 : r0;
        avail = r1 - r0;
      } else {
        first = reverse ? LastInLex(index, *lex_range) : FirstInLex(index, *lex_range);
        avail = size;
      }
      if (first && static_cast<uint64_t>(offset) < avail) {
        uint64_t off = static_cast<uint64_t>(offset);
        bool inside = reverse ? off <= *first : *first + off < size;
        if (inside) {
          from = reverse ? *first - off : *first + off;
          if (type == RangeType::kScore) {
            n = avail - off;
          } else {
            n = LexRunLength(index, from, *lex_range, reverse);
          }
          if (limit >= 0)
            n = std::min<uint64_t>(n, static_cast<uint64_t>(limit));
        }
      }
    }
    items = MembersByRank(index, from, n, reverse);
  }
  if (store)
    return StoreAndReply(ctx, dst, items);
  ReplyMembers(ctx, items, withscores);
}

void CmdZrange(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, {}, RangeType::kAuto, Direction::kAuto);
}
void CmdZrangestore(CommandContext& ctx) {
  ZrangeGeneric(ctx, 2, ctx.args[1], RangeType::kAuto, Direction::kAuto);
}
void CmdZrevrange(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, {}, RangeType::kRank, Direction::kReverse);
}
void CmdZrangebyscore(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, {}, RangeType::kScore, Direction::kForward);
}
void CmdZrevrangebyscore(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, {}, RangeType::kScore, Direction::kReverse);
}
void CmdZrangebylex(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, {}, RangeType::kLex, Direction::kForward);
}
void CmdZrevrangebylex(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, {}, RangeType::kLex, Direction::kReverse);
}

void CmdZcount(CommandContext& ctx) {
  std::optional<ScoreRange> r = ParseScoreRange(ctx.args[2], ctx.args[3]);
  if (!r)
    return ctx.Error(err::kMinMaxNotFloat);
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kZset, &wrong);
  if (wrong)
    return;
  if (!o)
    return ctx.reply().Integer(0);
  auto [r0, r1] = ScoreRanks(o->zset()->index(), *r);
  ctx.reply().Integer(static_cast<int64_t>(r1 - r0));
}

void CmdZlexcount(CommandContext& ctx) {
  std::optional<LexRange> r = ParseLexRange(ctx.args[2], ctx.args[3]);
  if (!r)
    return ctx.Error(err::kMinMaxNotString);
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kZset, &wrong);
  if (wrong)
    return;
  if (!o)
    return ctx.reply().Integer(0);
  const Index& index = o->zset()->index();
  std::optional<size_t> first = FirstInLex(index, *r);
  ctx.reply().Integer(first ? static_cast<int64_t>(LexRunLength(index, *first, *r, false)) : 0);
}

// ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX key a b.
void ZremrangeGeneric(CommandContext& ctx, RangeType type) {
  int64_t start = 0, end = 0;
  std::optional<ScoreRange> score_range;
  std::optional<LexRange> lex_range;
  if (type == RangeType::kRank) {
    std::optional<int64_t> s = lattice::ParseInt64(ctx.args[2]);
    std::optional<int64_t> e = lattice::ParseInt64(ctx.args[3]);
    if (!s || !e)
      return ctx.Error(err::kNotInteger);
    start = *s;
    end = *e;
  } else if (type == RangeType::kScore) {
    score_range = ParseScoreRange(ctx.args[2], ctx.args[3]);
    if (!score_range)
      return ctx.Error(err::kMinMaxNotFloat);
  } else {
    lex_range = ParseLexRange(ctx.args[2], ctx.args[3]);
    if (!lex_range)
      return ctx.Error(err::kMinMaxNotString);
  }
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kZset, &wrong, false);
  if (wrong)
    return;
  if (!o)
    return ctx.reply().Integer(0);
  const Index& index = o->zset()->index();
  size_t from = 0, n = 0;
  if (type == RangeType::kRank) {
    NormalizeRanks(start, end, index.size(), &from, &n);
  } else if (type == RangeType::kScore) {
    auto [r0, r1] = ScoreRanks(index, *score_range);
    from = r0;
    n = r1 - r0;
  } else if (std::optional<size_t> first = FirstInLex(index, *lex_range)) {
    from = *first;
    n = LexRunLength(index, from, *lex_range, false);
  }
  if (n == 0)
    return ctx.reply().Integer(0);
  std::vector<ScoredMember> doomed = MembersByRank(index, from, n, false);
  std::vector<std::string_view> names;
  names.reserve(doomed.size());
  for (const auto& p : doomed)
    names.push_back(p.first);
  ctx.node.Write(ctx.args[1], [&](Mutation& m) { lattice::ZsetRemove(m, names); });
  ctx.reply().Integer(static_cast<int64_t>(names.size()));
}
void CmdZremrangebyrank(CommandContext& ctx) { ZremrangeGeneric(ctx, RangeType::kRank); }
void CmdZremrangebyscore(CommandContext& ctx) { ZremrangeGeneric(ctx, RangeType::kScore); }
void CmdZremrangebylex(CommandContext& ctx) { ZremrangeGeneric(ctx, RangeType::kLex); }

constexpr const char* kG = "sorted-set";
constexpr const char* kRangeCost =
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
    "elements returned.";
constexpr const char* kRemCost =
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
    "elements removed by the operation.";

constexpr CommandSpec kZsetRangeCommands[] = {
    {"zrange", -4, kCmdReadonly, 1, 1, 1, CmdZrange, kG, "1.2.0",
     "Returns members in a sorted set within a range of indexes.", kRangeCost,
     "key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset:integer count:integer] "
     "[WITHSCORES]"},
    {"zrangestore", -5, kCmdWrite | kCmdDenyOom, 1, 2, 1, CmdZrangestore, kG, "6.2.0",
     "Stores a range of members from sorted set in a key.", kRangeCost,
     "dst:key src:key min max [BYSCORE | BYLEX] [REV] [LIMIT offset:integer count:integer]"},
    {"zrevrange", -4, kCmdReadonly, 1, 1, 1, CmdZrevrange, kG, "1.2.0",
     "Returns members in a sorted set within a range of indexes in reverse order.", kRangeCost,
     "key start:integer stop:integer [WITHSCORES]"},
    {"zrangebyscore", -4, kCmdReadonly, 1, 1, 1, CmdZrangebyscore, kG, "1.0.5",
     "Returns members in a sorted set within a range of scores.", kRangeCost,
     "key min:double max:double [WITHSCORES] [LIMIT offset:integer count:integer]"},
    {"zrevrangebyscore", -4, kCmdReadonly, 1, 1, 1, CmdZrevrangebyscore, kG, "2.2.0",
     "Returns members in a sorted set within a range of scores in reverse order.", kRangeCost,
     "key max:double min:double [WITHSCORES] [LIMIT offset:integer count:integer]"},
    {"zrangebylex", -4, kCmdReadonly, 1, 1, 1, CmdZrangebylex, kG, "2.8.9",
     "Returns members in a sorted set within a lexicographical range.", kRangeCost,
     "key min max [LIMIT offset:integer count:integer]"},
    {"zrevrangebylex", -4, kCmdReadonly, 1, 1, 1, CmdZrevrangebylex, kG, "2.8.9",
     "Returns members in a sorted set within a lexicographical range in reverse order.", kRangeCost,
     "key max min [LIMIT offset:integer count:integer]"},
    {"zcount", 4, kCmdReadonly | kCmdFast, 1, 1, 1, CmdZcount, kG, "2.0.0",
     "Returns the count of members in a sorted set that have scores within a range.",
     "O(log(N)) with N being the number of elements in the sorted set.",
     "key min:double max:double"},
    {"zlexcount", 4, kCmdReadonly | kCmdFast, 1, 1, 1, CmdZlexcount, kG, "2.8.9",
     "Returns the number of members in a sorted set within a lexicographical range.",
     "O(log(N)) with N being the number of elements in the sorted set.", "key min max"},
    {"zremrangebyrank", 4, kCmdWrite, 1, 1, 1, CmdZremrangebyrank, kG, "2.0.0",
     "Removes members in a sorted set within a range of indexes. Deletes the sorted set if "
     "all members were removed.",
     kRemCost, "key start:integer stop:integer"},
    {"zremrangebyscore", 4, kCmdWrite, 1, 1, 1, CmdZremrangebyscore, kG, "1.2.0",
     "Removes members in a sorted set within a range of scores. Deletes the sorted set if "
     "all members were removed.",
     kRemCost, "key min:double max:double"},
    {"zremrangebylex", 4, kCmdWrite, 1, 1, 1, CmdZremrangebylex, kG, "2.8.9",
     "Removes members in a sorted set within a lexicographical range. Deletes the sorted set "
     "if all members were removed.",
     kRemCost, "key min max"},
};

}  // namespace

void RegisterZsetRangeCommands(CommandTable& table) { table.Register(kZsetRangeCommands); }

}  // namespace starling::server::zsets
