// Model test of the delta-state AWORSet (crdts.h) over an unreliable network.
//
// Three replicas run random adds, removes and (rarely) clears of the elements 0..4 and
// synchronise with delta intervals (Almeida, Shoker, Baquero 2018, algorithm 2): replica i
// keeps, per peer j, the deltas j has not acknowledged (its own and those it received from
// others); a sync sends their join, or i's full state, into a network that delays, reorders,
// duplicates and drops messages and acknowledgements. After every step, each replica's
// elements must equal the add-wins set of the events that replica has seen: e is present iff
// some seen add of e is not in the causal past of a seen remove of e (or clear). The model
// records events and their causal pasts explicitly and never looks at dots or contexts.
// Delta intervals keep each replica's seen set causally closed; the model checks that too.
// At the end the network is drained, each pair synchronises once, and all three replicas
// must be equal. Histories are seeded 1..kHistories; a failure names its seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/random.h"
#include "lattice/crdts.h"
#include "lattice/dot_store.h"

namespace starling::lattice {
namespace {

constexpr int kReplicas = 3;
constexpr int kElements = 5;
constexpr int kHistories = 400;
constexpr int kSteps = 150;

using Set = AWORSet<int>;
using Delta = Set::State;
using EventIds = std::set<int>;

// ---- The model: events with their causal pasts.
struct Event {
  enum Kind { kAdd, kRemove, kClear } kind;
  int element;
  EventIds past;  // every event its replica had seen when it happened
};

class Model {
 public:
  int Record(Event::Kind kind, int element, const EventIds& past) {
    events_.push_back(Event{kind, element, past});
    return static_cast<int>(events_.size()) - 1;
  }

  // The add-wins set of a set of seen events.
  std::vector<int> Elements(const EventIds& seen) const {
    std::vector<int> out;
    for (int e = 0; e < kElements; ++e) {
      bool present = false;
      for (int a : seen) {
        if (events_[a].kind != Event::kAdd || events_[a].element != e)
          continue;
        bool covered = false;
        for (int r : seen) {
          const Event& ev = events_[r];
          bool removes_e =
              ev.kind == Event::kClear || (ev.kind == Event::kRemove && ev.element == e);
          covered = covered || (removes_e && ev.past.count(a) > 0);
        }
        present = present || !covered;
      }
      if (present)
        out.push_back(e);
    }
    return out;
  }

  // True if the causal past of every seen event was seen too.
  bool CausallyClosed(const EventIds& seen) const {
    for (int id : seen) {
      if (!std::includes(seen.begin(), seen.end(), events_[id].past.begin(),
                         events_[id].past.end())) {
        return false;
      }
    }
    return true;
  }

 private:
  std::vector<Event> events_;
};

// ---- The replicas and the network.
struct Buffered {
  uint64_t seq;
  Delta delta;
  EventIds events;
};

struct Replica {
  explicit Replica(ReplicaId id) : source(id) {}
  Set set;
  DotSource source;
  EventIds seen;
  uint64_t next_seq = 1;
  std::vector<Buffered> unacked[kReplicas];  // per peer, in seq order
  uint64_t acked[kReplicas] = {};            // the peer has every entry with seq < acked
};

struct Message {
  int from;
  int to;
  Delta payload;
  EventIds events;
  uint64_t seq_end;
};

struct Stats {
  uint64_t steps = 0;
  uint64_t checks = 0;
  uint64_t sparse_delivered = 0;
  uint64_t full_delivered = 0;
  uint64_t duplicates_delivered = 0;
  uint64_t dropped = 0;
};

class History {
 public:
  History(uint64_t seed, Stats& stats) : rng_(seed), stats_(stats) {
    for (int i = 0; i < kReplicas; ++i)
      replicas_.emplace_back(ReplicaId{uint64_t(i) + 1});
  }

  void Run() {
    for (int step = 0; step < kSteps && !::testing::Test::HasFailure(); ++step) {
      uint64_t roll = rng_.Uniform(100);
      if (roll < 35) {
        LocalOp();
      } else if (roll < 60) {
        Send(static_cast<int>(rng_.Uniform(kReplicas)), rng_.Bernoulli(0.1));
      } else if (roll < 92) {
        if (!network_.empty())
          Deliver(rng_.Uniform(network_.size()), rng_.Bernoulli(0.85));
      } else if (!network_.empty()) {
        network_.erase(network_.begin() + static_cast<long>(rng_.Uniform(network_.size())));
        ++stats_.dropped;
      }
      ++stats_.steps;
      CheckAll("step " + std::to_string(step));
    }
    if (!::testing::Test::HasFailure())
      FinalSync();
  }

 private:
  void LocalOp() {
    int i = static_cast<int>(rng_.Uniform(kReplicas));
    Replica& r = replicas_[i];
    int e = static_cast<int>(rng_.Uniform(kElements));
    uint64_t kind = rng_.Uniform(100);
    Delta delta;
    int id;
    if (kind < 60) {
      id = model_.Record(Event::kAdd, e, r.seen);
      delta = r.set.Add(r.source, e);
    } else if (kind < 98) {
      id = model_.Record(Event::kRemove, e, r.seen);
      delta = r.set.Remove(e);
    } else {
      id = model_.Record(Event::kClear, -1, r.seen);
      delta = r.set.Clear();
    }
    r.seen.insert(id);
    Buffer(i, -1, delta, {id});
  }

