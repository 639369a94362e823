// Node: the deterministic core of one Starling node (DESIGN.md section 2).
//
// A Node is a state machine driven by events: a client command (Execute), the end of an
// event-loop turn (EndOfTurn), a timer (OnTimer). It owns the keyspace, the hybrid logical
// clock, the dot source, the sessions and the command table. It reaches the world only
// through what it is given at construction: a Clock, a Random, a storage Engine and a
// ProcessInfo callback. It never reads the wall clock, draws its own randomness, touches a
// socket or starts a thread, so the simulator in dst/ runs the very same code.
//
// Every change to a key goes through one funnel (Write / Expire / ApplyDelta): it joins
// the delta, keeps the keyspace indexes, marks the key dirty for the turn's storage batch,
// and drops tombstones as soon as they are causally stable.
//
// Single-threaded: all methods run on the node's thread.
#pragma once

#include <absl/container/flat_hash_set.h>

#include <cstdint>
#include <deque>
#include <set>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "lattice/dot_store.h"
#include "lattice/hlc.h"
#include "lattice/object.h"
#include "server/command.h"
#include "server/config.h"
#include "server/metrics.h"
#include "server/session.h"
#include "storage/engine.h"
#include "storage/keyspace.h"

namespace starling::server {

// Facts about the process the node runs in, supplied by the driver (INFO server/memory).
struct ProcessInfo {
  int64_t pid = 0;
  int tcp_port = 0;
  std::string executable;
  std::string config_file;
  size_t used_memory = 0;      // bytes allocated by the process (malloc statistics)
  size_t used_memory_rss = 0;  // resident set size
  size_t total_system_memory = 0;
  std::string os;  // "Linux 6.1.0 x86_64" (uname)
  // CPU seconds (getrusage), for INFO cpu.
  double used_cpu_sys = 0, used_cpu_user = 0;
  double used_cpu_sys_children = 0, used_cpu_user_children = 0;
};

struct NodeStats {
  uint64_t total_commands_processed = 0;
  uint64_t total_connections_received = 0;
  uint64_t rejected_connections = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expired_keys = 0;
  uint64_t total_net_input_bytes = 0;
  uint64_t total_net_output_bytes = 0;
  uint64_t total_error_replies = 0;
  // Per command (lower-case full name, "client|list"), for INFO commandstats. Entries are
  // zeroed, never erased, by a reset.
  struct CommandStats {
    uint64_t calls = 0;
    uint64_t usec = 0;            // monotonic clock time spent in the handler
    uint64_t rejected_calls = 0;  // refused before running (arity, NOAUTH)
    uint64_t failed_calls = 0;    // ran and replied an error
  };
  std::map<std::string, CommandStats> commands;
  // Error replies by their first word ("ERR", "WRONGTYPE"), for INFO errorstats.
  std::map<std::string, uint64_t, std::less<>> errors;
};

class Cluster;

class Node {
 public:
  struct Env {
    const Clock& clock;
    Random& random;
    storage::Engine& engine;
    std::function<ProcessInfo()> process_info;
  };

  // replica: this incarnation's replica id (lattice dots are named by it).
  Node(Env env, Config config, lattice::ReplicaId replica);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Loads the keyspace from the engine. Call once before serving.
  Status Start();

  // ---- Sessions.
  Session& OpenSession(std::string addr, std::string laddr, int fd);
  void CloseSession(uint64_t id);
  Session* FindSession(uint64_t id);
  // Marks a session to be closed by the driver at the end of the turn (CLIENT KILL).
  void KillSession(uint64_t id);
  // The sessions killed since the last call.
  std::vector<uint64_t> TakeKilledSessions() { return std::exchange(killed_, {}); }

