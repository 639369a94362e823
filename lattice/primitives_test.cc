// Law tests for the lattice.h and primitives.h primitives, the CausalContext and Causal
// states over DotSet / DotFun / DotMap, on edge values (NaN, ±0.0, ±inf, denormals,
// DBL_MAX, int64 extremes, strings with NUL bytes, dot counters next to UINT64_MAX), plus
// models of what join must compute. KernelBug* tests show defects in the kernel headers.
#include "lattice/primitives.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>
#include <ostream>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "lattice/causal_context.h"
#include "lattice/dot_store.h"
#include "lattice/hlc.h"
#include "lattice/lattice.h"
#include "lattice/lattice_laws.h"

namespace starling::lattice {
namespace {

using laws::GenEdgeDouble;
using laws::GenEdgeInt64;
using laws::GenEdgeString;
using laws::GenEdgeUint64;
using laws::MakeMutator;

// ---- Printing, so that a counterexample shows bits, NULs and dots.
std::string Show(double d) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g[%016llx]", d,
                static_cast<unsigned long long>(std::bit_cast<uint64_t>(d)));
  return buf;
}
std::string Show(int64_t v) { return std::to_string(v); }
std::string Show(uint64_t v) { return std::to_string(v); }
std::string Show(bool v) { return v ? "true" : "false"; }
std::string Show(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), c >= 32 && c < 127 ? "%c" : "\\x%02x", c);
    out += buf;
  }
  return out + "\"";
}
std::string Show(const BoolLattice& b) { return Show(b.value()); }
std::string Show(const CausalContext& c) { return c.DebugString(); }
std::string Show(const DotSet& s) {
  std::string out = "{";
  for (const Dot& d : s.dots())
    out += ToString(d);
  return out + "}";
}
template <typename V>
std::string Show(const DotFun<V>& f) {
  std::string out = "{";
  for (const auto& [d, v] : f.entries())
    out += ToString(d) + "=" + Show(v) + " ";
  return out + "}";
}
template <typename K, typename S>
std::string Show(const DotMap<K, S>& m) {
  std::string out = "{";
  for (const auto& [k, s] : m.map())
    out += Show(k) + ":" + Show(s) + " ";
  return out + "}";
}
template <typename S>
std::string Show(const Causal<S>& c) {
  return Show(c.store) + " ctx" + Show(c.ctx) + (c.is_delta ? " delta" : "");
}
template <typename T>
std::string Show(const MaxLattice<T>& m) {
  return m.value() ? Show(*m.value()) : "⊥";
}
template <typename T>
std::string Show(const MinLattice<T>& m) {
  return m.value() ? Show(*m.value()) : "⊥";
}
template <typename T>
std::string Show(const SetLattice<T>& s) {
  std::string out = "{";
  for (const T& x : s.elements())
    out += Show(x) + " ";
  return out + "}";
}
template <typename K, typename V>
std::string Show(const MapLattice<K, V>& m) {
  std::string out = "{";
  for (const auto& [k, v] : m.entries())
    out += Show(k) + ":" + Show(v) + " ";
  return out + "}";
}
template <typename T>
std::string Show(const LwwRegister<T>& r) {
  if (!r.entry())
    return "⊥";
  return "(" + Show(r.entry()->stamp) + "," + Show(r.entry()->replica) + "," +
         Show(r.entry()->value) + ")";
}
std::string Show(const PnCounter& c) { return "P" + Show(c.p()) + " N" + Show(c.n()); }

template <typename L>
laws::LawReport Laws(std::string name, rc::Gen<L> gen,
                     std::vector<rc::Gen<laws::Mutation<L>>> mutators = {}) {
  laws::LawSpec<L> spec{std::move(name), std::move(gen), std::move(mutators)};
  spec.show = [](const L& l) { return Show(l); };
  return laws::ExpectLaws(spec);
}

template <typename L, typename T>
rc::Gen<L> GenOptional(rc::Gen<T> values) {
  return rc::gen::weightedOneOf<L>(
      {{1, rc::gen::just(L())}, {6, rc::gen::map(values, [](T v) { return L(std::move(v)); })}});
}

