// Dots and causal contexts: the base of the delta-state causal CRDTs (DESIGN.md section 3;
// Almeida, Shoker and Baquero, "Delta State Replicated Data Types", 2018).
//
// A Dot (replica, counter) names one write event. Counters are per key: each key has its
// own dense sequence per replica, so a key's context compacts to one range per replica
// (a version vector). A replica id is a node's id joined with its incarnation (a new one on
// every restart), so a counter is never reused after a crash that lost unsynced writes.
//
// CausalContext is the set of dots a state has seen. It is stored as sorted, disjoint,
// non-adjacent ranges [lo, hi] per replica: a range starting at 1 is the version-vector
// entry, any other range is the dot cloud, kept compact as ranges. Every operation leaves the
// representation normalised (compaction is continuous), so equal sets have equal
// representations and compare equal with ==.
//
// Partial order: set inclusion. Bottom: the empty context. Join: union.
#pragma once

#include <absl/container/inlined_vector.h>

#include <algorithm>
#include <compare>
#include <tuple>
#include <cstdint>
#include <string>
#include <utility>

namespace starling::lattice {

using ReplicaId = uint64_t;

// Dot counters are in [1, kMaxDotCounter]. Decoders refuse larger ones, so arithmetic on
// counters (max + 1, hi + 1) never wraps.
constexpr uint64_t kMaxDotCounter = uint64_t{1} << 62;

struct Dot {
  ReplicaId replica = 0;
  uint64_t counter = 0;  // >= 1 for a real dot
  auto operator<=>(const Dot&) const = default;
};

std::string ToString(const Dot& d);

struct DotRange {
  ReplicaId replica = 0;
  uint64_t lo = 0;  // inclusive, >= 1
  uint64_t hi = 0;  // inclusive, >= lo
  auto operator<=>(const DotRange&) const = default;
};

class CausalContext {
 public:
  using Ranges = absl::InlinedVector<DotRange, 1>;

  static CausalContext Bottom() { return CausalContext(); }
  bool IsBottom() const { return ranges_.empty(); }

  bool Contains(const Dot& d) const {
    // Last range with (replica, lo) <= (d.replica, d.counter).
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), d, [](const Dot& x, const DotRange& r) {
      return x.replica < r.replica || (x.replica == r.replica && x.counter < r.lo);
    });
    if (it == ranges_.begin()) return false;
    --it;
    return it->replica == d.replica && d.counter >= it->lo && d.counter <= it->hi;
  }

  void Insert(const Dot& d) { InsertRange(d.replica, d.counter, d.counter); }

  // Adds every dot (replica, c) with lo <= c <= hi. REQUIRES: 1 <= lo <= hi.
  void InsertRange(ReplicaId replica, uint64_t lo, uint64_t hi) {
    DotRange add{replica, lo, hi};
    auto it = std::lower_bound(ranges_.begin(), ranges_.end(), add,
                               [](const DotRange& a, const DotRange& b) {
                                 return a.replica < b.replica ||
                                        (a.replica == b.replica && a.lo < b.lo);
                               });
    // Step back to a range of the same replica that may touch or overlap.
    if (it != ranges_.begin()) {
      auto prev = it - 1;
      if (prev->replica == replica && prev->hi >= lo - 1) {
        it = prev;
        add.lo = std::min(add.lo, prev->lo);
      }
    }
    auto end = it;
    while (end != ranges_.end() && end->replica == replica &&
           (add.hi == UINT64_MAX || end->lo <= add.hi + 1)) {
      add.hi = std::max(add.hi, end->hi);
      ++end;
    }
    it = ranges_.erase(it, end);
    ranges_.insert(it, add);
  }

  void Join(const CausalContext& o) {
    if (o.ranges_.empty()) return;
    if (ranges_.empty()) {
      ranges_ = o.ranges_;
      return;
    }
    Ranges merged;
    merged.reserve(ranges_.size() + o.ranges_.size());
    auto a = ranges_.cbegin();
    auto b = o.ranges_.cbegin();
    auto push = [&merged](const DotRange& r) {
      if (!merged.empty() && merged.back().replica == r.replica &&
          merged.back().hi >= r.lo - 1) {
        merged.back().hi = std::max(merged.back().hi, r.hi);
      } else {
        merged.push_back(r);
      }
    };
    while (a != ranges_.cend() || b != o.ranges_.cend()) {
      if (b == o.ranges_.cend() ||
          (a != ranges_.cend() && std::tie(a->replica, a->lo) <= std::tie(b->replica, b->lo))) {
        push(*a++);
      } else {
        push(*b++);
      }
    }
    ranges_ = std::move(merged);
  }

  // True if every dot of `o` is in this context.
  bool Includes(const CausalContext& o) const {
    for (const DotRange& r : o.ranges_) {
      auto it = std::upper_bound(ranges_.begin(), ranges_.end(), r,
                                 [](const DotRange& x, const DotRange& y) {
                                   return x.replica < y.replica ||
                                          (x.replica == y.replica && x.lo < y.lo);
                                 });
      if (it == ranges_.begin()) return false;
      --it;
      if (it->replica != r.replica || it->lo > r.lo || it->hi < r.hi) return false;
    }
    return true;
  }

  // The largest counter seen from `replica` (0 if none).
  uint64_t Max(ReplicaId replica) const {
    uint64_t m = 0;
    for (const DotRange& r : ranges_) {
      if (r.replica == replica) m = std::max(m, r.hi);
      if (r.replica > replica) break;
    }
    return m;
  }

  // The version-vector entry for `replica`: n such that 1..n are all seen (0 if none).
  uint64_t Contiguous(ReplicaId replica) const {
    for (const DotRange& r : ranges_) {
      if (r.replica == replica && r.lo == 1) return r.hi;
      if (r.replica > replica) break;
    }
    return 0;
  }

  // Dots seen that are not part of a version-vector prefix: the dot cloud, as ranges.
  size_t CloudRanges() const {
    size_t n = 0;
    for (const DotRange& r : ranges_) n += r.lo != 1;
    return n;
  }

  const Ranges& ranges() const { return ranges_; }
  size_t NumRanges() const { return ranges_.size(); }

  // Builds a context from ranges in any order, normalising them. Ranges with lo == 0,
  // lo > hi or hi > kMaxDotCounter are rejected (returns false) so decoders refuse garbage.
  bool AssignFromRanges(const Ranges& ranges) {
    ranges_.clear();
    for (const DotRange& r : ranges) {
      if (r.lo == 0 || r.lo > r.hi || r.hi > kMaxDotCounter) return false;
      InsertRange(r.replica, r.lo, r.hi);
    }
    return true;
  }

  bool operator==(const CausalContext& o) const { return ranges_ == o.ranges_; }

  std::string DebugString() const;

 private:
  Ranges ranges_;
};

inline std::string ToString(const Dot& d) {
  return "(" + std::to_string(d.replica) + "," + std::to_string(d.counter) + ")";
}

inline std::string CausalContext::DebugString() const {
  std::string s = "{";
  for (const DotRange& r : ranges_) {
    if (s.size() > 1) s += " ";
    s += std::to_string(r.replica) + ":" + std::to_string(r.lo) + "-" + std::to_string(r.hi);
  }
  return s + "}";
}

}  // namespace starling::lattice
