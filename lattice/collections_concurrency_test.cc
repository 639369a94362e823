// Concurrent writes to sets and hashes at the lattice level (DESIGN.md section 3, rows "set"
// and "hash"). Replicas run commands through the set_ops.h / hash_ops.h helpers, exchange
// deltas or full states, and the joins in both orders must end as the table says:
//   SADD vs SREM of one member: add wins; a remove removes only what it saw;
//   HSET vs HDEL of one field: HSET wins; concurrent HINCRBYs add up; an HSET absorbs the
//   increments it saw (value = winning HSET + the increments concurrent with it).
// The model tests run random commands on three replicas with causal delta delivery and
// full-state syncs, and check every replica at every step against an event model of those
// rules; at the end every replica has the same state. Seeds are printed on failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "lattice/hash_ops.h"
#include "lattice/object.h"
#include "lattice/set_ops.h"

namespace starling::lattice {
namespace {

using Strs = std::vector<std::string>;

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
  void Receive(const Object& delta_or_state) { obj.Join(delta_or_state); }
};

std::set<std::string> Members(const Object& o) {
  std::set<std::string> out;
  if (o.Type() != KeyType::kSet)
    return out;
  for (const auto& [k, dots] : o.set()->map())
    out.insert(k.str);
  return out;
}

std::map<std::string, std::string> Fields(const Object& o) {
  std::map<std::string, std::string> out;
  if (o.Type() != KeyType::kHash)
    return out;
  std::string scratch;
  for (const auto& [k, v] : o.hash()->fields.map())
    out[k.str] = *HashGet(o, k.str, &scratch);
  return out;
}

// Joins a and b both ways; checks the results are equal and returns one.
Object Merge(const Object& a, const Object& b) {
  Object ab = a, ba = b;
  ab.Join(b);
  ba.Join(a);
  EXPECT_EQ(ab, ba);
  return ab;
}

void HSet(Mutation& m, const std::string& f, const std::string& v) {
  m.Retag(KeyType::kHash);
  HashSetField(m, f, v);
}

// ---- The table's rows, by hand.

TEST(SetConcurrencyTest, AddWinsOverConcurrentRemoveByDeltasAndStates) {
  Replica a(1), b(2);
  Strs x = {"x"}, xy = {"x", "y"};
  b.Receive(a.Do([&](Mutation& m) { AddSetMembers(m, xy); }));
  Object da = a.Do([&](Mutation& m) { AddSetMembers(m, x); });  // re-add, unseen by b
  Object db = b.Do([&](Mutation& m) { RemoveSetMembers(m, x); });
  EXPECT_EQ(Members(Merge(a.obj, b.obj)), (std::set<std::string>{"x", "y"}));
  // Exchanging the deltas ends in the same state as the full merge.
  Object merged = Merge(a.obj, b.obj);
  a.Receive(db);
  b.Receive(da);
  EXPECT_EQ(a.obj, b.obj);
  EXPECT_EQ(a.obj, merged);
}

TEST(SetConcurrencyTest, RemoveOfLastMemberKeepsUnseenAdds) {
  Replica a(1), b(2);
  Strs x = {"x"}, y = {"y"};
  b.Receive(a.Do([&](Mutation& m) { AddSetMembers(m, x); }));
  a.Do([&](Mutation& m) { AddSetMembers(m, y); });     // b has not seen y
  b.Do([&](Mutation& m) { RemoveSetMembers(m, x); });  // b's set is empty: the key goes
  EXPECT_FALSE(b.obj.Exists());
  Object merged = Merge(a.obj, b.obj);
  EXPECT_EQ(Members(merged), (std::set<std::string>{"y"}));
  EXPECT_EQ(merged.Type(), KeyType::kSet);
}

// A *STORE at b (RemoveAll, then add) replaces what b saw; a concurrent SADD at a survives.
TEST(SetConcurrencyTest, StoreReplacesOnlyWhatItSaw) {
  Replica a(1), b(2);
  Strs ab = {"a", "b"}, c = {"c"}, d = {"d"};
  b.Receive(a.Do([&](Mutation& m) { AddSetMembers(m, ab); }));
  a.Do([&](Mutation& m) { AddSetMembers(m, d); });
  b.Do([&](Mutation& m) {
    m.RemoveAll();
    AddSetMembers(m, c);
  });
  EXPECT_EQ(Members(Merge(a.obj, b.obj)), (std::set<std::string>{"c", "d"}));
}

TEST(SetConcurrencyTest, ConcurrentAddsOfOneMemberAndRemoveOfBoth) {
  Replica a(1), b(2), c(3);
  Strs x = {"x"};
  Object da = a.Do([&](Mutation& m) { AddSetMembers(m, x); });
  Object db = b.Do([&](Mutation& m) { AddSetMembers(m, x); });
  c.Receive(da);
  c.Receive(db);
  EXPECT_EQ(SetCard(c.obj), 1u);  // one member, two dots
  c.Do([&](Mutation& m) { RemoveSetMembers(m, x); });
  EXPECT_FALSE(Merge(Merge(a.obj, b.obj), c.obj).Exists());  // c saw both adds
}

TEST(HashConcurrencyTest, HsetBeatsConcurrentHdel) {
  Replica a(1), b(2);
  Strs f = {"f"};
  b.Receive(a.Do([&](Mutation& m) {
    HSet(m, "f", "1");
    HSet(m, "g", "2");
  }));
  a.Do([&](Mutation& m) { HSet(m, "f", "3"); });
  b.Do([&](Mutation& m) { HashDeleteFields(m, f); });
  EXPECT_EQ(Fields(Merge(a.obj, b.obj)),
            (std::map<std::string, std::string>{{"f", "3"}, {"g", "2"}}));
  // An HDEL of the last field (the key's removal) loses to a concurrent HSET too.
  Replica c(3), d(4);
  d.Receive(c.Do([&](Mutation& m) { HSet(m, "f", "1"); }));
  c.Do([&](Mutation& m) { HSet(m, "f", "5"); });
  d.Do([&](Mutation& m) { HashDeleteFields(m, f); });
  EXPECT_FALSE(d.obj.Exists());
  EXPECT_EQ(Fields(Merge(c.obj, d.obj)), (std::map<std::string, std::string>{{"f", "5"}}));
}

TEST(HashConcurrencyTest, ConcurrentHincrbysSum) {
  Replica a(1), b(2), c(3);
  Object base = a.Do([&](Mutation& m) { HSet(m, "n", "10"); });
  b.Receive(base);
  c.Receive(base);
  a.Do([](Mutation& m) { HashIncrementField(m, "n", 5, 0); });
  b.Do([](Mutation& m) { HashIncrementField(m, "n", 7, 0); });
  c.Do([](Mutation& m) { HashIncrementField(m, "n", -1, 0); });
  c.Do([](Mutation& m) { HashIncrementField(m, "n", 2, 0); });
  std::string s;
  Object abc = Merge(Merge(a.obj, b.obj), c.obj);
  EXPECT_EQ(abc, Merge(a.obj, Merge(c.obj, b.obj)));
  EXPECT_EQ(HashGet(abc, "n", &s).value_or("<nil>"), "23");
  // Float increments add up as well.
  a.Do([](Mutation& m) { HashIncrementField(m, "x", 0, 0.5L); });
  b.Do([](Mutation& m) { HashIncrementField(m, "x", 0, 0.25L); });
  EXPECT_EQ(HashGet(Merge(a.obj, b.obj), "x", &s).value_or("<nil>"), "0.75");
}

TEST(HashConcurrencyTest, HsetAbsorbsTheIncrementsItSaw) {
  Replica a(1), b(2);
  b.Receive(a.Do([&](Mutation& m) { HSet(m, "f", "10"); }));
  b.Receive(a.Do([](Mutation& m) { HashIncrementField(m, "f", 5, 0); }));  // 15, seen by b
  b.Do([&](Mutation& m) { HSet(m, "f", "100"); });                         // absorbs the +5
  a.Do([](Mutation& m) { HashIncrementField(m, "f", 3, 0); });             // concurrent
  std::string s;
  EXPECT_EQ(HashGet(Merge(a.obj, b.obj), "f", &s).value_or("<nil>"), "103");
}

// Concurrent HSETs: the later HLC stamp wins, and increments concurrent with the winner
// still add to it.
TEST(HashConcurrencyTest, LastHsetWinsPlusIncrementsConcurrentWithIt) {
  Replica a(1, 1000), b(2, 2000);  // b's clock is later
  a.Do([&](Mutation& m) { HSet(m, "f", "100"); });
  a.Do([](Mutation& m) { HashIncrementField(m, "f", 1, 0); });
  b.Do([&](Mutation& m) { HSet(m, "f", "200"); });
  std::string s;
  EXPECT_EQ(HashGet(Merge(a.obj, b.obj), "f", &s).value_or("<nil>"), "201");
}

// HDEL cancels the increments it saw; an increment it did not see survives (from 0).
TEST(HashConcurrencyTest, HdelCancelsSeenIncrementsOnly) {
  Replica a(1), b(2);
  Strs f = {"f"};
  b.Receive(a.Do([&](Mutation& m) { HSet(m, "f", "10"); }));
  b.Receive(a.Do([](Mutation& m) { HashIncrementField(m, "f", 5, 0); }));
  b.Do([&](Mutation& m) { HashDeleteFields(m, f); });
  a.Do([](Mutation& m) { HashIncrementField(m, "f", 3, 0); });
  std::string s;
  EXPECT_EQ(HashGet(Merge(a.obj, b.obj), "f", &s).value_or("<nil>"), "3");
}

// ---- Model-based random tests.

// One command's events in the model, with its delta and its causal past.
struct Op {
  std::vector<int> events;
  std::set<int> past;  // events known at the origin when it ran
  Object delta;
};

enum class Kind { kAdd, kRemove, kHset, kIncr, kHdel };

struct Event {
  Kind kind;
  std::string elem;
  std::set<int> observed;    // events whose dots it removed
  std::set<int> seen_incrs;  // HSET: absorbed; HDEL: cancelled
  Hlc stamp = 0;
  Dot dot;
  int64_t value = 0;  // HSET value or HINCRBY amount
};

struct Cluster {
  explicit Cluster(uint64_t seed) : rng(seed) {
    for (ReplicaId id = 1; id <= 3; ++id) {
      replicas.emplace_back(id, 1'000'000);
      known.emplace_back();
    }
  }
  Prng rng;
  std::deque<Replica> replicas;  // a deque: a Replica's HlcClock refers to its clock
  std::vector<std::set<int>> known;
  std::vector<Event> events;
  std::vector<Op> ops;