// ---- MaxLattice, MinLattice, BoolLattice.
TEST(PrimitiveLaws, MaxLattice) {
  Laws("MaxLattice<double>", GenOptional<MaxLattice<double>>(GenEdgeDouble()));
  Laws("MaxLattice<int64_t>", GenOptional<MaxLattice<int64_t>>(GenEdgeInt64()));
  Laws("MaxLattice<uint64_t>", GenOptional<MaxLattice<uint64_t>>(GenEdgeUint64()));
  Laws("MaxLattice<string>", GenOptional<MaxLattice<std::string>>(GenEdgeString()));
}

TEST(PrimitiveLaws, MinLattice) {
  Laws("MinLattice<double>", GenOptional<MinLattice<double>>(GenEdgeDouble()));
  Laws("MinLattice<int64_t>", GenOptional<MinLattice<int64_t>>(GenEdgeInt64()));
  Laws("MinLattice<string>", GenOptional<MinLattice<std::string>>(GenEdgeString()));
}

TEST(PrimitiveLaws, BoolLattice) {
  Laws("BoolLattice",
       rc::gen::map(rc::gen::arbitrary<bool>(), [](bool b) { return BoolLattice(b); }));
}

// IEEE 754 totalOrder as an unsigned key, computed from the bits (independent of
// std::strong_order): negative values reversed below positive ones, NaNs at both ends.
uint64_t TotalOrderKey(double d) {
  uint64_t u = std::bit_cast<uint64_t>(d);
  return (u >> 63) != 0 ? ~u : u | (uint64_t{1} << 63);
}

// The join of two doubles is exactly (bit for bit) the larger one: a MaxLattice that
// truncated to an integer, or lost a NaN payload or the sign of zero, fails here.
RC_GTEST_PROP(PrimitiveModel, MaxMinDoubleKeepTheExactWinner, ()) {
  double a = *GenEdgeDouble(), b = *GenEdgeDouble();
  MaxLattice<double> max(a);
  max.Join(MaxLattice<double>(b));
  MinLattice<double> min(a);
  min.Join(MinLattice<double>(b));
  double want_max = TotalOrderKey(a) >= TotalOrderKey(b) ? a : b;
  double want_min = TotalOrderKey(a) <= TotalOrderKey(b) ? a : b;
  RC_ASSERT(std::bit_cast<uint64_t>(*max.value()) == std::bit_cast<uint64_t>(want_max));
  RC_ASSERT(std::bit_cast<uint64_t>(*min.value()) == std::bit_cast<uint64_t>(want_min));
}

TEST(PrimitiveModel, MaxLatticeDoesNotTruncateFractions) {
  MaxLattice<double> m(1.25);
  m.Join(MaxLattice<double>(1.75));
  m.Join(MaxLattice<double>(1.5));
  EXPECT_EQ(*m.value(), 1.75);
  MaxLattice<double> big(std::numeric_limits<double>::max());
  big.Join(MaxLattice<double>(9.2e18));
  EXPECT_EQ(*big.value(), std::numeric_limits<double>::max());
}

RC_GTEST_PROP(PrimitiveModel, MaxMinIntegersAndStrings, ()) {
  int64_t a = *GenEdgeInt64(), b = *GenEdgeInt64();
  MaxLattice<int64_t> max(a);
  max.Join(MaxLattice<int64_t>(b));
  RC_ASSERT(*max.value() == std::max(a, b));
  std::string s = *GenEdgeString(), t = *GenEdgeString();
  MinLattice<std::string> min(s);
  min.Join(MinLattice<std::string>(t));
  RC_ASSERT(*min.value() == std::min(s, t));  // compares past NUL bytes
}

// ---- SetLattice and MapLattice, with their delta-mutators.
template <typename T>
rc::Gen<SetLattice<T>> GenSet(rc::Gen<T> elements) {
  return rc::gen::map(rc::gen::resize(8, rc::gen::container<std::set<T>>(elements)),
                      [](std::set<T> s) { return SetLattice<T>(std::move(s)); });
}
template <typename T>
rc::Gen<laws::Mutation<SetLattice<T>>> SetAdd(rc::Gen<T> elements) {
  return MakeMutator<SetLattice<T>>(
      "Add", elements, [](SetLattice<T>& s, ReplicaId, const T& x) { return s.Add(x); });
}

