// Ring: consistent-hash placement of keys on nodes (DESIGN.md section 5).
//
// Each node has `vnodes` points on a 64-bit ring at Hash64(node_id + "#" + i) (xxHash, the
// same function that orders the keyspace, never std::hash: nodes built by different
// compilers agree). A key sits at Hash64(key); its replicas are the first `rf` distinct
// nodes met going clockwise from it. Immutable once built; cheap to copy by shared_ptr.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace starling::routing {

class Ring {
 public:
  // REQUIRES: node ids unique; vnodes >= 1.
  Ring(std::vector<std::string> node_ids, int vnodes);

  // The replicas of a key, in ring order (the first is the key's primary position only
  // by convention; every replica is equal).
  std::vector<std::string> Replicas(std::string_view key, int rf) const;
  std::vector<std::string> ReplicasOfHash(uint64_t hash, int rf) const;
  bool IsReplica(std::string_view node_id, std::string_view key, int rf) const;

  const std::vector<std::string>& nodes() const { return nodes_; }
  int vnodes() const { return vnodes_; }

 private:
  struct Point {
    uint64_t hash;
    uint32_t node;  // index into nodes_
    bool operator<(const Point& o) const {
      return hash != o.hash ? hash < o.hash : node < o.node;
    }
  };
  std::vector<std::string> nodes_;
  int vnodes_;
  std::vector<Point> points_;  // sorted
};

}  // namespace starling::routing
