// IndexMapping: which coded symbols an item belongs to, bit-compatible with the reference Go
// encoder (github.com/yangl1996/riblt, "randomMapping"; see shared/riblt-vectors.md).
//
// Every item is in coded symbol 0. The following indices come from a generator seeded with
// the item's 64-bit checksum: the gap after index i grows about linearly with i, so an item is
// in symbol i with probability about 1 / (1 + i / 2). Pure arithmetic on IEEE doubles (the
// build must not use -ffast-math); deterministic on every platform. Two deviations from Go
// that only matter for pathological seeds, both documented in riblt-vectors.md: a step that
// does not fit in uint64 is clamped to UINT64_MAX, and the index saturates at UINT64_MAX
// instead of wrapping, so loops of the form `while (m.index() < n)` always end.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace starling::riblt {

class IndexMapping {
 public:
  explicit IndexMapping(uint64_t seed) : prng_(seed) {}

  // The current coded-symbol index (0 before the first Next()).
  uint64_t index() const { return last_; }

  // Advances to the next index and returns it. The sequence is non-decreasing; an index can
  // repeat (the item is then applied twice to that symbol, exactly as the reference does).
  uint64_t Next() {
    prng_ *= 0xda942042e4dd58b5ULL;
    const double step =
        std::ceil((static_cast<double>(last_) + 1.5) *
                  (4294967296.0 / std::sqrt(static_cast<double>(prng_) + 1.0) - 1.0));
    uint64_t s;
    if (step >= 18446744073709551616.0) {
      s = std::numeric_limits<uint64_t>::max();
    } else {
      s = static_cast<uint64_t>(step);
    }
    last_ = (s > std::numeric_limits<uint64_t>::max() - last_)
                ? std::numeric_limits<uint64_t>::max()
                : last_ + s;
    return last_;
  }

  // Advances until index() >= n.
  void SkipTo(uint64_t n) {
    while (last_ < n) {
      Next();
    }
  }

 private:
  uint64_t prng_;
  uint64_t last_ = 0;
};

}  // namespace starling::riblt
