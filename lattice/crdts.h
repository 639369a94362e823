// Generic CRDTs built on the causal kernel (dot_store.h; DESIGN.md section 3) and on the
// lattice.h primitives: AWORSet, MVRegister, EWFlag (causal) and TwoPSet (two grow-only sets).
//
// Each causal CRDT *is* its Causal<S> state (public inheritance, no extra members), so it
// satisfies `Lattice`, joins a delta or a full state with Join, and its partial order and
// bottom are those of Causal<S>: (s, c) <= (s', c') iff c ⊆ c' and every dot of s' that c
// has seen is live in s too (the larger state has seen more and revived nothing the smaller
// one removed; DotMap: per key); bottom: empty store, empty context. A dot is allocated from
// the caller's DotSource, which belongs to the caller's replica (one DotSource per replica;
// two replicas never share one).
//
// Every mutator changes the state in place and returns its delta d with s ⊔ d == the mutated
// s. A delta is a Causal<S> with is_delta = true that lists (as an entry, possibly with an
// empty sub-store) every key whose dots its context covers, so Causal::Join may visit only
// those keys; a mutator whose context covers dots at keys it does not list (Clear) returns a
// full-state delta (is_delta = false). Deltas may be joined into one another before sending.
//
// Plain value types; no threads, no clock, no randomness.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include "lattice/causal_context.h"
#include "lattice/dot_store.h"
#include "lattice/lattice.h"

namespace starling::lattice {

// AWORSet<E>: add-wins observed-remove set. A live element holds one dot for each of its
// adds that this state has not seen removed or replaced; a re-add replaces the dots it
// observed with one new dot. A remove removes exactly the dots it observed, so an add
// concurrent with it survives (add wins). Bottom: the empty set that has seen nothing.
template <typename E>
class AWORSet : public Causal<DotMap<E, DotSet>> {
 public:
  using State = Causal<DotMap<E, DotSet>>;

  AWORSet() = default;
  explicit AWORSet(State s) : State(std::move(s)) {}
  static AWORSet Bottom() { return AWORSet(); }

  // Adds e with a fresh dot from `source`, replacing the dots of e this state has observed.
  State Add(DotSource& source, const E& e) {
    State delta = Observed(e);
    Dot d = source.Take(this->ctx);
    delta.ctx.Insert(d);
    delta.store.At(e).Insert(d);
    DotSet& live = this->store.At(e);
    live.Clear();
    live.Insert(d);
    return delta;
  }

  // Removes the dots of e this state has observed. A no-op (bottom delta) if e is absent.
  State Remove(const E& e) {
    State delta = Observed(e);
    if (!delta.ctx.IsBottom()) {
      delta.store.Touch(e);
      this->store.Erase(e);
    }
    return delta;
  }

  // Removes every element this state has observed. The delta is a full state: its context
  // (this state's whole context) covers dots of every key, listed or not.
  State Clear() {
    this->store.Clear();
    State delta;
    delta.ctx = this->ctx;
    delta.is_delta = false;
    return delta;
  }

  bool Contains(const E& e) const { return this->store.Find(e) != nullptr; }
  size_t size() const { return this->store.size(); }
  // The elements in E's order.
  std::vector<E> Elements() const {
    std::vector<E> out;
    out.reserve(this->store.size());
    for (const auto& [e, dots] : this->store.map())
      out.push_back(e);
    return out;
  }

 private:
  // A delta (empty store) whose context is the dots of e that this state holds.
  State Observed(const E& e) const {
    State delta;
    delta.is_delta = true;
    if (const DotSet* live = this->store.Find(e)) {
      for (const Dot& d : live->dots())
        delta.ctx.Insert(d);
    }
    return delta;
  }
};

// MVRegister<V>: multi-value register. A write replaces every value it observed; values
// written concurrently are all kept until a later write observes them. V needs TotalLess.
// Bottom: no value, nothing seen.
template <typename V>
class MVRegister : public Causal<DotFun<V>> {
 public:
  using State = Causal<DotFun<V>>;

