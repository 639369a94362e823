#include "gossip/riblt/range_digest.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "base/random.h"

namespace starling::riblt {
namespace {

const ItemHasher kHasher("digest-secret");

// prefix + number. (Not `"literal" + std::to_string(n)`: GCC 12 at -O3 warns falsely on it,
// -Wrestrict, GCC bug 105329.)
std::string Str(const char* prefix, uint64_t n) {
  std::string s(prefix);
  s.append(std::to_string(n));
  return s;
}

struct Replicas {
  RangeDigest local, remote;
  std::set<std::string> differing;
  explicit Replicas(size_t sketch)
      : local(kHasher, {4, 2}, sketch), remote(kHasher, {4, 2}, sketch) {}
};

// `common` keys on both; then `d` keys deleted at, added at or changed at the remote side.
void Plant(Replicas& r, Prng& rng, size_t common, size_t d) {
  for (size_t i = 0; i < common; ++i) {
    const std::string key = Str("key:", i);
    const std::string state = Str("v", rng.Next64());
    r.local.Set(key, state);
    r.remote.Set(key, state);
  }
  for (size_t i = 0; i < d; ++i) {
    const std::string key = Str("key:", i * 7);  // distinct for d < common / 7
    switch (rng.Uniform(3)) {
      case 0:
        r.remote.Set(key, std::nullopt);
        break;
      case 1:
        r.remote.Set(Str("new:", i), "x");
        r.differing.insert(Str("new:", i));
        continue;
      default:
        r.remote.Set(key, Str("changed", rng.Next64()));
    }
    r.differing.insert(key);
  }
}

// Streams remote -> local in batches of `batch`; returns the differing keys found.
std::set<std::string> Reconcile(const Replicas& r, size_t batch, size_t cap, DecodeState* end) {
  SymbolStream sender(r.remote);
  RibltReceiver receiver(r.local, cap);
  std::vector<CodedSymbol<Item>> out;
  std::vector<WireSymbol> wire;
  Result<DecodeState> st = DecodeState::kNeedMore;
  while (st.ok() && *st == DecodeState::kNeedMore) {
    out.clear();
    wire.clear();
    EXPECT_TRUE(sender.Produce(batch, &out).ok());
    for (const auto& c : out) {
      wire.push_back(ToWire(c));
    }
    st = receiver.AddBatch(wire);
  }
  EXPECT_TRUE(st.ok());
  *end = *st;
  std::set<std::string> keys;
  if (*st != DecodeState::kDone) {
    return keys;
  }
  for (const KeyDiff& k : receiver.Diffs()) {
    const std::string* key = k.has_local ? r.local.KeyOf(k.key_hash) : r.remote.KeyOf(k.key_hash);
    EXPECT_NE(key, nullptr);
    if (key != nullptr) {
      keys.insert(*key);
    }
  }
  return keys;
}

TEST(RangeDigestTest, ReconcilesWithinTheSketch) {
  Prng rng(1);
  Replicas r(4096);
  Plant(r, rng, 20000, 300);
  DecodeState end;
  EXPECT_EQ(Reconcile(r, 64, 4096, &end), r.differing);
  EXPECT_EQ(end, DecodeState::kDone);
}

TEST(RangeDigestTest, ReconcilesPastTheSketch) {
  Prng rng(2);
  Replicas r(128);  // far too small: both sides continue with an Encoder
  Plant(r, rng, 20000, 1000);
  DecodeState end;
  EXPECT_EQ(Reconcile(r, 100, 10000, &end), r.differing);
  EXPECT_EQ(end, DecodeState::kDone);
}

TEST(RangeDigestTest, IdenticalReplicasSettleAfterOneSymbol) {
  Prng rng(3);
  Replicas r(1024);
  Plant(r, rng, 5000, 0);
  SymbolStream sender(r.remote);
  RibltReceiver receiver(r.local, 100);
  std::vector<CodedSymbol<Item>> out;
  ASSERT_TRUE(sender.Produce(1, &out).ok());
  const WireSymbol w = ToWire(out[0]);
  Result<DecodeState> st = receiver.AddBatch(std::span<const WireSymbol>(&w, 1));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(*st, DecodeState::kDone);
  EXPECT_TRUE(receiver.Diffs().empty());
}

TEST(RangeDigestTest, CapStopsAnEndlessStream) {
  Prng rng(4);
  Replicas r(256);
  Plant(r, rng, 3000, 400);  // needs ~540 symbols
  DecodeState end;
  EXPECT_TRUE(Reconcile(r, 50, 200, &end).empty());
  EXPECT_EQ(end, DecodeState::kCapExceeded);
}

TEST(RangeDigestTest, ChangePastTheSketchFailsTheStream) {
  Prng rng(5);
  Replicas r(16);
  Plant(r, rng, 100, 0);
  SymbolStream s(r.local);
  std::vector<CodedSymbol<Item>> out;
  ASSERT_TRUE(s.Produce(10, &out).ok());
  r.local.Set("late", "write");
  EXPECT_TRUE(s.Produce(6, &out).ok());  // still within the copied sketch
  EXPECT_FALSE(s.Produce(1, &out).ok());
}

TEST(RangeDigestTest, SetKeepsTreeSketchAndKeysConsistent) {
  RangeDigest a(kHasher, {3, 2}, 200), b(kHasher, {3, 2}, 200);
  a.Set("x", "1");
  a.Set("y", "2");
  a.Set("x", "3");
  const uint64_t v = a.version();
  a.Set("x", "3");  // no change
  EXPECT_EQ(a.version(), v);
  a.Set("z", "4");
  a.Set("y", std::nullopt);
  b.Set("z", "4");
  b.Set("x", "3");
  EXPECT_EQ(a.tree().root(), b.tree().root());
  EXPECT_TRUE(std::equal(a.sketch().symbols().begin(), a.sketch().symbols().end(),
                         b.sketch().symbols().begin()));
  EXPECT_EQ(a.item_count(), 2u);
  EXPECT_EQ(*a.KeyOf(kHasher.KeyHash("x")), "x");
  EXPECT_EQ(a.KeyOf(kHasher.KeyHash("y")), nullptr);
}

}  // namespace
}  // namespace starling::riblt
