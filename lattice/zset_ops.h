// Redis sorted sets on an Object (DESIGN.md section 3, row "sorted set"): membership is
// add-wins, concurrent ZADDs of a member resolve last-writer-wins by HLC, concurrent
// ZINCRBYs add up. Mutators change only the Mutation's delta; the caller Apply()s it.
#pragma once

#include <cmath>
#include <optional>
#include <string_view>

#include "lattice/object.h"

namespace starling::lattice {

inline size_t ZsetCard(const Object& o) { return o.zset() ? o.zset()->size() : 0; }

inline std::optional<double> ZsetScore(const Object& o, std::string_view member) {
  return o.zset() ? o.zset()->Score(ElemRef(member)) : std::nullopt;
}

namespace internal {
inline const ValueDots<double>& MemberDots(const Object& o, const ElemRef& m) {
  static const ValueDots<double> kEmpty;
  const ValueDots<double>* d = o.zset() ? o.zset()->members().Find(m) : nullptr;
  return d ? *d : kEmpty;
}
}  // namespace internal

// ZADD of one member: the score replaces the observed one and absorbs seen increments.
inline void ZsetAdd(Mutation& m, std::string_view member, double score) {
  m.Retag(KeyType::kZset);
  ElemRef ref(member);
  const Object& o = m.obj();
  const CounterRuns* runs = o.zset() ? o.zset()->RunsOf(ref) : nullptr;
  Dot d = m.NewDot();
  ValueDots<double>& dm = m.dstore().zset.Ensure().mutable_members().At(ElemKey(ref));
  dm.entries.Clear();  // a member repeated within one command: the last score wins
  BuildAssign(internal::MemberDots(o, ref), runs, d, m.stamp(), score, m.dctx(), dm);
}

// ZINCRBY of one member (ZADD INCR): adds to this replica's run for the member.
inline void ZsetIncrement(Mutation& m, std::string_view member, double by) {
  m.Retag(KeyType::kZset);
  ElemRef ref(member);
  const Object& o = m.obj();
  const CounterRuns* runs = o.zset() ? o.zset()->RunsOf(ref) : nullptr;
  Dot d = m.NewDot();
  ZsetStore& dz = m.dstore().zset.Ensure();
  BuildIncrement(internal::MemberDots(o, ref), runs, d, 0, by, m.dctx(),
                 dz.mutable_members().At(ElemKey(ref)), dz.mutable_runs()[ElemKey(ref)]);
}

// ZINCRBY as one node computes it: the visible score becomes exactly `target`, the double
// sum of the current score and the increment (Redis's arithmetic), rather than the long
// double sum of all increments since the last ZADD, which may round differently. The amount
// added to this replica's run is what it takes to reach `target`, so concurrent increments
// at other replicas still add up. When no increment of the run reaches `target` exactly
// (infinite scores or sums, where run arithmetic gives NaN or loses the value), the member
// is assigned `target` instead, as a ZADD would. REQUIRES: target is not NaN.
inline void ZsetIncrementTo(Mutation& m, std::string_view member, double by, double target) {
  m.Retag(KeyType::kZset);
  ElemRef ref(member);
  const Object& o = m.obj();
  const ZsetStore* z = o.zset();
  const CounterRuns* runs = z ? z->RunsOf(ref) : nullptr;
  const ValueDots<double>& dots = internal::MemberDots(o, ref);
  long double amount = by;
  if (!dots.IsBottom()) {
    const auto* w = dots.Winner();
    long double base = w ? w->second.value : 0.0L;
    RunNet net = NetOfRuns(dots, runs);
    long double diff =
        (static_cast<long double>(target) - base) - (static_cast<long double>(net.i) + net.f);
    if (std::isfinite(diff))
      amount = diff;
  }
  Dot d = m.NewDot();
  // What the increment would show: the same entries, this replica's run moved on.
  ValueDots<double> sim_dots;
  CounterRuns sim_runs;
  CausalContext sim_ctx;
  BuildIncrement(dots, runs, d, 0, amount, sim_ctx, sim_dots, sim_runs);
  CounterRuns after = runs ? *runs : CounterRuns{};
  JoinRuns(after.totals, sim_runs.totals);
  ZsetStore& dz = m.dstore().zset.Ensure();
  ValueDots<double>& dm = dz.mutable_members().At(ElemKey(ref));
  if (ZsetStore::VisibleScore(dots, &after) == target) {
    BuildIncrement(dots, runs, d, 0, amount, m.dctx(), dm, dz.mutable_runs()[ElemKey(ref)]);
  } else {
    BuildAssign(dots, runs, d, m.stamp(), target, m.dctx(), dm);
  }
}

// ZREM: returns how many members were removed. Removing the last member deletes the key.
template <typename Range>
size_t ZsetRemove(Mutation& m, const Range& members) {
  const ZsetStore* cur = m.obj().zset();
  if (!cur) return 0;
  ZsetStore& delta = m.dstore().zset.Ensure();
  size_t removed = 0;
  for (std::string_view member : members) {
    ElemRef ref(member);
    const ValueDots<double>* d = cur->members().Find(ref);
    if (!d || delta.members().Find(ref)) continue;
    CounterRuns baseline;
    BuildRemove(*d, cur->RunsOf(ref), m.dctx(), baseline);
    if (!baseline.IsBottom()) delta.mutable_runs()[ElemKey(ref)] = std::move(baseline);
    delta.mutable_members().Touch(ElemKey(ref));
    ++removed;
  }
  if (removed == 0) {
    m.dstore().zset.Reset();
  } else if (removed == cur->size()) {
    m.RemoveAll();
  } else {
    m.Retag(KeyType::kZset);
  }
  return removed;
}

}  // namespace starling::lattice