TEST(PrimitiveLaws, SetLattice) {
  Laws("SetLattice<int64_t>", GenSet(GenEdgeInt64()), {SetAdd(GenEdgeInt64())});
  Laws("SetLattice<string>", GenSet(GenEdgeString()), {SetAdd(GenEdgeString())});
}

template <typename K, typename V>
rc::Gen<MapLattice<K, V>> GenMap(rc::Gen<K> keys, rc::Gen<V> values) {
  return rc::gen::map(rc::gen::resize(8, rc::gen::container<std::vector<std::pair<K, V>>>(
                                             rc::gen::pair(keys, values))),
                      [](const std::vector<std::pair<K, V>>& kvs) {
                        MapLattice<K, V> m;
                        for (const auto& [k, v] : kvs)
                          m.JoinAt(k, v);
                        return m;
                      });
}
template <typename K, typename V>
rc::Gen<laws::Mutation<MapLattice<K, V>>> MapJoinAt(rc::Gen<K> keys, rc::Gen<V> values) {
  return MakeMutator<MapLattice<K, V>>(
      "JoinAt", rc::gen::pair(keys, values),
      [](MapLattice<K, V>& m, ReplicaId, const std::pair<K, V>& kv) {
        return m.JoinAt(kv.first, kv.second);
      });
}

TEST(PrimitiveLaws, MapLattice) {
  auto doubles = GenOptional<MaxLattice<double>>(GenEdgeDouble());
  Laws("MapLattice<string,MaxLattice<double>>", GenMap(GenEdgeString(), doubles),
       {MapJoinAt(GenEdgeString(), doubles)});
  auto sets = GenSet(GenEdgeString());
  Laws("MapLattice<int64_t,SetLattice<string>>", GenMap(GenEdgeInt64(), sets),
       {MapJoinAt(GenEdgeInt64(), sets)});
}

// ---- LwwRegister and PnCounter (primitives.h).
rc::Gen<Hlc> GenStamp() {
  return rc::gen::oneOf(
      rc::gen::element<Hlc>(0, 1, UINT64_MAX),
      rc::gen::inRange<Hlc>(MakeHlc(1'700'000'000'000, 0), MakeHlc(1'700'000'000'003, 3)),
      rc::gen::arbitrary<Hlc>());
}
template <typename T>
rc::Gen<LwwRegister<T>> GenLww(rc::Gen<T> values) {
  return rc::gen::weightedOneOf<LwwRegister<T>>(
      {{1, rc::gen::just(LwwRegister<T>())},
       {6, rc::gen::map(rc::gen::tuple(GenStamp(), rc::gen::inRange<ReplicaId>(1, 4), values),
                        [](const std::tuple<Hlc, ReplicaId, T>& e) {
                          return LwwRegister<T>(std::get<0>(e), std::get<1>(e), std::get<2>(e));
                        })}});
}
template <typename T>
rc::Gen<laws::Mutation<LwwRegister<T>>> LwwSet(rc::Gen<T> values) {
  return MakeMutator<LwwRegister<T>>(
      "Set", rc::gen::pair(GenStamp(), values),
      [](LwwRegister<T>& reg, ReplicaId r, const std::pair<Hlc, T>& sv) {
        return reg.Set(sv.first, r, sv.second);
      });
}

TEST(PrimitiveLaws, LwwRegister) {
  Laws("LwwRegister<double>", GenLww(GenEdgeDouble()), {LwwSet(GenEdgeDouble())});
  Laws("LwwRegister<string>", GenLww(GenEdgeString()), {LwwSet(GenEdgeString())});
  Laws("LwwRegister<int64_t>", GenLww(GenEdgeInt64()), {LwwSet(GenEdgeInt64())});
}