  std::set<int> KnownOf(size_t r, const std::string& elem, bool incr_only = false) const {
    std::set<int> out;
    for (int id : known[r]) {
      const Event& e = events[id];
      if (e.elem == elem && (!incr_only || e.kind == Kind::kIncr))
        out.insert(id);
    }
    return out;
  }
  // The known events of replica r that some known event has observed.
  std::set<int> ObservedAt(size_t r) const {
    std::set<int> out;
    for (int k : known[r])
      out.insert(events[k].observed.begin(), events[k].observed.end());
    return out;
  }
  std::set<std::string> ModelMembers(size_t r) const {
    std::set<int> observed = ObservedAt(r);
    std::set<std::string> out;
    for (int id : known[r]) {
      if (events[id].kind == Kind::kAdd && !observed.count(id))
        out.insert(events[id].elem);
    }
    return out;
  }
  std::map<std::string, std::string> ModelFields(size_t r) const {
    std::set<int> observed = ObservedAt(r);
    std::map<std::string, const Event*> winner;
    std::set<std::string> present;
    std::set<int> cancelled;
    for (int id : known[r]) {
      const Event& e = events[id];
      if (e.kind == Kind::kHdel)
        cancelled.insert(e.seen_incrs.begin(), e.seen_incrs.end());
      if ((e.kind == Kind::kHset || e.kind == Kind::kIncr) && !observed.count(id)) {
        present.insert(e.elem);
      }
      if (e.kind == Kind::kHset && !observed.count(id)) {
        const Event*& w = winner[e.elem];
        if (!w || std::tie(w->stamp, w->dot) < std::tie(e.stamp, e.dot))
          w = &e;
      }
    }
    std::map<std::string, std::string> out;
    for (const std::string& f : present) {
      const Event* w = winner.count(f) ? winner[f] : nullptr;
      int64_t v = w ? w->value : 0;
      for (int id : known[r]) {
        const Event& e = events[id];
        if (e.kind != Kind::kIncr || e.elem != f || cancelled.count(id))
          continue;
        if (!w || !w->seen_incrs.count(id))
          v += e.value;
      }
      out[f] = std::to_string(v);
    }
    return out;
  }

