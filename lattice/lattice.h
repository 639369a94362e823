// The Lattice concept and the primitive lattices.
//
// A lattice value has a join (least upper bound) that is commutative, associative and
// idempotent, and a bottom that is the identity of join. Every value the cluster stores is
// a lattice, so replicas converge whatever order, duplication or delay the network adds.
// Join is in place: a.Join(b) makes a = a ⊔ b. Values are plain data; no threads, no clock.
#pragma once

#include <algorithm>
#include <compare>
#include <concepts>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace starling::lattice {

template <typename L>
concept Lattice = std::equality_comparable<L> && requires(L a, const L& b) {
  { a.Join(b) } -> std::same_as<void>;
  { L::Bottom() } -> std::same_as<L>;
  { b.IsBottom() } -> std::same_as<bool>;
};

// A strict total order on T: operator< for most types, IEEE totalOrder for floating point
// so that NaN, -0.0 and infinities have a place and join stays a lattice operation.
template <typename T>
bool TotalLess(const T& a, const T& b) {
  if constexpr (std::floating_point<T>) {
    return std::strong_order(a, b) < 0;
  } else {
    return a < b;
  }
}

template <typename T>
bool TotalEqual(const T& a, const T& b) {
  if constexpr (std::floating_point<T>) {
    return std::strong_order(a, b) == 0;
  } else {
    return a == b;
  }
}

// TotalLess as a comparator, for ordered containers of lattice elements: NaN, -0.0 and +0.0
// each get their own place, so sets of doubles stay lattices.
struct TotalLessFn {
  template <typename T>
  bool operator()(const T& a, const T& b) const {
    return TotalLess(a, b);
  }
};

// MaxLattice: order is T's total order; bottom is "no value yet" (below every T, so it is
// the identity for any T: doubles, strings, int64 extremes). Join keeps the larger.
template <typename T>
class MaxLattice {
 public:
  MaxLattice() = default;
  explicit MaxLattice(T v) : v_(std::move(v)) {}
  static MaxLattice Bottom() { return MaxLattice(); }
  bool IsBottom() const { return !v_.has_value(); }
  void Join(const MaxLattice& o) {
    if (o.v_ && (!v_ || TotalLess(*v_, *o.v_))) v_ = o.v_;
  }
  const std::optional<T>& value() const { return v_; }
  bool operator==(const MaxLattice& o) const {
    return v_.has_value() == o.v_.has_value() && (!v_ || TotalEqual(*v_, *o.v_));
  }

 private:
  std::optional<T> v_;
};

// MinLattice: order is the reverse of T's total order; bottom is "no value yet".
template <typename T>
class MinLattice {
 public:
  MinLattice() = default;
  explicit MinLattice(T v) : v_(std::move(v)) {}
  static MinLattice Bottom() { return MinLattice(); }
  bool IsBottom() const { return !v_.has_value(); }
  void Join(const MinLattice& o) {
    if (o.v_ && (!v_ || TotalLess(*o.v_, *v_))) v_ = o.v_;
  }
  const std::optional<T>& value() const { return v_; }
  bool operator==(const MinLattice& o) const {
    return v_.has_value() == o.v_.has_value() && (!v_ || TotalEqual(*v_, *o.v_));
  }

 private:
  std::optional<T> v_;
};

// BoolLattice: false < true; join is logical or; bottom false.
class BoolLattice {
 public:
  BoolLattice() = default;
  explicit BoolLattice(bool v) : v_(v) {}
  static BoolLattice Bottom() { return BoolLattice(); }
  bool IsBottom() const { return !v_; }
  void Join(const BoolLattice& o) { v_ = v_ || o.v_; }
  bool value() const { return v_; }
  bool operator==(const BoolLattice&) const = default;

 private:
  bool v_ = false;
};

// SetLattice: grow-only set ordered by inclusion; join is union; bottom empty.
template <typename T>
class SetLattice {
 public:
  using Set = std::set<T, TotalLessFn>;
  SetLattice() = default;
  explicit SetLattice(Set s) : s_(std::move(s)) {}
  // From a set ordered by <: elements that < merges (NaN with everything, -0.0 with +0.0)
  // are kept apart here.
  template <typename C>
  explicit SetLattice(const std::set<T, C>& s) : s_(s.begin(), s.end()) {}
  static SetLattice Bottom() { return SetLattice(); }
  bool IsBottom() const { return s_.empty(); }
  void Join(const SetLattice& o) { s_.insert(o.s_.begin(), o.s_.end()); }
  // Delta-mutator: adds x and returns the delta {x}.
  SetLattice Add(const T& x) {
    s_.insert(x);
    return SetLattice(Set{x});
  }
  bool Contains(const T& x) const { return s_.count(x) > 0; }
  const Set& elements() const { return s_; }
  bool operator==(const SetLattice& o) const {
    return std::equal(s_.begin(), s_.end(), o.s_.begin(), o.s_.end(),
                      [](const T& a, const T& b) { return TotalEqual(a, b); });
  }

 private:
  Set s_;
};

// MapLattice: key -> lattice, ordered pointwise; join is pointwise; bottom empty. Entries
// whose value is bottom are not stored, so equal maps have equal representations.
template <typename K, Lattice V>
class MapLattice {
 public:
  static MapLattice Bottom() { return MapLattice(); }
  bool IsBottom() const { return m_.empty(); }
  void Join(const MapLattice& o) {
    for (const auto& [k, v] : o.m_) {
      if (v.IsBottom()) continue;
      m_[k].Join(v);
    }
  }
  // Delta-mutator: joins v into key k; returns the delta {k: v}.
  MapLattice JoinAt(const K& k, const V& v) {
    MapLattice delta;
    if (v.IsBottom()) return delta;
    m_[k].Join(v);
    delta.m_.emplace(k, v);
    return delta;
  }
  const V* Find(const K& k) const {
    auto it = m_.find(k);
    return it == m_.end() ? nullptr : &it->second;
  }
  const std::map<K, V, TotalLessFn>& entries() const { return m_; }
  bool operator==(const MapLattice& o) const {
    return std::equal(m_.begin(), m_.end(), o.m_.begin(), o.m_.end(),
                      [](const auto& a, const auto& b) {
                        return TotalEqual(a.first, b.first) && a.second == b.second;
                      });
  }

 private:
  std::map<K, V, TotalLessFn> m_;
};

}  // namespace starling::lattice
