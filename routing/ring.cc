#include "routing/ring.h"

#include <algorithm>
#include <string>
#include <utility>

#include "lattice/hash.h"

namespace starling::routing {

Ring::Ring(std::vector<std::string> node_ids, int vnodes)
    : nodes_(std::move(node_ids)), vnodes_(std::max(vnodes, 1)) {
  // Sorting makes node indexes a function of the id set alone: every node builds the same
  // placement whatever order its config lists.
  std::sort(nodes_.begin(), nodes_.end());
  nodes_.erase(std::unique(nodes_.begin(), nodes_.end()), nodes_.end());
  if (nodes_.size() > 255) nodes_.resize(255);  // indexes are bytes
  const size_t n = nodes_.size();
  order_.resize(kPartitions * n);
  std::vector<std::pair<uint64_t, uint8_t>> scores(n);
  for (uint64_t p = 0; p < kPartitions && n > 0; ++p) {
    for (size_t i = 0; i < n; ++i) {
      scores[i] = {lattice::Hash64(nodes_[i], /*seed=*/p), static_cast<uint8_t>(i)};
    }
    // Highest score first; ties (practically impossible) by node index.
    std::sort(scores.begin(), scores.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (size_t i = 0; i < n; ++i) order_[p * n + i] = scores[i].second;
  }
}

std::vector<std::string> Ring::ReplicasOfPartition(uint64_t partition, int rf) const {
  std::vector<std::string> out;
  const size_t n = nodes_.size();
  if (rf < 1 || n == 0 || partition >= kPartitions) return out;
  const size_t want = std::min(static_cast<size_t>(rf), n);
  out.reserve(want);
  for (size_t i = 0; i < want; ++i) out.push_back(nodes_[order_[partition * n + i]]);
  return out;
}

std::vector<std::string> Ring::Replicas(std::string_view key, int rf) const {
  return ReplicasOfHash(lattice::Hash64(key), rf);
}

std::vector<std::string> Ring::ReplicasOfHash(uint64_t hash, int rf) const {
  return ReplicasOfPartition(PartitionOf(hash), rf);
}

bool Ring::IsReplica(std::string_view node_id, std::string_view key, int rf) const {
  auto pos = std::lower_bound(nodes_.begin(), nodes_.end(), node_id);
  if (pos == nodes_.end() || *pos != node_id || rf < 1) return false;
  const auto wanted = static_cast<uint8_t>(pos - nodes_.begin());
  const size_t n = nodes_.size();
  const size_t want = std::min(static_cast<size_t>(rf), n);
  const uint64_t p = PartitionOf(lattice::Hash64(key));
  for (size_t i = 0; i < want; ++i) {
    if (order_[p * n + i] == wanted) return true;
  }
  return false;
}

}  // namespace starling::routing
