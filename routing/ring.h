// Ring: consistent-hash placement of keys on nodes (DESIGN.md section 5).
//
// Each node has `vnodes` points on a 64-bit ring at Hash64(node_id + "#" + i) (xxHash, the
// same function that orders the keyspace, never std::hash: nodes built by different
// compilers agree). A key sits at Hash64(key); its replicas are the first `rf` distinct
// nodes met going clockwise from it. Immutable once built; cheap to copy by shared_ptr.
//
// Determinism: placement depends only on the set of node ids and `vnodes`, never on the
// order of the list passed in (the ids are sorted on construction, so the rare tie between
// two points at the same hash is broken by id). No clock, no randomness. Thread-safe for
// concurrent readers (every method is const).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace starling::routing {

class Ring {
 public:
  // REQUIRES: node ids unique; vnodes >= 1. (A repeated id is kept once; vnodes below 1
  // counts as 1.) An empty node list gives a ring that places every key nowhere.
  Ring(std::vector<std::string> node_ids, int vnodes);

  // The replicas of a key, in ring order (the first is the key's primary position only
  // by convention; every replica is equal). min(rf, node count) distinct ids; none if
  // rf < 1 or the ring is empty.
  std::vector<std::string> Replicas(std::string_view key, int rf) const;
  // The same for a key whose Hash64 is `hash`.
  std::vector<std::string> ReplicasOfHash(uint64_t hash, int rf) const;
  // Whether `node_id` is among Replicas(key, rf); allocates nothing for rf <= 8.
  bool IsReplica(std::string_view node_id, std::string_view key, int rf) const;

  // The node ids, sorted.
  const std::vector<std::string>& nodes() const { return nodes_; }
  int vnodes() const { return vnodes_; }

 private:
  struct Point {
    uint64_t hash;
    uint32_t node;  // index into nodes_
    bool operator<(const Point& o) const { return hash != o.hash ? hash < o.hash : node < o.node; }
  };
  // Calls visit(node index) for each of the first min(rf, node count) distinct nodes met
  // clockwise from `hash`, in ring order; stops early when visit returns true, and then
  // returns true. Defined (and only used) in ring.cc.
  template <typename Visit>
  bool WalkReplicas(uint64_t hash, int rf, Visit&& visit) const;

  std::vector<std::string> nodes_;
  int vnodes_;
  std::vector<Point> points_;  // sorted
};

}  // namespace starling::routing
