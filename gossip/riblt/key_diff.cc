#include "gossip/riblt/key_diff.h"

#include <algorithm>

namespace starling::riblt {

std::vector<KeyDiff> MakeKeyDiffs(const std::vector<HashedItem<Item>>& local_only,
                                  const std::vector<HashedItem<Item>>& remote_only) {
  std::vector<KeyDiff> out;
  out.reserve(local_only.size() + remote_only.size());
  for (const auto& h : local_only) {
    out.push_back(KeyDiff{h.item.key_hash, true, h.item.state_hash, false, 0});
  }
  for (const auto& h : remote_only) {
    out.push_back(KeyDiff{h.item.key_hash, false, 0, true, h.item.state_hash});
  }
  std::sort(out.begin(), out.end(), [](const KeyDiff& a, const KeyDiff& b) {
    return a.key_hash != b.key_hash ? a.key_hash < b.key_hash : a.has_local > b.has_local;
  });
  // A key whose state differs is decoded once on each side: fold the pair into one entry.
  std::vector<KeyDiff> merged;
  merged.reserve(out.size());
  for (const KeyDiff& d : out) {
    if (!merged.empty() && merged.back().key_hash == d.key_hash && merged.back().has_local &&
        !merged.back().has_remote && d.has_remote) {
      merged.back().has_remote = true;
      merged.back().remote_state = d.remote_state;
    } else {
      merged.push_back(d);
    }
  }
  return merged;
}

}  // namespace starling::riblt
