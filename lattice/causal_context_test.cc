#include "lattice/causal_context.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>

namespace starling::lattice {
namespace {

TEST(CausalContextTest, CompactsToVersionVector) {
  CausalContext c;
  c.Insert({1, 3});
  c.Insert({1, 1});
  EXPECT_EQ(c.Contiguous(1), 1u);
  EXPECT_EQ(c.CloudRanges(), 1u);
  c.Insert({1, 2});
  EXPECT_EQ(c.Contiguous(1), 3u);
  EXPECT_EQ(c.CloudRanges(), 0u);
  EXPECT_EQ(c.NumRanges(), 1u);
  EXPECT_TRUE(c.Contains({1, 2}));
  EXPECT_FALSE(c.Contains({1, 4}));
  EXPECT_FALSE(c.Contains({2, 1}));
}

TEST(CausalContextTest, FreshStartStaysOneRange) {
  // A key restarted above the node-wide floor is one range, not a growing cloud.
  CausalContext c;
  for (uint64_t i = 1000; i < 2000; ++i) c.Insert({7, i});
  EXPECT_EQ(c.NumRanges(), 1u);
  EXPECT_EQ(c.Max(7), 1999u);
  EXPECT_EQ(c.Contiguous(7), 0u);
}

TEST(CausalContextTest, ExtremeCountersDoNotOverflow) {
  CausalContext c;
  c.InsertRange(1, UINT64_MAX - 1, UINT64_MAX);
  c.Insert({1, UINT64_MAX - 2});
  c.Insert({1, 1});
  EXPECT_EQ(c.NumRanges(), 2u);
  EXPECT_TRUE(c.Contains({1, UINT64_MAX}));
  CausalContext d;
  d.InsertRange(1, 2, UINT64_MAX - 3);
  c.Join(d);
  EXPECT_EQ(c.NumRanges(), 1u);
  EXPECT_EQ(c.Contiguous(1), UINT64_MAX);
}

// A context is a set of dots; compare it with std::set on random inserts and joins.
std::set<Dot> ToSet(const CausalContext& c) {
  std::set<Dot> s;
  for (const auto& r : c.ranges())
    for (uint64_t i = r.lo; i <= r.hi; ++i) s.insert({r.replica, i});
  return s;
}

CausalContext FromDots(const std::vector<std::pair<uint8_t, uint8_t>>& dots) {
  CausalContext c;
  for (auto [r, n] : dots) c.Insert({static_cast<ReplicaId>(r % 3), static_cast<uint64_t>(n % 40) + 1});
  return c;
}

RC_GTEST_PROP(CausalContextProp, MatchesSetModel,
              (const std::vector<std::pair<uint8_t, uint8_t>>& a,
               const std::vector<std::pair<uint8_t, uint8_t>>& b)) {
  CausalContext ca = FromDots(a), cb = FromDots(b);
  std::set<Dot> sa = ToSet(ca), sb = ToSet(cb);
  std::set<Dot> want;
  for (auto [r, n] : a) want.insert({static_cast<ReplicaId>(r % 3), uint64_t(n % 40) + 1});
  RC_ASSERT(sa == want);
  CausalContext j = ca;
  j.Join(cb);
  std::set<Dot> u = sa;
  u.insert(sb.begin(), sb.end());
  RC_ASSERT(ToSet(j) == u);
  // Normalised: the same set has the same representation however it was built.
  CausalContext k = cb;
  k.Join(ca);
  RC_ASSERT(j == k);
  RC_ASSERT(j.Includes(ca));
  RC_ASSERT(j.Includes(cb));
  RC_ASSERT(ca.Includes(j) == (sa == u));
  for (const Dot& d : u) RC_ASSERT(j.Contains(d));
}

}  // namespace
}  // namespace starling::lattice
