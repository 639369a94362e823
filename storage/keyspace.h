// Keyspace: one node's keys in memory (DESIGN.md section 7).
//
// Keys are ordered by (Hash64(key), key) (lattice/elem_key.h). That order gives SCAN an
// integer cursor under which a full iteration returns every key present throughout (keys
// never move), gives RANDOMKEY an O(log n) pick, and makes ring ranges contiguous for
// anti-entropy and hand-off.
//
// The map holds live keys and tombstones (objects whose data was removed but whose causal
// context must be kept until the removal is stable). `live_keys()` counts only keys that
// exist. An expiry index orders the keys that have a TTL by expiry time, so active expiry
// takes the earliest ones in O(log n) each.
//
// Index upkeep: a caller that changes an Object in place calls Track(key, before, after)
// with StateOf() taken before and after the change. Node does this in one place for every
// local and remote change.
//
// Single-threaded (the node's thread). No clock: times are arguments.
#pragma once

#include <absl/container/btree_map.h>
#include <absl/container/btree_set.h>

#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lattice/elem_key.h"
#include "lattice/object.h"

namespace starling::storage {

using lattice::ElemKey;
using lattice::ElemRef;
using lattice::Object;

class Keyspace {
 public:
  using Map = absl::btree_map<ElemKey, std::unique_ptr<Object>, lattice::ElemLess>;

  struct KeyState {
    bool exists = false;
    std::optional<int64_t> expiry_ms;
  };

  static KeyState StateOf(const Object* o) {
    if (!o) return {};
    bool exists = o->Exists();
    return KeyState{exists, exists ? o->ExpiryMs() : std::nullopt};
  }

  // The object stored under key (live or tombstone), or null.
  Object* Find(std::string_view key) { return Find(ElemRef(key)); }
  Object* Find(const ElemRef& key) {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : it->second.get();
  }
  const Object* Find(const ElemRef& key) const {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : it->second.get();
  }

  // The object stored under key, created empty (bottom) if absent.
  Object& FindOrCreate(const ElemRef& key) {
    auto it = map_.find(key);
    if (it == map_.end()) it = map_.emplace(ElemKey(key), std::make_unique<Object>()).first;
    return *it->second;
  }

  // FindOrCreate for keys that come in the map's order (loading from storage): a key after
  // every present key is appended without a search. Any order is still correct, only slower.
  Object& FindOrCreateInOrder(const ElemRef& key) {
    auto it = map_.end();
    if (!map_.empty()) {
      auto last = std::prev(map_.end());
      if (!lattice::ElemLess()(last->first, key)) return FindOrCreate(key);
    }
    it = map_.emplace_hint(it, ElemKey(key), std::make_unique<Object>());
    return *it->second;
  }

  // Removes the entry (the caller has Track()ed it to not existing).
  void Erase(const ElemRef& key) { map_.erase(key); }

  // Keeps live_keys() and the expiry index in step with a change of `key`.
  void Track(const ElemRef& key, const KeyState& before, const KeyState& after) {
    if (before.exists != after.exists) live_ += after.exists ? 1 : -1;
    if (before.expiry_ms != after.expiry_ms) {
      if (before.expiry_ms) expiry_.erase(ExpiryEntry(*before.expiry_ms, ElemKey(key)));
      if (after.expiry_ms) expiry_.insert(ExpiryEntry(*after.expiry_ms, ElemKey(key)));
    }
  }

  size_t entries() const { return map_.size(); }
  size_t live_keys() const { return live_; }
  size_t keys_with_expiry() const { return expiry_.size(); }

  // Up to n keys whose expiry is before now_ms (Redis: expired when now > expiry),
  // earliest first.
  std::vector<std::string> DueForExpiry(int64_t now_ms, size_t n) const {
    std::vector<std::string> out;
    for (auto it = expiry_.begin(); it != expiry_.end() && out.size() < n; ++it) {
      if (it->first >= now_ms) break;
      out.push_back(it->second.str);
    }
    return out;
  }

  // SCAN: visits entries (live or not: the caller filters) in key order from `cursor`,
  // stopping after `count` visits at a point where the next key's cursor differs from the
  // last visited one. Returns the cursor to resume from, 0 at the end. Cursors are
  // (hash >> 1) + 1, so they fit in a signed 64-bit integer as clients expect.
  template <typename F>
  uint64_t Scan(uint64_t cursor, size_t count, F&& visit) const {
    uint64_t start_hash = cursor == 0 ? 0 : (cursor - 1) << 1;
    auto it = map_.lower_bound(ElemRef(start_hash, std::string_view()));
    size_t n = 0;
    while (it != map_.end()) {
      if (n > 0 && n >= count && (it->first.hash >> 1) != (std::prev(it)->first.hash >> 1)) {
        return (it->first.hash >> 1) + 1;
      }
      visit(it->first, *it->second);
      ++n;
      ++it;
    }
    return 0;
  }

  // The first entry at or after `hash` in key order, wrapping around; null if empty.
  const std::pair<const ElemKey, std::unique_ptr<Object>>* AtOrAfter(uint64_t hash) const {
    if (map_.empty()) return nullptr;
    auto it = map_.lower_bound(ElemRef(hash, std::string_view()));
    if (it == map_.end()) it = map_.begin();
    return &*it;
  }

  const Map& map() const { return map_; }

  void Clear() {
    map_.clear();
    expiry_.clear();
    live_ = 0;
  }

 private:
  struct ExpiryLess {
    bool operator()(const std::pair<int64_t, ElemKey>& a,
                    const std::pair<int64_t, ElemKey>& b) const {
      if (a.first != b.first) return a.first < b.first;
      return lattice::ElemLess()(a.second, b.second);
    }
  };
  using ExpiryEntry = std::pair<int64_t, ElemKey>;

  Map map_;
  absl::btree_set<ExpiryEntry, ExpiryLess> expiry_;
  size_t live_ = 0;
};

}  // namespace starling::storage