  MVRegister() = default;
  explicit MVRegister(State s) : State(std::move(s)) {}
  static MVRegister Bottom() { return MVRegister(); }

  State Write(DotSource& source, V v) {
    State delta = Observed();
    Dot d = source.Take(this->ctx);
    delta.ctx.Insert(d);
    delta.store.Insert(d, v);
    this->store.Clear();
    this->store.Insert(d, std::move(v));
    return delta;
  }

  // Removes every value this state holds (a register with no value, as after DEL).
  State Reset() {
    State delta = Observed();
    this->store.Clear();
    return delta;
  }

  // The concurrent values in V's total order, each once (two replicas may write the same
  // value concurrently).
  std::vector<V> Read() const {
    std::vector<V> out;
    for (const auto& [d, v] : this->store.entries())
      out.push_back(v);
    std::sort(out.begin(), out.end(), [](const V& a, const V& b) { return TotalLess(a, b); });
    out.erase(std::unique(out.begin(), out.end(),
                          [](const V& a, const V& b) { return TotalEqual(a, b); }),
              out.end());
    return out;
  }

 private:
  State Observed() const {
    State delta;
    delta.is_delta = true;
    for (const auto& [d, v] : this->store.entries())
      delta.ctx.Insert(d);
    return delta;
  }
};

// EWFlag: enable-wins flag. Enabled iff some enable dot is live; a disable removes the
// enables it observed, so an enable concurrent with a disable wins. Bottom: disabled,
// nothing seen.
class EWFlag : public Causal<DotSet> {
 public:
  using State = Causal<DotSet>;

  EWFlag() = default;
  explicit EWFlag(State s) : State(std::move(s)) {}
  static EWFlag Bottom() { return EWFlag(); }

  State Enable(DotSource& source) {
    State delta = Observed();
    Dot d = source.Take(ctx);
    delta.ctx.Insert(d);
    delta.store.Insert(d);
    store.Clear();
    store.Insert(d);
    return delta;
  }
  State Disable() {
    State delta = Observed();
    store.Clear();
    return delta;
  }
  bool Read() const { return !store.IsBottom(); }

 private:
  State Observed() const {
    State delta;
    delta.is_delta = true;
    for (const Dot& d : store.dots())
      delta.ctx.Insert(d);
    return delta;
  }
};

// TwoPSet<E>: two-phase set, a pair of grow-only sets (added, removed). An element is in
// the set iff it was added and never removed; once removed it can never come back.
// Remove(e) is allowed before any Add(e) and then forbids e forever.
// Partial order: pointwise inclusion of (added, removed); bottom: both empty. E needs
// operator< (std::set).
template <typename E>
class TwoPSet {
 public:
  static TwoPSet Bottom() { return TwoPSet(); }
  bool IsBottom() const { return added_.IsBottom() && removed_.IsBottom(); }
  void Join(const TwoPSet& o) {
    added_.Join(o.added_);
    removed_.Join(o.removed_);
  }

  TwoPSet Add(const E& e) {
    TwoPSet delta;
    delta.added_ = added_.Add(e);
    return delta;
  }
  TwoPSet Remove(const E& e) {
    TwoPSet delta;
    delta.removed_ = removed_.Add(e);
    return delta;
  }

  bool Contains(const E& e) const { return added_.Contains(e) && !removed_.Contains(e); }
  std::vector<E> Elements() const {
    std::vector<E> out;
    for (const E& e : added_.elements()) {
      if (!removed_.Contains(e))
        out.push_back(e);
    }
    return out;
  }
  const SetLattice<E>& added() const { return added_; }
  const SetLattice<E>& removed() const { return removed_; }

  bool operator==(const TwoPSet&) const = default;

 private:
  SetLattice<E> added_;
  SetLattice<E> removed_;
};

}  // namespace starling::lattice
