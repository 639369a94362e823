// Encoder: produces a set's coded symbols in order, without end (the "rateless" stream).
//
// Symbol i of an Encoder equals symbol i of the reference Go encoder over the same set, bit
// for bit. Starting at `first` > 0 continues a Sketch of `first` symbols: a sender streams its
// cached Sketch, and only if the receiver needs more builds an Encoder over the range's items
// (MerkleTree::ForEachItem gives them) starting where the Sketch ends.
//
// Instead of the reference's heap of next indices, symbols are made a window at a time: one
// pass over the items' mapping states fills [lo, hi), and windows double (64 up to 65,536
// symbols), so an item is visited about 1.4 times per window beyond its hits. Windowing is
// internal: the stream is the same whatever the window sizes.
//
// Not thread-safe; deterministic.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "gossip/riblt/coded_symbol.h"
#include "gossip/riblt/mapping.h"

namespace starling::riblt {

template <class T>
class Encoder {
 public:
  explicit Encoder(uint64_t first = 0) : lo_(first), next_(first) {}

  // REQUIRES: no symbol produced yet (the reference has the same rule). Elements must be
  // distinct; adding one twice cancels it out of the sums.
  void Add(const HashedItem<T>& h) {
    assert(window_.empty() && "Encoder::Add after the first symbol");
    IndexMapping m(h.hash);
    m.SkipTo(lo_);
    items_.push_back(h);
    maps_.push_back(m);
  }

  size_t item_count() const { return items_.size(); }
  // Index of the symbol the next call to Next() returns.
  uint64_t next_index() const { return next_; }

  CodedSymbol<T> Next() {
    if (next_ - lo_ >= window_.size()) {
      FillWindow(next_, WindowSize(next_, 1));
    }
    return window_[next_++ - lo_];
  }

  // Appends the next n symbols to *out.
  void Produce(size_t n, std::vector<CodedSymbol<T>>* out) {
    out->reserve(out->size() + n);
    while (n > 0) {
      if (next_ - lo_ >= window_.size()) {
        FillWindow(next_, WindowSize(next_, n));
      }
      const size_t avail = window_.size() - (next_ - lo_);
      const size_t take = std::min(avail, n);
      const auto begin = window_.begin() + static_cast<std::ptrdiff_t>(next_ - lo_);
      out->insert(out->end(), begin, begin + static_cast<std::ptrdiff_t>(take));
      next_ += take;
      n -= take;
    }
  }

 private:
  static constexpr uint64_t kMinWindow = 64;
  static constexpr uint64_t kMaxWindow = 65536;

  static uint64_t WindowSize(uint64_t lo, uint64_t wanted) {
    return std::max(wanted, std::clamp(lo, kMinWindow, kMaxWindow));
  }

  void FillWindow(uint64_t lo, uint64_t size) {
    lo_ = lo;
    window_.assign(size, CodedSymbol<T>{});
    const uint64_t hi = lo + size;
    CodedSymbol<T>* w = window_.data();
    const HashedItem<T>* items = items_.data();
    AdvanceAll(maps_.data(), maps_.size(), hi,
               [&](size_t i, uint64_t idx) { w[idx - lo].Apply(items[i], +1); });
  }

  std::vector<HashedItem<T>> items_;
  std::vector<IndexMapping> maps_;
  std::vector<CodedSymbol<T>> window_;
  uint64_t lo_;    // index of window_[0]
  uint64_t next_;  // next index to hand out
};

}  // namespace starling::riblt
