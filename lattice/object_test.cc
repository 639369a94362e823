// One test per row of DESIGN.md's semantics table: two replicas take concurrent writes,
// and the join in both orders gives what the table says.
#include "lattice/object.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/clock.h"
#include "lattice/hash_ops.h"
#include "lattice/list_ops.h"
#include "lattice/set_ops.h"
#include "lattice/string_ops.h"
#include "lattice/zset_ops.h"

namespace starling::lattice {
namespace {

// A replica of one key: its state, dot source and HLC.
struct Replica {
  explicit Replica(ReplicaId id, int64_t wall_ms = 1'000'000)
      : clock(wall_ms * 1000), hlc(clock), dots(id) {}
  ManualClock clock;
  HlcClock hlc;
  DotSource dots;
  Object obj;

  template <typename F>
  Object Do(F&& f) {
    Mutation m(obj, dots, hlc.Now());
    f(m);
    return m.Apply(obj);
  }
  void Receive(const Object& delta) {
    obj.Join(delta);
    hlc.Observe(0);
  }
  std::string Str() const {
    std::string scratch;
    return obj.str() ? std::string(StringValue(*obj.str(), &scratch)) : "<none>";
  }
};

// Joins a and b both ways; checks they agree and returns the result.
Object Merge(const Object& a, const Object& b) {
  Object ab = a, ba = b;
  ab.Join(b);
  ba.Join(a);
  EXPECT_EQ(ab, ba);
  return ab;
}

std::string StrOf(const Object& o) {
  std::string scratch;
  if (o.Type() != KeyType::kString) return "<" + std::string(KeyTypeName(o.Type())) + ">";
  return std::string(StringValue(*o.str(), &scratch));
}

TEST(SemanticsTest, ConcurrentSetsLastWriterByHlcWins) {
  Replica a(1, 1000), b(2, 2000);  // b's clock is later
  a.Do([](Mutation& m) { WriteString(m, "from-a", false); });
  b.Do([](Mutation& m) { WriteString(m, "from-b", false); });
  EXPECT_EQ(StrOf(Merge(a.obj, b.obj)), "from-b");
}

TEST(SemanticsTest, EqualHlcTieBrokenByReplica) {
  Replica a(1, 1000), b(2, 1000);
  a.Do([](Mutation& m) { WriteString(m, "a", false); });
  b.Do([](Mutation& m) { WriteString(m, "b", false); });
  EXPECT_EQ(StrOf(Merge(a.obj, b.obj)), "b");
}

TEST(SemanticsTest, SetVersusDelUnseenSetSurvives) {
  Replica a(1), b(2);
  b.Receive(a.Do([](Mutation& m) { WriteString(m, "v1", false); }));
  a.Do([](Mutation& m) { WriteString(m, "v2", false); });  // b has not seen this
  b.Do([](Mutation& m) { m.RemoveAll(); });                  // DEL of what b saw (v1)
  EXPECT_EQ(StrOf(Merge(a.obj, b.obj)), "v2");
}

TEST(SemanticsTest, SeenSetIsDeleted) {
  Replica a(1), b(2);
  b.Receive(a.Do([](Mutation& m) { WriteString(m, "v1", false); }));
  b.Do([](Mutation& m) { m.RemoveAll(); });
  EXPECT_FALSE(Merge(a.obj, b.obj).Exists());
}

TEST(SemanticsTest, ConcurrentIncrementsAddUp) {
  Replica a(1), b(2);
  for (int i = 0; i < 3; ++i) a.Do([](Mutation& m) { IncrementString(m, 1, 0); });
  for (int i = 0; i < 4; ++i) b.Do([](Mutation& m) { IncrementString(m, 10, 0); });
  EXPECT_EQ(StrOf(Merge(a.obj, b.obj)), "43");
}

TEST(SemanticsTest, SetAbsorbsSeenIncrementsOnly) {
  Replica a(1), b(2);
  // Both see 5 increments from a; then b SETs 100 while a increments twice more.
  for (int i = 0; i < 5; ++i) b.Receive(a.Do([](Mutation& m) { IncrementString(m, 1, 0); }));
  b.Do([](Mutation& m) { WriteString(m, "100", false); });
  a.Do([](Mutation& m) { IncrementString(m, 1, 0); });
  a.Do([](Mutation& m) { IncrementString(m, 1, 0); });
  EXPECT_EQ(StrOf(Merge(a.obj, b.obj)), "102");
}

TEST(SemanticsTest, DelAbsorbsSeenIncrementsConcurrentOnesSurvive) {
  Replica a(1), b(2);
  for (int i = 0; i < 5; ++i) b.Receive(a.Do([](Mutation& m) { IncrementString(m, 1, 0); }));
  b.Do([](Mutation& m) { m.RemoveAll(); });
  a.Do([](Mutation& m) { IncrementString(m, 3, 0); });
  Object merged = Merge(a.obj, b.obj);
  EXPECT_EQ(StrOf(merged), "3");
  // After the DEL is seen, a's next increment starts from zero.
  Replica c(3);
  c.obj = merged;
  c.Do([](Mutation& m) { IncrementString(m, 1, 0); });
  EXPECT_EQ(StrOf(c.obj), "4");
}

TEST(SemanticsTest, FloatCountersAddUp) {
  Replica a(1), b(2);
  b.Receive(a.Do([](Mutation& m) { WriteString(m, "10.5", false); }));
  a.Do([](Mutation& m) { IncrementString(m, 0, 0.25L); });
  b.Do([](Mutation& m) { IncrementString(m, 0, 0.25L); });
  EXPECT_EQ(StrOf(Merge(a.obj, b.obj)), "11");
}

TEST(SemanticsTest, SetAddWinsOverConcurrentRemove) {
  Replica a(1), b(2);
  std::vector<std::string_view> x{"x"};
  b.Receive(a.Do([&](Mutation& m) { AddSetMembers(m, x); }));
  a.Do([&](Mutation& m) { AddSetMembers(m, x); });  // re-add, unseen by b
  b.Do([&](Mutation& m) { RemoveSetMembers(m, x); });
  Object merged = Merge(a.obj, b.obj);
  EXPECT_TRUE(SetContains(merged, "x"));
}

TEST(SemanticsTest, SetRemoveOfSeenAddWins) {
  Replica a(1), b(2);
  std::vector<std::string_view> xy{"x", "y"}, x{"x"};
  b.Receive(a.Do([&](Mutation& m) { AddSetMembers(m, xy); }));
  b.Do([&](Mutation& m) { RemoveSetMembers(m, x); });
  Object merged = Merge(a.obj, b.obj);
  EXPECT_FALSE(SetContains(merged, "x"));
  EXPECT_TRUE(SetContains(merged, "y"));
  EXPECT_EQ(SetCard(merged), 1u);
}

TEST(SemanticsTest, HashFieldsPerFieldAndHsetBeatsHdel) {
  Replica a(1), b(2);
  std::vector<std::string_view> f{"f"};
  b.Receive(a.Do([](Mutation& m) {
    m.Retag(KeyType::kHash);
    HashSetField(m, "f", "1");
  }));
  a.Do([](Mutation& m) {
    m.Retag(KeyType::kHash);
    HashSetField(m, "f", "2");
    HashSetField(m, "g", "3");
  });
  b.Do([&](Mutation& m) { HashDeleteFields(m, f); });
  Object merged = Merge(a.obj, b.obj);
  std::string s;
  EXPECT_EQ(HashGet(merged, "f", &s).value_or("<nil>"), "2");
  EXPECT_EQ(HashGet(merged, "g", &s).value_or("<nil>"), "3");
}

TEST(SemanticsTest, HincrbySums) {
  Replica a(1), b(2);
  a.Do([](Mutation& m) { HashIncrementField(m, "n", 5, 0); });
  b.Do([](Mutation& m) { HashIncrementField(m, "n", 7, 0); });
  std::string s;
  EXPECT_EQ(HashGet(Merge(a.obj, b.obj), "n", &s).value_or("<nil>"), "12");
}

TEST(SemanticsTest, ZaddLastWriterZincrbySums) {
  Replica a(1, 1000), b(2, 2000);
  a.Do([](Mutation& m) { ZsetAdd(m, "m", 1.0); });
  b.Do([](Mutation& m) { ZsetAdd(m, "m", 2.0); });
  Object merged = Merge(a.obj, b.obj);
  EXPECT_EQ(merged.zset()->Score(ElemRef("m")), 2.0);
  Replica c(3), d(4);
  c.obj = merged;
  d.obj = merged;
  c.Do([](Mutation& m) { ZsetIncrement(m, "m", 1.5); });
  d.Do([](Mutation& m) { ZsetIncrement(m, "m", 2.5); });
  Object z = Merge(c.obj, d.obj);
  EXPECT_EQ(z.zset()->Score(ElemRef("m")), 6.0);
  // The order index follows the joined score.
  ASSERT_EQ(z.zset()->index().size(), 1u);
  EXPECT_EQ(z.zset()->index().begin().key().score, 6.0);
}

std::vector<std::string> ListOf(const Object& o) {
  std::vector<std::string> out;
  if (!o.list()) return out;
  for (auto it = o.list()->elems().begin(); it != o.list()->elems().end(); ++it) {
    out.push_back(*ListElemValue(it.value()));
  }
  return out;
}

TEST(SemanticsTest, ConcurrentLpushKeepsBothInOneOrder) {
  Replica a(1), b(2);
  std::vector<std::string_view> base{"base"}, pa{"a1", "a2"}, pb{"b1", "b2"};
  b.Receive(a.Do([&](Mutation& m) { ListPush(m, ListEnd::kLeft, base); }));
  a.Do([&](Mutation& m) { ListPush(m, ListEnd::kLeft, pa); });
  b.Do([&](Mutation& m) { ListPush(m, ListEnd::kLeft, pb); });
  std::vector<std::string> got = ListOf(Merge(a.obj, b.obj));
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got.back(), "base");
  // Each replica's push stays contiguous and in LPUSH order (a2 before a1).
  auto pos = [&](const std::string& s) { return std::find(got.begin(), got.end(), s) - got.begin(); };
  EXPECT_EQ(pos("a1"), pos("a2") + 1);
  EXPECT_EQ(pos("b1"), pos("b2") + 1);
}

TEST(SemanticsTest, TypeClashLargerHlcDecides) {
  Replica a(1, 1000), b(2, 2000);
  std::vector<std::string_view> x{"x"};
  a.Do([](Mutation& m) { WriteString(m, "s", false); });
  b.Do([&](Mutation& m) { AddSetMembers(m, x); });
  Object merged = Merge(a.obj, b.obj);
  EXPECT_EQ(merged.Type(), KeyType::kSet);
  // The next write on a node that saw both removes the loser's data.
  Replica c(3, 3000);
  c.obj = merged;
  c.Do([&](Mutation& m) { AddSetMembers(m, x); });
  EXPECT_FALSE(c.obj.HasData(KeyType::kString));
}

TEST(SemanticsTest, ConcurrentExpiresLaterWinsAndPersistBeatsExpire) {
  Replica a(1), b(2);
  b.Receive(a.Do([](Mutation& m) { WriteString(m, "v", false); }));
  a.Do([](Mutation& m) { SetExpiry(m, 5000); });
  b.Do([](Mutation& m) { SetExpiry(m, 9000); });
  EXPECT_EQ(Merge(a.obj, b.obj).ExpiryMs(), 9000);
  Replica c(3), d(4);
  c.obj = d.obj = Merge(a.obj, b.obj);
  c.Do([](Mutation& m) { PersistKey(m); });
  d.Do([](Mutation& m) { SetExpiry(m, 20000); });
  EXPECT_EQ(Merge(c.obj, d.obj).ExpiryMs(), std::nullopt);
}

TEST(SemanticsTest, WriteUnseenByExpiryRemovalSurvives) {
  Replica a(1), b(2);
  b.Receive(a.Do([](Mutation& m) {
    WriteString(m, "v", false);
    SetExpiry(m, 5000);
  }));
  a.Do([](Mutation& m) { WriteString(m, "new", false); });  // clears a's TTL
  b.Do([](Mutation& m) { m.RemoveAll(); });                  // b's clock passed 5000
  Object merged = Merge(a.obj, b.obj);
  EXPECT_EQ(StrOf(merged), "new");
  EXPECT_EQ(merged.ExpiryMs(), std::nullopt);
}

}  // namespace
}  // namespace starling::lattice

