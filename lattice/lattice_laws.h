// Law tests for lattices and their delta-mutators (test-only; CONVENTIONS.md 3).
//
// A test for a new lattice type L needs a rapidcheck generator of states and, if L has
// delta-mutators, a list of mutator generators:
//
//   TEST(MyTypeLaws, Laws) {
//     laws::LawSpec<MyType> spec{"MyType", GenMyType()};
//     spec.mutators.push_back(laws::MakeMutator<MyType>(
//         "Add", rc::gen::inRange(0, 5), [](MyType& s, ReplicaId r, int e) {
//           DotSource source(r);
//           return MyType(s.Add(source, e));  // mutates s in place, returns the delta
//         }));
//     laws::ExpectLaws(spec);
//   }
//
// CheckLaws runs each law below as its own rapidcheck property, on random states a, b, c
// drawn from spec.states and random mutations m (m(s) mutates s in place, returns delta d):
//   commutative   a ⊔ b == b ⊔ a
//   associative   (a ⊔ b) ⊔ c == a ⊔ (b ⊔ c)
//   idempotent    a ⊔ a == a, and a ⊔ b ⊔ a == a ⊔ b (join is an upper bound)
//   bottom        ⊥.IsBottom(); ⊥ ⊔ a == a == a ⊔ ⊥; a.IsBottom() iff a == ⊥
// and, when spec.mutators is not empty:
//   delta         s ⊔ d == m(s), with d as returned (sparse if is_delta) and with d
//                 marked as a full state (is_delta = false)
//   delta_group   for consecutive m1, m2: s ⊔ (d1 ⊔ d2) == m2(m1(s)), the group sparse and
//                 full, and s ⊔ d1 ⊔ d2 == m2(m1(s))
//   concurrent    s forks into x = m1(s) at replica r1 and y = m2(s) at replica r2 != r1:
//                 x ⊔ d2 == x ⊔ y and y ⊔ d1 == x ⊔ y (each sparse and full). This checks a
//                 sparse delta against a state it was not made from.
// A mutation receives the replica id it runs at (from spec.replicas) and must allocate dots
// (DotSource) or totals (PnCounter) for that replica only. States drawn for one property are
// independent, so they may reuse each other's dots with different contents: join must be
// a lattice operation on such "garbage" too (delta laws use states forked from one s).
//
// Each property runs max(kMinCasesPerProperty, RC_PARAMS max_success) cases with the seed of
// RC_PARAMS (rapidcheck prints it; a failure also prints a reproduce= string). CheckLaws
// reports failures with ADD_FAILURE and prints one summary line per type:
//   [ LAWS     ] MyType: 7 properties, 500 cases each (min), 3500 cases (commutative=500 ...)
// ExpectLaws also fails the test if any property ran fewer than kMinCasesPerProperty cases.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/detail/TestListenerAdapter.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "lattice/causal_context.h"
#include "lattice/lattice.h"

