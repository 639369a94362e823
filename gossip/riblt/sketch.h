// Sketch: the first M coded symbols of a set, kept up to date in place.
//
// Adding or removing an element touches only the symbols its IndexMapping hits below M (about
// 2 ln(M / 2) of them), with no rescan of the set, so a node keeps one Sketch per range and
// updates it on every write: Remove(old item), Add(new item). Symbol i of a Sketch equals
// symbol i of an Encoder over the same set, bit for bit (the reference's Sketch type).
//
// A Sketch is a value; not thread-safe; deterministic.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gossip/riblt/coded_symbol.h"
#include "gossip/riblt/mapping.h"

namespace starling::riblt {

template <class T>
class Sketch {
 public:
  explicit Sketch(size_t size) : symbols_(size) {}

  void Add(const HashedItem<T>& h) { Apply(h, +1); }
  // Adds many elements; faster than one Add after another (AdvanceAll).
  void AddAll(std::span<const HashedItem<T>> items) {
    constexpr size_t kChunk = 256;
    std::vector<IndexMapping> maps;
    maps.reserve(kChunk);
    for (size_t base = 0; base < items.size(); base += kChunk) {
      const size_t n = std::min(kChunk, items.size() - base);
      maps.clear();
      for (size_t i = 0; i < n; ++i) {
        maps.emplace_back(items[base + i].hash);
      }
      AdvanceAll(maps.data(), n, symbols_.size(),
                 [&](size_t i, uint64_t idx) { symbols_[idx].Apply(items[base + i], +1); });
    }
  }
  void Remove(const HashedItem<T>& h) { Apply(h, -1); }
  // A key's item changed (its state did): one call per write.
  void Replace(const HashedItem<T>& old_item, const HashedItem<T>& new_item) {
    Remove(old_item);
    Add(new_item);
  }

  size_t size() const { return symbols_.size(); }
  const CodedSymbol<T>& operator[](size_t i) const { return symbols_[i]; }
  std::span<const CodedSymbol<T>> symbols() const { return symbols_; }

  // this = this - other, symbol by symbol: the sketch of the difference.
  // REQUIRES: other.size() == size().
  void SubtractInPlace(const Sketch& other) {
    for (size_t i = 0; i < symbols_.size(); ++i) {
      symbols_[i] = Subtract(symbols_[i], other.symbols_[i]);
    }
  }

 private:
  void Apply(const HashedItem<T>& h, int64_t direction) {
    IndexMapping m(h.hash);
    const uint64_t n = symbols_.size();
    while (m.index() < n) {
      symbols_[m.index()].Apply(h, direction);
      m.Next();
    }
  }

  std::vector<CodedSymbol<T>> symbols_;
};

}  // namespace starling::riblt
