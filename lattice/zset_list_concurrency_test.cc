// Sorted sets and lists under concurrency (DESIGN.md section 3, rows "sorted set" and
// "list"): two replicas take concurrent commands, their states are joined in both orders
// and by delta, and the result is what the table promises. Also: removals leave no
// tombstones behind (a list that pushed and popped a million elements is empty and its
// causal context a handful of ranges).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/clock.h"
#include "lattice/list_ops.h"
#include "lattice/object.h"
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
  std::vector<Object> deltas;  // every delta this replica produced, in order

  template <typename F>
  Object Do(F&& f) {
    Mutation m(obj, dots, hlc.Now());
    f(m);
    Object d = m.Apply(obj);
    deltas.push_back(d);
    return d;
  }
};

// Joins a and b both ways, checks they agree (and that joining again changes nothing),
// and returns the result.
Object Merge(const Object& a, const Object& b) {
  Object ab = a, ba = b;
  ab.Join(b);
  ba.Join(a);
  EXPECT_EQ(ab, ba);
  Object again = ab;
  again.Join(a);
  again.Join(b);
  EXPECT_EQ(again, ab);
  return ab;
}

// Applies b's deltas to a copy of a's state: delta propagation must reach the full join.
Object ByDeltas(const Object& base, const Replica& from) {
  Object out = base;
  for (const Object& d : from.deltas)
    out.Join(d);
  return out;
}

std::vector<std::string> ListOf(const Object& o) {
  std::vector<std::string> out;
  if (!o.list())
    return out;
  for (auto it = o.list()->elems().begin(); it != o.list()->elems().end(); ++it) {
    out.push_back(*ListElemValue(it.value()));
  }
  return out;
}

// The (member, score) pairs the order index holds, checked against the visible scores.
std::vector<std::pair<std::string, double>> ZsetOf(const Object& o) {
  std::vector<std::pair<std::string, double>> out;
  if (!o.zset())
    return out;
  const ZsetStore& z = *o.zset();
  EXPECT_EQ(z.index().size(), z.size());
  for (auto it = z.index().begin(); it != z.index().end(); ++it) {
    EXPECT_EQ(z.Score(ElemRef(it.key().member)), it.key().score) << it.key().member;
    out.emplace_back(it.key().member, it.key().score);
  }
  return out;
}

std::optional<double> Visible(const Object& o, std::string_view m) {
  return o.Type() == KeyType::kZset ? ZsetScore(o, m) : std::nullopt;
}

// Pops one element from an end, as LPOP / RPOP do (the last element deletes the key).
std::string Pop(Replica& r, ListEnd end) {
  const auto& elems = r.obj.list()->elems();
  auto it = end == ListEnd::kLeft ? elems.begin() : std::prev(elems.end());
  std::string v = *ListElemValue(it.value());
  Position p = it.key();
  bool last = elems.size() == 1;
  r.Do([&](Mutation& m) {
    if (last) {
      m.RemoveAll();
    } else {
      ListRemoveAt(m, p);
    }
  });
  return v;
}

std::string End(const Replica& r, ListEnd end) {
  const auto& elems = r.obj.list()->elems();
  return *ListElemValue((end == ListEnd::kLeft ? elems.begin() : std::prev(elems.end())).value());
}

void Push(Replica& r, ListEnd end, std::vector<std::string_view> values) {
  r.Do([&](Mutation& m) { ListPush(m, end, values); });
}

TEST(ZsetConcurrencyTest, ConcurrentZincrbysSum) {
  Replica a(1), b(2);
  a.Do([](Mutation& m) { ZsetAdd(m, "m", 1.0); });
  b.obj = a.obj;
  a.deltas.clear();
  // As the command layer does: the target is the local double sum.
  a.Do([&](Mutation& m) { ZsetIncrementTo(m, "m", 1.5, 2.5); });
  a.Do([&](Mutation& m) { ZsetIncrementTo(m, "m", 0.25, 2.75); });
  b.Do([&](Mutation& m) { ZsetIncrementTo(m, "m", 2.5, 3.5); });
  b.Do([&](Mutation& m) { ZsetIncrement(m, "fresh", 4); });
  Object merged = Merge(a.obj, b.obj);
  EXPECT_EQ(Visible(merged, "m"), 1.0 + 1.5 + 0.25 + 2.5);
  EXPECT_EQ(Visible(merged, "fresh"), 4.0);
  EXPECT_EQ(ByDeltas(b.obj, a), merged);
  EXPECT_EQ(ZsetOf(merged),
            (std::vector<std::pair<std::string, double>>{{"fresh", 4}, {"m", 5.25}}));
}

