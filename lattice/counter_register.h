// CounterRegister<V>: the value of a Redis string (V = std::string), of a hash field
// (V = std::string) and of a sorted-set member's score (V = double). DESIGN.md section 3,
// rows "string" and "counter".
//
// Two parts share the key's causal context:
//  - entries: a DotFun of written values (SET, HSET, ZADD), each with its HLC stamp. The
//    visible value is the live entry with the largest (stamp, dot). A write removes the
//    entries and marks it observed.
//  - runs: increments (INCRBY, INCRBYFLOAT, HINCRBY, ZINCRBY). Each replica adds to its own
//    run, a single-writer running total (seq, integer sum, float sum) joined by max seq. A
//    run is named by the dot that started it, so a replica whose run was fully absorbed
//    (by a DEL it has seen) starts a new run rather than reusing the old name.
//    Each entry records the totals it absorbed (what it had seen), and removals (DEL, HDEL,
//    ZREM, expiry) raise `baseline` to the totals they saw. The visible value is
//      winner.value + Σ_run (total - max(winner.absorbed, baseline))
//    so concurrent increments add up, a SET absorbs exactly the increments it had seen, and
//    a removal cancels exactly the increments it had seen. `marks` holds one live dot per
//    increment so that an incremented value is present (it exists) like a written one.
//
// Partial order: the causal order on (entries, marks) with the context, times the pointwise
// order of the run maps (by seq). Bottom: no entries, no marks, no runs.
//
// A register with no live dots but with runs is a ghost: invisible, kept so that a
// concurrent increment still nets against the baseline, and dropped once the removal is
// causally stable (Object::DropGhosts).
#pragma once

#include <absl/container/inlined_vector.h>

#include <algorithm>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "lattice/box.h"
#include "lattice/dot_store.h"
#include "lattice/hlc.h"

namespace starling::lattice {

// The running total of one run. Single writer (the run's replica), so seq orders versions.
struct Contribution {
  uint64_t seq = 0;
  int64_t i = 0;      // integer increments
  long double f = 0;  // float increments
  bool operator==(const Contribution& o) const {
    return seq == o.seq && i == o.i && std::strong_order(f, o.f) == 0;
  }
  // Total order used to join versions: seq first; the rest only breaks ties on garbage.
  bool operator<(const Contribution& o) const {
    if (seq != o.seq) return seq < o.seq;
    if (i != o.i) return i < o.i;
    return std::strong_order(f, o.f) < 0;
  }
};

// run dot -> contribution, sorted by dot; joined pointwise by max.
using RunMap = absl::InlinedVector<std::pair<Dot, Contribution>, 1>;

inline const Contribution* FindRun(const RunMap& m, const Dot& run) {
  auto it = std::lower_bound(m.begin(), m.end(), run,
                             [](const auto& e, const Dot& d) { return e.first < d; });
  return it != m.end() && it->first == run ? &it->second : nullptr;
}

inline void JoinRun(RunMap& m, const Dot& run, const Contribution& c) {
  auto it = std::lower_bound(m.begin(), m.end(), run,
                             [](const auto& e, const Dot& d) { return e.first < d; });
  if (it != m.end() && it->first == run) {
    if (it->second < c) it->second = c;
  } else {
    m.insert(it, {run, c});
  }
}

inline void JoinRuns(RunMap& m, const RunMap& o) {
  for (const auto& [run, c] : o) JoinRun(m, run, c);
}

struct CounterRuns {
  RunMap totals;
  RunMap baseline;
  bool IsBottom() const { return totals.empty() && baseline.empty(); }
  bool operator==(const CounterRuns&) const = default;
};

template <typename V>
struct ValueEntry {
  Hlc stamp = 0;
  V value{};
  Box<RunMap> absorbed;  // totals this write had seen; null when none

  bool operator==(const ValueEntry& o) const {
    return stamp == o.stamp && TotalEqual(value, o.value) && absorbed == o.absorbed;
  }
  // Total order, only for deterministic tie-breaks on garbage (a dot's value never changes).
  bool operator<(const ValueEntry& o) const {
    if (stamp != o.stamp) return stamp < o.stamp;
    if (!TotalEqual(value, o.value)) return TotalLess(value, o.value);
    size_t a = absorbed ? absorbed->size() : 0, b = o.absorbed ? o.absorbed->size() : 0;
    return a < b;
  }
};

// The net effect of the runs on the visible value.
struct RunNet {
  bool any = false;        // some run has increments the winning write had not absorbed
  bool has_float = false;  // some float amount is non-zero
  __int128 i = 0;
  long double f = 0;
};

// The causal part of a register: written values and increment marks.
template <typename V>
struct ValueDots {
  using Entry = ValueEntry<V>;
  DotFun<Entry> entries;
  DotSet marks;

