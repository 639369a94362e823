#include "base/random.h"

#include <gtest/gtest.h>

#include <map>

#include "base/clock.h"

namespace starling {
namespace {

TEST(PrngTest, SameSeedSameSequence) {
  Prng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    uint64_t x = a.Next64();
    EXPECT_EQ(x, b.Next64());
    differs |= x != c.Next64();
  }
  EXPECT_TRUE(differs);
}

TEST(PrngTest, KnownFirstValue) {
  // Pins the generator: a change here changes every simulator seed's run.
  Prng p(0);
  uint64_t st = 0;
  uint64_t s0 = SplitMix64(st);
  EXPECT_EQ(s0, 0xe220a8397b1dcdafULL);
  EXPECT_NE(p.Next64(), 0u);
}

TEST(PrngTest, UniformStaysInRangeAndCoversIt) {
  Prng p(7);
  std::map<uint64_t, int> seen;
  for (int i = 0; i < 10000; ++i) {
    uint64_t v = p.Uniform(10);
    ASSERT_LT(v, 10u);
    seen[v]++;
  }
  EXPECT_EQ(seen.size(), 10u);
  for (auto& [v, n] : seen) EXPECT_GT(n, 800) << v;
}

TEST(PrngTest, RangeHandlesExtremes) {
  Prng p(9);
  for (int i = 0; i < 1000; ++i) {
    int64_t v = p.Range(-3, 3);
    EXPECT_GE(v, -3);
    EXPECT_LE(v, 3);
  }
  (void)p.Range(INT64_MIN, INT64_MAX);  // full span must not divide by zero
  EXPECT_EQ(p.Range(5, 5), 5);
}

TEST(PrngTest, DoubleInUnitInterval) {
  Prng p(11);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    double d = p.NextDouble();
    ASSERT_GE(d, 0.0);
    ASSERT_LT(d, 1.0);
    sum += d;
  }
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

TEST(ManualClockTest, AdvanceAndSkew) {
  ManualClock c(1000, 0);
  c.Advance(500);
  EXPECT_EQ(c.WallMicros(), 1500);
  EXPECT_EQ(c.MonoMicros(), 500);
  c.SetWall(10);
  EXPECT_EQ(c.WallMicros(), 10);
  EXPECT_EQ(c.MonoMicros(), 500);
}

}  // namespace
}  // namespace starling
