// Two primitive CRDTs that sit beside the lattice.h primitives: a last-writer-wins register
// and a positive-negative counter. Both are plain value types that satisfy `Lattice`
// (lattice.h); no threads, no clock (the caller passes the HLC stamp), no randomness.
//
// Every mutator changes the value in place and returns its delta, a value of the same type
// with s ⊔ delta == the mutated s; a delta may be shipped and joined anywhere, any number of
// times, in any order.
#pragma once

#include <cstdint>
#include <optional>
#include <tuple>
#include <utility>

#include "lattice/causal_context.h"
#include "lattice/hlc.h"
#include "lattice/lattice.h"

namespace starling::lattice {

// LwwRegister<T>: one value stamped (hlc, replica).
// Partial order: entries are totally ordered by (stamp, replica, value), the value compared
// with TotalLess so that two garbled entries with the same (stamp, replica) still join
// commutatively; bottom (no entry) is below every entry. Join keeps the larger entry.
// T needs TotalLess/TotalEqual (lattice.h): any type with operator< and ==, or a floating
// point type (ordered by IEEE totalOrder, so NaN, -0.0 and infinities are values like others).
template <typename T>
class LwwRegister {
 public:
  struct Entry {
    Hlc stamp = 0;
    ReplicaId replica = 0;
    T value{};
  };

  LwwRegister() = default;
  LwwRegister(Hlc stamp, ReplicaId replica, T value)
      : entry_(Entry{stamp, replica, std::move(value)}) {}

  static LwwRegister Bottom() { return LwwRegister(); }
  bool IsBottom() const { return !entry_.has_value(); }
  void Join(const LwwRegister& o) {
    if (o.entry_ && (!entry_ || Less(*entry_, *o.entry_)))
      entry_ = o.entry_;
  }

  // Delta-mutator: writes `value` stamped (stamp, replica). Returns the written entry if it
  // wins, bottom if the register already holds a larger entry (then nothing changes).
  LwwRegister Set(Hlc stamp, ReplicaId replica, T value) {
    LwwRegister delta(stamp, replica, std::move(value));
    if (entry_ && !Less(*entry_, *delta.entry_))
      return Bottom();
    entry_ = delta.entry_;
    return delta;
  }

  // The current value, or nullptr for bottom.
  const T* value() const { return entry_ ? &entry_->value : nullptr; }
  const std::optional<Entry>& entry() const { return entry_; }

  bool operator==(const LwwRegister& o) const {
    if (entry_.has_value() != o.entry_.has_value())
      return false;
    return !entry_ || (entry_->stamp == o.entry_->stamp && entry_->replica == o.entry_->replica &&
                       TotalEqual(entry_->value, o.entry_->value));
  }

 private:
  static bool Less(const Entry& a, const Entry& b) {
    if (std::tie(a.stamp, a.replica) != std::tie(b.stamp, b.replica)) {
      return std::tie(a.stamp, a.replica) < std::tie(b.stamp, b.replica);
    }
    return TotalLess(a.value, b.value);
  }

  std::optional<Entry> entry_;
};

// PnCounter: per-replica running totals of increments (P) and decrements (N).
// Partial order: pointwise on (P, N), each a map replica -> MaxLattice<uint64_t> (a replica
// with no entry is below any total, including 0); bottom: no totals. Join: pointwise max.
// Value = sum(P) - sum(N), computed modulo 2^64 and read as int64: exact whenever the true
// value fits in int64, even if the sums themselves wrap.
// A replica only ever raises its own totals, so Increment/Decrement take the caller's
// replica id; a total saturates at UINT64_MAX (REQUIRES: callers refuse an increment for
// which WouldOverflow is true; saturating keeps the value a lattice rather than wrapping).
class PnCounter {
 public:
  using Totals = MapLattice<ReplicaId, MaxLattice<uint64_t>>;

  static PnCounter Bottom() { return PnCounter(); }
  bool IsBottom() const { return p_.IsBottom() && n_.IsBottom(); }
  void Join(const PnCounter& o) {
    p_.Join(o.p_);
    n_.Join(o.n_);
  }

  // Delta-mutators: add `n` to this replica's P (or N) total. The delta carries the new
  // total; bottom when n == 0.
  PnCounter Increment(ReplicaId replica, uint64_t n) {
    PnCounter delta;
    if (n != 0)
      delta.p_ = p_.JoinAt(replica, MaxLattice<uint64_t>(Add(P(replica), n)));
    return delta;
  }
  PnCounter Decrement(ReplicaId replica, uint64_t n) {
    PnCounter delta;
    if (n != 0)
      delta.n_ = n_.JoinAt(replica, MaxLattice<uint64_t>(Add(N(replica), n)));
    return delta;
  }
  bool WouldOverflow(ReplicaId replica, uint64_t inc, uint64_t dec) const {
    return inc > UINT64_MAX - P(replica) || dec > UINT64_MAX - N(replica);
  }

  int64_t Value() const {
    uint64_t v = 0;
    for (const auto& [r, t] : p_.entries())
      v += *t.value();
    for (const auto& [r, t] : n_.entries())
      v -= *t.value();
    return static_cast<int64_t>(v);  // modular since C++20
  }
  uint64_t P(ReplicaId replica) const { return Total(p_, replica); }
  uint64_t N(ReplicaId replica) const { return Total(n_, replica); }
  const Totals& p() const { return p_; }
  const Totals& n() const { return n_; }

  bool operator==(const PnCounter&) const = default;

 private:
  static uint64_t Add(uint64_t total, uint64_t n) {
    return n > UINT64_MAX - total ? UINT64_MAX : total + n;
  }
  static uint64_t Total(const Totals& t, ReplicaId replica) {
    const MaxLattice<uint64_t>* m = t.Find(replica);
    return m == nullptr ? 0 : *m->value();
  }

  Totals p_;
  Totals n_;
};

}  // namespace starling::lattice
