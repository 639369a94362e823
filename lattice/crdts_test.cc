// Law tests and semantics of the generic CRDTs in crdts.h, and two tests that the law
// helper (lattice_laws.h) does catch a broken join and a delta that does not list its key.
#include "lattice/crdts.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "lattice/causal_context.h"
#include "lattice/codec.h"
#include "lattice/dot_store.h"
#include "lattice/lattice_laws.h"

namespace starling::lattice {
namespace {

using laws::GenEdgeDoubleNoNaN;
using laws::GenEdgeInt64;
using laws::GenEdgeString;
using laws::MakeMutator;

std::string Show(int v) { return std::to_string(v); }
std::string Show(int64_t v) { return std::to_string(v); }
std::string Show(double v) { return std::to_string(v) + (std::signbit(v) ? "(-)" : ""); }
std::string Show(const std::string& s) {
  std::string out;
  for (char c : s)
    out += c == '\0' ? std::string("\\0") : std::string(1, c);
  return "\"" + out + "\"";
}
template <typename S>
std::string ShowCausal(const Causal<S>& c, const std::string& store) {
  return store + " ctx" + c.ctx.DebugString() + (c.is_delta ? " delta" : "");
}
std::string ShowDots(const DotSet& s) {
  std::string out;
  for (const Dot& d : s.dots())
    out += ToString(d);
  return out;
}
template <typename E>
std::string Show(const AWORSet<E>& s) {
  std::string out = "{";
  for (const auto& [e, dots] : s.store.map())
    out += Show(e) + ":" + ShowDots(dots) + " ";
  return ShowCausal(s, out + "}");
}
template <typename V>
std::string Show(const MVRegister<V>& r) {
  std::string out = "{";
  for (const auto& [d, v] : r.store.entries())
    out += ToString(d) + "=" + Show(v) + " ";
  return ShowCausal(r, out + "}");
}
std::string Show(const EWFlag& f) { return ShowCausal(f, "{" + ShowDots(f.store) + "}"); }
template <typename E>
std::string Show(const TwoPSet<E>& s) {
  std::string out = "+{";
  for (const E& e : s.added().elements())
    out += Show(e) + " ";
  out += "} -{";
  for (const E& e : s.removed().elements())
    out += Show(e) + " ";
  return out + "}";
}

template <typename L>
laws::LawReport Laws(std::string name, rc::Gen<L> gen,
                     std::vector<rc::Gen<laws::Mutation<L>>> mutators) {
  laws::LawSpec<L> spec{std::move(name), std::move(gen), std::move(mutators)};
  spec.show = [](const L& l) { return Show(l); };
  return laws::ExpectLaws(spec);
}

// States reached by 3 replicas (ids 1..3) running random actions and full-state merges; the
// state of replica 1 at the end. step(c, source, action, arg) runs action < num_actions;
// action == num_actions merges the next replica's state into this one.
template <typename C, typename Arg, typename StepFn>
rc::Gen<C> GenHistory(rc::Gen<Arg> args, int num_actions, StepFn step) {
  using Step = std::tuple<int, int, Arg>;
  return rc::gen::map(
      rc::gen::resize(16, rc::gen::container<std::vector<Step>>(rc::gen::tuple(
                              rc::gen::inRange(0, 3), rc::gen::inRange(0, num_actions + 1), args))),
      [step, num_actions](const std::vector<Step>& steps) {
        C replicas[3];
        DotSource sources[3] = {DotSource(1), DotSource(2), DotSource(3)};
        for (const auto& [r, action, arg] : steps) {
          if (action == num_actions) {
            replicas[r].Join(replicas[(r + 1) % 3]);
          } else {
            step(replicas[r], sources[r], action, arg);
          }
        }
        return replicas[0];
      });
}

// ---- AWORSet.
template <typename E>
void AWORSetLaws(const std::string& name, rc::Gen<E> elements) {
  using Set = AWORSet<E>;
  auto gen = GenHistory<Set>(elements, 3, [](Set& s, DotSource& source, int action, const E& e) {
    if (action == 0)
      s.Add(source, e);
    if (action == 1)
      s.Remove(e);
    if (action == 2 && e == E{})
      s.Clear();  // rare: clears most of the history
  });
  auto add = MakeMutator<Set>("Add", elements, [](Set& s, ReplicaId r, const E& e) {
    DotSource source(r);
    return Set(s.Add(source, e));
  });
  auto remove = MakeMutator<Set>("Remove", elements,
                                 [](Set& s, ReplicaId, const E& e) { return Set(s.Remove(e)); });
  auto clear = MakeMutator<Set>("Clear", [](Set& s, ReplicaId) { return Set(s.Clear()); });
  Laws<Set>(name, gen, {add, remove, clear});
}

TEST(CrdtLaws, AWORSet) {
  AWORSetLaws<int>("AWORSet<int>", rc::gen::inRange(0, 5));
  AWORSetLaws<std::string>("AWORSet<string>", GenEdgeString());
}

TEST(AWORSetTest, ConcurrentAddWinsOverRemove) {
  DotSource ra(1), rb(2);
  AWORSet<std::string> a, b;
  b.Join(a.Add(ra, "x"));
  auto remove = b.Remove("x");   // b observed a's add
  auto re_add = a.Add(ra, "x");  // concurrent with the remove
  a.Join(remove);
  b.Join(re_add);
  EXPECT_TRUE(a.Contains("x"));
  EXPECT_TRUE(b.Contains("x"));
  EXPECT_EQ(a, b);
  // Concurrent adds at two replicas; a remove that saw only one of them keeps the other.
  AWORSet<std::string> c, d;
  auto add_c = c.Add(ra, "y");
  auto add_d = d.Add(rb, "y");
  auto remove_c = c.Remove("y");
  for (const auto& delta : {add_c, remove_c})
    d.Join(delta);
  c.Join(add_d);
  EXPECT_TRUE(c.Contains("y"));
  EXPECT_TRUE(d.Contains("y"));
  EXPECT_EQ(c, d);
}

TEST(AWORSetTest, RemoveOfEverythingObservedIsFinal) {
  DotSource ra(1), rb(2);
  AWORSet<int> a, b;
  auto add_a = a.Add(ra, 1);
  auto add_b = b.Add(rb, 1);
  a.Join(add_b);
  b.Join(add_a);
  EXPECT_EQ(a.store.Find(1)->size(), 2u);  // two concurrent adds, two dots
  auto remove = a.Remove(1);
  b.Join(remove);
  EXPECT_FALSE(a.Contains(1));
  EXPECT_FALSE(b.Contains(1));
  EXPECT_TRUE(b.Remove(7).IsBottom());  // absent: nothing observed, nothing to send
}

TEST(AWORSetTest, ReAddReplacesObservedDots) {
  DotSource ra(1), rb(2);
  AWORSet<int> a, b;
  a.Join(b.Add(rb, 5));
  a.Add(ra, 5);
  ASSERT_TRUE(a.Contains(5));
  EXPECT_EQ(a.store.Find(5)->size(), 1u);
  auto delta = a.Add(ra, 5);
  EXPECT_EQ(delta.ctx.NumRanges(), 1u);  // the replaced dot and the new one: (1,2)-(1,3)
  EXPECT_EQ(a.Elements(), std::vector<int>{5});
}

TEST(AWORSetTest, DeltasListTheirKeysAndClearIsAFullState) {
  DotSource ra(1), rb(2);
  AWORSet<int> a, b;
  for (int i = 0; i < 10; ++i)
    b.Join(a.Add(ra, i));
  auto add = a.Add(ra, 3);
  auto remove = a.Remove(4);
  EXPECT_TRUE(add.is_delta);
  EXPECT_TRUE(remove.is_delta);
  EXPECT_EQ(add.store.size(), 1u);
  EXPECT_EQ(remove.store.size(), 1u);
  auto concurrent = b.Add(rb, 42);  // b's add, not seen by a's clear
  auto clear = a.Clear();
  EXPECT_FALSE(clear.is_delta);
  b.Join(add);
  b.Join(remove);
  b.Join(clear);
  a.Join(concurrent);
  EXPECT_EQ(a.Elements(), std::vector<int>{42});
  EXPECT_EQ(a, b);
}

// ---- MVRegister.
template <typename V>
void MVRegisterLaws(const std::string& name, rc::Gen<V> values) {
  using Reg = MVRegister<V>;
  auto gen = GenHistory<Reg>(values, 2, [](Reg& r, DotSource& source, int action, const V& v) {
    if (action == 0)
      r.Write(source, v);
    if (action == 1)
      r.Reset();
  });
  auto write = MakeMutator<Reg>("Write", values, [](Reg& reg, ReplicaId r, const V& v) {
    DotSource source(r);
    return Reg(reg.Write(source, v));
  });
  auto reset = MakeMutator<Reg>("Reset", [](Reg& reg, ReplicaId) { return Reg(reg.Reset()); });
  Laws<Reg>(name, gen, {write, reset});
}

TEST(CrdtLaws, MVRegister) {
  MVRegisterLaws<std::string>("MVRegister<string>", GenEdgeString());
  MVRegisterLaws<int64_t>("MVRegister<int64_t>", GenEdgeInt64());
  // NaN breaks DotFun's == (KernelBugDotFun below); -0.0, inf, denormals
  // and DBL_MAX are in.
  MVRegisterLaws<double>("MVRegister<double> (no NaN)", GenEdgeDoubleNoNaN());
}

TEST(MVRegisterTest, KeepsConcurrentValuesUntilAWriteObservesThem) {
  DotSource ra(1), rb(2), rc(3);
  MVRegister<std::string> a, b, c;
  auto wa = a.Write(ra, "b");
  auto wb = b.Write(rb, "a");
  auto wc = c.Write(rc, "b");  // same value as a's, concurrently
  for (const auto& w : {wb, wc})
    a.Join(w);
  for (const auto& w : {wa, wc})
    b.Join(w);
  EXPECT_EQ(a.Read(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.store.size(), 3u);  // three writes, shown as two values
  auto later = a.Write(ra, "c");
  b.Join(later);
  EXPECT_EQ(b.Read(), std::vector<std::string>{"c"});
  b.Reset();
  EXPECT_TRUE(b.Read().empty());
}

// ---- EWFlag.
TEST(CrdtLaws, EWFlag) {
  auto gen =
      GenHistory<EWFlag>(rc::gen::just(0), 2, [](EWFlag& f, DotSource& source, int action, int) {
        if (action == 0)
          f.Enable(source);
        if (action == 1)
          f.Disable();
      });
  auto enable = MakeMutator<EWFlag>("Enable", [](EWFlag& f, ReplicaId r) {
    DotSource source(r);
    return EWFlag(f.Enable(source));
  });
  auto disable =
      MakeMutator<EWFlag>("Disable", [](EWFlag& f, ReplicaId) { return EWFlag(f.Disable()); });
  Laws<EWFlag>("EWFlag", gen, {enable, disable});
}

TEST(EWFlagTest, ConcurrentEnableWins) {
  DotSource ra(1), rb(2);
  EWFlag a, b;
  b.Join(a.Enable(ra));
  auto disable = b.Disable();
  auto enable = a.Enable(ra);
  a.Join(disable);
  b.Join(enable);
  EXPECT_TRUE(a.Read());
  EXPECT_TRUE(b.Read());
  auto observed_disable = a.Disable();  // a has seen every enable now
  b.Join(observed_disable);
  EXPECT_FALSE(a.Read());
  EXPECT_FALSE(b.Read());
  EXPECT_EQ(a, b);
}

// ---- TwoPSet.
template <typename E>
void TwoPSetLaws(const std::string& name, rc::Gen<E> elements) {
  using Set = TwoPSet<E>;
  auto gen = GenHistory<Set>(elements, 2, [](Set& s, DotSource&, int action, const E& e) {
    if (action == 0)
      s.Add(e);
    if (action == 1)
      s.Remove(e);
  });
  auto add =
      MakeMutator<Set>("Add", elements, [](Set& s, ReplicaId, const E& e) { return s.Add(e); });
  auto remove = MakeMutator<Set>("Remove", elements,
                                 [](Set& s, ReplicaId, const E& e) { return s.Remove(e); });
  Laws<Set>(name, gen, {add, remove});
}

TEST(CrdtLaws, TwoPSet) {
  TwoPSetLaws<int>("TwoPSet<int>", rc::gen::inRange(0, 5));
  TwoPSetLaws<std::string>("TwoPSet<string>", GenEdgeString());
}

TEST(TwoPSetTest, RemoveIsFinal) {
  TwoPSet<std::string> a, b;
  b.Join(a.Add("x"));
  auto remove = a.Remove("x");
  auto re_add = b.Add("x");  // concurrent re-add at another replica
  a.Join(re_add);
  b.Join(remove);
  EXPECT_FALSE(a.Contains("x"));
  EXPECT_FALSE(b.Contains("x"));
  a.Add("x");  // and later ones
  EXPECT_FALSE(a.Contains("x"));
  b.Remove("never-added");  // a remove first forbids the element for good
  b.Add("never-added");
  b.Add("y");
  EXPECT_EQ(b.Elements(), std::vector<std::string>{"y"});
}

// ---- The law helper catches what it should.
struct KeepLeft {  // join keeps the left operand: not commutative
  int v = 0;
  static KeepLeft Bottom() { return KeepLeft(); }
  bool IsBottom() const { return v == 0; }
  void Join(const KeepLeft& o) {
    if (v == 0)
      v = o.v;
  }
  bool operator==(const KeepLeft&) const = default;
};

// Runs CheckLaws with its test failures intercepted; returns the report and the messages.
template <typename L>
laws::LawReport CheckIntercepted(const laws::LawSpec<L>& spec, std::string* messages) {
  ::testing::TestPartResultArray failures;
  laws::LawReport report;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    report = laws::CheckLaws(spec);
  }
  for (int i = 0; i < failures.size(); ++i)
    *messages += failures.GetTestPartResult(i).message();
  EXPECT_EQ(static_cast<size_t>(failures.size()), report.failed.size());
  return report;
}

TEST(LawHelperTest, CatchesANonCommutativeJoin) {
  std::string messages;
  laws::LawReport report = CheckIntercepted(
      laws::LawSpec<KeepLeft>{
          .type_name = "KeepLeft",
          .states = rc::gen::map(rc::gen::inRange(0, 4), [](int v) { return KeepLeft{v}; }),
          .expect_failure = true},
      &messages);
  EXPECT_EQ(report.failed, std::vector<std::string>{"commutative"});
  EXPECT_NE(messages.find("law commutative fails for KeepLeft"), std::string::npos) << messages;
}

// A remove whose delta does not list its key: a full join of it is right, a sparse one is not.
TEST(LawHelperTest, CatchesADeltaThatDoesNotListItsKey) {
  using Set = AWORSet<int>;
  auto gen = GenHistory<Set>(rc::gen::inRange(0, 3), 1,
                             [](Set& s, DotSource& source, int, int e) { s.Add(source, e); });
  auto broken_remove =
      MakeMutator<Set>("BrokenRemove", rc::gen::inRange(0, 3), [](Set& s, ReplicaId, int e) {
        auto delta = s.Remove(e);
        delta.store.Clear();
        return Set(delta);
      });
  std::string messages;
  laws::LawReport report =
      CheckIntercepted(laws::LawSpec<Set>{.type_name = "AWORSet<int> with a broken Remove",
                                          .states = gen,
                                          .mutators = {broken_remove},
                                          .show = [](const Set& s) { return Show(s); },
                                          .expect_failure = true},
                       &messages);
  ASSERT_FALSE(report.failed.empty());
  EXPECT_EQ(report.failed.front(), "delta");  // the ACI laws of the states still hold
  EXPECT_NE(messages.find("s⊔d = "), std::string::npos) << messages;
}

// ---- Defects in the kernel headers, seen through the CRDTs (they fail until fixed).

// dot_store.h: DotFun::operator== compares values with ==, so a state holding NaN is not
// equal to itself (idempotence fails for DotFun<double>, hence MVRegister<double>), while
// DotFun::Join orders values by TotalLess. Fix: compare entries with TotalEqual.
// Was a kernel bug (DotFun compared values with ==); fixed with TotalEqual.
TEST(MVRegisterTest, HoldingNaNIsEqualToItself) {
  DotSource source(1);
  MVRegister<double> r;
  r.Write(source, std::numeric_limits<double>::quiet_NaN());
  MVRegister<double> joined = r;
  joined.Join(r);
  EXPECT_TRUE(joined == r) << Show(r);
}

// Was a kernel bug: a context holding counter UINT64_MAX (from a garbled peer) made the
// dot source wrap to counter 0. Counters are now bounded by kMaxDotCounter, which decoders
// enforce, so such a context never reaches a dot source.
TEST(DotCounterLimitTest, DecodersRefuseCountersAboveTheLimit) {
  CausalContext ctx;
  ctx.Insert({1, UINT64_MAX});
  std::string bytes;
  EncodeContext(ctx, &bytes);
  EXPECT_FALSE(DecodeContext(bytes).ok());
  CausalContext ok;
  ok.Insert({1, kMaxDotCounter});
  bytes.clear();
  EncodeContext(ok, &bytes);
  EXPECT_TRUE(DecodeContext(bytes).ok());
  // A source continuing a key just under the limit still hands out distinct dots.
  DotSource probe(1);
  CausalContext near;
  near.Insert({1, kMaxDotCounter - 2});
  Dot first = probe.Take(near);
  Dot second = probe.Take(near);
  EXPECT_NE(first, second);
  EXPECT_LE(second.counter, kMaxDotCounter);
}

}  // namespace
}  // namespace starling::lattice
