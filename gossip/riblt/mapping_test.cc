#include "gossip/riblt/mapping.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace starling::riblt
