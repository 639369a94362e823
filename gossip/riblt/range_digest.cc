#include "gossip/riblt/range_digest.h"

#include <algorithm>

namespace starling::riblt {

RangeDigest::RangeDigest(const ItemHasher& hasher, MerkleOptions shape, size_t sketch_symbols)
    : hasher_(hasher), tree_(hasher, shape), sketch_(sketch_symbols) {}

void RangeDigest::Set(std::string_view key, std::optional<std::string_view> canonical_state) {
  const uint64_t kh = hasher_.KeyHash(key);
  const std::optional<Item> old_item = tree_.Find(kh);
  std::optional<Item> new_item;
  if (canonical_state) {
    new_item = Item{kh, hasher_.StateHash(*canonical_state)};
  }
  if (old_item == new_item) {
    return;
  }
  tree_.Update(old_item, new_item);
  if (old_item) {
    sketch_.Remove(hasher_.Hashed(*old_item));
  }
  if (new_item) {
    sketch_.Add(hasher_.Hashed(*new_item));
    if (!old_item) {
      keys_.emplace(kh, std::string(key));
    }
  } else {
    keys_.erase(kh);
  }
  ++version_;
}

const std::string* RangeDigest::KeyOf(uint64_t key_hash) const {
  auto it = keys_.find(key_hash);
  return it == keys_.end() ? nullptr : &it->second;
}

ItemDecoder::Companion RangeDigest::Companion() const {
  return [this](const HashedItem<Item>& remote) -> std::optional<HashedItem<Item>> {
    const std::optional<Item> mine = tree_.Find(remote.item.key_hash);
    if (!mine || mine->state_hash == remote.item.state_hash) {
      return std::nullopt;
    }
    return hasher_.Hashed(*mine);
  };
}

SymbolStream::SymbolStream(const RangeDigest& digest)
    : digest_(digest),
      version_(digest.version()),
      prefix_(digest.sketch().symbols().begin(), digest.sketch().symbols().end()) {}

Status SymbolStream::Produce(size_t n, std::vector<CodedSymbol<Item>>* out) {
  while (n > 0 && next_ < prefix_.size()) {
    out->push_back(prefix_[next_++]);
    --n;
  }
  if (n == 0) {
    return Status::Ok();
  }
  if (!rest_) {
    if (digest_.version() != version_) {
      return Status::FailedPrecondition("riblt: the range changed during the session");
    }
    rest_.emplace(next_);
    const ItemHasher& hasher = digest_.hasher();
    digest_.tree().ForEachItem([&](const Item& it) { rest_->Add(hasher.Hashed(it)); });
  }
  rest_->Produce(n, out);
  next_ += n;
  return Status::Ok();
}

RibltReceiver::RibltReceiver(const RangeDigest& local, size_t max_symbols)
    : local_(local), max_symbols_(max_symbols), decoder_(local.hasher(), max_symbols) {
  decoder_.set_companion(local.Companion());
}

Result<DecodeState> RibltReceiver::AddBatch(std::span<const WireSymbol> batch) {
  mine_.clear();
  diff_.clear();
  if (batch.empty()) {
    return decoder_.state();
  }
  if (decoder_.symbols() >= max_symbols_) {
    // At the cap: one more symbol makes the decoder say whether it is done or over the cap.
    const CodedSymbol<Item> none{};
    return decoder_.AddBatch(std::span<const CodedSymbol<Item>>(&none, 1));
  }
  const size_t take = std::min(batch.size(), max_symbols_ - decoder_.symbols() + 1);
  STARLING_RETURN_IF_ERROR(local_.Produce(take, &mine_));
  for (size_t i = 0; i < take; ++i) {
    const CodedSymbol<Item> remote{batch[i].sum, batch[i].hash,
                                   RestoreCount(batch[i].count, mine_[i].count)};
    diff_.push_back(Subtract(remote, mine_[i]));
  }
  return decoder_.AddBatch(diff_);
}

std::vector<KeyDiff> RibltReceiver::Diffs() const {
  return MakeKeyDiffs(decoder_.local_only(), decoder_.remote_only());
}

}  // namespace starling::riblt
