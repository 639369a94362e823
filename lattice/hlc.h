// Hybrid logical clock (DESIGN.md section 3).
//
// An Hlc is 64 bits: the high 48 are physical milliseconds since the Unix epoch, the low 16
// a logical counter. HlcClock hands out stamps that never go backwards, even when the wall
// clock does, and that are greater than every stamp it has observed from peers. Ties
// between equal stamps are broken by replica id where they matter (LWW). Needs no NTP to
// converge; skew only decides which concurrent write wins.
//
// Single-threaded: owned by one node core. Reads time only through the Clock it is given.
#pragma once

#include <algorithm>
#include <cstdint>

#include "base/clock.h"

namespace starling::lattice {

using Hlc = uint64_t;

constexpr int kHlcLogicalBits = 16;
constexpr uint64_t kHlcLogicalMask = (uint64_t{1} << kHlcLogicalBits) - 1;

constexpr Hlc MakeHlc(int64_t millis, uint64_t logical) {
  return (static_cast<uint64_t>(millis) << kHlcLogicalBits) | (logical & kHlcLogicalMask);
}
constexpr int64_t HlcMillis(Hlc h) { return static_cast<int64_t>(h >> kHlcLogicalBits); }
constexpr uint64_t HlcLogical(Hlc h) { return h & kHlcLogicalMask; }

class HlcClock {
 public:
  // max_forward_drift_ms: a peer stamp further than this ahead of our wall clock is not
  // adopted (a garbled message or a wildly wrong peer clock must not drag ours into the
  // future). 0 disables the check.
  static constexpr int64_t kDefaultMaxDriftMs = 3600 * 1000;
  explicit HlcClock(const Clock& clock, int64_t max_forward_drift_ms = kDefaultMaxDriftMs)
      : clock_(clock), max_drift_ms_(max_forward_drift_ms) {}

  // A new stamp, strictly greater than every stamp returned or observed before.
  // If the logical counter overflows within one millisecond, the physical part is borrowed
  // forward by one millisecond; the stamp stays unique and monotone.
  Hlc Now() {
    Hlc phys = MakeHlc(std::max<int64_t>(clock_.WallMillis(), 0), 0);
    // Saturates rather than wrap (unreachable with the drift bound on: 48 bits of
    // milliseconds last until the year 10889).
    last_ = phys > last_ ? phys : (last_ == UINT64_MAX ? last_ : last_ + 1);
    return last_;
  }

  // Folds in a stamp seen on a message from a peer. Returns false (and ignores it) when it is
  // further ahead than the drift bound.
  bool Observe(Hlc remote) {
    if (max_drift_ms_ > 0 && HlcMillis(remote) > clock_.WallMillis() + max_drift_ms_) {
      return false;
    }
    last_ = std::max(last_, remote);
    return true;
  }

  // The last stamp handed out or observed (0 before the first).
  Hlc Last() const { return last_; }
  // Restores monotonicity after a restart from a persisted stamp.
  void Restore(Hlc h) { last_ = std::max(last_, h); }

 private:
  const Clock& clock_;
  int64_t max_drift_ms_;
  Hlc last_ = 0;
};

}  // namespace starling::lattice
