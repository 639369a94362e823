// Workload: the random client commands of a run, over every Redis type, and the reads that
// collect each key's final state for the checkers.
//
// Each type has its own keys, named by a type letter (r: string register, c: counter,
// s: set, h: hash, z: sorted set, l: list), so no two types clash on a key. Written values
// are unique per operation ("v<op id>"), so a value in a final state names its writer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/random.h"
#include "dst/history.h"

namespace starling::dst {

class Workload {
 public:
  // The next command; `op_id` makes written values unique.
  std::vector<std::string> Next(Random& r, uint64_t op_id);
  // Every key the workload may write.
  std::vector<std::string> Keys() const;
};

// Reads key's final state by running commands through `run` (returns the rendered reply).
FinalState ReadFinal(const std::string& key,
                     const std::function<std::string(const std::vector<std::string>&)>& run);

// Splits a rendered array reply ("[\"a\", \"b\"]") into its items, without quotes.
std::vector<std::string> ParseArray(const std::string& rendered);

}  // namespace starling::dst
