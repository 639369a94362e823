// CopyValue (RENAME / COPY): the destination gets the visible value of the source, as a
// fresh write of the destination key, for every type.
#include "lattice/copy_ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/clock.h"

namespace starling::lattice {
namespace {

// One node holding two keys: both share the node's dot source and HLC.
struct Node {
  explicit Node(ReplicaId id, int64_t wall_ms = 1'000'000)
      : clock(wall_ms * 1000), hlc(clock), dots(id) {}
  ManualClock clock;
  HlcClock hlc;
  DotSource dots;

  template <typename F>
  Object Do(Object& obj, F&& f) {
    Mutation m(obj, dots, hlc.Now());
    f(m);
    return m.Apply(obj);
  }
  // Copies src onto dst; returns the delta (for replication checks) and CopyValue's result.
  Object Copy(const Object& src, Object& dst, bool copy_ttl, bool* wrote = nullptr) {
    return Do(dst, [&](Mutation& m) {
      bool w = CopyValue(src, m, copy_ttl);
      if (wrote)
        *wrote = w;
    });
  }
};

std::string Str(const Object& o) {
  std::string scratch;
  if (o.Type() != KeyType::kString)
    return "<" + std::string(KeyTypeName(o.Type())) + ">";
  return std::string(StringValue(*o.str(), &scratch));
}

std::vector<std::string> Members(const Object& o) {
  std::vector<std::string> out;
  if (o.set()) {
    for (const auto& [k, d] : o.set()->map())
      out.push_back(k.str);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ListValues(const Object& o) {
  std::vector<std::string> out;
  if (!o.list())
    return out;
  for (auto it = o.list()->elems().begin(); it != o.list()->elems().end(); ++it) {
    out.push_back(*ListElemValue(it.value()));
  }
  return out;
}

// Every dot the object holds was made by `stamp`'s write (all the same HLC stamp), i.e.
// nothing of the source's history was carried over.
Hlc StringStamp(const Object& o) { return o.str()->dots.Winner()->second.stamp; }

TEST(CopyValueTest, StringIsAFreshWriteOfTheVisibleValue) {
  Node n(1);
  Object src, dst;
  n.Do(src, [](Mutation& m) { WriteString(m, std::string("hello\0world", 11), false); });
  n.clock.Advance(5000);
  Hlc before_copy = n.hlc.Last();
  n.Copy(src, dst, false);
  EXPECT_EQ(dst.Type(), KeyType::kString);
  EXPECT_EQ(Str(dst), std::string("hello\0world", 11));
  EXPECT_GT(StringStamp(dst), before_copy);  // stamped by the copy, not by the source's SET
  EXPECT_EQ(Str(src), std::string("hello\0world", 11));  // the source is untouched
}

TEST(CopyValueTest, CounterCopyHoldsTheVisibleNumberWithoutRuns) {
  Node n(1);
  Object src, dst;
  n.Do(src, [](Mutation& m) { WriteString(m, "10", false); });
  for (int i = 0; i < 3; ++i)
    n.Do(src, [](Mutation& m) { IncrementString(m, 7, 0); });
  n.Do(src, [](Mutation& m) { IncrementString(m, -1, 0); });
  ASSERT_EQ(Str(src), "30");
  n.Copy(src, dst, false);
  EXPECT_EQ(Str(dst), "30");
  EXPECT_FALSE(dst.str()->runs);  // a plain value: the runs stay with the source's key
  // Counting goes on from the visible number at the destination, and independently.
  n.Do(dst, [](Mutation& m) { IncrementString(m, 5, 0); });
  n.Do(src, [](Mutation& m) { IncrementString(m, 100, 0); });
  EXPECT_EQ(Str(dst), "35");
  EXPECT_EQ(Str(src), "130");
}

TEST(CopyValueTest, IncrementOnlyAndFloatCounters) {
  Node n(1);
  Object a, b, da, db;
  n.Do(a, [](Mutation& m) { IncrementString(m, 4, 0); });  // never SET: value from 0
  n.Do(b, [](Mutation& m) { WriteString(m, "1.5", false); });
  n.Do(b, [](Mutation& m) { IncrementString(m, 0, 0.25L); });
  n.Copy(a, da, false);
  n.Copy(b, db, false);
  EXPECT_EQ(Str(da), "4");
  EXPECT_EQ(Str(db), "1.75");
}

TEST(CopyValueTest, SetCopiesMembers) {
  Node n(1);
  Object src, dst;
  std::vector<std::string> in = {"a", "b", std::string("n\0ul", 4), "", "zz"};
  n.Do(src, [&](Mutation& m) { AddSetMembers(m, in); });
  n.Do(src, [](Mutation& m) { RemoveSetMembers(m, std::vector<std::string>{"zz"}); });
  n.Copy(src, dst, false);
  EXPECT_EQ(dst.Type(), KeyType::kSet);
  EXPECT_EQ(Members(dst), Members(src));
  EXPECT_EQ(SetCard(dst), 4u);
}

TEST(CopyValueTest, HashCopiesVisibleFieldValues) {
  Node n(1);
  Object src, dst;
  n.Do(src, [](Mutation& m) {
    m.Retag(KeyType::kHash);
    HashSetField(m, "name", "starling");
    HashSetField(m, "hits", "10");
  });
  n.Do(src, [](Mutation& m) { HashIncrementField(m, "hits", 5, 0); });
  n.Do(src, [](Mutation& m) { HashIncrementField(m, "only-incr", 2, 0); });
  n.Do(src, [](Mutation& m) { HashIncrementField(m, "f", 0, 0.5L); });
  n.Copy(src, dst, false);
  EXPECT_EQ(dst.Type(), KeyType::kHash);
  EXPECT_EQ(HashLen(dst), 4u);
  std::string s;
  EXPECT_EQ(HashGet(dst, "name", &s), "starling");
  EXPECT_EQ(HashGet(dst, "hits", &s), "15");
  EXPECT_EQ(HashGet(dst, "only-incr", &s), "2");
  EXPECT_EQ(HashGet(dst, "f", &s), "0.5");
  EXPECT_TRUE(dst.hash()->runs.empty());
}

TEST(CopyValueTest, SortedSetCopiesVisibleScoresAndOrder) {
  Node n(1);
  Object src, dst;
  n.Do(src, [](Mutation& m) {
    ZsetAdd(m, "a", 3);
    ZsetAdd(m, "b", 1);
    ZsetAdd(m, "c", -2.5);
  });
  n.Do(src, [](Mutation& m) { ZsetIncrement(m, "b", 10); });   // b = 11
  n.Do(src, [](Mutation& m) { ZsetIncrement(m, "d", 0.5); });  // d = 0.5, increment only
  n.Copy(src, dst, false);
  EXPECT_EQ(dst.Type(), KeyType::kZset);
  EXPECT_EQ(ZsetCard(dst), 4u);
  EXPECT_EQ(ZsetScore(dst, "b"), 11.0);
  EXPECT_EQ(ZsetScore(dst, "d"), 0.5);
  std::vector<std::string> order;
  for (auto it = dst.zset()->index().begin(); it != dst.zset()->index().end(); ++it) {
    order.push_back(it.key().member);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"c", "d", "a", "b"}));
  EXPECT_TRUE(dst.zset()->runs().empty());
}

TEST(CopyValueTest, ListCopiesElementsInOrder) {
  Node n(1);
  Object src, dst;
  n.Do(src, [](Mutation& m) { ListPush(m, ListEnd::kRight, std::vector<std::string>{"c", "d"}); });
  n.Do(src, [](Mutation& m) { ListPush(m, ListEnd::kLeft, std::vector<std::string>{"b", "a"}); });
  n.Do(src, [](Mutation& m) { ListPush(m, ListEnd::kRight, std::vector<std::string>{"e"}); });
  ASSERT_EQ(ListValues(src), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  n.Copy(src, dst, false);
  EXPECT_EQ(dst.Type(), KeyType::kList);
  EXPECT_EQ(ListValues(dst), ListValues(src));
}

TEST(CopyValueTest, TtlCopiedOnlyWhenAsked) {
  Node n(1);
  Object src, with, without;
  n.Do(src, [](Mutation& m) {
    WriteString(m, "v", false);
    SetExpiry(m, 5'000'000);
  });
  n.Do(without, [](Mutation& m) {  // an old TTL on the destination goes too
    WriteString(m, "old", false);
    SetExpiry(m, 9'000'000);
  });
  n.Copy(src, with, true);
  n.Copy(src, without, false);
  EXPECT_EQ(with.ExpiryMs(), 5'000'000);
  EXPECT_EQ(without.ExpiryMs(), std::nullopt);
  EXPECT_EQ(Str(without), "v");
}

TEST(CopyValueTest, ReplacesADestinationOfAnotherTypeAndItsCounterRuns) {
  Node n(1);
  Object src, dst, dst2;
  n.Do(src, [](Mutation& m) { WriteString(m, "7", false); });
  n.Do(dst, [](Mutation& m) { AddSetMembers(m, std::vector<std::string>{"x", "y"}); });
  n.Copy(src, dst, false);
  EXPECT_EQ(Str(dst), "7");
  EXPECT_FALSE(dst.HasData(KeyType::kSet));
  // A destination counter's increments must not add to the copied value.
  for (int i = 0; i < 4; ++i)
    n.Do(dst2, [](Mutation& m) { IncrementString(m, 100, 0); });
  n.Copy(src, dst2, false);
  EXPECT_EQ(Str(dst2), "7");
  // A destination list is replaced, not appended to.
  Object lsrc, ldst;
  n.Do(lsrc, [](Mutation& m) { ListPush(m, ListEnd::kRight, std::vector<std::string>{"1"}); });
  n.Do(ldst, [](Mutation& m) { ListPush(m, ListEnd::kRight, std::vector<std::string>{"old"}); });
  n.Copy(lsrc, ldst, false);
  EXPECT_EQ(ListValues(ldst), (std::vector<std::string>{"1"}));
}

TEST(CopyValueTest, EmptyAfterCopySourceLeavesTheCopyIntact) {
  Node n(1);
  Object src, dst;
  n.Do(src, [](Mutation& m) { AddSetMembers(m, std::vector<std::string>{"m"}); });
  n.Copy(src, dst, false);
  // RENAME deletes the source after the copy; the destination must not depend on it.
  n.Do(src, [](Mutation& m) { m.RemoveAll(); });
  EXPECT_FALSE(src.Exists());
  EXPECT_EQ(Members(dst), (std::vector<std::string>{"m"}));
}

TEST(CopyValueTest, MissingSourceWritesNothing) {
  Node n(1);
  Object src, dst;
  n.Do(dst, [](Mutation& m) { WriteString(m, "keep", false); });
  n.Do(src, [](Mutation& m) { WriteString(m, "gone", false); });
  n.Do(src, [](Mutation& m) { m.RemoveAll(); });  // a tombstone
  Object before = dst;
  bool wrote = true;
  n.Copy(src, dst, true, &wrote);
  EXPECT_FALSE(wrote);
  EXPECT_EQ(dst, before);
  Object fresh;
  n.Copy(Object(), fresh, true, &wrote);
  EXPECT_FALSE(wrote);
  EXPECT_FALSE(fresh.Exists());
}

TEST(CopyValueTest, OnlyTheVisibleTypeOfAClashIsCopied) {
  Node a(1, 1000), b(2, 2000);  // b's write is later by HLC
  Object oa, ob;
  a.Do(oa, [](Mutation& m) { AddSetMembers(m, std::vector<std::string>{"s"}); });
  b.Do(ob, [](Mutation& m) { WriteString(m, "str", false); });
  Object clash = oa;
  clash.Join(ob);
  ASSERT_TRUE(clash.HasData(KeyType::kSet));
  ASSERT_EQ(clash.Type(), KeyType::kString);
  Object dst;
  a.Copy(clash, dst, false);
  EXPECT_EQ(Str(dst), "str");
  EXPECT_FALSE(dst.HasData(KeyType::kSet));
}

TEST(CopyValueTest, DeltaReplicatesTheCopy) {
  Node a(1), b(2);
  Object src, dst_a;
  a.Do(src, [](Mutation& m) { AddSetMembers(m, std::vector<std::string>{"p", "q"}); });
  Object old = a.Do(dst_a, [](Mutation& m) { WriteString(m, "old", false); });
  Object dst_b;
  dst_b.Join(old);  // b has the destination's old state
  Object delta = a.Copy(src, dst_a, true);
  dst_b.Join(delta);
  EXPECT_EQ(dst_b, dst_a);
  EXPECT_EQ(Members(dst_b), (std::vector<std::string>{"p", "q"}));
}

TEST(CopyValueTest, ConcurrentWriteToTheDestinationKeepsDestinationSemantics) {
  Node a(1), b(2);
  Object src, dst_a, dst_b;
  a.Do(src, [](Mutation& m) { AddSetMembers(m, std::vector<std::string>{"copied"}); });
  dst_b.Join(a.Do(dst_a, [](Mutation& m) { AddSetMembers(m, std::vector<std::string>{"seen"}); }));
  // b adds to the destination while a copies onto it without having seen b's add.
  Object add =
      b.Do(dst_b, [](Mutation& m) { AddSetMembers(m, std::vector<std::string>{"concurrent"}); });
  Object copy = a.Copy(src, dst_a, false);
  dst_a.Join(add);
  dst_b.Join(copy);
  EXPECT_EQ(dst_a, dst_b);
  // Add-wins: the copy removed only what it had observed ("seen").
  EXPECT_EQ(Members(dst_a), (std::vector<std::string>{"concurrent", "copied"}));
}

}  // namespace
}  // namespace starling::lattice
