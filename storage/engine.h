// Engine: where a node's keys are kept beyond memory (DESIGN.md section 7). The node core
// talks to storage only through this interface, so the same core runs on LevelDB in
// production, on a simulated disk in dst/, and with no persistence at all.
//
// Protocol, driven by the node's thread once per event-loop turn:
//   Changed(key, state, delta) for every change of a key in the turn (state: the whole
//   object after the change, or null if the node dropped the key from memory; the engine
//   reads what it needs during the call), then Commit() once. Commit() returns only after
//   the batch is durable per the durability mode.
// Load() runs once at start, before any Changed().
// Engines are single-threaded from the caller's view; an implementation may use its own
// threads inside, with annotated locks.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "lattice/object.h"

namespace starling::storage {

// Redis's appendfsync modes (README.md states what each can lose).
enum class Durability { kAlways, kEverysec, kNo };

// What INFO persistence reports about the engine.
struct EngineInfo {
  std::string kind = "memory";
  bool healthy = true;
  uint64_t keys_loaded = 0;
  int64_t load_time_ms = 0;
  uint64_t commits = 0;
  uint64_t write_errors = 0;
  uint64_t syncs = 0;
  uint64_t sync_errors = 0;
  int64_t last_sync_unix_ms = 0;  // as told by the node's clock (Sync's argument)
  uint64_t quarantined_rows = 0;   // values moved to quarantine by this run's Load()
  uint64_t quarantine_stored = 0;  // rows in quarantine now (earlier runs' included)
  uint64_t disk_bytes = 0;         // size of the database files (filled in by Info())
  uint64_t bytes_written = 0;
  std::string last_error;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // Reads every stored key. Values that fail to decode are the engine's to handle (log,
  // count, quarantine); the callback sees only good ones.
  virtual Status Load(const std::function<void(std::string_view key, lattice::Object obj)>& fn) = 0;

  // Queues the new state of `key` (null: the key is gone) for the current batch.
  virtual void Changed(std::string_view key, const lattice::Object* state,
                       const lattice::Object& delta) = 0;

  // Writes the batch. An error means the batch was not stored; the engine keeps it and
  // retries in Recover(). Meanwhile the node refuses writes (Redis's MISCONF behaviour).
  virtual Status Commit() = 0;

  // Forces written data to stable storage (the everysec timer, SHUTDOWN). `now_unix_ms` is
  // recorded for INFO.
  virtual Status Sync(int64_t now_unix_ms) = 0;

  // Removes every key (FLUSHALL).
  virtual Status Clear() = 0;

  virtual void SetDurability(Durability d) { durability_ = d; }
  Durability durability() const { return durability_; }
  // False after a failed write until a retry succeeds.
  virtual bool Healthy() const { return true; }
  // Retries after a failure (reopens what needs reopening, writes the kept batch).
  virtual Status Recover() { return Status::Ok(); }
  virtual EngineInfo Info() const { return EngineInfo{}; }

 protected:
  Durability durability_ = Durability::kEverysec;
};

// No persistence: the keyspace lives only in memory.
class MemoryEngine final : public Engine {
 public:
  Status Load(const std::function<void(std::string_view, lattice::Object)>&) override {
    return Status::Ok();
  }
  void Changed(std::string_view, const lattice::Object*, const lattice::Object&) override {}
  Status Commit() override { return Status::Ok(); }
  Status Sync(int64_t) override { return Status::Ok(); }
  Status Clear() override { return Status::Ok(); }
};

}  // namespace starling::storage
