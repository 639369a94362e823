// Item: the 16-byte summary of one key that anti-entropy reconciles, and ItemHasher, the keyed
// hashes that make it (DESIGN.md section 6).
//
//   item     = H64(key) || H64(canonical state bytes)
//   checksum = H64(item as 16 little-endian bytes)
//
// All three hashes are XXH3_64bits_withSeed (libxxhash), each with its own seed derived from
// the cluster-wide secret, so peers in one cluster agree and an outsider who does not know
// the secret cannot aim collisions cheaply. XXH3 is not a MAC: the secret raises the bar, it
// is not a cryptographic guarantee. The canonical state bytes must be the lattice codec's
// canonical encoding (sorted), or equal states hash apart and look like differences.
//
// Value types; ItemHasher is immutable after construction and safe to share between threads.
#pragma once

#include <cstdint>
#include <string_view>

#include "gossip/riblt/coded_symbol.h"

namespace starling::riblt {

struct Item {
  uint64_t key_hash = 0;
  uint64_t state_hash = 0;

  friend Item operator^(const Item& a, const Item& b) {
    return Item{a.key_hash ^ b.key_hash, a.state_hash ^ b.state_hash};
  }
  friend bool operator==(const Item&, const Item&) = default;
};

class ItemHasher {
 public:
  // `secret` is the cluster-wide anti-entropy secret from the config; any length.
  explicit ItemHasher(std::string_view secret);

  uint64_t KeyHash(std::string_view key) const;
  uint64_t StateHash(std::string_view canonical_state) const;
  Item MakeItem(std::string_view key, std::string_view canonical_state) const {
    return Item{KeyHash(key), StateHash(canonical_state)};
  }
  // The RIBLT checksum of an item, also its contribution to a Merkle node.
  uint64_t Checksum(const Item& item) const;
  HashedItem<Item> Hashed(const Item& item) const { return {item, Checksum(item)}; }

  // The decoder's checksum functor.
  uint64_t operator()(const Item& item) const { return Checksum(item); }

 private:
  uint64_t key_seed_;
  uint64_t state_seed_;
  uint64_t checksum_seed_;
};

}  // namespace starling::riblt
