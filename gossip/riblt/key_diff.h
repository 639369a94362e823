// KeyDiff: one key whose item differs between two replicas of a range, the common output of
// the RIBLT decoder and the Merkle exchange. The repair pulls the remote state of every key
// with has_remote and pushes the local state of every key with has_local, then joins.
#pragma once

#include <cstdint>
#include <vector>

#include "gossip/riblt/coded_symbol.h"
#include "gossip/riblt/item.h"

namespace starling::riblt {

struct KeyDiff {
  uint64_t key_hash = 0;
  bool has_local = false;  // the local replica has the key, with state local_state
  uint64_t local_state = 0;
  bool has_remote = false;  // the remote replica has the key, with state remote_state
  uint64_t remote_state = 0;
  friend bool operator==(const KeyDiff&, const KeyDiff&) = default;
};

// Merges the decoder's two lists (elements only at the local side, only at the remote side)
// into one KeyDiff per key, sorted by key hash.
std::vector<KeyDiff> MakeKeyDiffs(const std::vector<HashedItem<Item>>& local_only,
                                  const std::vector<HashedItem<Item>>& remote_only);

}  // namespace starling::riblt