TEST(PrimitiveModel, LwwRegisterOrdersByStampThenReplicaThenValue) {
  LwwRegister<std::string> a(MakeHlc(10, 0), 2, "a"), b(MakeHlc(10, 1), 1, "b");
  LwwRegister<std::string> ab = a;
  ab.Join(b);
  EXPECT_EQ(*ab.value(), "b");  // larger stamp, smaller replica
  LwwRegister<std::string> c(MakeHlc(10, 1), 3, "c");
  ab.Join(c);
  EXPECT_EQ(*ab.value(), "c");  // same stamp: larger replica
  LwwRegister<std::string> older = ab;
  EXPECT_TRUE(older.Set(MakeHlc(9, 0), 9, "late").IsBottom());  // a losing write is no delta
  EXPECT_EQ(older, ab);
  // Garbled input with an equal (stamp, replica): the larger value, whatever the order.
  LwwRegister<double> x(5, 1, -0.0), y(5, 1, 0.0);
  LwwRegister<double> xy = x, yx = y;
  xy.Join(y);
  yx.Join(x);
  EXPECT_EQ(xy, yx);
  EXPECT_FALSE(std::signbit(*xy.value()));
}

rc::Gen<laws::Mutation<PnCounter>> PnMutator(bool increment) {
  return MakeMutator<PnCounter>(increment ? "Increment" : "Decrement", GenEdgeUint64(),
                                [increment](PnCounter& c, ReplicaId r, uint64_t n) {
                                  return increment ? c.Increment(r, n) : c.Decrement(r, n);
                                });
}
rc::Gen<PnCounter> GenPnCounter() {
  using Op = std::tuple<ReplicaId, bool, uint64_t>;
  return rc::gen::map(rc::gen::resize(10, rc::gen::container<std::vector<Op>>(rc::gen::tuple(
                                              rc::gen::inRange<ReplicaId>(1, 5),
                                              rc::gen::arbitrary<bool>(), GenEdgeUint64()))),
                      [](const std::vector<Op>& ops) {
                        PnCounter c;
                        for (const auto& [r, inc, n] : ops) {
                          PnCounter d = inc ? c.Increment(r, n) : c.Decrement(r, n);
                          (void)d;
                        }
                        return c;
                      });
}

TEST(PrimitiveLaws, PnCounter) {
  Laws("PnCounter", GenPnCounter(), {PnMutator(true), PnMutator(false)});
}

// Replicas each apply their own increments and decrements (no overflow), exchange deltas in
// a random order with duplicates: every replica's value is the sum of all amounts.
RC_GTEST_PROP(PrimitiveModel, PnCounterSumsConcurrentUpdates, ()) {
  auto ops = *rc::gen::container<std::vector<std::pair<int, int32_t>>>(
      rc::gen::pair(rc::gen::inRange(0, 3), rc::gen::arbitrary<int32_t>()));
  PnCounter replicas[3];
  std::vector<PnCounter> deltas;
  int64_t want = 0;
  for (const auto& [r, amount] : ops) {
    uint64_t magnitude = amount < 0 ? uint64_t{0} - static_cast<uint64_t>(int64_t{amount})
                                    : static_cast<uint64_t>(amount);
    deltas.push_back(amount < 0 ? replicas[r].Decrement(r + 1, magnitude)
                                : replicas[r].Increment(r + 1, magnitude));
    want += amount;
  }
  for (PnCounter& replica : replicas) {
    std::vector<size_t> order = *rc::gen::container<std::vector<size_t>>(
        deltas.size() * 2, rc::gen::inRange<size_t>(0, std::max<size_t>(deltas.size(), 1)));
    for (size_t i : order) {
      if (i < deltas.size())
        replica.Join(deltas[i]);
    }
    for (const PnCounter& d : deltas)
      replica.Join(d);  // at least once each
    RC_ASSERT(replica.Value() == want);
  }
}

TEST(PrimitiveModel, PnCounterValueIsExactAcrossWrappedSums) {
  PnCounter c;
  c.Increment(1, UINT64_MAX - 5);
  c.Increment(2, 10);          // sum(P) wraps past 2^64
  c.Decrement(3, UINT64_MAX);  // ... and so does sum(P) - sum(N)
  EXPECT_EQ(c.Value(), 5);     // the true value, (2^64 - 6 + 10) - (2^64 - 1)
  EXPECT_TRUE(c.WouldOverflow(1, 6, 0));
  EXPECT_FALSE(c.WouldOverflow(1, 5, 0));
  c.Increment(1, 100);  // saturates instead of wrapping to a smaller total
  EXPECT_EQ(c.P(1), UINT64_MAX);
}

