// Engine: where a node's keys are kept beyond memory (DESIGN.md section 7). The node core
// talks to storage only through this interface, so the same core runs on LevelDB in
// production, on a simulated disk in dst/, and with no persistence at all.
//
// Protocol, driven by the node's thread once per event-loop turn:
//   Changed(key, state, delta) for every key changed in the turn (state: the whole object
//   after the change; it may be a tombstone or bottom, meaning "gone"), then Commit() once.
//   Commit() returns only after the batch is durable per the engine's sync mode.
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

class Engine {
 public:
  virtual ~Engine() = default;

  // Reads every stored key. Values that fail to decode are the engine's to handle (log,
  // count, quarantine); the callback sees only good ones.
  virtual Status Load(const std::function<void(std::string_view key, lattice::Object obj)>& fn) = 0;

  // Queues the new state of `key` for the current batch.
  virtual void Changed(std::string_view key, const lattice::Object& state,
                       const lattice::Object& delta) = 0;

  // Writes the batch. An error means the batch was not stored: the node refuses writes
  // until a later Commit succeeds (Redis's MISCONF behaviour).
  virtual Status Commit() = 0;

  // Forces written data to stable storage (the everysec timer, SHUTDOWN).
  virtual Status Sync() = 0;

  // Removes every key (FLUSHALL).
  virtual Status Clear() = 0;
};

// No persistence: the keyspace lives only in memory.
class MemoryEngine final : public Engine {
 public:
  Status Load(const std::function<void(std::string_view, lattice::Object)>&) override {
    return Status::Ok();
  }
  void Changed(std::string_view, const lattice::Object&, const lattice::Object&) override {}
  Status Commit() override { return Status::Ok(); }
  Status Sync() override { return Status::Ok(); }
  Status Clear() override { return Status::Ok(); }
};

}  // namespace starling::storage