  int AddEvent(Event e) {
    events.push_back(std::move(e));
    return static_cast<int>(events.size()) - 1;
  }
  // Runs build on replica r as one command; `events` are the model events it made.
  template <typename F>
  void Run(size_t r, F&& build) {
    Replica& rep = replicas[r];
    rep.clock.Advance(static_cast<int64_t>(rng.Uniform(3)) * 1000);
    Op op;
    op.past = known[r];
    std::vector<int> made;
    op.delta = rep.Do([&](Mutation& m) { build(m, made); });
    op.events = made;
    known[r].insert(made.begin(), made.end());
    ops.push_back(std::move(op));
  }
  // Delivers a random op to a random replica whose knowledge covers the op's causal past.
  void DeliverSome() {
    for (int tries = 0; tries < 8 && !ops.empty(); ++tries) {
      const Op& op = ops[rng.Uniform(ops.size())];
      size_t t = rng.Uniform(replicas.size());
      bool has = std::all_of(op.events.begin(), op.events.end(),
                             [&](int id) { return known[t].count(id) > 0; });
      bool ready = std::includes(known[t].begin(), known[t].end(), op.past.begin(), op.past.end());
      if (has || !ready)
        continue;
      replicas[t].Receive(op.delta);
      known[t].insert(op.events.begin(), op.events.end());
      return;
    }
  }
  void SyncState(size_t from, size_t to) {
    replicas[to].Receive(replicas[from].obj);
    known[to].insert(known[from].begin(), known[from].end());
  }
  void SyncAll() {
    for (size_t i = 0; i < replicas.size(); ++i) {
      for (size_t j = 0; j < replicas.size(); ++j)
        SyncState(i, j);
    }
  }
};

const char* const kElems[] = {"a", "b", "c", "d"};

void RandomSetCommand(Cluster& c, size_t r) {
  std::string e1 = kElems[c.rng.Uniform(4)], e2 = kElems[c.rng.Uniform(4)];
  Strs elems = e1 == e2 ? Strs{e1} : Strs{e1, e2};
  if (c.rng.Uniform(3) != 0) {
    c.Run(r, [&](Mutation& m, std::vector<int>& made) {
      for (const std::string& e : elems) {
        made.push_back(c.AddEvent({Kind::kAdd, e, c.KnownOf(r, e), {}, m.stamp(), Dot{}, 0}));
      }
      AddSetMembers(m, elems);
    });
    return;
  }
  std::set<std::string> visible = Members(c.replicas[r].obj);
  Strs present;
  for (const std::string& e : elems) {
    if (visible.count(e))
      present.push_back(e);
  }
  if (present.empty())
    return;  // SREM of nothing writes nothing (the command layer skips it)
  c.Run(r, [&](Mutation& m, std::vector<int>& made) {
    for (const std::string& e : present) {
      made.push_back(c.AddEvent({Kind::kRemove, e, c.KnownOf(r, e), {}, m.stamp(), Dot{}, 0}));
    }
    EXPECT_EQ(RemoveSetMembers(m, present), present.size());
  });
}

void RandomHashCommand(Cluster& c, size_t r) {
  std::string f = kElems[c.rng.Uniform(4)];
  switch (c.rng.Uniform(3)) {
    case 0: {
      int64_t v = static_cast<int64_t>(c.rng.Uniform(100));
      c.Run(r, [&](Mutation& m, std::vector<int>& made) {
        HSet(m, f, std::to_string(v));
        const auto& entries = m.dstore().hash->fields.Find(ElemRef(f))->entries.entries();
        made.push_back(c.AddEvent({Kind::kHset, f, c.KnownOf(r, f), c.KnownOf(r, f, true),
                                   entries[0].second.stamp, entries[0].first, v}));
      });
      return;
    }
    case 1: {
      int64_t by = static_cast<int64_t>(c.rng.Uniform(21)) - 10;
      c.Run(r, [&](Mutation& m, std::vector<int>& made) {
        made.push_back(
            c.AddEvent({Kind::kIncr, f, c.KnownOf(r, f, true), {}, m.stamp(), Dot{}, by}));
        HashIncrementField(m, f, by, 0);
      });
      return;
    }
    default: {
      if (!Fields(c.replicas[r].obj).count(f))
        return;  // HDEL of nothing writes nothing
      Strs one = {f};
      c.Run(r, [&](Mutation& m, std::vector<int>& made) {
        made.push_back(c.AddEvent(
            {Kind::kHdel, f, c.KnownOf(r, f), c.KnownOf(r, f, true), m.stamp(), Dot{}, 0}));
        EXPECT_EQ(HashDeleteFields(m, one), 1u);
      });
    }
  }
}

template <typename Command, typename Check>
void RunModel(uint64_t seed, Command command, Check check) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  Cluster c(seed);
  for (int step = 0; step < 300 && !::testing::Test::HasFailure(); ++step) {
    size_t r = c.rng.Uniform(3);
    switch (c.rng.Uniform(6)) {
      case 0:
      case 1:
      case 2:
        command(c, r);
        break;
      case 3:
      case 4:
        c.DeliverSome();
        break;
      default:
        c.SyncState(r, c.rng.Uniform(3));
    }
    for (size_t i = 0; i < 3; ++i)
      check(c, i, step);
  }
  c.SyncAll();
  for (size_t i = 0; i < 3; ++i) {
    check(c, i, -1);
    EXPECT_EQ(c.replicas[i].obj, c.replicas[0].obj);
  }
}

TEST(SetConcurrencyTest, MatchesTheObservedRemoveModel) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    RunModel(seed, RandomSetCommand, [](const Cluster& c, size_t i, int step) {
      std::set<std::string> want = c.ModelMembers(i);
      ASSERT_EQ(Members(c.replicas[i].obj), want) << "replica " << i << " step " << step;
      ASSERT_EQ(c.replicas[i].obj.Exists(), !want.empty());
    });
  }
}

TEST(HashConcurrencyTest, MatchesTheRegisterAndCounterModel) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    RunModel(seed, RandomHashCommand, [](const Cluster& c, size_t i, int step) {
      std::map<std::string, std::string> want = c.ModelFields(i);
      ASSERT_EQ(Fields(c.replicas[i].obj), want) << "replica " << i << " step " << step;
      ASSERT_EQ(HashLen(c.replicas[i].obj), want.size());
    });
  }
}

}  // namespace
}  // namespace starling::lattice
