// ListStore: a Redis list as a sequence CRDT (DESIGN.md section 3, row "list").
//
// Each element has a Position, a path of (digit, dot) pairs compared lexicographically (a
// proper prefix sorts first), chosen dense so that a new position fits between any two
// (the Logoot family). The order of live elements never depends on removed ones, so a
// removal leaves nothing behind but the key's compact causal context: no tombstones, and a
// list that has pushed and popped a million elements costs what its live elements cost.
// (RGA, which DESIGN.md names, must keep removed elements to place their successors; see
// lattice/README.md for why we chose positions.)
//
// The value of an element is a DotFun of (HLC stamp, bytes): LSET replaces the observed
// value; concurrent LSETs resolve last-writer-wins; an LSET concurrent with a pop keeps the
// element (its new dot was not observed). Concurrent pushes are all kept, in one order on
// every replica; a multi-element push shares one position prefix, so concurrent multi-
// element pushes never interleave.
//
// The elements live in an order-statistic tree keyed by Position, so LINDEX, LRANGE and
// LSET by index cost O(log n). Partial order and bottom: those of DotMap<Position, DotFun>.
#pragma once

#include <absl/container/inlined_vector.h>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "lattice/counter_register.h"
#include "lattice/dot_store.h"
#include "lattice/order_tree.h"

namespace starling::lattice {

struct PosDigit {
  int64_t digit = 0;
  Dot dot;
  auto operator<=>(const PosDigit&) const = default;
};

using Position = absl::InlinedVector<PosDigit, 1>;

struct PositionLess {
  bool operator()(const Position& a, const Position& b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  }
};

// Digits handed out stay within ±kPositionDigitLimit, so the virtual bounds below and
// above every real digit always leave room.
constexpr int64_t kPositionDigitLimit = int64_t{1} << 62;

// A position strictly between *lo and *hi (null: the head or the tail) ending in dot d.
// REQUIRES: lo < hi when both are given.
inline Position PositionBetween(const Position* lo, const Position* hi, const Dot& d) {
  Position out;
  bool hi_bound = hi != nullptr;
  for (size_t i = 0;; ++i) {
    bool p_real = lo && i < lo->size();
    bool q_real = hi_bound && i < hi->size();
    __int128 p = p_real ? (*lo)[i].digit : static_cast<__int128>(INT64_MIN);
    __int128 q = q_real ? (*hi)[i].digit : static_cast<__int128>(INT64_MAX);
    if (q - p >= 2) {
      __int128 x = p_real ? p + 1 : (q_real ? q - 1 : 0);
      if (x >= -kPositionDigitLimit && x <= kPositionDigitLimit) {
        out.push_back(PosDigit{static_cast<int64_t>(x), d});
        return out;
      }
    }
    // No room at this level: follow lo (it is real here, since real digits are bounded).
    PosDigit take = p_real ? (*lo)[i] : PosDigit{-kPositionDigitLimit, Dot{}};
    out.push_back(take);
    if (!q_real || !((*hi)[i] == take)) hi_bound = false;
  }
}

// The position of the k-th element (k >= 1) of a group whose first element is at `group`.
inline Position PositionInGroup(const Position& group, int64_t k, const Dot& d) {
  Position out = group;
  out.push_back(PosDigit{k, d});
  return out;
}

using ListValue = ValueEntry<std::string>;
using ListElem = DotFun<ListValue>;

// The visible value of an element: its live value with the largest (stamp, dot).
inline const std::string* ListElemValue(const ListElem& e) {
  const std::pair<Dot, ListValue>* best = nullptr;
  for (const auto& x : e.entries()) {
    if (!best || std::tie(best->second.stamp, best->first) < std::tie(x.second.stamp, x.first)) {
      best = &x;
    }
  }
  return best ? &best->second.value : nullptr;
}

class ListStore {
 public:
  using Elems = OrderTree<Position, ListElem, PositionLess>;

  bool IsBottom() const { return elems_.empty(); }
  size_t size() const { return elems_.size(); }
  const Elems& elems() const { return elems_; }
  Elems& mutable_elems() { return elems_; }

  template <typename F>
  void ForEachDot(F&& f) const {
    for (auto it = elems_.begin(); it != elems_.end(); ++it) it.value().ForEachDot(f);
  }

  // In a delta: records the element at p as touched (an empty entry if absent).
  void Touch(const Position& p) {
    if (elems_.find(p) == elems_.end()) elems_.insert(p, ListElem{});
  }
  ListElem& At(const Position& p) {
    auto it = elems_.find(p);
    if (it == elems_.end()) it = elems_.insert(p, ListElem{}).first;
    return it.value();
  }

  void Join(const CausalContext& self_ctx, const ListStore& o, const CausalContext& o_ctx,
            JoinMode mode, bool keep_bottoms) {
    static const ListElem kBottom{};
    if (mode == JoinMode::kFull) {
      for (auto it = elems_.begin(); it != elems_.end();) {
        if (o.elems_.find(it.key()) == o.elems_.end()) {
          it.value().Join(self_ctx, kBottom, o_ctx, JoinMode::kFull, keep_bottoms);
          if (it.value().IsBottom() && !keep_bottoms) {
            it = elems_.erase(it);
            continue;
          }
        }
        ++it;
      }
    }
    for (auto ot = o.elems_.begin(); ot != o.elems_.end(); ++ot) {
      auto it = elems_.find(ot.key());
      if (it == elems_.end()) {
        ListElem fresh;
        fresh.Join(self_ctx, ot.value(), o_ctx, JoinMode::kFull, keep_bottoms);
        if (!fresh.IsBottom() || keep_bottoms) elems_.insert(ot.key(), std::move(fresh));
        continue;
      }
      it.value().Join(self_ctx, ot.value(), o_ctx, JoinMode::kFull, keep_bottoms);
      if (it.value().IsBottom() && !keep_bottoms) elems_.erase(it);
    }
  }

  bool operator==(const ListStore& o) const { return elems_ == o.elems_; }

 private:
  Elems elems_;
};

}  // namespace starling::lattice