  // ---- Blocking commands.
  // Called by a blocking command's handler when it has nothing to serve: the session waits
  // (no reply yet) until one of `keys` is written, then the node runs the command again; at
  // deadline_ms (Unix ms; 0: never) it replies the timeout reply. A command run again that
  // blocks again keeps its place and its original deadline.
  void Block(Session& s, std::span<const std::string_view> args,
             std::span<const std::string_view> keys, int64_t deadline_ms,
             bool null_array_on_timeout);
  // Replies to blocked sessions whose deadline has passed. Cheap when none is due.
  void ExpireBlocked();
  // Milliseconds until the earliest blocked deadline (-1: none).
  int64_t MsUntilBlockedDeadline() const;
  // True while a blocked command is being run again because one of its keys was written
  // (a command that finds a key of another type then waits on instead of failing).
  bool serving_blocked() const { return retrying_ != nullptr; }
  // Sessions that stopped waiting since the last call (the driver resumes their input).
  std::vector<uint64_t> TakeUnblockedSessions() { return std::exchange(unblocked_, {}); }
  const std::map<uint64_t, std::unique_ptr<Session>>& sessions() const { return sessions_; }

  // ---- Events.
  // Runs one command; the reply is appended to s.out.
  void Execute(Session& s, std::span<const std::string_view> args);
  // Ends an event-loop turn: commits the turn's storage batch. Replies must be sent only
  // after it returns (with appendfsync always, that is what makes them durable).
  void EndOfTurn();
  // Periodic work (active expiry, statistics). Call at least every TimerPeriodMs().
  void OnTimer();
  int64_t TimerPeriodMs() const;
  bool shutdown_requested() const { return shutdown_requested_; }
  void RequestShutdown() { shutdown_requested_ = true; }

  // ---- Key access for command handlers.
  // The live object under key, or null. An expired key is deleted on the spot (lazy
  // expiry, as in Redis). Counts keyspace hits and misses when `count_stats`.
  const lattice::Object* Lookup(std::string_view key, bool count_stats = true);
  // Runs one mutation of key: build(m) fills the delta (see lattice/object.h); the node
  // joins it and records the change. Returns the object after the change, or null if the
  // key no longer exists.
  template <typename F>
  const lattice::Object* Write(std::string_view key, F&& build);
  // DEL: removes what this node has observed of key. Returns whether it existed.
  bool Delete(std::string_view key);

  // ---- Cluster mode (null cluster: a one-node cluster).
  void AttachCluster(Cluster* cluster) { cluster_ = cluster; }
  Cluster* cluster() { return cluster_; }
  // Joins a peer's change (delta or full state) into key.
  void ApplyRemote(std::string_view key, const lattice::Object& state);
  // Forgets key here entirely (a collected tombstone, a hinted copy handed off).
  void DropKey(std::string_view key);
  // Milliseconds until the node wants its next EndOfTurn/OnTimer call.
  int64_t MsUntilNextWork() const;
  // STARLING RELOAD / SIGHUP: the process main sets how to re-read the cluster config.
  void SetReloadHook(std::function<Status()> hook) { reload_hook_ = std::move(hook); }
  Status ReloadCluster() {
    return reload_hook_ ? reload_hook_() : Status::FailedPrecondition("no cluster config");
  }
  // Removes every key (FLUSHALL / FLUSHDB).
  void FlushAll();

  storage::Keyspace& keyspace() { return keyspace_; }
  const CommandTable& commands() const { return commands_; }
  Config& config() { return config_; }
  NodeStats& stats() { return stats_; }
  const ServerMetrics& metrics() const { return metrics_; }
  // CONFIG RESETSTAT: zeroes the statistics and the sampled rates.
  void ResetStats();
  // The process facts, also raising the used_memory_peak the node keeps.
  ProcessInfo ProcessFacts();
  // SAVE / BGSAVE: commits the storage engine's pending batch now; LASTSAVE becomes now
  // and the count of changes since the last save restarts from zero.
  Status Save();
  const Env& env() const { return env_; }
  Random& random() { return env_.random; }
  int64_t NowMs() const { return env_.clock.WallMillis(); }
  int64_t NowMicros() const { return env_.clock.WallMicros(); }
  int64_t StartedMs() const { return started_ms_; }
  lattice::ReplicaId replica() const { return dots_.replica(); }
  lattice::HlcClock& hlc() { return hlc_; }
  uint64_t dirty() const { return dirty_counter_; }
  int64_t last_save_ms() const { return last_save_ms_; }
  int64_t load_time_ms() const { return load_time_ms_; }
  uint64_t keys_loaded() const { return keys_loaded_; }
  uint64_t keys_expired_at_load() const { return keys_expired_at_load_; }

