// World: the simulated pieces one run is made of (see sim.h for the whole picture): the
// event queue and global time, the network, and the hosts that run node cores over a
// simulated disk and clock. Single-threaded; owned by one run.
#pragma once

#include <leveldb/env.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "gossip/transport.h"
#include "routing/cluster_config.h"
#include "server/cluster.h"
#include "server/node.h"
#include "storage/engine.h"
#include "storage/fault_env.h"
#include "storage/leveldb_engine.h"

namespace starling::dst {

constexpr int64_t kEpochUs = 1'800'000'000'000'000;  // the wall clock's start (2027)

// A running 64-bit hash over everything that happened, and an optional printed trace.
class Trace {
 public:
  explicit Trace(bool print) : print_(print) {}
  void Mix(uint64_t v);
  void Mix(std::string_view s);
  bool printing() const { return print_; }
  void Print(int64_t now_us, const std::string& line);
  uint64_t hash() const { return h_; }

 private:
  uint64_t h_ = 0x243f6a8885a308d3ULL;
  bool print_;
};

// Wraps the LevelDB engine. With the planted bug "ack-before-durable" it reports the
// durability the node asks for but never syncs a commit (the self-test of the checkers).
class DiskEngine final : public storage::Engine {
 public:
  DiskEngine(std::unique_ptr<storage::LevelDbEngine> db, bool ack_before_durable)
      : db_(std::move(db)), planted_(ack_before_durable) {}
  Status Load(const std::function<void(std::string_view, lattice::Object)>& fn) override {
    return db_->Load(fn);
  }
  void Changed(std::string_view key, const lattice::Object* state,
               const lattice::Object& delta) override {
    db_->Changed(key, state, delta);
  }
  Status Commit() override { return db_->Commit(); }
  Status Sync(int64_t now) override { return db_->Sync(now); }
  Status Clear() override { return db_->Clear(); }
  void SetDurability(storage::Durability d) override {
    durability_ = d;
    db_->SetDurability(planted_ ? storage::Durability::kNo : d);
  }
  bool Healthy() const override { return db_->Healthy(); }
  Status Recover() override { return db_->Recover(); }
  storage::EngineInfo Info() const override { return db_->Info(); }
  storage::LevelDbEngine& db() { return *db_; }

 private:
  std::unique_ptr<storage::LevelDbEngine> db_;
  bool planted_;
};

class World;

class SimTransport final : public gossip::Transport {
 public:
  SimTransport(World& world, int from) : world_(world), from_(from) {}
  void Send(const gossip::NodeId& to, std::string bytes) override;

 private:
  World& world_;
  int from_;
};

// One machine: its disk and clock persist across crashes; the node core does not.
struct Host {
  int index = 0;
  std::string id;  // "n1"
  ManualClock clock{kEpochUs, 0};
  int64_t skew_us = 0;
  std::unique_ptr<leveldb::Env> mem_env;
  std::unique_ptr<storage::FaultEnv> disk;
  std::unique_ptr<SimTransport> transport;
  std::unique_ptr<Prng> random;
  // The running incarnation (null while down).
  std::unique_ptr<DiskEngine> engine;
  std::unique_ptr<server::Node> node;
  std::unique_ptr<server::Cluster> cluster;
  uint64_t incarnation = 0;  // bumps on every start; events of a dead one are ignored
  bool up() const { return node != nullptr; }
  int64_t paused_until_us = 0;
  std::deque<std::function<void()>> inbox;  // what arrived while paused
  bool disk_failing = false;
  bool storage_failed = false;  // the engine was seen unhealthy (to count recoveries)
};

struct NetParams {
  double drop = 0, dup = 0, tail = 0;  // probabilities per message
  int64_t base_us = 200, jitter_us = 2000, tail_max_us = 2'000'000;
};

class World {
 public:
  World(uint64_t seed, bool print_trace);

  int64_t now() const { return now_us_; }
  Prng& random() { return random_; }
  Trace& trace() { return trace_; }
  std::map<std::string, uint64_t>& coverage() { return coverage_; }
  void Cover(const std::string& what, uint64_t n = 1) { coverage_[what] += n; }

  // ---- Events.
  void At(int64_t t_us, std::function<void()> fn);
  void After(int64_t dt_us, std::function<void()> fn) { At(now_us_ + dt_us, std::move(fn)); }
  // Runs events until the queue is empty or the next one is after `until_us`.
  void RunUntil(int64_t until_us);

  // ---- Network.
  NetParams net;
  // blocked_[a][b]: messages from a to b are lost.
  std::vector<std::vector<bool>> blocked;
  void Send(int from, const std::string& to, std::string bytes);
  // Set by the run: delivers bytes to host `to` (or queues/drops them).
  std::function<void(int from, int to, std::string bytes, uint64_t link_seq)> deliver;
  std::map<std::string, int> index_of;

  // Per link: last delivered send sequence (to count reorders).
  std::map<std::pair<int, int>, uint64_t> link_send_seq, link_last_delivered;

 private:
  struct Event {
    int64_t t;
    uint64_t seq;
    std::function<void()> fn;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.t != b.t ? a.t > b.t : a.seq > b.seq;
    }
  };
  int64_t now_us_ = 0;
  uint64_t next_seq_ = 0;
  std::priority_queue<Event, std::vector<Event>, Later> queue_;
  Prng random_;
  Trace trace_;
  std::map<std::string, uint64_t> coverage_;
};

}  // namespace starling::dst
