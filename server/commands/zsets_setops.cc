// Sorted-set commands, part 3: union, intersection and difference (ZUNION[STORE],
// ZINTER[STORE], ZDIFF[STORE], ZINTERCARD). Inputs may be sorted sets or sets (a set member
// scores 1), as in Redis. Arguments, errors and arithmetic follow Redis 7.0's
// zunionInterDiffGenericCommand: inputs ordered by size (stably) for union and
// intersection, weighted scores whose NaN becomes 0, SUM turning inf + -inf into 0, so the
// floating-point results are Redis's to the bit.
#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "lattice/numbers.h"
#include "lattice/zset_ops.h"
#include "server/commands/common.h"
#include "server/commands/zsets.h"

namespace starling::server::zsets {
namespace {

using lattice::ElemRef;
using lattice::KeyType;
using lattice::Object;

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One input: a sorted set, a set, or nothing (a missing key).
struct Source {
  const Object* obj = nullptr;
  bool is_set = false;
  double weight = 1.0;

  size_t Length() const {
    if (!obj)
      return 0;
    return is_set ? obj->set()->size() : obj->zset()->size();
  }
  // Calls f(member, score) for every member (sorted sets in rank order).
  template <typename F>
  void ForEach(F&& f) const {
    if (!obj)
      return;
    if (is_set) {
      for (const auto& [k, dots] : obj->set()->map())
        f(std::string_view(k.str), 1.0);
      return;
    }
    const Index& index = obj->zset()->index();
    for (auto it = index.begin(); it != index.end(); ++it)
      f(it.key().member, it.key().score);
  }
  std::optional<double> Find(std::string_view member) const {
    if (!obj)
      return std::nullopt;
    if (is_set) {
      return obj->set()->Find(ElemRef(member)) ? std::optional<double>(1.0) : std::nullopt;
    }
    return obj->zset()->Score(ElemRef(member));
  }
};

void Combine(double* target, double v, Aggregate agg) {
  switch (agg) {
    case Aggregate::kSum:
      *target = *target + v;
      // inf + -inf is NaN; Redis's convention makes it 0.
      if (std::isnan(*target))
        *target = 0.0;
      return;
    case Aggregate::kMin:
      *target = v < *target ? v : *target;
      return;
    case Aggregate::kMax:
      *target = v > *target ? v : *target;
      return;
  }
}

double Weighted(double score, double weight) {
  double s = score * weight;
  return std::isnan(s) ? 0.0 : s;
}

// The shared body: args[numkeys_idx] is numkeys; dst is empty unless storing.
void ZsetOpGeneric(CommandContext& ctx, size_t numkeys_idx, std::string_view dst, SetOp op,
                   bool card_only) {
  const size_t argc = ctx.args.size();
  std::optional<int64_t> numkeys = lattice::ParseInt64(ctx.args[numkeys_idx]);
  if (!numkeys)
    return ctx.Error(err::kNotInteger);
  if (*numkeys < 1) {
    return ctx.Error("ERR at least 1 input key is needed for '" + std::string(ctx.spec.name) +
                     "' command");
  }
  if (*numkeys > static_cast<int64_t>(argc - numkeys_idx - 1))
    return ctx.Error(err::kSyntax);
  const size_t n = static_cast<size_t>(*numkeys);
  std::vector<Source> src(n);
  for (size_t i = 0; i < n; ++i) {
    const Object* o = ctx.node.Lookup(ctx.args[numkeys_idx + 1 + i]);
    if (!o)
      continue;
    KeyType t = o->Type();
    if (t != KeyType::kZset && t != KeyType::kSet)
      return ctx.Error(err::kWrongType);
    src[i].obj = o;
    src[i].is_set = t == KeyType::kSet;
  }
  Aggregate agg = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;  // ZINTERCARD: 0 is no limit
  for (size_t j = numkeys_idx + 1 + n; j < argc;) {
    size_t remaining = argc - j;
    std::string_view a = ctx.args[j];
    bool weighted = op != SetOp::kDiff && !card_only;
    if (weighted && remaining >= n + 1 && EqualsIgnoreCase(a, "WEIGHTS")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j) {
        std::optional<double> w = lattice::ParseDouble(ctx.args[j]);
        if (!w)
          return ctx.Error("ERR weight value is not a float");
        src[i].weight = *w;
      }
    } else if (weighted && remaining >= 2 && EqualsIgnoreCase(a, "AGGREGATE")) {
      std::string_view how = ctx.args[j + 1];
      if (EqualsIgnoreCase(how, "SUM")) {
        agg = Aggregate::kSum;
      } else if (EqualsIgnoreCase(how, "MIN")) {
        agg = Aggregate::kMin;
      } else if (EqualsIgnoreCase(how, "MAX")) {
        agg = Aggregate::kMax;
      } else {
        return ctx.Error(err::kSyntax);
      }
      j += 2;
    } else if (dst.empty() && !card_only && EqualsIgnoreCase(a, "WITHSCORES")) {
      withscores = true;
      ++j;
    } else if (card_only && remaining >= 2 && EqualsIgnoreCase(a, "LIMIT")) {
      std::optional<int64_t> l = lattice::ParseInt64(ctx.args[j + 1]);
      if (!l || *l < 0)
        return ctx.Error("ERR LIMIT can't be negative");
      limit = *l;
      j += 2;
    } else {
      return ctx.Error(err::kSyntax);
    }
  }
  if (op != SetOp::kDiff) {
    std::stable_sort(src.begin(), src.end(),
                     [](const Source& a, const Source& b) { return a.Length() < b.Length(); });
  }
  std::vector<ScoredMember> out;
  int64_t card = 0;
  if (op == SetOp::kInter) {
    if (src[0].Length() > 0) {
      src[0].ForEach([&](std::string_view member, double s0) {
        if (card_only && limit > 0 && card >= limit)
          return;
        double score = Weighted(s0, src[0].weight);
        for (size_t j = 1; j < n; ++j) {
          std::optional<double> v =
              src[j].obj == src[0].obj ? std::optional<double>(s0) : src[j].Find(member);
          if (!v)
            return;
          Combine(&score, *v * src[j].weight, agg);
        }
        ++card;
        if (!card_only)
          out.emplace_back(std::string(member), score);
      });
    }
  } else if (op == SetOp::kUnion) {
    absl::flat_hash_map<std::string_view, double> acc;
    std::vector<std::string_view> order;  // first-seen order; sorted below anyway
    for (const Source& s : src) {
      s.ForEach([&](std::string_view member, double v) {
        double score = Weighted(v, s.weight);
        auto [it, inserted] = acc.try_emplace(member, score);
        if (inserted) {
          order.push_back(member);
        } else {
          Combine(&it->second, score, agg);
        }
      });
    }
    out.reserve(order.size());
    for (std::string_view m : order)
      out.emplace_back(std::string(m), acc[m]);
  } else {
    src[0].ForEach([&](std::string_view member, double s0) {
      for (size_t j = 1; j < n; ++j) {
        if (src[j].obj == src[0].obj || src[j].Find(member))
          return;
      }
      out.emplace_back(std::string(member), s0);
    });
  }
  if (card_only)
    return ctx.reply().Integer(card);
  std::sort(out.begin(), out.end(), [](const ScoredMember& a, const ScoredMember& b) {
    return lattice::ScoreKeyLess::Less(a.second, a.first, b.second, b.first);
  });
  if (!dst.empty())
    return StoreAndReply(ctx, dst, out);
  ReplyMembers(ctx, out, withscores);
}

void CmdZunionstore(CommandContext& ctx) {
  ZsetOpGeneric(ctx, 2, ctx.args[1], SetOp::kUnion, false);
}
void CmdZinterstore(CommandContext& ctx) {
  ZsetOpGeneric(ctx, 2, ctx.args[1], SetOp::kInter, false);
}
void CmdZdiffstore(CommandContext& ctx) { ZsetOpGeneric(ctx, 2, ctx.args[1], SetOp::kDiff, false); }
void CmdZunion(CommandContext& ctx) { ZsetOpGeneric(ctx, 1, {}, SetOp::kUnion, false); }
void CmdZinter(CommandContext& ctx) { ZsetOpGeneric(ctx, 1, {}, SetOp::kInter, false); }
void CmdZdiff(CommandContext& ctx) { ZsetOpGeneric(ctx, 1, {}, SetOp::kDiff, false); }
void CmdZintercard(CommandContext& ctx) { ZsetOpGeneric(ctx, 1, {}, SetOp::kInter, true); }

constexpr const char* kG = "sorted-set";
constexpr const char* kUnionCost =
    "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M "
    "being the number of elements in the resulting sorted set.";
constexpr const char* kInterCost =
    "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the "
    "number of input sorted sets and M being the number of elements in the resulting sorted "
    "set.";
constexpr const char* kDiffCost =
    "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, "
    "N is the size of the first set, and K is the size of the result set.";
#define STARLING_ZOP_OPTS "[WEIGHTS weight:integer...] [AGGREGATE (aggregate: SUM | MIN | MAX)]"

// Keys after numkeys are found through it (Redis: movablekeys); the store forms report
// their destination as the only fixed key, as Redis does.
constexpr CommandSpec kZsetSetOpCommands[] = {
    {"zunionstore", -4, kCmdWrite | kCmdDenyOom, 1, 1, 1, CmdZunionstore, kG, "2.0.0",
     "Stores the union of multiple sorted sets in a key.", kUnionCost,
     "destination:key numkeys:integer key:string... " STARLING_ZOP_OPTS},
    {"zinterstore", -4, kCmdWrite | kCmdDenyOom, 1, 1, 1, CmdZinterstore, kG, "2.0.0",
     "Stores the intersect of multiple sorted sets in a key.", kInterCost,
     "destination:key numkeys:integer key:string... " STARLING_ZOP_OPTS},
    {"zdiffstore", -4, kCmdWrite | kCmdDenyOom, 1, 1, 1, CmdZdiffstore, kG, "6.2.0",
     "Stores the difference of multiple sorted sets in a key.", kDiffCost,
     "destination:key numkeys:integer key:string..."},
    {"zunion", -3, kCmdReadonly, 0, 0, 0, CmdZunion, kG, "6.2.0",
     "Returns the union of multiple sorted sets.", kUnionCost,
     "numkeys:integer key:string... " STARLING_ZOP_OPTS " [WITHSCORES]"},
    {"zinter", -3, kCmdReadonly, 0, 0, 0, CmdZinter, kG, "6.2.0",
     "Returns the intersect of multiple sorted sets.", kInterCost,
     "numkeys:integer key:string... " STARLING_ZOP_OPTS " [WITHSCORES]"},
    {"zdiff", -3, kCmdReadonly, 0, 0, 0, CmdZdiff, kG, "6.2.0",
     "Returns the difference between multiple sorted sets.", kDiffCost,
     "numkeys:integer key:string... [WITHSCORES]"},
    {"zintercard", -3, kCmdReadonly, 0, 0, 0, CmdZintercard, kG, "7.0.0",
     "Returns the number of members of the intersect of multiple sorted sets.",
     "O(N*K) worst case with N being the smallest input sorted set, K being the number of "
     "input sorted sets.",
     "numkeys:integer key:string... [LIMIT limit:integer]"},
};

#undef STARLING_ZOP_OPTS

}  // namespace

void RegisterZsetSetOpCommands(CommandTable& table) { table.Register(kZsetSetOpCommands); }

}  // namespace starling::server::zsets
