// Dot stores and Causal<T>: the causal CRDT kernel (DESIGN.md section 3).
//
// A dot store holds the live dots of a state; a CausalContext holds every dot the state has
// seen. A dot that is in the context but not in the store was removed. Join is defined once
// per store kind (Almeida et al. 2018):
//   DotSet:      (s ∩ s') ∪ (s \ c') ∪ (s' \ c)
//   DotFun<V>:   the same on the dots; a dot's value never changes once written, so values
//                of a dot present on both sides are equal (if garbled input makes them
//                differ, the larger in V's total order is kept, deterministically).
//   DotMap<K,S>: pointwise join of the sub-stores with the same contexts; bottoms dropped.
//   Causal<S>:   (store ⊔ store', c ∪ c').
// Partial order of Causal<S>: (s, c) <= (s', c') iff c ⊆ c' and every dot of s that is in
// s' ... i.e. the usual causal order; bottom is (empty, empty).
//
// Sparse deltas. A delta produced by a delta-mutator lists every map key it touches: keys
// whose dots it removes appear with an empty sub-store. Joining such a delta visits only its
// own keys, so a one-element delta costs O(log n) on a collection of n elements instead of
// O(n). This equals the full join because every dot in a mutator delta's context belongs to
// a key the delta lists (one dot per live occurrence, see README.md); the property tests
// check the equality. Full states (anti-entropy, restarts) always use the full join.
//
// Plain value types; no threads, no clock, no randomness.
#pragma once

#include <absl/container/btree_map.h>
#include <absl/container/inlined_vector.h>

#include <algorithm>
#include <concepts>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <utility>

#include "lattice/causal_context.h"
#include "lattice/lattice.h"

namespace starling::lattice {

// How the other side of a join is to be visited.
enum class JoinMode {
  kFull,    // other is a full state: visit the union of keys
  kSparse,  // other is a mutator delta: visit only the keys it lists
};

template <typename S>
concept DotStore = requires(S& s, const S& o, const CausalContext& c) {
  { s.Join(c, o, c, JoinMode::kFull, false) } -> std::same_as<void>;
  { o.IsBottom() } -> std::same_as<bool>;
  { S{} };
};

// ---------------------------------------------------------------------------------------
// DotSet: a set of dots, sorted.
class DotSet {
 public:
  using Dots = absl::InlinedVector<Dot, 1>;

  bool IsBottom() const { return dots_.empty(); }
  size_t size() const { return dots_.size(); }
  bool Contains(const Dot& d) const { return std::binary_search(dots_.begin(), dots_.end(), d); }
  void Insert(const Dot& d) {
    auto it = std::lower_bound(dots_.begin(), dots_.end(), d);
    if (it == dots_.end() || *it != d) dots_.insert(it, d);
  }
  void Erase(const Dot& d) {
    auto it = std::lower_bound(dots_.begin(), dots_.end(), d);
    if (it != dots_.end() && *it == d) dots_.erase(it);
  }
  void Clear() { dots_.clear(); }
  const Dots& dots() const { return dots_; }

  template <typename F>
  void ForEachDot(F&& f) const {
    for (const Dot& d : dots_) f(d);
  }

  void Join(const CausalContext& self_ctx, const DotSet& o, const CausalContext& o_ctx,
            JoinMode /*mode*/, bool /*keep_bottoms*/) {
    Dots out;
    out.reserve(dots_.size() + o.dots_.size());
    auto a = dots_.cbegin();
    auto b = o.dots_.cbegin();
    while (a != dots_.cend() || b != o.dots_.cend()) {
      if (b == o.dots_.cend() || (a != dots_.cend() && *a < *b)) {
        if (!o_ctx.Contains(*a)) out.push_back(*a);  // only here: kept unless other removed it
        ++a;
      } else if (a == dots_.cend() || *b < *a) {
        if (!self_ctx.Contains(*b)) out.push_back(*b);
        ++b;
      } else {
        out.push_back(*a);  // in both
        ++a;
        ++b;
      }
    }
    dots_ = std::move(out);
  }

  bool operator==(const DotSet&) const = default;

 private:
  Dots dots_;
};

// ---------------------------------------------------------------------------------------
// DotFun<V>: dot -> value, sorted by dot. V needs == and a total order (TotalLess).
template <typename V>
class DotFun {
 public:
  using Entry = std::pair<Dot, V>;
  using Entries = absl::InlinedVector<Entry, 1>;