// ---- CausalContext. Mutations (DotSource) run at replicas 1..3 and continue from a key's
// largest counter, so for those replicas counters stay 16 below UINT64_MAX (the top itself
// is KernelBugDotSource's case, in crdts_test.cc); replicas 7 and 8 use the whole range up to
// UINT64_MAX.
rc::Gen<Dot> GenDot() {
  auto make = [](ReplicaId r, uint64_t c) { return Dot{r, c}; };
  // Our replicas allocate dots, so their counters stay under the limit decoders enforce
  // (kMaxDotCounter); foreign ones only appear in contexts and reach UINT64_MAX.
  auto top = [](uint64_t limit, uint64_t below) {
    return rc::gen::map(rc::gen::inRange<uint64_t>(0, 13),
                        [limit, below](uint64_t k) { return limit - below - k; });
  };
  auto ours = rc::gen::inRange<ReplicaId>(1, 4);
  auto foreign = rc::gen::element<ReplicaId>(7, 8);
  auto small = rc::gen::inRange<uint64_t>(1, 13);
  return rc::gen::oneOf(rc::gen::apply(make, ours, small),
                        rc::gen::apply(make, ours, top(kMaxDotCounter, 16)),
                        rc::gen::apply(make, foreign, small),
                        rc::gen::apply(make, foreign, top(UINT64_MAX, 0)));
}

using RangeList = std::vector<std::pair<Dot, uint64_t>>;  // (replica, lo), length - 1

uint64_t RangeHi(const std::pair<Dot, uint64_t>& r) {
  return r.first.counter > UINT64_MAX - r.second ? UINT64_MAX : r.first.counter + r.second;
}
rc::Gen<RangeList> GenRanges() {
  return rc::gen::resize(
      8, rc::gen::container<RangeList>(rc::gen::pair(GenDot(), rc::gen::inRange<uint64_t>(0, 4))));
}
CausalContext BuildContext(const RangeList& ranges) {
  CausalContext c;
  for (const auto& r : ranges)
    c.InsertRange(r.first.replica, r.first.counter, RangeHi(r));
  return c;
}
bool InRanges(const RangeList& ranges, const Dot& d) {
  for (const auto& r : ranges) {
    if (r.first.replica == d.replica && d.counter >= r.first.counter && d.counter <= RangeHi(r)) {
      return true;
    }
  }
  return false;
}
// Sorted, disjoint, non-adjacent ranges with 1 <= lo <= hi.
bool Normalised(const CausalContext& c) {
  const auto& rs = c.ranges();
  for (size_t i = 0; i < rs.size(); ++i) {
    if (rs[i].lo == 0 || rs[i].lo > rs[i].hi)
      return false;
    if (i == 0 || rs[i - 1].replica != rs[i].replica) {
      if (i > 0 && rs[i - 1].replica > rs[i].replica)
        return false;
      continue;
    }
    if (rs[i - 1].hi == UINT64_MAX || rs[i - 1].hi + 1 >= rs[i].lo)
      return false;
  }
  return true;
}

TEST(KernelLaws, CausalContext) {
  auto insert =
      MakeMutator<CausalContext>("Insert", GenDot(), [](CausalContext& c, ReplicaId, const Dot& d) {
        c.Insert(d);
        CausalContext delta;
        delta.Insert(d);
        return delta;
      });
  auto insert_range = MakeMutator<CausalContext>(
      "InsertRange", rc::gen::pair(GenDot(), rc::gen::inRange<uint64_t>(0, 4)),
      [](CausalContext& c, ReplicaId, const std::pair<Dot, uint64_t>& r) {
        c.InsertRange(r.first.replica, r.first.counter, RangeHi(r));
        return BuildContext({r});
      });
  Laws("CausalContext", rc::gen::map(GenRanges(), BuildContext), {insert, insert_range});
}

