// MerkleTree: one replica's XOR-aggregated (tictac-style) hash tree over the items of one ring
// range, and the top-down exchange that finds the keys two replicas disagree on.
//
// Shape: levels 0 (the root) to depth(); level l has fanout()^l nodes; a key belongs to leaf
// `key_hash >> (64 - depth * fanout_bits)`, so leaves split the key-hash space evenly whatever
// the range. A node's hash is the XOR of ItemHasher::Checksum over the items below it, so a
// write XORs (old checksum ^ new checksum) into one node per level: O(depth), no rescan, and
// the result does not depend on the order of writes. Each leaf also keeps its items sorted by
// key hash: the key lists the last step exchanges, and Find() for the item a write replaces.
// Pick the shape per range size: about 8-32 keys per leaf (e.g. fanout_bits 4, depth 4 for a
// million keys; depth 2 for a few thousand).
//
// The exchange is a ping-pong of plain messages, one level per message, both sides running
// the same Answer():
//   A: m = a.Start()                        -> MerkleLevel{level 0: A's root}
//   B: r = b.Answer(m)                       -> kInSync, or MerkleLevel{level 1: B's hashes of
//                                              the children of the nodes that differ}, ...
//   A: r = a.Answer(r.level)                 ... alternately, down to the leaf level, where
//                                              the answer is MerkleLeaves: the answering
//                                              side's items in the leaves that differ
//   X: diffs = x.DiffLeaves(r.leaves)        -> the exact KeyDiffs, at the side that got them
// Answer() and DiffLeaves() validate their input (levels, ranges, order, sizes): a peer's
// garbage is a Status, never a crash or an unbounded allocation.
//
// Not thread-safe (one owner, e.g. the shard that owns the range); deterministic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/status.h"
#include "gossip/riblt/item.h"
#include "gossip/riblt/key_diff.h"

namespace starling::riblt {

struct MerkleOptions {
  uint32_t fanout_bits = 4;  // fanout 16
  uint32_t depth = 3;        // 4,096 leaves
};

// Hashes of some nodes of one level, ascending by node index.
struct MerkleLevel {
  uint32_t level = 0;
  std::vector<uint64_t> nodes;
  std::vector<uint64_t> hashes;  // hashes[i] is the sender's hash of nodes[i]
};

// The sender's items in some leaves: leaves ascending; counts[i] items of leaves[i], in
// `items` one leaf after another, each leaf's sorted by key hash.
struct MerkleLeaves {
  std::vector<uint64_t> leaves;
  std::vector<uint32_t> counts;
  std::vector<Item> items;
};

struct MerkleReply {
  enum class Kind { kInSync, kLevel, kLeaves };
  Kind kind = Kind::kInSync;
  MerkleLevel level;    // kLevel: send to the peer, which calls Answer() on it
  MerkleLeaves leaves;  // kLeaves: send to the peer, which calls DiffLeaves() on it
};

// Bytes on the wire as the benchmark counts them: an 8-byte header; a MerkleLevel names the
// differing parents (4 bytes each, the children follow implicitly) and carries 8 bytes a
// hash; MerkleLeaves carries 8 bytes a leaf (index, count) and 16 an item.
uint64_t WireBytes(const MerkleLevel& m, uint32_t fanout);
uint64_t WireBytes(const MerkleLeaves& m);

class MerkleTree {
 public:
  // REQUIRES: 1 <= fanout_bits, depth * fanout_bits <= 24.
  MerkleTree(const ItemHasher& hasher, MerkleOptions options);

  uint32_t depth() const { return depth_; }
  uint32_t fanout() const { return 1u << fanout_bits_; }
  uint64_t node_count(uint32_t level) const { return uint64_t{1} << (fanout_bits_ * level); }
  uint64_t root() const { return levels_[0][0]; }
  // REQUIRES: level <= depth(), index < node_count(level).
  uint64_t hash(uint32_t level, uint64_t index) const { return levels_[level][index]; }
  size_t item_count() const { return item_count_; }

  uint64_t LeafOf(uint64_t key_hash) const;
  std::optional<Item> Find(uint64_t key_hash) const;

  // A key changed: old_item is its item before (nullopt if it was absent), new_item after
  // (nullopt if deleted). REQUIRES: old_item is the current item of its key (Find()), and
  // both have the same key hash.
  void Update(const std::optional<Item>& old_item, const std::optional<Item>& new_item);
  // Convenience: Update(Find(item.key_hash), item) and Update(Find(key_hash), nullopt).
  void Upsert(const Item& item);
  void Erase(uint64_t key_hash);

  // REQUIRES: leaf < node_count(depth()).
  std::span<const Item> LeafItems(uint64_t leaf) const { return leaves_[leaf]; }
  // Calls f(const Item&) for every item, by leaf.
  template <class F>
  void ForEachItem(F&& f) const {
    for (const auto& leaf : leaves_) {
      for (const Item& item : leaf) {
        f(item);
      }
    }
  }

  // The first message of an exchange: the root.
  MerkleLevel Start() const;
  // Compares the peer's hashes with ours and says what to send back.
  [[nodiscard]] Result<MerkleReply> Answer(const MerkleLevel& theirs) const;
  // The exact keys that differ in the peer's leaves (local = this tree, remote = the peer).
  [[nodiscard]] Result<std::vector<KeyDiff>> DiffLeaves(const MerkleLeaves& theirs) const;

 private:
  ItemHasher hasher_;
  uint32_t fanout_bits_;
  uint32_t depth_;
  std::vector<std::vector<uint64_t>> levels_;  // levels_[l][i]: hash of node i at level l
  std::vector<std::vector<Item>> leaves_;      // items of each leaf, sorted by key hash
  size_t item_count_ = 0;
};

}  // namespace starling::riblt
