// RangeDigest: everything anti-entropy keeps for one replica of one ring range, kept current
// by one call per write; and the two ends of a RIBLT reconciliation over it.
//
//   RangeDigest digest(hasher, {4, 3}, 4096);     // per range replica
//   digest.Set(key, canonical_state);              // every write, local or remote
//   digest.Set(key, std::nullopt);                 // the key is gone (after GC of tombstones)
//
// Sender, per request:   SymbolStream s(digest); s.Produce(n, &batch) ... -> ToWire -> peer
// Receiver, per session: RibltReceiver r(digest, cap); r.AddBatch(wire_batch) until kDone,
//                        then r.Diffs() and digest.KeyOf(key_hash) for the keys to repair.
//
// The digest holds a MerkleTree, a Sketch of the first M symbols and a key-hash -> key map
// (the repair receives key hashes). Keys are told apart by their 64-bit keyed hash; two keys of
// one range with the same hash (about 3e-8 for a million keys) would share one entry.
// Not thread-safe: one owner, e.g. the shard that owns the range. Sessions keep a reference:
// the digest must outlive them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "gossip/riblt/decoder.h"
#include "gossip/riblt/encoder.h"
#include "gossip/riblt/item.h"
#include "gossip/riblt/key_diff.h"
#include "gossip/riblt/merkle.h"
#include "gossip/riblt/sketch.h"

namespace starling::riblt {

using ItemDecoder = Decoder<Item, ItemHasher>;

class RangeDigest {
 public:
  RangeDigest(const ItemHasher& hasher, MerkleOptions shape, size_t sketch_symbols);

  // The key now has this canonical state (nullopt: the key is gone). O(depth + log M).
  void Set(std::string_view key, std::optional<std::string_view> canonical_state);

  const ItemHasher& hasher() const { return hasher_; }
  const MerkleTree& tree() const { return tree_; }
  const Sketch<Item>& sketch() const { return sketch_; }
  size_t item_count() const { return tree_.item_count(); }
  // Bumped by every Set that changed something.
  uint64_t version() const { return version_; }
  // The key with this hash, if this replica holds it.
  const std::string* KeyOf(uint64_t key_hash) const;
  // Side information for a Decoder over this replica (Decoder::set_companion).
  ItemDecoder::Companion Companion() const;

 private:
  ItemHasher hasher_;
  MerkleTree tree_;
  Sketch<Item> sketch_;
  std::unordered_map<uint64_t, std::string> keys_;  // looked up only, never iterated
  uint64_t version_ = 0;
};

// A coded symbol as it travels: the count cut to 24 bits (WireCount). 27 bytes encoded.
struct WireSymbol {
  Item sum;
  uint64_t hash = 0;
  uint32_t count = 0;
  friend bool operator==(const WireSymbol&, const WireSymbol&) = default;
};

inline WireSymbol ToWire(const CodedSymbol<Item>& c) {
  return WireSymbol{c.sum, c.hash, WireCount(c.count)};
}

// A replica's coded symbols in order, from index 0: the sketch (copied when the stream is
// made) and past it an Encoder built from the tree's items on first need. If the digest
// changed in between, those items are not the sketch's set and Produce fails with
// FailedPrecondition: start a new session (or fall back to the Merkle exchange).
class SymbolStream {
 public:
  explicit SymbolStream(const RangeDigest& digest);

  // Appends the next n symbols to *out.
  [[nodiscard]] Status Produce(size_t n, std::vector<CodedSymbol<Item>>* out);
  uint64_t next_index() const { return next_; }

 private:
  const RangeDigest& digest_;
  uint64_t version_;
  std::vector<CodedSymbol<Item>> prefix_;
  std::optional<Encoder<Item>> rest_;
  uint64_t next_ = 0;
};

// The receiving end: subtracts its own symbols from the sender's and decodes, with the
// replica's items as side information.
class RibltReceiver {
 public:
  RibltReceiver(const RangeDigest& local, size_t max_symbols);

  // The sender's next symbols, in order. Returns the decoder's state, or the local stream's
  // error (the digest changed during a session that went past the sketch). Symbols past
  // max_symbols are dropped unread.
  [[nodiscard]] Result<DecodeState> AddBatch(std::span<const WireSymbol> batch);

  const ItemDecoder& decoder() const { return decoder_; }
  // REQUIRES: decoder().done(). The keys that differ; local = this replica.
  std::vector<KeyDiff> Diffs() const;

 private:
  SymbolStream local_;
  size_t max_symbols_;
  ItemDecoder decoder_;
  std::vector<CodedSymbol<Item>> mine_, diff_;
};

}  // namespace starling::riblt
