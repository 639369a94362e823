#include "lattice/dot_store.h"

#include <gtest/gtest.h>

#include <string>

namespace starling::lattice {
namespace {

using SetStore = DotMap<std::string, DotSet>;
using ORSet = Causal<SetStore>;

// Add-wins: a remove removes only the dots it observed.
TEST(DotStoreTest, ConcurrentAddSurvivesRemove) {
  DotSource ra(1), rb(2);
  ORSet a, b;
  Dot d1 = ra.Take(a.ctx);
  a.store.At("x").Insert(d1);
  b.Join(a);  // b observed x@d1
  // b removes x: context keeps d1, store drops it.
  b.store.Erase("x");
  // a concurrently re-adds x with a new dot.
  Dot d2 = ra.Take(a.ctx);
  a.store.At("x").Insert(d2);
  ORSet ab = a, ba = b;
  ab.Join(b);
  ba.Join(a);
  EXPECT_EQ(ab, ba);
  ASSERT_NE(ab.store.Find("x"), nullptr);
  EXPECT_TRUE(ab.store.Find("x")->Contains(d2));
  EXPECT_FALSE(ab.store.Find("x")->Contains(d1));
}

TEST(DotStoreTest, SparseDeltaVisitsOnlyItsKeys) {
  DotSource r(1);
  ORSet s;
  for (int i = 0; i < 100; ++i) s.store.At(std::to_string(i)).Insert(r.Take(s.ctx));
  // Delta removing "5": lists key 5 with an empty store and the removed dot in its context.
  ORSet delta;
  delta.is_delta = true;
  Dot removed = s.store.Find("5")->dots()[0];
  delta.ctx.Insert(removed);
  delta.store.Touch("5");
  ORSet full = s, sparse = s;
  ORSet delta_full = delta;
  delta_full.is_delta = false;
  full.Join(delta_full);
  sparse.Join(delta);
  EXPECT_EQ(full, sparse);
  EXPECT_EQ(sparse.store.size(), 99u);
  EXPECT_EQ(sparse.store.Find("5"), nullptr);
}

TEST(DotStoreTest, DotSourceStartsAboveFloorForFreshKeys) {
  DotSource r(9);
  CausalContext k1, k2;
  for (int i = 0; i < 5; ++i) r.Take(k1);
  EXPECT_EQ(k1.Max(9), 5u);
  Dot d = r.Take(k2);
  EXPECT_EQ(d.counter, 6u);  // a fresh key never reuses counters 1..5
  EXPECT_EQ(r.Take(k1).counter, 6u);  // an existing key continues its own sequence
}

}  // namespace
}  // namespace starling::lattice