  // Queues a delta at replica i for every peer except `skip`.
  void Buffer(int i, int skip, const Delta& delta, const EventIds& events) {
    Replica& r = replicas_[i];
    for (int j = 0; j < kReplicas; ++j) {
      if (j != i && j != skip)
        r.unacked[j].push_back(Buffered{r.next_seq, delta, events});
    }
    ++r.next_seq;
  }

  // Replica i sends to a random peer the join of its unacknowledged deltas, or its state.
  void Send(int i, bool full) {
    int j = (i + 1 + static_cast<int>(rng_.Uniform(kReplicas - 1))) % kReplicas;
    if (!full && replicas_[i].unacked[j].empty())
      return;
    SendTo(i, j, full);
    if (rng_.Bernoulli(0.15))
      network_.push_back(network_.back());
  }

  void SendTo(int i, int j, bool full) {
    Replica& r = replicas_[i];
    Message m{i, j, Delta(), {}, r.next_seq};
    if (full) {
      m.payload = r.set;
      m.events = r.seen;
    } else {
      m.payload = r.unacked[j].front().delta;
      for (const Buffered& b : r.unacked[j]) {
        m.payload.Join(b.delta);
        m.events.insert(b.events.begin(), b.events.end());
      }
    }
    network_.push_back(std::move(m));
  }

  void Deliver(size_t index, bool ack) {
    Message m = network_[index];
    if (rng_.Bernoulli(0.2)) {
      ++stats_.duplicates_delivered;  // delivered now and left in the network for later
    } else {
      network_.erase(network_.begin() + static_cast<long>(index));
    }
    ++(m.payload.is_delta ? stats_.sparse_delivered : stats_.full_delivered);
    Replica& to = replicas_[m.to];
    to.set.Join(m.payload);
    to.seen.insert(m.events.begin(), m.events.end());
    Buffer(m.to, m.from, m.payload, m.events);
    if (!ack)
      return;
    Replica& from = replicas_[m.from];
    from.acked[m.to] = std::max(from.acked[m.to], m.seq_end);
    auto& q = from.unacked[m.to];
    q.erase(std::remove_if(q.begin(), q.end(),
                           [&](const Buffered& b) { return b.seq < from.acked[m.to]; }),
            q.end());
  }

  void CheckAll(const std::string& when) {
    for (int i = 0; i < kReplicas; ++i) {
      const Replica& r = replicas_[i];
      ASSERT_TRUE(model_.CausallyClosed(r.seen)) << when << ": replica " << i;
      ASSERT_EQ(r.set.Elements(), model_.Elements(r.seen))
          << when << ": replica " << i << " has seen " << r.seen.size() << " events";
      ++stats_.checks;
    }
  }

  void FinalSync() {
    while (!network_.empty() && !::testing::Test::HasFailure()) {
      Deliver(rng_.Uniform(network_.size()), true);
      if (!network_.empty() && rng_.Bernoulli(0.5)) {
        network_.erase(network_.begin());  // drop leftover duplicates sometimes
      }
    }
    CheckAll("drained");
    // One interval from each replica to each peer, delivered and acknowledged at once.
    for (int i = 0; i < kReplicas; ++i) {
      for (int j = 0; j < kReplicas; ++j) {
        if (i == j || replicas_[i].unacked[j].empty())
          continue;
        const size_t before = network_.size();
        SendTo(i, j, false);
        while (network_.size() > before)
          Deliver(network_.size() - 1, true);
      }
    }
    CheckAll("synchronised");
    for (int i = 1; i < kReplicas; ++i) {
      EXPECT_EQ(replicas_[i].seen, replicas_[0].seen) << "model: replica " << i;
      EXPECT_TRUE(replicas_[i].set == replicas_[0].set) << "replica " << i << " differs";
    }
  }

  Prng rng_;
  Stats& stats_;
  Model model_;
  std::vector<Replica> replicas_;
  std::vector<Message> network_;
};

TEST(ORSetModelTest, DeltaReplicasMatchTheAddWinsModel) {
  Stats stats;
  int histories = 0;
  for (uint64_t seed = 1; seed <= kHistories && !HasFailure(); ++seed) {
    SCOPED_TRACE("history seed " + std::to_string(seed));
    History(seed, stats).Run();
    ++histories;
  }
  std::cout << "[ MODEL    ] AWORSet<int>: " << histories << " histories, " << stats.steps
            << " steps, " << stats.checks << " replica checks, " << stats.sparse_delivered
            << " sparse deltas and " << stats.full_delivered << " full states delivered ("
            << stats.duplicates_delivered << " duplicated), " << stats.dropped << " dropped"
            << std::endl;
  EXPECT_EQ(histories, kHistories);
  EXPECT_GT(stats.sparse_delivered, 0u);
  EXPECT_GT(stats.full_delivered, 0u);
}

}  // namespace
}  // namespace starling::lattice
