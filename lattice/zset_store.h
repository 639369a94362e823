// ZsetStore: a sorted set (DESIGN.md section 3, row "sorted set").
//
// Lattice state: member -> score register (ValueDots<double> in a DotMap, plus counter runs
// beside it), so membership is add-wins, concurrent ZADDs resolve last-writer-wins by HLC,
// and concurrent ZINCRBYs add up. The visible score of a member is
//   winner score (0 if the member was only incremented) + net of its runs, in double.
// A member whose visible score would be NaN keeps its written score.
//
// Derived (not part of the lattice, not compared, not encoded): `index`, the visible
// (score, member) pairs in Redis order, an order-statistic tree so that rank and range
// reads cost O(log n + m). Every join updates it for the members it touches (sparse) or
// rebuilds it (full join).
// Partial order and bottom: those of the DotMap times the pointwise order of runs.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <string_view>

#include "lattice/counter_register.h"
#include "lattice/dot_store.h"
#include "lattice/elem_key.h"
#include "lattice/order_tree.h"

namespace starling::lattice {

struct ScoreKey {
  double score = 0;
  std::string member;
};

// Redis order: by score, then by member bytes (memcmp order).
struct ScoreKeyLess {
  using is_transparent = void;
  struct View {
    double score;
    std::string_view member;
  };
  static bool Less(double a, std::string_view ma, double b, std::string_view mb) {
    if (a < b) return true;
    if (b < a) return false;
    return ma < mb;
  }
  bool operator()(const ScoreKey& a, const ScoreKey& b) const {
    return Less(a.score, a.member, b.score, b.member);
  }
  bool operator()(const ScoreKey& a, const View& b) const {
    return Less(a.score, a.member, b.score, b.member);
  }
  bool operator()(const View& a, const ScoreKey& b) const {
    return Less(a.score, a.member, b.score, b.member);
  }
};

struct Unit {
  bool operator==(const Unit&) const = default;
};

class ZsetStore {
 public:
  using Members = DotMap<ElemKey, ValueDots<double>, ElemLess>;
  using Index = OrderTree<ScoreKey, Unit, ScoreKeyLess>;

  ZsetStore() = default;
  ZsetStore(const ZsetStore&) = default;
  ZsetStore& operator=(const ZsetStore&) = default;

  bool IsBottom() const { return members_.IsBottom() && runs_.empty(); }
  size_t size() const { return members_.size(); }
  const Members& members() const { return members_; }
  const absl::btree_map<ElemKey, CounterRuns, ElemLess>& runs() const { return runs_; }
  const Index& index() const { return index_; }

  const CounterRuns* RunsOf(const ElemRef& m) const {
    auto it = runs_.find(m);
    return it == runs_.end() ? nullptr : &it->second;
  }

  static double VisibleScore(const ValueDots<double>& d, const CounterRuns* runs) {
    const auto* w = d.Winner();
    double base = w ? w->second.value : 0.0;
    RunNet net = NetOfRuns(d, runs);
    if (!net.any) return base;
    double s = base + static_cast<double>(static_cast<long double>(net.i) + net.f);
    return std::isnan(s) ? base : s;
  }

  std::optional<double> Score(const ElemRef& m) const {
    const ValueDots<double>* d = members_.Find(m);
    if (!d) return std::nullopt;
    return VisibleScore(*d, RunsOf(m));
  }

  template <typename F>
  void ForEachDot(F&& f) const {
    members_.ForEachDot(f);
  }

  void Join(const CausalContext& self_ctx, const ZsetStore& o, const CausalContext& o_ctx,
            JoinMode mode, bool keep_bottoms) {
    if (mode == JoinMode::kFull) {
      members_.Join(self_ctx, o.members_, o_ctx, mode, keep_bottoms);
      JoinRunsMap(o.runs_);
      RebuildIndex();
      return;
    }
    for (const auto& [k, os] : o.members_.map()) {
      std::optional<double> before = Score(k.ref());
      members_.JoinKey(k, self_ctx, os, o_ctx, keep_bottoms);
      if (auto rit = o.runs_.find(k); rit != o.runs_.end()) JoinRunsOf(k, rit->second);
      Reindex(k, before);
    }
    for (const auto& [k, r] : o.runs_) {
      if (o.members_.Find(k) != nullptr) continue;  // done above
      std::optional<double> before = Score(k.ref());
      JoinRunsOf(k, r);
      Reindex(k, before);
    }
  }

  // Lattice equality: the index is derived and not compared.
  bool operator==(const ZsetStore& o) const {
    return members_ == o.members_ && runs_ == o.runs_;
  }

  // Direct access for decoders and delta builders (callers rebuild the index after).
  Members& mutable_members() { return members_; }
  absl::btree_map<ElemKey, CounterRuns, ElemLess>& mutable_runs() { return runs_; }

  void RebuildIndex() {
    index_.clear();
    for (const auto& [k, d] : members_.map()) {
      index_.insert(ScoreKey{VisibleScore(d, RunsOf(k.ref())), k.str}, Unit{});
    }
  }

  // Drops runs of members that are gone (see Object::DropGhosts).
  void DropGhostRuns() {
    for (auto it = runs_.begin(); it != runs_.end();) {
      if (members_.Find(it->first) == nullptr) {
        it = runs_.erase(it);
      } else {
        ++it;
      }
    }
  }

 private:
  void JoinRunsMap(const absl::btree_map<ElemKey, CounterRuns, ElemLess>& o) {
    for (const auto& [k, r] : o) JoinRunsOf(k, r);
  }
  void JoinRunsOf(const ElemKey& k, const CounterRuns& r) {
    CounterRuns& mine = runs_[k];
    JoinRuns(mine.totals, r.totals);
    JoinRuns(mine.baseline, r.baseline);
  }
  void Reindex(const ElemKey& k, std::optional<double> before) {
    std::optional<double> after = Score(k.ref());
    if (before == after) return;
    if (before) index_.erase(ScoreKey{*before, k.str});
    if (after) index_.insert(ScoreKey{*after, k.str}, Unit{});
  }

  Members members_;
  absl::btree_map<ElemKey, CounterRuns, ElemLess> runs_;
  Index index_;
};

}  // namespace starling::lattice
