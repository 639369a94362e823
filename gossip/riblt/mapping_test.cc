#include "gossip/riblt/mapping.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace starling::riblt {
namespace {

// shared/riblt-vectors.md: the reference generator seeded with 1234567891.
TEST(IndexMappingTest, ReferenceSequence) {
  const std::vector<uint64_t> expected = {
      2,    3,    9,     10,    11,    16,    27,    31,     42,     133,     258,     271,    1969,
      2167, 4018, 19352, 25878, 38498, 40513, 64416, 169690, 740928, 1519972, 1968074, 8208040};
  IndexMapping m(1234567891);
  EXPECT_EQ(m.index(), 0u);
  for (uint64_t want : expected) {
    EXPECT_EQ(m.Next(), want);
  }
}

TEST(IndexMappingTest, SkipToStopsAtFirstIndexNotBelow) {
  IndexMapping m(1234567891);
  m.SkipTo(2000);
  EXPECT_EQ(m.index(), 2167u);
  m.SkipTo(2167);
  EXPECT_EQ(m.index(), 2167u);
}

TEST(IndexMappingTest, PathologicalSeedsSaturateInsteadOfWrapping) {
  // Seed 0 keeps the generator at 0, where the step is largest: it must saturate, not wrap.
  IndexMapping m(0);
  uint64_t prev = 0;
  for (int i = 0; i < 10; ++i) {
    const uint64_t next = m.Next();
    EXPECT_GE(next, prev);
    prev = next;
  }
  EXPECT_EQ(prev, std::numeric_limits<uint64_t>::max());
  m.SkipTo(std::numeric_limits<uint64_t>::max());  // terminates
}

TEST(IndexMappingTest, DensityFollowsTheReferenceDistribution) {
  // About 1 / (1 + i / 2) of the items are in symbol i.
  constexpr int kItems = 20000;
  int in_10 = 0, in_100 = 0;
  for (uint64_t s = 1; s <= kItems; ++s) {
    IndexMapping m(s * 0x9e3779b97f4a7c15ULL);
    m.SkipTo(10);
    in_10 += m.index() == 10;
    m.SkipTo(100);
    in_100 += m.index() == 100;
  }
  EXPECT_NEAR(in_10 / double(kItems), 1.0 / 6, 0.02);
  EXPECT_NEAR(in_100 / double(kItems), 1.0 / 51, 0.005);
}

TEST(IndexMappingTest, BranchFreeConversionsAreExact) {
  std::vector<uint64_t> xs = {0,
                              1,
                              (1ULL << 53) + 1,
                              (1ULL << 63) - 1,
                              1ULL << 63,
                              (1ULL << 63) + 1,
                              ~0ULL,
                              ~0ULL - 1024,
                              0x8000000000000401ULL};
  uint64_t s = 88172645463325252ULL;
  for (int i = 0; i < 100000; ++i) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    xs.push_back(s);
    xs.push_back(s >> (i % 64));
  }
  for (uint64_t x : xs) {
    ASSERT_EQ(IndexMapping::U64ToDouble(x), static_cast<double>(x)) << x;
  }
  const double vs[] = {0.0,
                       0.25,
                       1.0,
                       1.5,
                       2.0,
                       1e15 + 0.5,
                       4503599627370495.5,
                       4503599627370496.0,
                       9223372036854775808.0,
                       1.8446744073709550e19};
  for (double v : vs) {
    ASSERT_EQ(IndexMapping::CeilToU64(v), static_cast<uint64_t>(std::ceil(v))) << v;
  }
  EXPECT_EQ(IndexMapping::CeilToU64(18446744073709551616.0), ~0ULL);
  EXPECT_EQ(IndexMapping::CeilToU64(1e30), ~0ULL);
  for (int i = 0; i < 100000; ++i) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    const double v = static_cast<double>(s >> 11) / static_cast<double>(1ULL << (i % 53));
    ASSERT_EQ(IndexMapping::CeilToU64(v), static_cast<uint64_t>(std::ceil(v))) << v;
  }
}

}  // namespace
}  // namespace starling::riblt
