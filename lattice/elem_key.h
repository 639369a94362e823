// ElemKey: a collection element (set member, hash field, sorted-set member) or a keyspace
// key, ordered by (Hash64(bytes), bytes).
//
// Ordering by hash first gives every ordered container a stable integer position for each
// element, which is what SCAN-style cursors need (a cursor is the hash to resume from, so a
// full iteration returns every element present throughout, even across inserts and
// deletes), and it spreads keys evenly for ring ranges. The bytes break hash ties, so
// collisions cost nothing but a string compare. Lookups by string_view go through ElemRef
// without building a std::string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lattice/hash.h"

namespace starling::lattice {

struct ElemRef {
  uint64_t hash;
  std::string_view str;
  explicit ElemRef(std::string_view s) : hash(Hash64(s)), str(s) {}
  ElemRef(uint64_t h, std::string_view s) : hash(h), str(s) {}
};

struct ElemKey {
  uint64_t hash = 0;
  std::string str;

  ElemKey() = default;
  explicit ElemKey(std::string_view s) : hash(Hash64(s)), str(s) {}
  explicit ElemKey(const ElemRef& r) : hash(r.hash), str(r.str) {}
  ElemKey(uint64_t h, std::string s) : hash(h), str(std::move(s)) {}

  ElemRef ref() const { return ElemRef(hash, str); }
  bool operator==(const ElemKey& o) const { return hash == o.hash && str == o.str; }
};

struct ElemLess {
  using is_transparent = void;
  static bool Less(uint64_t ha, std::string_view a, uint64_t hb, std::string_view b) {
    return ha != hb ? ha < hb : a < b;
  }
  bool operator()(const ElemKey& a, const ElemKey& b) const {
    return Less(a.hash, a.str, b.hash, b.str);
  }
  bool operator()(const ElemKey& a, const ElemRef& b) const {
    return Less(a.hash, a.str, b.hash, b.str);
  }
  bool operator()(const ElemRef& a, const ElemKey& b) const {
    return Less(a.hash, a.str, b.hash, b.str);
  }
  bool operator()(const ElemRef& a, const ElemRef& b) const {
    return Less(a.hash, a.str, b.hash, b.str);
  }
};

}  // namespace starling::lattice
