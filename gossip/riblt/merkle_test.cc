#include "gossip/riblt/merkle.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <vector>

#include "base/random.h"

namespace starling::riblt {
namespace {

const ItemHasher kHasher("merkle-secret");

// Runs the ping-pong between a (local) and b (remote). Returns the KeyDiffs from a's point of
// view whichever side received the leaves, and counts messages.
std::vector<KeyDiff> Exchange(const MerkleTree& a, const MerkleTree& b, int* messages) {
  const MerkleTree* side[2] = {&a, &b};
  MerkleLevel msg = a.Start();
  *messages = 1;
  for (int turn = 1;; turn ^= 1) {
    Result<MerkleReply> r = side[turn]->Answer(msg);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (r->kind == MerkleReply::Kind::kInSync) {
      return {};
    }
    ++*messages;
    if (r->kind == MerkleReply::Kind::kLeaves) {
      Result<std::vector<KeyDiff>> d = side[turn ^ 1]->DiffLeaves(r->leaves);
      EXPECT_TRUE(d.ok()) << d.status().message();
      std::vector<KeyDiff> out = *d;
      if (turn == 0) {  // b computed it: swap the points of view
        for (KeyDiff& k : out) {
          std::swap(k.has_local, k.has_remote);
          std::swap(k.local_state, k.remote_state);
        }
      }
      return out;
    }
    msg = r->level;
  }
}

struct Stores {
  std::vector<Item> common;
  std::vector<KeyDiff> truth;  // sorted
};

// Fills a and b with `common` shared keys and `d` planted differing keys.
Stores Plant(Prng& rng, MerkleTree& a, MerkleTree& b, size_t common, size_t d) {
  Stores s;
  for (size_t i = 0; i < common; ++i) {
    const Item it{rng.Next64(), rng.Next64()};
    a.Upsert(it);
    b.Upsert(it);
    s.common.push_back(it);
  }
  for (size_t i = 0; i < d; ++i) {
    const uint64_t kind = rng.Uniform(3);
    if (kind == 0) {
      const Item it{rng.Next64(), rng.Next64()};
      a.Upsert(it);
      s.truth.push_back({it.key_hash, true, it.state_hash, false, 0});
    } else if (kind == 1) {
      const Item it{rng.Next64(), rng.Next64()};
      b.Upsert(it);
      s.truth.push_back({it.key_hash, false, 0, true, it.state_hash});
    } else if (!s.common.empty()) {
      // Change a shared key on one side only.
      const Item old = s.common[rng.Uniform(s.common.size())];
      if (a.Find(old.key_hash) != b.Find(old.key_hash)) {
        continue;  // already planted
      }
      const Item changed{old.key_hash, rng.Next64()};
      b.Upsert(changed);
      s.truth.push_back({old.key_hash, true, old.state_hash, true, changed.state_hash});
    }
  }
  std::sort(s.truth.begin(), s.truth.end(),
            [](const KeyDiff& x, const KeyDiff& y) { return x.key_hash < y.key_hash; });
  return s;
}

TEST(MerkleTest, PlantedDifferencesGiveExactlyThoseKeys) {
  for (size_t d : {1, 2, 10, 100, 1000, 10000}) {
    Prng rng(d);
    MerkleTree a(kHasher, {4, 3}), b(kHasher, {4, 3});
    const Stores s = Plant(rng, a, b, 50000, d);
    int messages = 0;
    EXPECT_EQ(Exchange(a, b, &messages), s.truth) << "d=" << d;
    EXPECT_EQ(messages, 5) << "d=" << d;  // levels 0..3, then the leaves
  }
}

TEST(MerkleTest, InSyncAtTheRoot) {
  Prng rng(5);
  MerkleTree a(kHasher, {4, 3}), b(kHasher, {4, 3});
  Plant(rng, a, b, 1000, 0);
  EXPECT_EQ(a.root(), b.root());
  int messages = 0;
  EXPECT_TRUE(Exchange(a, b, &messages).empty());
  EXPECT_EQ(messages, 1);
}

TEST(MerkleTest, OneSideEmpty) {
  Prng rng(6);
  MerkleTree a(kHasher, {2, 2}), b(kHasher, {2, 2});
  std::vector<KeyDiff> truth;
  for (int i = 0; i < 300; ++i) {
    const Item it{rng.Next64(), rng.Next64()};
    b.Upsert(it);
    truth.push_back({it.key_hash, false, 0, true, it.state_hash});
  }
  std::sort(truth.begin(), truth.end(),
            [](const KeyDiff& x, const KeyDiff& y) { return x.key_hash < y.key_hash; });
  int messages = 0;
  EXPECT_EQ(Exchange(a, b, &messages), truth);
}

RC_GTEST_PROP(MerkleProperty, UpdatesInAnyOrderGiveTheSameTree, (std::vector<uint64_t> keys)) {
  // Insert, change and erase in one order; insert the survivors in reverse: same hashes.
  MerkleTree a(kHasher, {3, 2}), b(kHasher, {3, 2});
  std::vector<Item> final_items;
  for (size_t i = 0; i < keys.size(); ++i) {
    const uint64_t k = keys[i];
    a.Upsert({k, i});
    if (i % 3 == 0) {
      a.Upsert({k, i + 1000});
    }
    if (i % 7 == 0) {
      a.Erase(k);
    }
  }
  for (size_t i = keys.size(); i-- > 0;) {
    if (auto it = a.Find(keys[i]); it && !b.Find(keys[i])) {
      b.Upsert(*it);
    }
  }
  RC_ASSERT(a.item_count() == b.item_count());
  for (uint32_t l = 0; l <= a.depth(); ++l) {
    for (uint64_t n = 0; n < a.node_count(l); ++n) {
      RC_ASSERT(a.hash(l, n) == b.hash(l, n));
    }
  }
  if (a.item_count() == 0) {
    RC_ASSERT(a.root() == 0u);
  }
}

RC_GTEST_PROP(MerkleProperty, RandomStoresGivePlantedKeys, (uint16_t common, uint8_t d)) {
  Prng rng(uint64_t{common} << 8 | d);
  MerkleTree a(kHasher, {2, 3}), b(kHasher, {2, 3});
  const Stores s = Plant(rng, a, b, common % 3000, d % 64);
  int messages = 0;
  RC_ASSERT(Exchange(a, b, &messages) == s.truth);
}

TEST(MerkleTest, GarbageMessagesAreErrors) {
  MerkleTree t(kHasher, {4, 2});
  t.Upsert({1, 2});
  EXPECT_FALSE(t.Answer(MerkleLevel{3, {0}, {0}}).ok());                      // below the leaves
  EXPECT_FALSE(t.Answer(MerkleLevel{1, {0, 1}, {0}}).ok());                   // sizes differ
  EXPECT_FALSE(t.Answer(MerkleLevel{1, {16}, {0}}).ok());                     // out of range
  EXPECT_FALSE(t.Answer(MerkleLevel{1, {3, 3}, {0, 0}}).ok());                // not ascending
  EXPECT_FALSE(t.DiffLeaves(MerkleLeaves{{0}, {2}, {{1, 1}}}).ok());          // count too big
  EXPECT_FALSE(t.DiffLeaves(MerkleLeaves{{0}, {0}, {{1, 1}}}).ok());          // items left over
  EXPECT_FALSE(t.DiffLeaves(MerkleLeaves{{0}, {1}, {{~0ULL, 1}}}).ok());      // wrong leaf
  EXPECT_FALSE(t.DiffLeaves(MerkleLeaves{{0}, {2}, {{5, 1}, {4, 1}}}).ok());  // unsorted
  EXPECT_FALSE(t.DiffLeaves(MerkleLeaves{{300}, {0}, {}}).ok());              // out of range
  EXPECT_TRUE(t.DiffLeaves(MerkleLeaves{{0}, {1}, {{1, 2}}}).ok());
}

TEST(MerkleTest, WireBytes) {
  EXPECT_EQ(WireBytes(MerkleLevel{0, {0}, {1}}, 16), 16u);
  EXPECT_EQ(WireBytes(MerkleLevel{1, std::vector<uint64_t>(16), std::vector<uint64_t>(16)}, 16),
            8u + 4 + 128);
  EXPECT_EQ(WireBytes(MerkleLeaves{{1, 2}, {1, 0}, {{1, 1}}}), 8u + 16 + 16);
}

}  // namespace
}  // namespace starling::riblt