TEST(ZsetConcurrencyTest, ConcurrentZaddsLastWriterByHlc) {
  for (bool a_later : {false, true}) {
    Replica a(1, a_later ? 2000 : 1000), b(2, a_later ? 1000 : 2000);
    a.Do([](Mutation& m) { ZsetAdd(m, "m", 1.0); });
    b.Do([](Mutation& m) { ZsetAdd(m, "m", 2.0); });
    Object merged = Merge(a.obj, b.obj);
    EXPECT_EQ(Visible(merged, "m"), a_later ? 1.0 : 2.0);
    EXPECT_EQ(ZsetOf(merged).size(), 1u);
  }
  // Equal stamps: the larger replica id wins.
  Replica a(1, 1000), b(2, 1000);
  a.Do([](Mutation& m) { ZsetAdd(m, "m", 10.0); });
  b.Do([](Mutation& m) { ZsetAdd(m, "m", 20.0); });
  EXPECT_EQ(Visible(Merge(a.obj, b.obj), "m"), 20.0);
}

TEST(ZsetConcurrencyTest, ZaddBeatsConcurrentZrem) {
  Replica a(1), b(2);
  a.Do([](Mutation& m) {
    ZsetAdd(m, "m", 1.0);
    ZsetAdd(m, "other", 7.0);
  });
  b.obj = a.obj;
  std::vector<std::string_view> doomed{"m"};
  a.Do([&](Mutation& m) { EXPECT_EQ(ZsetRemove(m, doomed), 1u); });
  b.Do([](Mutation& m) { ZsetAdd(m, "m", 5.0); });
  Object merged = Merge(a.obj, b.obj);
  EXPECT_EQ(Visible(merged, "m"), 5.0);
  // A ZINCRBY concurrent with a ZREM also keeps the member: it counts from zero.
  Replica c(3), d(4);
  c.obj = d.obj = merged;
  c.Do([&](Mutation& m) { ZsetRemove(m, doomed); });
  d.Do([](Mutation& m) { ZsetIncrement(m, "m", 2.0); });
  Object again = Merge(c.obj, d.obj);
  EXPECT_EQ(Visible(again, "m"), 2.0);
  EXPECT_EQ(ZsetOf(again), (std::vector<std::pair<std::string, double>>{{"m", 2}, {"other", 7}}));
  // Removing what was seen of every member deletes the key; nothing concurrent survives.
  Replica e(5);
  e.obj = again;
  std::vector<std::string_view> all{"m", "other"};
  e.Do([&](Mutation& m) { EXPECT_EQ(ZsetRemove(m, all), 2u); });
  EXPECT_FALSE(e.obj.Exists());
  EXPECT_FALSE(Merge(e.obj, again).Exists());
}

TEST(ListConcurrencyTest, ConcurrentPushesKeepEveryElementInOneOrder) {
  Replica a(1), b(2);
  Push(a, ListEnd::kRight, {"x", "y"});
  b.obj = a.obj;
  Push(a, ListEnd::kLeft, {"a1", "a2"});
  Push(a, ListEnd::kRight, {"a3"});
  Push(b, ListEnd::kLeft, {"b1"});
  Push(b, ListEnd::kRight, {"b2", "b3"});
  Push(b, ListEnd::kLeft, {"b4"});
  Object merged = Merge(a.obj, b.obj);
  std::vector<std::string> got = ListOf(merged);
  ASSERT_EQ(got.size(), 9u) << ::testing::PrintToString(got);
  EXPECT_EQ(ListOf(ByDeltas(b.obj, a)), got);
  auto pos = [&](const std::string& s) {
    return std::find(got.begin(), got.end(), s) - got.begin();
  };
  // The original middle stays together; each replica's pushes keep their own order.
  EXPECT_EQ(pos("y"), pos("x") + 1);
  EXPECT_LT(pos("a1"), pos("x"));
  EXPECT_EQ(pos("a1"), pos("a2") + 1);  // LPUSH a1 a2 puts a2 first
  EXPECT_LT(pos("b4"), pos("b1"));
  EXPECT_LT(pos("b1"), pos("x"));
  EXPECT_GT(pos("a3"), pos("y"));
  EXPECT_EQ(pos("b3"), pos("b2") + 1);
  EXPECT_GT(pos("b2"), pos("y"));
}

TEST(ListConcurrencyTest, LsetConcurrentWithPopOfThatElementKeepsIt) {
  // Popping the only element (the key goes) against an LSET of it.
  Replica a(1), b(2);
  Push(a, ListEnd::kRight, {"x"});
  b.obj = a.obj;
  Position p = a.obj.list()->elems().begin().key();
  a.Do([&](Mutation& m) { ListSetAt(m, p, "y"); });
  EXPECT_EQ(Pop(b, ListEnd::kLeft), "x");
  EXPECT_FALSE(b.obj.Exists());
  Object merged = Merge(a.obj, b.obj);
  EXPECT_EQ(merged.Type(), KeyType::kList);
  EXPECT_EQ(ListOf(merged), std::vector<std::string>{"y"});
  // Popping one element of several.
  Replica c(3), d(4);
  Push(c, ListEnd::kRight, {"p", "q", "r"});
  d.obj = c.obj;
  Position head = c.obj.list()->elems().begin().key();
  c.Do([&](Mutation& m) { ListSetAt(m, head, "P"); });
  EXPECT_EQ(Pop(d, ListEnd::kLeft), "p");
  EXPECT_EQ(ListOf(Merge(c.obj, d.obj)), (std::vector<std::string>{"P", "q", "r"}));
}