// Fails the current rapidcheck case with a message showing the labelled values; the strings
// are only built on failure. #undef at the end of this header.
#define STARLING_LAW_CHECK(cond, ...)                                      \
  do {                                                                     \
    if (!(cond)) {                                                         \
      RC_FAIL(std::string(#cond) + "\n" +                                  \
              ::starling::lattice::laws::internal::Describe(__VA_ARGS__)); \
    }                                                                      \
  } while (0)

namespace starling::lattice::laws {

constexpr int kMinCasesPerProperty = 500;

// One mutation, already given its random arguments.
template <typename L>
struct Mutation {
  std::string name;  // shown in counterexamples, e.g. "Add(3)"
  std::function<L(L& state, ReplicaId replica)> apply;
};

template <typename L>
std::ostream& operator<<(std::ostream& os, const Mutation<L>& m) {
  return os << m.name;
}

// A mutator generator from a name, a generator of arguments and
// fn(L& state, ReplicaId replica, const T& arg) -> L (the delta).
template <typename L, typename T, typename F>
rc::Gen<Mutation<L>> MakeMutator(std::string name, rc::Gen<T> args, F fn) {
  return rc::gen::map(std::move(args), [name = std::move(name), fn](const T& arg) {
    return Mutation<L>{name + "(" + rc::toString(arg) + ")",
                       [fn, arg](L& s, ReplicaId r) { return fn(s, r, arg); }};
  });
}
// A mutator without arguments: fn(L& state, ReplicaId replica) -> L.
template <typename L, typename F>
rc::Gen<Mutation<L>> MakeMutator(std::string name, F fn) {
  return rc::gen::just(Mutation<L>{std::move(name), std::function<L(L&, ReplicaId)>(fn)});
}

template <typename L>
struct LawSpec {
  std::string type_name;
  rc::Gen<L> states;
  std::vector<rc::Gen<Mutation<L>>> mutators = {};
  // Replica ids mutations run at; at least two for the concurrent law.
  std::vector<ReplicaId> replicas = {1, 2, 3};
  // Prints a state in failure messages (default: operator<< if L has one, else "<???>").
  std::function<std::string(const L&)> show = [](const L& l) { return rc::toString(l); };
  // For tests of this helper only: failures are expected and not recorded for RC_PARAMS
  // replay.
  bool expect_failure = false;
};

struct LawReport {
  std::string type_name;
  std::vector<std::pair<std::string, int>> cases;  // property -> successful cases run
  std::vector<std::string> failed;                 // properties that failed

  bool ok() const { return failed.empty(); }

  int Total() const {
    int n = 0;
    for (const auto& [p, c] : cases)
      n += c;
    return n;
  }
  int MinCases() const {
    int n = cases.empty() ? 0 : cases.front().second;
    for (const auto& [p, c] : cases)
      n = std::min(n, c);
    return n;
  }
  std::string Summary() const {
    std::ostringstream os;
    os << type_name << ": " << cases.size() << " properties, " << MinCases()
       << " cases each (min), " << Total() << " cases (";
    for (size_t i = 0; i < cases.size(); ++i) {
      os << (i ? " " : "") << cases[i].first << "=" << cases[i].second;
    }
    os << ")";
    for (const std::string& f : failed)
      os << " FAILED:" << f;
    return os.str();
  }
};

// Generators of edge values, for law tests of lattices over these types (Anna's MaxLattice
// truncated doubles to int because its tests only used integers).
// Doubles: NaN (both signs, several payloads), ±0.0, ±inf, denormals, DBL_MIN, ±DBL_MAX,
// fractions that truncate to the same integer, arbitrary bit patterns.
inline rc::Gen<double> GenEdgeDouble() {
  using Limits = std::numeric_limits<double>;
  return rc::gen::weightedOneOf<double>({
      {4, rc::gen::element<double>(
              Limits::quiet_NaN(), -Limits::quiet_NaN(),
              std::bit_cast<double>(uint64_t{0x7ff0000000000001}),  // signalling NaN payload
              std::bit_cast<double>(uint64_t{0xfff8000000000abc}), 0.0, -0.0, Limits::infinity(),
              -Limits::infinity(), Limits::denorm_min(), -Limits::denorm_min(), Limits::min(),
              Limits::max(), -Limits::max(), 0.25, 0.75, 1.25, 1.75, -1.5, 0.1)},
      {3, rc::gen::map(rc::gen::arbitrary<uint64_t>(),
                       [](uint64_t bits) { return std::bit_cast<double>(bits); })},
      {2, rc::gen::arbitrary<double>()},
  });
}
// The same without NaN, for element types whose containers use operator<.
inline rc::Gen<double> GenEdgeDoubleNoNaN() {
  return rc::gen::suchThat(GenEdgeDouble(), [](double d) { return !std::isnan(d); });
}
inline rc::Gen<int64_t> GenEdgeInt64() {
  using Limits = std::numeric_limits<int64_t>;
  return rc::gen::weightedOneOf<int64_t>({
      {3, rc::gen::element<int64_t>(Limits::min(), Limits::min() + 1, -1, 0, 1, Limits::max() - 1,
                                    Limits::max())},
      {2, rc::gen::inRange<int64_t>(-3, 4)},
      {3, rc::gen::arbitrary<int64_t>()},
  });
}
inline rc::Gen<uint64_t> GenEdgeUint64() {
  return rc::gen::weightedOneOf<uint64_t>({
      {3, rc::gen::element<uint64_t>(0, 1, 2, UINT64_MAX - 1, UINT64_MAX)},
      {2, rc::gen::inRange<uint64_t>(0, 8)},
      {3, rc::gen::arbitrary<uint64_t>()},
  });
}
// Short strings over {NUL, 'a', 'b', 0xff}, so that equal and NUL-only-different strings are
// common, plus arbitrary strings.
inline rc::Gen<std::string> GenEdgeString() {
  return rc::gen::weightedOneOf<std::string>({
      {3, rc::gen::resize(
              4, rc::gen::container<std::string>(rc::gen::element<char>('\0', 'a', 'b', '\xff')))},
      {1, rc::gen::arbitrary<std::string>()},
  });
}

namespace internal {

template <typename L>
L Joined(L a, const L& b) {
  a.Join(b);
  return a;
}

// `delta` as a full state: Causal<S> (and types derived from it) carry is_delta; other
// lattices have one kind of value only.
template <typename L>
L AsFull(L delta) {
  if constexpr (requires { delta.is_delta = false; })
    delta.is_delta = false;
  return delta;
}

inline std::string Describe() { return ""; }
// Describe("a", show(a), "b", show(b)): one "  label = value" line per pair.
template <typename... Rest>
std::string Describe(const std::string& label, const std::string& value, const Rest&... rest) {
  return "  " + label + " = " + value + "\n" + Describe(rest...);
}

inline rc::detail::TestParams LawParams() {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = std::max(params.maxSuccess, kMinCasesPerProperty);
  return params;
}

template <typename Testable>
void RunProperty(const std::string& type_name, const std::string& law, bool expect_failure,
                 Testable&& testable, LawReport& report) {
  rc::detail::TestMetadata metadata;
  metadata.id = type_name + "/" + law;
  metadata.description = metadata.id;
  rc::detail::TestParams params = LawParams();
  rc::detail::TestListenerAdapter quiet;
  rc::detail::TestResult result =
      expect_failure
          ? rc::detail::checkProperty(rc::detail::toProperty(std::forward<Testable>(testable)),
                                      metadata, params, quiet)
          : rc::detail::checkProperty(rc::detail::toProperty(std::forward<Testable>(testable)),
                                      metadata, params);
  int cases = 0;
  if (result.template is<rc::detail::SuccessResult>()) {
    cases = result.template get<rc::detail::SuccessResult>().numSuccess;
  } else {
    report.failed.push_back(law);
    std::ostringstream os;
    rc::detail::printResultMessage(result, os);
    ADD_FAILURE() << "law " << law << " fails for " << type_name
                  << " (RC_PARAMS=\"seed=" << params.seed << "\" replays)\n"
                  << os.str();
  }
  report.cases.emplace_back(law, cases);
}

}  // namespace internal

// Runs every law for spec's type; reports failures with ADD_FAILURE, prints and returns the
// per-property case counts.
template <Lattice L>
LawReport CheckLaws(const LawSpec<L>& spec) {
  using internal::AsFull;
  using internal::Joined;
  LawReport report;
  report.type_name = spec.type_name;
  const rc::Gen<L> gen = spec.states;
  const auto show = spec.show;

  internal::RunProperty(
      spec.type_name, "commutative", spec.expect_failure,
      [=] {
        L a = *gen, b = *gen;
        L ab = Joined(a, b), ba = Joined(b, a);
        STARLING_LAW_CHECK(ab == ba, "a", show(a), "b", show(b), "a⊔b", show(ab), "b⊔a", show(ba));
      },
      report);

  internal::RunProperty(
      spec.type_name, "associative", spec.expect_failure,
      [=] {
        L a = *gen, b = *gen, c = *gen;
        L left = Joined(Joined(a, b), c), right = Joined(a, Joined(b, c));
        STARLING_LAW_CHECK(left == right, "a", show(a), "b", show(b), "c", show(c), "(a⊔b)⊔c",
                           show(left), "a⊔(b⊔c)", show(right));
      },
      report);

  internal::RunProperty(
      spec.type_name, "idempotent", spec.expect_failure,
      [=] {
        L a = *gen, b = *gen;
        L aa = Joined(a, a);
        STARLING_LAW_CHECK(aa == a, "a", show(a), "a⊔a", show(aa));
        L ab = Joined(a, b), aba = Joined(ab, a);
        STARLING_LAW_CHECK(aba == ab, "a", show(a), "b", show(b), "a⊔b", show(ab), "a⊔b⊔a",
                           show(aba));
      },
      report);

  internal::RunProperty(
      spec.type_name, "bottom", spec.expect_failure,
      [=] {
        L a = *gen;
        const L bottom = L::Bottom();
        STARLING_LAW_CHECK(bottom.IsBottom(), "bottom", show(bottom));
        L left = Joined(bottom, a), right = Joined(a, bottom);
        STARLING_LAW_CHECK(left == a, "a", show(a), "⊥⊔a", show(left));
        STARLING_LAW_CHECK(right == a, "a", show(a), "a⊔⊥", show(right));
        STARLING_LAW_CHECK(a.IsBottom() == (a == bottom), "a", show(a));
      },
      report);

  if (spec.mutators.empty()) {
    std::cout << "[ LAWS     ] " << report.Summary() << std::endl;
    return report;
  }
  const std::vector<rc::Gen<Mutation<L>>> mutators = spec.mutators;
  const std::vector<ReplicaId> replicas = spec.replicas;
  auto pick_mutation = [mutators] {
    size_t i = *rc::gen::inRange<size_t>(0, mutators.size());
    return *mutators[i];
  };
  auto pick_replica = [replicas] { return *rc::gen::elementOf(replicas); };

  internal::RunProperty(
      spec.type_name, "delta", spec.expect_failure,
      [=] {
        const L s = *gen;
        Mutation<L> m = pick_mutation();
        ReplicaId r = pick_replica();
        L mutated = s;
        L d = m.apply(mutated, r);
        L sparse = Joined(s, d), full = Joined(s, AsFull(d));
        STARLING_LAW_CHECK(sparse == mutated, "s", show(s), "m", m.name, "m(s)", show(mutated), "d",
                           show(d), "s⊔d", show(sparse));
        STARLING_LAW_CHECK(full == mutated, "s", show(s), "m", m.name, "m(s)", show(mutated), "d",
                           show(d), "s⊔full(d)", show(full));
      },
      report);

  internal::RunProperty(
      spec.type_name, "delta_group", spec.expect_failure,
      [=] {
        const L s = *gen;
        Mutation<L> m1 = pick_mutation(), m2 = pick_mutation();
        ReplicaId r1 = pick_replica(), r2 = pick_replica();
        L mutated = s;
        L d1 = m1.apply(mutated, r1);
        L d2 = m2.apply(mutated, r2);
        L group = Joined(d1, d2);
        L sparse = Joined(s, group), full = Joined(s, AsFull(group));
        L one_by_one = Joined(Joined(s, d1), d2);
        auto context = [&](const std::string& label, const L& got) {
          return internal::Describe("s", show(s), "m1", m1.name, "m2", m2.name, "m2(m1(s))",
                                    show(mutated), "d1", show(d1), "d2", show(d2), "d1⊔d2",
                                    show(group), label, show(got));
        };
        if (!(sparse == mutated))
          RC_FAIL("s⊔(d1⊔d2) != m2(m1(s))\n" + context("s⊔(d1⊔d2)", sparse));
        if (!(full == mutated))
          RC_FAIL("s⊔full(d1⊔d2) != m2(m1(s))\n" + context("got", full));
        if (!(one_by_one == mutated))
          RC_FAIL("s⊔d1⊔d2 != m2(m1(s))\n" + context("got", one_by_one));
      },
      report);

  internal::RunProperty(
      spec.type_name, "concurrent", spec.expect_failure,
      [=] {
        RC_PRE(replicas.size() >= 2);
        const L s = *gen;
        Mutation<L> m1 = pick_mutation(), m2 = pick_mutation();
        ReplicaId r1 = pick_replica();
        ReplicaId r2 =
            *rc::gen::suchThat(rc::gen::elementOf(replicas), [r1](ReplicaId r) { return r != r1; });
        L x = s, y = s;
        L d1 = m1.apply(x, r1);
        L d2 = m2.apply(y, r2);
        const L want = Joined(x, y);
        for (const auto& [label, got] : {std::pair<std::string, L>{"x⊔d2", Joined(x, d2)},
                                         {"x⊔full(d2)", Joined(x, AsFull(d2))},
                                         {"y⊔d1", Joined(y, d1)},
                                         {"y⊔full(d1)", Joined(y, AsFull(d1))}}) {
          STARLING_LAW_CHECK(got == want, "s", show(s), "m1@r1", m1.name, "m2@r2", m2.name,
                             "x=m1(s)", show(x), "y=m2(s)", show(y), "d1", show(d1), "d2", show(d2),
                             "x⊔y", show(want), label, show(got));
        }
      },
      report);

  std::cout << "[ LAWS     ] " << report.Summary() << std::endl;
  return report;
}

// CheckLaws, and a test failure unless every property ran at least kMinCasesPerProperty
// cases.
template <Lattice L>
LawReport ExpectLaws(const LawSpec<L>& spec) {
  LawReport report = CheckLaws(spec);
  // Replaying one failure (RC_PARAMS="reproduce=...") runs only that property.
  if (rc::detail::configuration().reproduce.empty()) {
    EXPECT_GE(report.MinCases(), kMinCasesPerProperty) << report.Summary();
  }
  return report;
}

}  // namespace starling::lattice::laws

#undef STARLING_LAW_CHECK