  bool IsBottom() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const V* Find(const Dot& d) const {
    auto it = LowerBound(d);
    return it != entries_.end() && it->first == d ? &it->second : nullptr;
  }
  void Insert(const Dot& d, V v) {
    auto it = LowerBound(d);
    if (it != entries_.end() && it->first == d) {
      it->second = std::move(v);
    } else {
      entries_.insert(it, Entry(d, std::move(v)));
    }
  }
  void Erase(const Dot& d) {
    auto it = LowerBound(d);
    if (it != entries_.end() && it->first == d) entries_.erase(it);
  }
  void Clear() { entries_.clear(); }
  const Entries& entries() const { return entries_; }
  Entries& mutable_entries() { return entries_; }

  template <typename F>
  void ForEachDot(F&& f) const {
    for (const auto& e : entries_) f(e.first);
  }

  void Join(const CausalContext& self_ctx, const DotFun& o, const CausalContext& o_ctx,
            JoinMode /*mode*/, bool /*keep_bottoms*/) {
    if (o.entries_.empty() && entries_.empty()) return;
    Entries out;
    out.reserve(entries_.size() + o.entries_.size());
    auto a = entries_.begin();
    auto b = o.entries_.begin();
    while (a != entries_.end() || b != o.entries_.end()) {
      if (b == o.entries_.end() || (a != entries_.end() && a->first < b->first)) {
        if (!o_ctx.Contains(a->first)) out.push_back(std::move(*a));
        ++a;
      } else if (a == entries_.end() || b->first < a->first) {
        if (!self_ctx.Contains(b->first)) out.push_back(*b);
        ++b;
      } else {
        out.push_back(TotalLess(a->second, b->second) ? *b : std::move(*a));
        ++a;
        ++b;
      }
    }
    entries_ = std::move(out);
  }

  // Values compare in their total order (a NaN value equals itself).
  bool operator==(const DotFun& o) const {
    return std::equal(entries_.begin(), entries_.end(), o.entries_.begin(), o.entries_.end(),
                      [](const Entry& a, const Entry& b) {
                        return a.first == b.first && TotalEqual(a.second, b.second);
                      });
  }

 private:
  typename Entries::iterator LowerBound(const Dot& d) {
    return std::lower_bound(entries_.begin(), entries_.end(), d,
                            [](const Entry& e, const Dot& x) { return e.first < x; });
  }
  typename Entries::const_iterator LowerBound(const Dot& d) const {
    return std::lower_bound(entries_.begin(), entries_.end(), d,
                            [](const Entry& e, const Dot& x) { return e.first < x; });
  }

  Entries entries_;
};

// ---------------------------------------------------------------------------------------
// DotMap<K, S>: key -> dot store, ordered by K. A key is present iff its store is not
// bottom, except in sparse deltas, which may hold bottom entries for keys they touch.
template <typename K, DotStore S, typename Compare = std::less<K>>
class DotMap {
 public:
  using Map = absl::btree_map<K, S, Compare>;

  bool IsBottom() const { return map_.empty(); }
  size_t size() const { return map_.size(); }
  // Q is K or a type Compare accepts (heterogeneous lookup).
  template <typename Q>
  const S* Find(const Q& k) const {
    auto it = map_.find(k);
    return it == map_.end() ? nullptr : &it->second;
  }
  template <typename Q>
  S* FindMutable(const Q& k) {
    auto it = map_.find(k);
    return it == map_.end() ? nullptr : &it->second;
  }
  // The sub-store at k, created as bottom if absent.
  S& At(const K& k) { return map_[k]; }
  // Records k as touched in a delta (an entry with a bottom store if none yet).
  void Touch(const K& k) { map_.try_emplace(k); }
  void Erase(const K& k) { map_.erase(k); }
  void Clear() { map_.clear(); }
  const Map& map() const { return map_; }
  Map& mutable_map() { return map_; }

  template <typename F>
  void ForEachDot(F&& f) const {
    for (const auto& [k, s] : map_) s.ForEachDot(f);
  }

