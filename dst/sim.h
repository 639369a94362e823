// Sim: one deterministic simulation run (DESIGN.md section 8, issue 7).
//
// N real node cores (server::Node + server::Cluster, the code the server runs) live in one
// thread. Everything they see of the world is simulated and drawn from one seed:
//  - time: a global simulated clock; each node has its own ManualClock, skewed and jumping;
//  - network: a Transport per node; messages are delayed (with a long tail), dropped,
//    duplicated, reordered, and cut by symmetric and one-way partitions that heal;
//  - disk: each node's LevelDbEngine runs over LevelDB's in-memory Env wrapped in a
//    storage::FaultEnv, so a crash drops unsynced writes and the disk can fail writes;
//  - crashes and restarts (the node is rebuilt from its disk as a new incarnation), pauses.
// A run is a fault phase with a client workload, then a heal phase (every node up, clean
// network), then the checks (convergence, reference models, lattice laws, liveness).
//
// Determinism: nothing reads the real clock or real randomness. Every event goes into a
// trace hash; the same seed gives the same hash. LevelDB's background thread compacts, but
// what it stores does not depend on its timing.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace starling::dst {

struct RunOptions {
  uint64_t seed = 1;
  int nodes = 0;                    // 0: drawn from the seed (3..7)
  int ops = 400;                    // client operations in the fault phase
  std::string profile = "default";  // none | network | default | heavy
  bool replay = false;              // print the trace as it happens
  // Test-only: plant a bug to check that the checkers catch it.
  //   "ack-before-durable": the disk acknowledges commits without syncing them.
  std::string planted_bug;
  // Also call Engine::Recover() from the driver after a disk error (the node retries it
  // on its own timer; this only makes recovery faster).
  bool driver_recovers_disk = false;
  // Fail runs that leave tombstones uncollected (a known leak; off by default).
  bool strict_gc = false;
};

struct RunResult {
  uint64_t seed = 0;
  uint64_t trace_hash = 0;
  int nodes = 0;
  bool ok = true;
  std::vector<std::string> failures;
  std::vector<std::string> notes;            // findings that do not fail the run
  std::map<std::string, uint64_t> coverage;  // fault kinds and recovery paths that fired
  int64_t sim_ms = 0;
  uint64_t ops_ok = 0, ops_unknown = 0;
  int64_t converge_ms = -1;  // heal-phase time until all replicas agreed
};

RunResult RunSimulation(const RunOptions& options);

// Fault kinds a batch must see fire at least once for a profile.
std::vector<std::string> RequiredCoverage(const std::string& profile);

}  // namespace starling::dst
