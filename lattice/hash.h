// Stable 64-bit hashing (xxHash XXH3), never std::hash: nodes built by different compilers
// must agree on every hash that orders data, places keys or is sent to peers.
#pragma once

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdint>
#include <string_view>

namespace starling::lattice {

inline uint64_t Hash64(std::string_view s, uint64_t seed = 0) {
  return XXH3_64bits_withSeed(s.data(), s.size(), seed);
}

}  // namespace starling::lattice
