#include "gossip/riblt/merkle.h"

#include <algorithm>
#include <cassert>
#include <string>

namespace starling::riblt {
namespace {

bool ByKey(const Item& a, const Item& b) { return a.key_hash < b.key_hash; }

}  // namespace

uint64_t WireBytes(const MerkleLevel& m, uint32_t fanout) {
  const uint64_t parents = m.level == 0 ? 0 : (m.nodes.size() + fanout - 1) / fanout;
  return 8 + 4 * parents + 8 * m.hashes.size();
}

uint64_t WireBytes(const MerkleLeaves& m) { return 8 + 8 * m.leaves.size() + 16 * m.items.size(); }

MerkleTree::MerkleTree(const ItemHasher& hasher, MerkleOptions options)
    : hasher_(hasher), fanout_bits_(options.fanout_bits), depth_(options.depth) {
  assert(fanout_bits_ >= 1 && fanout_bits_ * depth_ <= 24);
  levels_.resize(depth_ + 1);
  for (uint32_t l = 0; l <= depth_; ++l) {
    levels_[l].assign(node_count(l), 0);
  }
  leaves_.resize(node_count(depth_));
}

uint64_t MerkleTree::LeafOf(uint64_t key_hash) const {
  const uint32_t bits = fanout_bits_ * depth_;
  return bits == 0 ? 0 : key_hash >> (64 - bits);
}

std::optional<Item> MerkleTree::Find(uint64_t key_hash) const {
  const auto& leaf = leaves_[LeafOf(key_hash)];
  auto it = std::lower_bound(leaf.begin(), leaf.end(), Item{key_hash, 0}, ByKey);
  if (it == leaf.end() || it->key_hash != key_hash) {
    return std::nullopt;
  }
  return *it;
}

void MerkleTree::Update(const std::optional<Item>& old_item, const std::optional<Item>& new_item) {
  if (!old_item && !new_item) {
    return;
  }
  const uint64_t key_hash = old_item ? old_item->key_hash : new_item->key_hash;
  assert(!old_item || !new_item || old_item->key_hash == new_item->key_hash);
  uint64_t delta = 0;
  if (old_item) {
    delta ^= hasher_.Checksum(*old_item);
  }
  if (new_item) {
    delta ^= hasher_.Checksum(*new_item);
  }
  uint64_t index = LeafOf(key_hash);
  auto& leaf = leaves_[index];
  auto it = std::lower_bound(leaf.begin(), leaf.end(), Item{key_hash, 0}, ByKey);
  const bool present = it != leaf.end() && it->key_hash == key_hash;
  assert(present == old_item.has_value());
  if (new_item && present) {
    *it = *new_item;
  } else if (new_item) {
    leaf.insert(it, *new_item);
    ++item_count_;
  } else if (present) {
    leaf.erase(it);
    --item_count_;
  }
  for (uint32_t l = depth_ + 1; l-- > 0;) {
    levels_[l][index] ^= delta;
    index >>= fanout_bits_;
  }
}

void MerkleTree::Upsert(const Item& item) { Update(Find(item.key_hash), item); }

void MerkleTree::Erase(uint64_t key_hash) { Update(Find(key_hash), std::nullopt); }

MerkleLevel MerkleTree::Start() const { return MerkleLevel{0, {0}, {root()}}; }

Result<MerkleReply> MerkleTree::Answer(const MerkleLevel& theirs) const {
  if (theirs.level > depth_) {
    return Status::InvalidArgument("merkle: level " + std::to_string(theirs.level) +
                                   " below the leaves");
  }
  if (theirs.nodes.size() != theirs.hashes.size()) {
    return Status::InvalidArgument("merkle: nodes and hashes differ in number");
  }
  const uint64_t count = node_count(theirs.level);
  const std::vector<uint64_t>& mine = levels_[theirs.level];
  std::vector<uint64_t> differ;
  for (size_t i = 0; i < theirs.nodes.size(); ++i) {
    const uint64_t n = theirs.nodes[i];
    if (n >= count || (i > 0 && n <= theirs.nodes[i - 1])) {
      return Status::InvalidArgument("merkle: node indices out of range or not ascending");
    }
    if (mine[n] != theirs.hashes[i]) {
      differ.push_back(n);
    }
  }
  MerkleReply reply;
  if (differ.empty()) {
    reply.kind = MerkleReply::Kind::kInSync;
  } else if (theirs.level == depth_) {
    reply.kind = MerkleReply::Kind::kLeaves;
    MerkleLeaves& out = reply.leaves;
    for (uint64_t leaf : differ) {
      out.leaves.push_back(leaf);
      out.counts.push_back(static_cast<uint32_t>(leaves_[leaf].size()));
      out.items.insert(out.items.end(), leaves_[leaf].begin(), leaves_[leaf].end());
    }
  } else {
    reply.kind = MerkleReply::Kind::kLevel;
    MerkleLevel& out = reply.level;
    out.level = theirs.level + 1;
    const std::vector<uint64_t>& below = levels_[out.level];
    const uint64_t fanout = this->fanout();
    out.nodes.reserve(differ.size() * fanout);
    out.hashes.reserve(differ.size() * fanout);
    for (uint64_t parent : differ) {
      for (uint64_t c = parent * fanout; c < (parent + 1) * fanout; ++c) {
        out.nodes.push_back(c);
        out.hashes.push_back(below[c]);
      }
    }
  }
  return reply;
}

Result<std::vector<KeyDiff>> MerkleTree::DiffLeaves(const MerkleLeaves& theirs) const {
  if (theirs.leaves.size() != theirs.counts.size()) {
    return Status::InvalidArgument("merkle: leaves and counts differ in number");
  }
  const uint64_t count = node_count(depth_);
  std::vector<KeyDiff> out;
  size_t pos = 0;
  for (size_t i = 0; i < theirs.leaves.size(); ++i) {
    const uint64_t leaf = theirs.leaves[i];
    if (leaf >= count || (i > 0 && leaf <= theirs.leaves[i - 1])) {
      return Status::InvalidArgument("merkle: leaf indices out of range or not ascending");
    }
    if (theirs.counts[i] > theirs.items.size() - pos) {
      return Status::InvalidArgument("merkle: leaf counts exceed the items");
    }
    const Item* r = theirs.items.data() + pos;
    const Item* r_end = r + theirs.counts[i];
    pos += theirs.counts[i];
    for (const Item* p = r; p != r_end; ++p) {
      if (LeafOf(p->key_hash) != leaf || (p != r && p->key_hash <= (p - 1)->key_hash)) {
        return Status::InvalidArgument("merkle: leaf items not in their leaf or not sorted");
      }
    }
    // Merge the two sorted lists.
    const std::vector<Item>& mine = leaves_[leaf];
    auto l = mine.begin();
    while (l != mine.end() || r != r_end) {
      if (r == r_end || (l != mine.end() && l->key_hash < r->key_hash)) {
        out.push_back(KeyDiff{l->key_hash, true, l->state_hash, false, 0});
        ++l;
      } else if (l == mine.end() || r->key_hash < l->key_hash) {
        out.push_back(KeyDiff{r->key_hash, false, 0, true, r->state_hash});
        ++r;
      } else {
        if (l->state_hash != r->state_hash) {
          out.push_back(KeyDiff{l->key_hash, true, l->state_hash, true, r->state_hash});
        }
        ++l;
        ++r;
      }
    }
  }
  if (pos != theirs.items.size()) {
    return Status::InvalidArgument("merkle: items beyond the leaf counts");
  }
  return out;
}

}  // namespace starling::riblt
