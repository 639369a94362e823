// Checks on the nodes' states: convergence, lattice laws, liveness. (The reference models
// of the client history are in history.h.)
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dst/world.h"
#include "lattice/object.h"

namespace starling::dst {

// The first key whose replicas hold different states ("" if none). A replica that dropped
// a collected tombstone and one that still holds it agree (both show no data); leftover
// tombstones are a liveness matter (CheckLiveness).
std::string DivergentKey(const std::vector<std::unique_ptr<Host>>& hosts);

// Join laws (commutative, associative, idempotent, upper bound) on states of one key
// sampled from different nodes and times.
std::vector<std::string> CheckLaws(const std::map<std::string, std::vector<lattice::Object>>& s);

// After the settle time: tombstones collected, no removal still waiting for collection.
std::vector<std::string> CheckLiveness(const std::vector<std::unique_ptr<Host>>& hosts);

}  // namespace starling::dst