  void Join(const CausalContext& self_ctx, const DotMap& o, const CausalContext& o_ctx,
            JoinMode mode, bool keep_bottoms) {
    static const S kBottom{};
    if (mode == JoinMode::kSparse) {
      for (const auto& [k, os] : o.map_) JoinKey(k, self_ctx, os, o_ctx, keep_bottoms);
      return;
    }
    // Full join: every key of either side. Keys only on this side may lose dots that the
    // other side has seen.
    for (auto it = map_.begin(); it != map_.end();) {
      if (o.map_.find(it->first) == o.map_.end()) {
        it->second.Join(self_ctx, kBottom, o_ctx, JoinMode::kFull, keep_bottoms);
        if (it->second.IsBottom() && !keep_bottoms) {
          it = map_.erase(it);
          continue;
        }
      }
      ++it;
    }
    for (const auto& [k, os] : o.map_) JoinKey(k, self_ctx, os, o_ctx, keep_bottoms);
  }

  bool operator==(const DotMap& o) const { return map_ == o.map_; }

  // Joins the other side's sub-store `os` at key k (a step of Join, exposed so that stores
  // that keep a derived index beside a DotMap can join key by key and update the index).
  void JoinKey(const K& k, const CausalContext& self_ctx, const S& os, const CausalContext& o_ctx,
               bool keep_bottoms) {
    auto it = map_.find(k);
    if (it == map_.end()) {
      S fresh{};
      fresh.Join(self_ctx, os, o_ctx, JoinMode::kFull, keep_bottoms);
      if (!fresh.IsBottom() || keep_bottoms) map_.emplace(k, std::move(fresh));
      return;
    }
    it->second.Join(self_ctx, os, o_ctx, JoinMode::kFull, keep_bottoms);
    if (it->second.IsBottom() && !keep_bottoms) map_.erase(it);
  }

 private:
  Map map_;
};

// ---------------------------------------------------------------------------------------
// Causal<S>: a dot store with its causal context. A Lattice.
template <DotStore S>
struct Causal {
  S store;
  CausalContext ctx;
  // True for a delta produced by delta-mutators (and joins of such deltas): it lists every
  // key it touches, so joining it may visit only those keys.
  bool is_delta = false;

  static Causal Bottom() { return Causal(); }
  bool IsBottom() const { return store.IsBottom() && ctx.IsBottom(); }

  void Join(const Causal& o) {
    JoinMode mode = o.is_delta ? JoinMode::kSparse : JoinMode::kFull;
    bool keep_bottoms = is_delta && o.is_delta;
    if (is_delta && !o.is_delta) mode = JoinMode::kFull;
    store.Join(ctx, o.store, o.ctx, mode, keep_bottoms);
    ctx.Join(o.ctx);
    is_delta = keep_bottoms;
  }

  // Equality of the lattice state: the delta flag is a hint, not part of the state.
  bool operator==(const Causal& o) const { return store == o.store && ctx == o.ctx; }
};

// Hands out fresh dots for one replica. A key continues its own dense sequence
// (max + 1), which keeps its context one range per replica. A key with no dot of this
// replica starts above every counter this source has issued (the floor), so a key whose
// history was garbage-collected never reuses a dot that a peer may still remember.
class DotSource {
 public:
  explicit DotSource(ReplicaId replica) : replica_(replica) {}
  ReplicaId replica() const { return replica_; }

  // A fresh dot for a state with context `ctx`; the caller inserts it into ctx.
  Dot Next(const CausalContext& ctx) { return NextAfter(ctx.Max(replica_)); }
  // A fresh dot for a state whose largest counter of this replica is `max` (0: none).
  // Counters stay at or below kMaxDotCounter: decoders refuse larger ones, and a source
  // would need 2^62 writes to one key to get there, so reaching it is a broken invariant.
  Dot NextAfter(uint64_t max) {
    uint64_t c = (max == 0 ? floor_ : max) + 1;
    if (c > kMaxDotCounter) {
      std::fprintf(stderr, "fatal: dot counter limit reached for replica %llu\n",
                   static_cast<unsigned long long>(replica_));
      std::abort();
    }
    floor_ = std::max(floor_, c);
    return Dot{replica_, c};
  }
  // Allocates a dot and records it in ctx.
  Dot Take(CausalContext& ctx) {
    Dot d = Next(ctx);
    ctx.Insert(d);
    return d;
  }

  uint64_t floor() const { return floor_; }
  void RaiseFloor(uint64_t f) { floor_ = std::max(floor_, f); }

 private:
  ReplicaId replica_;
  uint64_t floor_ = 0;
};

}  // namespace starling::lattice
