// Decoder: recovers the symmetric difference of two sets from the coded symbols of their
// difference, by peeling, as they stream in.
//
// The receiver feeds, in index order from 0, Subtract(remote symbol i, local symbol i) (its
// own symbol i from its Sketch or Encoder). Elements with count +1 are only at the remote
// side, count -1 only at the local side; a key whose state differs shows up once on each
// side. done() turns true once every received symbol has peeled to zero; the symbols needed
// are then about 1.35-1.45 per difference for large differences (one symbol when the sets are
// equal). The result is the same as the reference's Decoder.
//
// Hostile or broken input cannot make it loop or grow without bound: at most `max_symbols`
// symbols are taken (the cap; then state() is kCapExceeded and the caller falls back to the
// Merkle tree or cuts the peer off), and at most one peel per received symbol (an honest
// stream never needs more; a stream that does is kCorrupt). Elements decoded from garbage are
// garbage but bounded in number; the repair that follows only ever joins real lattice states.
//
// Hash is a functor uint64_t(const T&) giving the element checksum (ItemHasher for Item).
// Not thread-safe; deterministic.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "gossip/riblt/coded_symbol.h"
#include "gossip/riblt/mapping.h"

namespace starling::riblt {

enum class DecodeState {
  kNeedMore,     // send more symbols
  kDone,         // the whole difference is decoded
  kCapExceeded,  // max_symbols taken without decoding; input now ignored
  kCorrupt,      // the stream is inconsistent (never happens with honest peers)
};

template <class T, class Hash>
class Decoder {
 public:
  Decoder(Hash hash, size_t max_symbols) : hash_(std::move(hash)), max_symbols_(max_symbols) {}

  // Takes the next symbol of the difference (remote minus local). Returns the state after it.
  DecodeState Add(const CodedSymbol<T>& diff) {
    if (state_ == DecodeState::kCapExceeded || state_ == DecodeState::kCorrupt) {
      return state_;
    }
    if (symbols_.size() >= max_symbols_) {
      return state_ = DecodeState::kCapExceeded;
    }
    AddOne(diff);
    Peel();
    UpdateState();
    return state_;
  }

  // Takes a batch; peels once at the end. Symbols past the cap are dropped.
  DecodeState AddBatch(std::span<const CodedSymbol<T>> batch) {
    for (const CodedSymbol<T>& c : batch) {
      if (state_ == DecodeState::kCapExceeded || state_ == DecodeState::kCorrupt) {
        break;
      }
      if (symbols_.size() >= max_symbols_) {
        state_ = DecodeState::kCapExceeded;
        break;
      }
      AddOne(c);
    }
    if (state_ == DecodeState::kNeedMore || state_ == DecodeState::kDone) {
      Peel();
      UpdateState();
    }
    return state_;
  }

  DecodeState state() const { return state_; }
  bool done() const { return state_ == DecodeState::kDone; }
  // Symbols received so far.
  size_t symbols() const { return symbols_.size(); }
  // Elements only at the remote side (count +1) and only at the local side (count -1).
  const std::vector<HashedItem<T>>& remote_only() const { return remote_only_; }
  const std::vector<HashedItem<T>>& local_only() const { return local_only_; }

 private:
  // A decoded element with its mapping, for symbols that have not arrived yet.
  struct Pending {
    HashedItem<T> item;
    IndexMapping mapping;
    int64_t direction;  // what to apply to the difference's symbols to peel it
  };
  struct Later {
    bool operator()(const Pending& a, const Pending& b) const {
      return a.mapping.index() > b.mapping.index();
    }
  };

  bool IsPure(const CodedSymbol<T>& c) const {
    return (c.count == 1 || c.count == -1) && c.hash == hash_(c.sum);
  }

  void ApplyAt(size_t idx, const HashedItem<T>& h, int64_t direction) {
    CodedSymbol<T>& c = symbols_[idx];
    const bool was_zero = c.IsZero();
    c.Apply(h, direction);
    const bool is_zero = c.IsZero();
    nonzero_ += static_cast<size_t>(was_zero && !is_zero);
    nonzero_ -= static_cast<size_t>(!was_zero && is_zero);
    if (IsPure(c)) {
      decodable_.push_back(idx);
    }
  }

  void AddOne(CodedSymbol<T> c) {
    const uint64_t idx = symbols_.size();
    // Peel the elements already decoded that map to this index.
    while (!pending_.empty() && pending_.front().mapping.index() == idx) {
      std::pop_heap(pending_.begin(), pending_.end(), Later());
      Pending& p = pending_.back();
      c.Apply(p.item, p.direction);
      p.mapping.Next();
      std::push_heap(pending_.begin(), pending_.end(), Later());
    }
    symbols_.push_back(c);
    if (!c.IsZero()) {
      ++nonzero_;
    }
    if (IsPure(c)) {
      decodable_.push_back(idx);
    }
  }

  void Peel() {
    while (!decodable_.empty()) {
      const size_t idx = decodable_.back();
      decodable_.pop_back();
      const CodedSymbol<T> c = symbols_[idx];
      if (!IsPure(c)) {
        continue;  // peeled since it was queued
      }
      if (++peels_ > symbols_.size()) {
        state_ = DecodeState::kCorrupt;
        decodable_.clear();
        return;
      }
      const HashedItem<T> h{c.sum, c.hash};
      const int64_t direction = -c.count;
      (c.count == 1 ? remote_only_ : local_only_).push_back(h);
      IndexMapping m(h.hash);
      while (m.index() < symbols_.size()) {
        ApplyAt(m.index(), h, direction);
        m.Next();
      }
      pending_.push_back(Pending{h, m, direction});
      std::push_heap(pending_.begin(), pending_.end(), Later());
    }
  }

  void UpdateState() {
    if (state_ == DecodeState::kCorrupt) {
      return;
    }
    state_ = (nonzero_ == 0 && !symbols_.empty()) ? DecodeState::kDone : DecodeState::kNeedMore;
  }

  Hash hash_;
  size_t max_symbols_;
  DecodeState state_ = DecodeState::kNeedMore;
  std::vector<CodedSymbol<T>> symbols_;  // the difference's symbols, peeled so far
  std::vector<Pending> pending_;         // heap: decoded elements by next index
  std::vector<size_t> decodable_;        // indices that may be pure
  size_t nonzero_ = 0;
  size_t peels_ = 0;
  std::vector<HashedItem<T>> remote_only_;
  std::vector<HashedItem<T>> local_only_;
};

}  // namespace starling::riblt