// Join is the union of the dot sets, stays normalised, and Contains/Includes agree with it,
// probed at every range border (counters next to UINT64_MAX included).
RC_GTEST_PROP(KernelModel, CausalContextIsASetOfDots, ()) {
  RangeList ra = *GenRanges(), rb = *GenRanges();
  CausalContext a = BuildContext(ra), b = BuildContext(rb), j = a;
  j.Join(b);
  RC_ASSERT(Normalised(a));
  RC_ASSERT(Normalised(j));
  RangeList all = ra;
  all.insert(all.end(), rb.begin(), rb.end());
  for (const auto& r : all) {
    uint64_t lo = r.first.counter, hi = RangeHi(r);
    for (uint64_t probe : {lo - 1, lo, hi, hi + 1}) {  // hi + 1 wraps to 0 at the top: no dot
      Dot d{r.first.replica, probe};
      RC_ASSERT(j.Contains(d) == (probe != 0 && InRanges(all, d)));
      RC_ASSERT(a.Contains(d) == (probe != 0 && InRanges(ra, d)));
    }
  }
  bool b_in_a = true;
  for (const auto& r : rb) {
    for (uint64_t c = r.first.counter; c <= RangeHi(r) && c != 0; ++c) {
      b_in_a = b_in_a && InRanges(ra, {r.first.replica, c});
      if (c == UINT64_MAX)
        break;
    }
  }
  RC_ASSERT(a.Includes(b) == b_in_a);
  RC_ASSERT(j.Includes(a));
  RC_ASSERT(j.Includes(b));
}

// ---- Causal states over DotSet, DotFun, DotMap, built from random operations.
// A RawOp adds a dot, marks a dot as seen-and-removed, or removes the dots at a key path
// (depth 0: all of them; `one`: just one dot there).
struct RawOp {
  int kind = 0;  // 0 add, 1 seen only, 2 remove
  int depth = 0;
  bool one = false;
  std::string k1;
  int64_t k2 = 0;
  Dot dot;
  std::string value;
};
std::ostream& operator<<(std::ostream& os, const RawOp& op) {
  return os << "op" << op.kind << "/" << op.depth << (op.one ? "/one " : " ") << Show(op.k1) << ","
            << op.k2 << " " << ToString(op.dot) << "=" << Show(op.value);
}
rc::Gen<RawOp> GenRawOp() {
  auto keys = rc::gen::element<std::string>("", std::string(1, '\0'), "a", std::string("a\0", 2));
  auto k2s = rc::gen::element<int64_t>(INT64_MIN, -1, 0, INT64_MAX);
  return rc::gen::apply(
      [](int kind, int depth, bool one, std::string k1, int64_t k2, Dot dot, std::string value) {
        return RawOp{kind, depth, one, std::move(k1), k2, dot, std::move(value)};
      },
      rc::gen::inRange(0, 3), rc::gen::inRange(0, 3), rc::gen::arbitrary<bool>(), keys, k2s,
      GenDot(), GenEdgeString());
}

template <typename K>
K KeyOf(const RawOp& op) {
  if constexpr (std::is_same_v<K, std::string>) {
    return op.k1;
  } else {
    return op.k2;
  }
}
void AddAt(DotSet& s, const RawOp&, const Dot& d) { s.Insert(d); }
void AddAt(DotFun<std::string>& s, const RawOp& op, const Dot& d) { s.Insert(d, op.value); }
template <typename K, typename S>
void AddAt(DotMap<K, S>& m, const RawOp& op, const Dot& d) {
  AddAt(m.At(KeyOf<K>(op)), op, d);
}

// Removes dots at op's key path, adding them to `removed` and the path to `touched`.
template <typename Leaf>
void RemoveAt(Leaf& s, const RawOp& op, int /*depth*/, CausalContext& removed, Leaf& /*touched*/) {
  std::vector<Dot> dots;
  s.ForEachDot([&dots](const Dot& d) { dots.push_back(d); });
  if (dots.empty())
    return;
  if (op.one)
    dots = {dots[op.dot.counter % dots.size()]};
  for (const Dot& d : dots) {
    removed.Insert(d);
    s.Erase(d);
  }
}
template <typename K, typename S>
void RemoveAt(DotMap<K, S>& m, const RawOp& op, int depth, CausalContext& removed,
              DotMap<K, S>& touched) {
  std::vector<K> keys;
  if (depth == 0) {
    for (const auto& [k, s] : m.map())
      keys.push_back(k);
  } else if (m.Find(KeyOf<K>(op)) != nullptr) {
    keys.push_back(KeyOf<K>(op));
  }
  for (const K& k : keys) {
    S& sub = *m.FindMutable(k);
    RemoveAt(sub, op, depth == 0 ? 0 : depth - 1, removed, touched.At(k));
    if (sub.IsBottom())
      m.Erase(k);
  }
}