namespace starling::lattice {
namespace {

TEST(CounterRunsTest, IncrementAfterSetStartsAFreshRunAndCompactionBoundsRuns) {
  Replica a(1);
  for (int cycle = 0; cycle < 100; ++cycle) {
    a.Do([](Mutation& m) { IncrementString(m, 0, 0.1L); });
    a.Do([](Mutation& m) { WriteString(m, "-974", false); });
    Object d = a.Do([](Mutation& m) { IncrementString(m, 0, 462.37L); });
    EXPECT_EQ(StrOf(a.obj), "-511.63");
    a.obj.CompactRunsTouchedBy(d);  // what a sole replica does after each change
  }
  ASSERT_NE(a.obj.str()->runs.get(), nullptr);
  EXPECT_LE(a.obj.str()->runs->totals.size(), 2u);
  EXPECT_EQ(StrOf(a.obj), "-511.63");
}

TEST(CounterRunsTest, CompactionKeepsRunsAConcurrentWriteStillNeeds) {
  Replica a(1), b(2);
  b.Receive(a.Do([](Mutation& m) { IncrementString(m, 5, 0); }));
  Object set_delta = a.Do([](Mutation& m) { WriteString(m, "0", false); });
  // b never saw the SET: its concurrent write keeps a's run relevant after the join.
  b.Do([](Mutation& m) { WriteString(m, "100", false); });
  Object merged = Merge(a.obj, b.obj);
  Object compacted = merged;
  compacted.CompactRunsTouchedBy(set_delta);
  EXPECT_EQ(StrOf(compacted), StrOf(merged));
}

}  // namespace
}  // namespace starling::lattice
