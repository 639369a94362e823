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

#include <algorithm>
#include <cmath>
#include <cstddef>
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
        (U64ToDouble(last_) + 1.5) * (4294967296.0 / std::sqrt(U64ToDouble(prng_) + 1.0) - 1.0);
    const uint64_t s = CeilToU64(step);
    last_ = (s > std::numeric_limits<uint64_t>::max() - last_)
                ? std::numeric_limits<uint64_t>::max()
                : last_ + s;
    return last_;
  }

  // double(x), correctly rounded like the conversion instruction, without its branch on the
  // top bit (a coin flip for a random x; the mispredictions dominated the encoder's time): the
  // two halves convert exactly and the one addition rounds once.
  static double U64ToDouble(uint64_t x) {
    return static_cast<double>(static_cast<uint32_t>(x >> 32)) * 4294967296.0 +
           static_cast<double>(static_cast<uint32_t>(x));
  }

  // uint64(ceil(v)) for v >= 0 (never NaN here), clamped to UINT64_MAX from 2^64 up, without
  // a call to ceil() where the target lacks SSE4.1.
  static uint64_t CeilToU64(double v) {
    if (v < 4503599627370496.0) {  // below 2^52: may have a fraction
      const int64_t t = static_cast<int64_t>(v);
      return static_cast<uint64_t>(t) + static_cast<uint64_t>(static_cast<double>(t) < v);
    }
    if (v >= 18446744073709551616.0) {
      return std::numeric_limits<uint64_t>::max();
    }
    if (v < 9223372036854775808.0) {
      return static_cast<uint64_t>(static_cast<int64_t>(v));
    }
    return static_cast<uint64_t>(static_cast<int64_t>(v - 9223372036854775808.0)) +
           (uint64_t{1} << 63);
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

// Advances maps[0..n) until every index is >= hi, calling f(i, index) for each index below hi
// of mapping i, in no particular order across mappings. A mapping's next index depends on its
// last through about 35 cycles of conversions, a square root and a division, so mappings are
// stepped kLanes at a time: their independent chains overlap in the CPU (about 3x faster
// than one mapping after another).
template <class F>
void AdvanceAll(IndexMapping* maps, size_t n, uint64_t hi, F&& f) {
  constexpr size_t kLanes = 8;
  for (size_t base = 0; base < n; base += kLanes) {
    const size_t k = std::min(kLanes, n - base);
    IndexMapping* m = maps + base;
    for (bool any = true; any;) {
      any = false;
      for (size_t j = 0; j < k; ++j) {
        if (m[j].index() < hi) {
          f(base + j, m[j].index());
          m[j].Next();
          any = true;
        }
      }
    }
  }
}

}  // namespace starling::riblt