// Applies op to s; for a mutation (source != nullptr) the dot comes from the source and the
// delta is returned.
template <typename S>
Causal<S> ApplyRaw(Causal<S>& s, const RawOp& op, DotSource* source) {
  Causal<S> delta;
  delta.is_delta = true;
  if (op.kind == 2) {
    RemoveAt(s.store, op, op.depth, delta.ctx, delta.store);
    return delta;
  }
  Dot d = source != nullptr ? source->Next(s.ctx) : op.dot;
  if (s.ctx.Contains(d))
    return delta;
  s.ctx.Insert(d);
  delta.ctx.Insert(d);
  if (op.kind == 0 || source != nullptr) {
    AddAt(s.store, op, d);
    AddAt(delta.store, op, d);
  }
  return delta;
}

template <typename S>
void CausalLaws(const std::string& name) {
  auto gen = rc::gen::map(rc::gen::resize(12, rc::gen::container<std::vector<RawOp>>(GenRawOp())),
                          [](const std::vector<RawOp>& ops) {
                            Causal<S> s;
                            for (const RawOp& op : ops)
                              ApplyRaw(s, op, nullptr);
                            return s;
                          });
  auto mutate =
      MakeMutator<Causal<S>>("Apply", GenRawOp(), [](Causal<S>& s, ReplicaId r, const RawOp& op) {
        DotSource source(r);
        return ApplyRaw(s, op, &source);
      });
  Laws<Causal<S>>(name, gen, {mutate});
}

TEST(KernelLaws, CausalDotStores) {
  CausalLaws<DotSet>("Causal<DotSet>");
  CausalLaws<DotFun<std::string>>("Causal<DotFun<string>>");
  CausalLaws<DotMap<std::string, DotSet>>("Causal<DotMap<string,DotSet>>");
  CausalLaws<DotMap<std::string, DotMap<int64_t, DotFun<std::string>>>>(
      "Causal<DotMap<string,DotMap<int64_t,DotFun<string>>>>");
}

// ---- Defects in the kernel headers (they fail until the headers are fixed).

// lattice.h: SetLattice<T> keeps a std::set<T> ordered by operator<, under which NaN is
// equivalent to every double and -0.0 to +0.0, and compares with ==, under which NaN is not
// equal to itself. Fix: order and compare elements with TotalLess / TotalEqual.
// Was a kernel bug (std::set ordered doubles with <); fixed with a total order.
TEST(SetLatticeTest, NaNAndSignedZeroElementsKeepJoinALattice) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  SetLattice<double> a(std::set<double>{nan}), b(std::set<double>{1.0});
  SetLattice<double> ab = a, ba = b;
  ab.Join(b);
  ba.Join(a);
  EXPECT_EQ(ab.elements().size(), 2u) << "{NaN} ⊔ {1} lost an element: " << Show(ab);
  EXPECT_TRUE(ab == ba) << Show(ab) << " vs " << Show(ba);
  EXPECT_TRUE(a == a) << "{NaN} is not equal to itself";
  SetLattice<double> neg(std::set<double>{-0.0}), pos(std::set<double>{0.0});
  SetLattice<double> np = neg, pn = pos;
  np.Join(pos);
  pn.Join(neg);
  // Two replicas that exchanged {-0.0} and {+0.0} must hold the same bytes.
  EXPECT_EQ(Show(np), Show(pn));
}

// hlc.h: HlcClock::Now() returns last_ + 1, which wraps to 0 after Observe(UINT64_MAX); with
// the default max_forward_drift_ms = 0 any peer stamp is adopted, so one garbled stamp makes
// the clock go backwards (and every later LWW write lose). Fix: reject stamps whose millis
// are not representable / saturate, and enable a drift bound by default.
// Was a kernel bug (last_ + 1 wrapped); fixed by saturating and a default drift bound.
TEST(HlcTest, NeverGoesBackwardsAfterObservingTheLargestStamp) {
  ManualClock clock;
  HlcClock hlc(clock);
  Hlc before = hlc.Now();
  hlc.Observe(UINT64_MAX);
  Hlc after = hlc.Now();
  EXPECT_GT(after, before) << "HLC went from " << before << " back to " << after;
}

}  // namespace
}  // namespace starling::lattice
