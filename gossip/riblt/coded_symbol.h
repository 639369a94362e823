// Items and coded symbols of a RIBLT (Yang, Gilad, Alizadeh, SIGCOMM 2024).
//
// A set element is any trivially copyable value type T with `T{}` as the zero, `^` as XOR and
// `==` (Item in item.h for Starling, uint64_t in the reference's worked example). A
// HashedItem carries the element with its 64-bit checksum, which seeds the element's
// IndexMapping and proves a coded symbol pure. A CodedSymbol is the XOR of the elements mapped
// to it, the XOR of their checksums and their signed count: exactly the reference's
// CodedSymbol {Symbol, Hash, Count}. Plain values; no invariants beyond the fields.
#pragma once

#include <cstdint>

namespace starling::riblt {

template <class T>
struct HashedItem {
  T item{};
  uint64_t hash = 0;
  friend bool operator==(const HashedItem&, const HashedItem&) = default;
};

template <class T>
struct CodedSymbol {
  T sum{};
  uint64_t hash = 0;
  int64_t count = 0;

  // Adds (direction +1) or removes (-1) one element.
  void Apply(const HashedItem<T>& h, int64_t direction) {
    sum = sum ^ h.item;
    hash ^= h.hash;
    count += direction;
  }
  bool IsZero() const { return count == 0 && hash == 0 && sum == T{}; }
  friend bool operator==(const CodedSymbol&, const CodedSymbol&) = default;
};

// The coded symbol of the difference a - b (elements of a count +1, of b -1), at one index.
template <class T>
CodedSymbol<T> Subtract(const CodedSymbol<T>& a, const CodedSymbol<T>& b) {
  return CodedSymbol<T>{a.sum ^ b.sum, a.hash ^ b.hash, a.count - b.count};
}

// On the wire a count travels as its low 24 bits: the receiver knows its own count at the
// same index and the two differ by at most the number of differing elements mapped there, so
// RestoreCount recovers the sender's exactly whenever |remote - local| < 2^23 (always, for
// ranges under 8 million keys). A hostile value only yields a garbage symbol, which the
// decoder's cap handles like any other.
inline uint32_t WireCount(int64_t count) { return static_cast<uint32_t>(count) & 0xffffff; }
inline int64_t RestoreCount(uint32_t wire, int64_t local_count) {
  const uint32_t delta = (wire - static_cast<uint32_t>(local_count)) & 0xffffff;
  const int64_t signed_delta =
      delta >= 0x800000 ? static_cast<int64_t>(delta) - 0x1000000 : static_cast<int64_t>(delta);
  return local_count + signed_delta;
}

// Bytes of one coded symbol on the wire when T is a 16-byte Item: 16 (sum) + 8 (checksum) +
// 3 (WireCount). The wire codec belongs to gossip/; this is the figure the benchmark counts.
inline constexpr uint64_t kItemSymbolWireBytes = 27;

}  // namespace starling::riblt