 private:
  void Dispatch(Session& s, std::span<const std::string_view> args);
  // The one funnel for changes of a key (see the class comment).
  // Returns obj, or null if the key no longer exists (its tombstone may have been dropped).
  const lattice::Object* AfterChange(const lattice::ElemRef& key, lattice::Object& obj,
                                     const storage::Keyspace::KeyState& before,
                                     const lattice::Object& delta);
  void ExpireKey(std::string_view key);
  void ActiveExpire();
  // Replies an error for a command refused before it ran, counting it in the statistics.
  void Reject(Session& s, NodeStats::CommandStats* cmd, std::string_view error);
  void CountError(std::string_view error);
  void SampleMetrics();
  void ServeReadyKeys();
  void ResumeFetched(uint64_t session_id);
  void ApplyDurability();
  void Unblock(Session& s);

  Env env_;
  Config config_;
  CommandTable commands_;
  storage::Keyspace keyspace_;
  lattice::HlcClock hlc_;
  lattice::DotSource dots_;
  NodeStats stats_;
  ServerMetrics metrics_;
  std::map<uint64_t, std::unique_ptr<Session>> sessions_;
  uint64_t next_session_id_ = 1;
  std::vector<uint64_t> killed_;
  Cluster* cluster_ = nullptr;
  std::function<Status()> reload_hook_;
  bool skip_fetch_ = false;  // running a command whose non-local keys were just fetched
  // Blocking: key -> waiting sessions in arrival order; keys written since the last serve;
  // (deadline, session) of every blocked session with a timeout.
  std::map<std::string, std::deque<uint64_t>> blocked_on_;
  std::vector<std::string> ready_keys_;
  std::set<std::pair<int64_t, uint64_t>> blocked_deadlines_;
  std::vector<uint64_t> unblocked_;
  const Session::Blocked* retrying_ = nullptr;  // the blocked command being run again
  bool retry_blocked_again_ = false;             // ... and it called Block again
  // Keys changed in this turn, for the storage batch.
  absl::flat_hash_set<std::string> turn_dirty_;
  uint64_t dirty_counter_ = 0;  // changes since the last save (INFO rdb_changes_since_last_save)
  int64_t started_ms_ = 0;
  int64_t last_sync_ms_ = 0;
  int64_t last_recover_try_ms_ = 0;
  int64_t load_time_ms_ = 0;
  uint64_t keys_loaded_ = 0;
  uint64_t keys_expired_at_load_ = 0;
  // Replies of this turn's write commands (appendfsync always: rewritten to MISCONF if the
  // turn's commit fails).
  struct TurnWrite {
    uint64_t session;
    size_t start;
    size_t end;
  };
  std::vector<TurnWrite> turn_writes_;
  int64_t last_save_ms_ = 0;
  bool shutdown_requested_ = false;
};

template <typename F>
const lattice::Object* Node::Write(std::string_view key, F&& build) {
  lattice::ElemRef ref(key);
  lattice::Object& obj = keyspace_.FindOrCreate(ref);
  storage::Keyspace::KeyState before = storage::Keyspace::StateOf(&obj);
  lattice::Mutation m(obj, dots_, hlc_.Now());
  build(m);
  lattice::Object delta = m.Apply(obj);
  return AfterChange(ref, obj, before, delta);
}

// Registration of every command family (one function per family file).
void RegisterAllCommands(CommandTable& table);

}  // namespace starling::server