TEST(ListConcurrencyTest, TwoReplicasPopTheSameElement) {
  Replica a(1), b(2);
  Push(a, ListEnd::kRight, {"x", "y"});
  b.obj = a.obj;
  EXPECT_EQ(Pop(a, ListEnd::kLeft), "x");
  EXPECT_EQ(Pop(b, ListEnd::kLeft), "x");
  Object merged = Merge(a.obj, b.obj);
  EXPECT_EQ(ListOf(merged), std::vector<std::string>{"y"});
  EXPECT_EQ(ByDeltas(b.obj, a), merged);
  // Both pop the last element: the key is gone everywhere.
  Replica c(3), d(4);
  c.obj = d.obj = merged;
  EXPECT_EQ(Pop(c, ListEnd::kRight), "y");
  EXPECT_EQ(Pop(d, ListEnd::kLeft), "y");
  EXPECT_FALSE(Merge(c.obj, d.obj).Exists());
}

TEST(ListConcurrencyTest, ConcurrentLsetsLastWriterWins) {
  Replica a(1, 1000), b(2, 2000);
  Push(a, ListEnd::kRight, {"x"});
  b.obj = a.obj;
  Position p = a.obj.list()->elems().begin().key();
  a.Do([&](Mutation& m) { ListSetAt(m, p, "from-a"); });
  b.Do([&](Mutation& m) { ListSetAt(m, p, "from-b"); });
  EXPECT_EQ(ListOf(Merge(a.obj, b.obj)), std::vector<std::string>{"from-b"});
}

// A million pushes and pops leave nothing behind: no element, no stray dot ranges.
TEST(TombstoneTest, MillionPushesAndPopsLeaveAnEmptyCompactList) {
  constexpr int kN = 1000000;
  Replica a(1), b(2);
  Push(a, ListEnd::kRight, {"base"});
  for (int i = 0; i < kN; ++i) {
    std::string v = std::to_string(i);
    Push(a, i % 2 ? ListEnd::kLeft : ListEnd::kRight, {v});
    if (i % 3 == 2) {
      // Every third step pops back to the base element from both ends.
      while (End(a, ListEnd::kLeft) != "base")
        Pop(a, ListEnd::kLeft);
      while (End(a, ListEnd::kRight) != "base")
        Pop(a, ListEnd::kRight);
    }
    // b follows by deltas, as a peer would.
    if (i % 1000 == 999) {
      for (const Object& d : a.deltas)
        b.obj.Join(d);
      a.deltas.clear();
    }
  }
  while (a.obj.Exists())
    Pop(a, ListEnd::kLeft);
  for (const Object& d : a.deltas)
    b.obj.Join(d);
  for (Replica* r : {&a, &b}) {
    EXPECT_FALSE(r->obj.Exists());
    EXPECT_TRUE(!r->obj.list() || r->obj.list()->size() == 0);
    EXPECT_TRUE(!r->obj.list() || r->obj.list()->elems().MemoryUsage() == 0);
    EXPECT_LE(r->obj.ctx.NumRanges(), 2u) << r->obj.ctx.DebugString();
    r->obj.DropGhosts();
    EXPECT_TRUE(r->obj.store.IsBottom());
  }
  EXPECT_EQ(a.obj.ctx, b.obj.ctx);
}

TEST(TombstoneTest, AddingAndRemovingMembersLeavesACompactContext) {
  Replica a(1);
  for (int i = 0; i < 100000; ++i) {
    std::string m = "m" + std::to_string(i % 1000);
    a.Do([&](Mutation& mu) {
      ZsetAdd(mu, m, i);
      if (i % 7 == 0)
        ZsetIncrement(mu, m, 1);
    });
    if (i % 2 == 1) {
      std::vector<std::string_view> doomed{m};
      a.Do([&](Mutation& mu) { ZsetRemove(mu, doomed); });
    }
  }
  EXPECT_LE(a.obj.ctx.NumRanges(), 1u);
  EXPECT_EQ(a.obj.zset()->size(), a.obj.zset()->index().size());
  std::vector<std::string> all;
  for (const auto& [k, v] : a.obj.zset()->members().map())
    all.push_back(k.str);
  std::vector<std::string_view> views(all.begin(), all.end());
  a.Do([&](Mutation& mu) { ZsetRemove(mu, views); });
  EXPECT_FALSE(a.obj.Exists());
  a.obj.DropGhosts();
  EXPECT_TRUE(a.obj.store.IsBottom());
  EXPECT_LE(a.obj.ctx.NumRanges(), 1u);
}

}  // namespace
}  // namespace starling::lattice
