#include "gossip/riblt/item.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace starling::riblt {
namespace {

// Domain separation: one seed per use, all from the secret, so a key whose bytes equal some
// state's bytes still hashes differently in the two roles.
uint64_t DeriveSeed(uint64_t base, std::string_view label) {
  return XXH3_64bits_withSeed(label.data(), label.size(), base);
}

void PutLe64(unsigned char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    p[i] = static_cast<unsigned char>(v >> (8 * i));
  }
}

}  // namespace

ItemHasher::ItemHasher(std::string_view secret) {
  const uint64_t base = XXH3_64bits_withSeed(secret.data(), secret.size(), 0x53544152u);
  key_seed_ = DeriveSeed(base, "starling/ae/key");
  state_seed_ = DeriveSeed(base, "starling/ae/state");
  checksum_seed_ = DeriveSeed(base, "starling/ae/checksum");
}

uint64_t ItemHasher::KeyHash(std::string_view key) const {
  return XXH3_64bits_withSeed(key.data(), key.size(), key_seed_);
}

uint64_t ItemHasher::StateHash(std::string_view canonical_state) const {
  return XXH3_64bits_withSeed(canonical_state.data(), canonical_state.size(), state_seed_);
}

uint64_t ItemHasher::Checksum(const Item& item) const {
  // Little-endian bytes so the checksum is the same on every machine.
  unsigned char buf[16];
  PutLe64(buf, item.key_hash);
  PutLe64(buf + 8, item.state_hash);
  return XXH3_64bits_withSeed(buf, sizeof(buf), checksum_seed_);
}

}  // namespace starling::riblt