  bool IsBottom() const { return entries.IsBottom() && marks.IsBottom(); }

  // The live entry with the largest (stamp, dot), or null.
  const std::pair<Dot, Entry>* Winner() const {
    const std::pair<Dot, Entry>* best = nullptr;
    for (const auto& e : entries.entries()) {
      if (!best || std::tie(best->second.stamp, best->first) < std::tie(e.second.stamp, e.first)) {
        best = &e;
      }
    }
    return best;
  }

  template <typename F>
  void ForEachDot(F&& f) const {
    entries.ForEachDot(f);
    marks.ForEachDot(f);
  }

  void Join(const CausalContext& self_ctx, const ValueDots& o, const CausalContext& o_ctx,
            JoinMode mode, bool keep_bottoms) {
    entries.Join(self_ctx, o.entries, o_ctx, mode, keep_bottoms);
    marks.Join(self_ctx, o.marks, o_ctx, mode, keep_bottoms);
  }

  bool operator==(const ValueDots&) const = default;
};

// Σ over runs of total - max(absorbed by the winning entry, baseline), in run order so that
// float rounding is the same on every replica. `runs` may be null.
template <typename V>
RunNet NetOfRuns(const ValueDots<V>& dots, const CounterRuns* runs) {
  RunNet net;
  if (!runs) return net;
  const auto* w = dots.Winner();
  const RunMap* absorbed = w && w->second.absorbed ? w->second.absorbed.get() : nullptr;
  for (const auto& [run, total] : runs->totals) {
    Contribution base;
    if (absorbed) {
      if (const Contribution* a = FindRun(*absorbed, run)) base = *a;
    }
    if (const Contribution* b = FindRun(runs->baseline, run)) {
      if (base < *b) base = *b;
    }
    if (!(base < total)) continue;  // fully absorbed
    __int128 di = static_cast<__int128>(total.i) - base.i;
    long double df = total.f - base.f;
    // Any increment since the winning write counts, even a net zero one: the value is then
    // the counter's number in canonical form ("3.0" + 0.5 - 0.5 reads "3"), as in Redis.
    net.any = true;
    if (df != 0) net.has_float = true;
    net.i += di;
    net.f += df;
  }
  return net;
}

// ---- Delta builders. Each writes into a delta (whose context is `dctx`) the change an
// operation makes to a register whose current state is (dots, runs); the caller joins the
// delta into the state. The dot `d` is fresh (one per live occurrence).

// Overwrites the value (SET, HSET, ZADD): removes observed entries and marks; the new entry
// absorbs every run total seen.
template <typename V>
void BuildAssign(const ValueDots<V>& dots, const CounterRuns* runs, const Dot& d, Hlc stamp,
                 V value, CausalContext& dctx, ValueDots<V>& delta) {
  dots.ForEachDot([&](const Dot& x) { dctx.Insert(x); });
  ValueEntry<V> e;
  e.stamp = stamp;
  e.value = std::move(value);
  if (runs && !runs->totals.empty()) e.absorbed.Ensure() = runs->totals;
  dctx.Insert(d);
  delta.entries.Insert(d, std::move(e));
}

// Adds (di, df) to this replica's run (INCRBY, HINCRBY, ZINCRBY...). The mark `d` replaces
// the observed marks. The replica's latest run continues unless a removal fully absorbed it
// or its integer sum would overflow; then a new run named `d` starts.
template <typename V>
void BuildIncrement(const ValueDots<V>& dots, const CounterRuns* runs, const Dot& d, int64_t di,
                    long double df, CausalContext& dctx, ValueDots<V>& delta,
                    CounterRuns& delta_runs) {
  dots.marks.ForEachDot([&](const Dot& x) { dctx.Insert(x); });
  dctx.Insert(d);
  delta.marks.Insert(d);
  Dot run = d;     // a new run by default
  Contribution c;  // its total so far
  if (runs) {
    const std::pair<Dot, Contribution>* mine = nullptr;
    for (const auto& e : runs->totals) {
      if (e.first.replica == d.replica && (!mine || mine->first < e.first)) mine = &e;
    }
    if (mine) {
      // A run fully absorbed by a removal or by the winning write is closed: continuing it
      // would net new increments against a long-double total (inexact), so a new run
      // starts and the value reads back exactly what the increment produced.
      const Contribution* b = FindRun(runs->baseline, mine->first);
      const auto* w = dots.Winner();
      const Contribution* wa =
          w && w->second.absorbed ? FindRun(*w->second.absorbed, mine->first) : nullptr;
      bool absorbed = (b && !(*b < mine->second)) || (wa && !(*wa < mine->second));
      int64_t sum;
      bool overflow = __builtin_add_overflow(mine->second.i, di, &sum);
      if (!absorbed && !overflow) {
        run = mine->first;
        c = mine->second;
      }
    }
  }
  c.seq += 1;
  c.i += di;
  c.f += df;
  JoinRun(delta_runs.totals, run, c);
}

// Drops runs that contribute nothing to any view: every live entry (and the baseline)
// absorbed all of the run. Only for a state whose removals and writes are causally stable
// (a key's sole replica): a concurrent write that had not absorbed the run would need it.
template <typename V>
void CompactAbsorbedRuns(ValueDots<V>& dots, CounterRuns& runs) {
  if (runs.totals.empty()) return;
  RunMap keep;
  for (const auto& [run, total] : runs.totals) {
    const Contribution* b = FindRun(runs.baseline, run);
    bool base_done = b && !(*b < total);
    bool dead = base_done || !dots.entries.IsBottom();
    if (!base_done) {
      for (const auto& [d, e] : dots.entries.entries()) {
        const Contribution* a = e.absorbed ? FindRun(*e.absorbed, run) : nullptr;
        if (!a || *a < total) {
          dead = false;
          break;
        }
      }
    }
    if (!dead) keep.emplace_back(run, total);
  }
  if (keep.size() == runs.totals.size()) return;
  auto is_kept = [&](const Dot& run) { return FindRun(keep, run) != nullptr; };
  RunMap baseline;
  for (const auto& e : runs.baseline) {
    if (is_kept(e.first)) baseline.push_back(e);
  }
  for (auto& [d, e] : dots.entries.mutable_entries()) {
    if (!e.absorbed) continue;
    RunMap a;
    for (const auto& x : *e.absorbed) {
      if (is_kept(x.first)) a.push_back(x);
    }
    if (a.empty()) {
      e.absorbed.Reset();
    } else {
      *e.absorbed = std::move(a);
    }
  }
  runs.totals = std::move(keep);
  runs.baseline = std::move(baseline);
}

// Removes the value (DEL, HDEL, ZREM, expiry): removes observed dots; the baseline absorbs
// every run total seen.
template <typename V>
void BuildRemove(const ValueDots<V>& dots, const CounterRuns* runs, CausalContext& dctx,
                 CounterRuns& delta_runs) {
  dots.ForEachDot([&](const Dot& x) { dctx.Insert(x); });
  if (runs && !runs->totals.empty()) JoinRuns(delta_runs.baseline, runs->totals);
}

// A whole register (the value of a string key): causal dots plus runs. A register with runs
// but no live dots is a ghost (see the file comment).
template <typename V>
struct CounterRegister {
  ValueDots<V> dots;
  Box<CounterRuns> runs;

  bool IsBottom() const { return dots.IsBottom() && !runs; }
  bool HasLiveDots() const { return !dots.IsBottom(); }
  bool IsGhost() const { return dots.IsBottom() && static_cast<bool>(runs); }
  RunNet Net() const { return NetOfRuns(dots, runs.get()); }

  template <typename F>
  void ForEachDot(F&& f) const {
    dots.ForEachDot(f);
  }

  void Join(const CausalContext& self_ctx, const CounterRegister& o, const CausalContext& o_ctx,
            JoinMode mode, bool keep_bottoms) {
    dots.Join(self_ctx, o.dots, o_ctx, mode, keep_bottoms);
    if (o.runs) {
      CounterRuns& r = runs.Ensure();
      JoinRuns(r.totals, o.runs->totals);
      JoinRuns(r.baseline, o.runs->baseline);
    }
  }

  bool operator==(const CounterRegister&) const = default;
};

}  // namespace starling::lattice
