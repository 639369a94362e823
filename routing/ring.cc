#include "routing/ring.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "lattice/hash.h"

namespace starling::routing {

Ring::Ring(std::vector<std::string> node_ids, int vnodes)
    : nodes_(std::move(node_ids)), vnodes_(std::max(vnodes, 1)) {
  // Sorting makes node indexes, and so the tie-break in Point::operator<, a function of the
  // id set alone: every node builds the same ring whatever order its config lists.
  std::sort(nodes_.begin(), nodes_.end());
  nodes_.erase(std::unique(nodes_.begin(), nodes_.end()), nodes_.end());
  points_.reserve(nodes_.size() * static_cast<size_t>(vnodes_));
  for (uint32_t n = 0; n < nodes_.size(); ++n) {
    for (int i = 0; i < vnodes_; ++i) {
      points_.push_back({lattice::Hash64(nodes_[n] + "#" + std::to_string(i)), n});
    }
  }
  std::sort(points_.begin(), points_.end());
}

template <typename Visit>
bool Ring::WalkReplicas(uint64_t hash, int rf, Visit&& visit) const {
  if (rf < 1 || points_.empty()) {
    return false;
  }
  const size_t want = std::min(static_cast<size_t>(rf), nodes_.size());
  // Distinct nodes found so far; `want` is small (the replication factor), so a linear scan
  // of an inline buffer beats a set and, for rf <= 8, never allocates.
  absl::InlinedVector<uint32_t, 8> found;
  // The first point at or after the key, wrapping past the top of the ring.
  auto it = std::lower_bound(points_.begin(), points_.end(), hash,
                             [](const Point& p, uint64_t h) { return p.hash < h; });
  size_t i = static_cast<size_t>(it - points_.begin());
  // Every node owns a point, so `want` distinct nodes turn up within one lap.
  for (size_t step = 0; step < points_.size() && found.size() < want; ++step, ++i) {
    const uint32_t node = points_[i % points_.size()].node;
    if (std::find(found.begin(), found.end(), node) != found.end()) {
      continue;
    }
    found.push_back(node);
    if (visit(node)) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> Ring::Replicas(std::string_view key, int rf) const {
  return ReplicasOfHash(lattice::Hash64(key), rf);
}

std::vector<std::string> Ring::ReplicasOfHash(uint64_t hash, int rf) const {
  std::vector<std::string> out;
  WalkReplicas(hash, rf, [&](uint32_t node) {
    out.push_back(nodes_[node]);
    return false;
  });
  return out;
}

bool Ring::IsReplica(std::string_view node_id, std::string_view key, int rf) const {
  auto pos = std::lower_bound(nodes_.begin(), nodes_.end(), node_id);
  if (pos == nodes_.end() || *pos != node_id) {
    return false;
  }
  const auto wanted = static_cast<uint32_t>(pos - nodes_.begin());
  return WalkReplicas(lattice::Hash64(key), rf, [&](uint32_t node) { return node == wanted; });
}

}  // namespace starling::routing
