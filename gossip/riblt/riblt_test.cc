#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "base/random.h"
#include "gossip/riblt/coded_symbol.h"
#include "gossip/riblt/decoder.h"
#include "gossip/riblt/encoder.h"
#include "gossip/riblt/item.h"
#include "gossip/riblt/key_diff.h"
#include "gossip/riblt/sketch.h"

namespace starling::riblt {
namespace {

// ---- The worked example of shared/riblt-vectors.md: uint64 items, SipHash-2-4 checksums.

uint64_t Rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

void SipRound(uint64_t& v0, uint64_t& v1, uint64_t& v2, uint64_t& v3) {
  v0 += v1;
  v1 = Rotl(v1, 13);
  v1 ^= v0;
  v0 = Rotl(v0, 32);
  v2 += v3;
  v3 = Rotl(v3, 16);
  v3 ^= v2;
  v0 += v3;
  v3 = Rotl(v3, 21);
  v3 ^= v0;
  v2 += v1;
  v1 = Rotl(v1, 17);
  v1 ^= v2;
  v2 = Rotl(v2, 32);
}

// SipHash-2-4 of the 8 little-endian bytes of m.
uint64_t SipHash24(uint64_t k0, uint64_t k1, uint64_t m) {
  uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
  uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
  for (uint64_t block : {m, uint64_t{8} << 56}) {
    v3 ^= block;
    SipRound(v0, v1, v2, v3);
    SipRound(v0, v1, v2, v3);
    v0 ^= block;
  }
  v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) {
    SipRound(v0, v1, v2, v3);
  }
  return v0 ^ v1 ^ v2 ^ v3;
}

struct SipChecksum {
  uint64_t operator()(uint64_t x) const { return SipHash24(123, 456, x); }
};

HashedItem<uint64_t> Sip(uint64_t x) { return {x, SipChecksum()(x)}; }

using Sym = CodedSymbol<uint64_t>;

std::vector<Sym> EncodeU64(const std::vector<uint64_t>& set, size_t n) {
  Encoder<uint64_t> e;
  for (uint64_t x : set) {
    e.Add(Sip(x));
  }
  std::vector<Sym> out;
  e.Produce(n, &out);
  return out;
}

const std::vector<uint64_t> kAlice = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
const std::vector<uint64_t> kBob = {1, 3, 4, 5, 6, 7, 8, 9, 10, 11};

TEST(RibltVectorsTest, SipHashChecksums) {
  EXPECT_EQ(SipChecksum()(1), 0x04a6d787ba66d8c3ULL);
  EXPECT_EQ(SipChecksum()(2), 0x97f782e3d8f63f8cULL);
  EXPECT_EQ(SipChecksum()(11), 0x2b260e4f6e72c660ULL);
}

TEST(RibltVectorsTest, AliceSymbols) {
  const std::vector<Sym> want = {{11, 0x5905a501ee00b861ULL, 10}, {11, 0x1b06164669556a85ULL, 6},
                                 {2, 0xdd9d560de061f19bULL, 5},   {11, 0x3ad54e9aca96d220ULL, 5},
                                 {15, 0x750efabc842d2709ULL, 4},  {10, 0x74194df34867c4f4ULL, 4}};
  EXPECT_EQ(EncodeU64(kAlice, 6), want);
}

TEST(RibltVectorsTest, BobSymbols) {
  const std::vector<Sym> alice = EncodeU64(kAlice, 6);
  const std::vector<Sym> bob = EncodeU64(kBob, 6);
  EXPECT_EQ(bob[0], (Sym{2, 0xe5d429ad5884418dULL, 10}));
  EXPECT_EQ(bob[1], (Sym{0, 0x302018090727ace5ULL, 7}));
  EXPECT_EQ(bob[3], (Sym{9, 0xad22cc791260edacULL, 4}));
  EXPECT_EQ(bob[2], alice[2]);
  EXPECT_EQ(bob[4], alice[4]);
  EXPECT_EQ(bob[5], alice[5]);
}

TEST(RibltVectorsTest, SketchEqualsEncoder) {
  Sketch<uint64_t> s(6);
  for (uint64_t x : kAlice) {
    s.Add(Sip(x));
  }
  const std::vector<Sym> enc = EncodeU64(kAlice, 6);
  EXPECT_TRUE(std::equal(enc.begin(), enc.end(), s.symbols().begin()));
  // Alice's sketch, edited in place into Bob's.
  s.Remove(Sip(2));
  s.Add(Sip(11));
  const std::vector<Sym> bob = EncodeU64(kBob, 6);
  EXPECT_TRUE(std::equal(bob.begin(), bob.end(), s.symbols().begin()));
}

TEST(RibltVectorsTest, WorkedReconciliation) {
  // Alice minus Bob: Alice is the remote side, Bob the local one.
  const std::vector<Sym> alice = EncodeU64(kAlice, 6);
  const std::vector<Sym> bob = EncodeU64(kBob, 6);
  EXPECT_EQ(Subtract(alice[1], bob[1]), (Sym{11, SipChecksum()(11), -1}));
  Decoder<uint64_t, SipChecksum> d(SipChecksum{}, 100);
  EXPECT_EQ(d.Add(Subtract(alice[0], bob[0])), DecodeState::kNeedMore);
  EXPECT_EQ(d.Add(Subtract(alice[1], bob[1])), DecodeState::kDone);
  EXPECT_EQ(d.symbols(), 2u);
  EXPECT_EQ(d.local_only(), std::vector<HashedItem<uint64_t>>{Sip(11)});
  EXPECT_EQ(d.remote_only(), std::vector<HashedItem<uint64_t>>{Sip(2)});
}

// ---- Random sets of 16-byte items.

const ItemHasher kHasher("test-secret");
using ItemDecoder = Decoder<Item, ItemHasher>;

struct Planted {
  std::vector<Item> local, remote;  // the two replicas' sets
  std::vector<KeyDiff> truth;       // sorted by key hash
  size_t elements = 0;              // size of the symmetric difference as a set of items
};

// `common` shared keys; then `d` differing elements split between keys only at the local
// side, keys only at the remote side and keys whose state differs (two elements each).
Planted Plant(Prng& rng, size_t common, size_t d) {
  Planted p;
  for (size_t i = 0; i < common; ++i) {
    Item it{rng.Next64(), rng.Next64()};
    p.local.push_back(it);
    p.remote.push_back(it);
  }
  while (p.elements < d) {
    const uint64_t key = rng.Next64();
    const uint64_t kind = d - p.elements >= 2 ? rng.Uniform(3) : rng.Uniform(2);
    if (kind == 0) {
      const Item it{key, rng.Next64()};
      p.local.push_back(it);
      p.truth.push_back({key, true, it.state_hash, false, 0});
      p.elements += 1;
    } else if (kind == 1) {
      const Item it{key, rng.Next64()};
      p.remote.push_back(it);
      p.truth.push_back({key, false, 0, true, it.state_hash});
      p.elements += 1;
    } else {
      const Item a{key, rng.Next64()}, b{key, rng.Next64()};
      p.local.push_back(a);
      p.remote.push_back(b);
      p.truth.push_back({key, true, a.state_hash, true, b.state_hash});
      p.elements += 2;
    }
  }
  std::sort(p.truth.begin(), p.truth.end(),
            [](const KeyDiff& a, const KeyDiff& b) { return a.key_hash < b.key_hash; });
  return p;
}

Encoder<Item> EncoderOf(const std::vector<Item>& set) {
  Encoder<Item> e;
  for (const Item& it : set) {
    e.Add(kHasher.Hashed(it));
  }
  return e;
}

// Streams the difference in batches until the decoder is done or refuses more.
ItemDecoder Reconcile(const Planted& p, size_t batch, size_t cap,
                      ItemDecoder::Companion companion = nullptr) {
  Encoder<Item> local = EncoderOf(p.local), remote = EncoderOf(p.remote);
  ItemDecoder d(kHasher, cap);
  d.set_companion(std::move(companion));
  std::vector<CodedSymbol<Item>> ls, rs, diff;
  while (d.state() == DecodeState::kNeedMore) {
    ls.clear();
    rs.clear();
    diff.clear();
    local.Produce(batch, &ls);
    remote.Produce(batch, &rs);
    for (size_t i = 0; i < batch; ++i) {
      diff.push_back(Subtract(rs[i], ls[i]));
    }
    d.AddBatch(diff);
  }
  return d;
}

TEST(RibltTest, IdenticalSetsSettleAfterOneSymbol) {
  Prng rng(1);
  const Planted p = Plant(rng, 5000, 0);
  const ItemDecoder d = Reconcile(p, 1, 1000);
  EXPECT_EQ(d.state(), DecodeState::kDone);
  EXPECT_EQ(d.symbols(), 1u);
  EXPECT_TRUE(d.local_only().empty());
  EXPECT_TRUE(d.remote_only().empty());
}

TEST(RibltTest, EmptySetsSettleAfterOneSymbol) {
  const ItemDecoder d = Reconcile(Planted{}, 1, 10);
  EXPECT_EQ(d.state(), DecodeState::kDone);
  EXPECT_EQ(d.symbols(), 1u);
}

TEST(RibltTest, RandomDifferencesDecodeExactly) {
  // d from 1 to 100,000; several seeds for the small ones, whose symbol counts vary most.
  struct Case {
    size_t d, seeds;
  };
  const Case cases[] = {{1, 20},  {2, 20},  {3, 20},   {5, 10},    {10, 10},   {31, 5},
                        {100, 5}, {317, 3}, {1000, 2}, {10000, 1}, {100000, 1}};
  for (const Case& c : cases) {
    for (uint64_t seed = 1; seed <= c.seeds; ++seed) {
      Prng rng(seed * 1000003 + c.d);
      const Planted p = Plant(rng, 20000, c.d);
      const size_t batch = std::max<size_t>(1, c.d / 8);
      const ItemDecoder d = Reconcile(p, batch, 4 * c.d + 200);
      ASSERT_EQ(d.state(), DecodeState::kDone) << "d=" << c.d << " seed=" << seed;
      EXPECT_EQ(MakeKeyDiffs(d.local_only(), d.remote_only()), p.truth)
          << "d=" << c.d << " seed=" << seed;
      if (c.d >= 1000) {
        EXPECT_LT(double(d.symbols()) / double(c.d), 1.6) << "d=" << c.d;
      }
    }
  }
}

RC_GTEST_PROP(RibltProperty, AnyDifferenceDecodesExactly, (uint16_t common, uint16_t diff)) {
  Prng rng(uint64_t{common} * 65537 + diff);
  const Planted p = Plant(rng, common % 2000, diff % 300);
  const ItemDecoder d = Reconcile(p, 1 + diff % 7, 10000);
  RC_ASSERT(d.state() == DecodeState::kDone);
  RC_ASSERT(MakeKeyDiffs(d.local_only(), d.remote_only()) == p.truth);
}

TEST(RibltTest, SketchMatchesEncoderAndEncoderContinuesSketch) {
  Prng rng(7);
  const Planted p = Plant(rng, 3000, 0);
  constexpr size_t kM = 500;
  Sketch<Item> s(kM);
  for (const Item& it : p.local) {
    s.Add(kHasher.Hashed(it));
  }
  Encoder<Item> full = EncoderOf(p.local);
  std::vector<CodedSymbol<Item>> want;
  full.Produce(kM + 300, &want);
  ASSERT_TRUE(std::equal(s.symbols().begin(), s.symbols().end(), want.begin()));
  // An encoder starting where the sketch ends, driven one symbol at a time.
  Encoder<Item> rest(kM);
  for (const Item& it : p.local) {
    rest.Add(kHasher.Hashed(it));
  }
  for (size_t i = kM; i < kM + 300; ++i) {
    ASSERT_EQ(rest.next_index(), i);
    ASSERT_EQ(rest.Next(), want[i]) << i;
  }
}

TEST(RibltTest, SketchEditsInPlaceEqualRebuild) {
  Prng rng(8);
  Planted p = Plant(rng, 2000, 0);
  Sketch<Item> s(300);
  for (const Item& it : p.local) {
    s.Add(kHasher.Hashed(it));
  }
  // Change the state of every third key, delete every fifth, add some.
  std::vector<Item> now;
  for (size_t i = 0; i < p.local.size(); ++i) {
    const Item& old = p.local[i];
    if (i % 5 == 0) {
      s.Remove(kHasher.Hashed(old));
    } else if (i % 3 == 0) {
      const Item changed{old.key_hash, rng.Next64()};
      s.Replace(kHasher.Hashed(old), kHasher.Hashed(changed));
      now.push_back(changed);
    } else {
      now.push_back(old);
    }
  }
  for (int i = 0; i < 100; ++i) {
    const Item it{rng.Next64(), rng.Next64()};
    s.Add(kHasher.Hashed(it));
    now.push_back(it);
  }
  Sketch<Item> rebuilt(300);
  std::vector<HashedItem<Item>> hashed;
  hashed.reserve(now.size());
  for (const Item& it : now) {
    hashed.push_back(kHasher.Hashed(it));
  }
  rebuilt.AddAll(hashed);
  EXPECT_TRUE(std::equal(s.symbols().begin(), s.symbols().end(), rebuilt.symbols().begin()));
}

TEST(RibltTest, SketchDifferenceDecodes) {
  // The reference's Sketch.Subtract then Decode: fixed-size sketches, one message.
  Prng rng(9);
  const Planted p = Plant(rng, 10000, 200);
  Sketch<Item> local(400), remote(400);
  for (const Item& it : p.local) {
    local.Add(kHasher.Hashed(it));
  }
  for (const Item& it : p.remote) {
    remote.Add(kHasher.Hashed(it));
  }
  remote.SubtractInPlace(local);
  ItemDecoder d(kHasher, 400);
  EXPECT_EQ(d.AddBatch(remote.symbols()), DecodeState::kDone);
  EXPECT_EQ(MakeKeyDiffs(d.local_only(), d.remote_only()), p.truth);
}

TEST(RibltTest, CompanionPeelsTheLocalStateOfAChangedKey) {
  size_t with = 0, without = 0;
  for (size_t d : {2, 10, 100, 1000, 10000}) {
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      Prng rng(seed * 7919 + d);
      const Planted p = Plant(rng, 5000, d);
      std::unordered_map<uint64_t, Item> local;
      for (const Item& it : p.local) {
        local[it.key_hash] = it;
      }
      const ItemDecoder a = Reconcile(p, 1, 10 * d + 100);
      const ItemDecoder b = Reconcile(
          p, 1, 10 * d + 100, [&](const HashedItem<Item>& r) -> std::optional<HashedItem<Item>> {
            auto it = local.find(r.item.key_hash);
            if (it == local.end() || it->second.state_hash == r.item.state_hash) {
              return std::nullopt;
            }
            return kHasher.Hashed(it->second);
          });
      ASSERT_EQ(a.state(), DecodeState::kDone);
      ASSERT_EQ(b.state(), DecodeState::kDone);
      EXPECT_EQ(MakeKeyDiffs(b.local_only(), b.remote_only()), p.truth) << d << " " << seed;
      with += b.symbols();
      without += a.symbols();
    }
  }
  // A third of the keys changed state, so about half the elements come in pairs.
  EXPECT_LT(double(with), 0.9 * double(without));
}

TEST(RibltTest, WireCountRoundTrips) {
  const int64_t locals[] = {0, 1, 5, 1000000, 8388607, -3};
  const int64_t deltas[] = {0, 1, -1, 100000, -100000, 8388607, -8388608};
  for (int64_t local : locals) {
    for (int64_t delta : deltas) {
      const int64_t remote = local + delta;
      EXPECT_EQ(RestoreCount(WireCount(remote), local), remote) << local << " " << delta;
    }
  }
}

// ---- Hostile input.

TEST(RibltTest, GarbageSymbolsAreCutOffByTheCap) {
  Prng rng(10);
  ItemDecoder d(kHasher, 1000);
  for (int i = 0; i < 5000; ++i) {
    CodedSymbol<Item> c{{rng.Next64(), rng.Next64()}, rng.Next64(), rng.Range(-5, 5)};
    d.Add(c);
  }
  EXPECT_EQ(d.state(), DecodeState::kCapExceeded);
  EXPECT_EQ(d.symbols(), 1000u);
}

TEST(RibltTest, PureLookingGarbageIsBounded) {
  // Every symbol is a well-formed pure symbol of a random item: each decodes and its peeling
  // scribbles over the others. The work and the output stay bounded by the cap.
  Prng rng(11);
  ItemDecoder d(kHasher, 2000);
  std::vector<CodedSymbol<Item>> batch;
  for (int round = 0; round < 50; ++round) {
    batch.clear();
    for (int i = 0; i < 100; ++i) {
      const Item it{rng.Next64(), rng.Next64()};
      batch.push_back({it, kHasher.Checksum(it), rng.Bernoulli(0.5) ? 1 : -1});
    }
    d.AddBatch(batch);
  }
  EXPECT_NE(d.state(), DecodeState::kNeedMore);
  EXPECT_LE(d.symbols(), 2000u);
  EXPECT_LE(d.local_only().size() + d.remote_only().size(), 2 * 2000u + 16);
}

TEST(RibltTest, MostlyZeroGarbageStaysCheap) {
  // One live impure symbol then zeros, one at a time: the end-game pair search must not
  // rescan the stream on every arrival (quadratic; this test would take minutes).
  ItemDecoder d(kHasher, 200000);
  d.Add(CodedSymbol<Item>{{1, 2}, 3, 2});
  for (int i = 1; i < 200001; ++i) {
    d.Add(CodedSymbol<Item>{});
  }
  EXPECT_EQ(d.state(), DecodeState::kCapExceeded);
  EXPECT_EQ(d.symbols(), 200000u);
}

TEST(RibltTest, NeverEndingStreamStopsAtCap) {
  // A peer whose set is far larger than the cap allows: an honest but endless stream.
  Prng rng(12);
  const Planted p = Plant(rng, 0, 5000);
  const ItemDecoder d = Reconcile(p, 64, 1024);
  EXPECT_EQ(d.state(), DecodeState::kCapExceeded);
  EXPECT_EQ(d.symbols(), 1024u);
}

TEST(RibltTest, SymbolsInFlightAfterDoneAreHarmless) {
  Prng rng(13);
  const Planted p = Plant(rng, 1000, 20);
  Encoder<Item> local = EncoderOf(p.local), remote = EncoderOf(p.remote);
  ItemDecoder d(kHasher, 100);
  while (d.symbols() < 100) {
    d.Add(Subtract(remote.Next(), local.Next()));
  }
  ASSERT_EQ(d.state(), DecodeState::kDone);
  EXPECT_EQ(d.Add(Subtract(remote.Next(), local.Next())), DecodeState::kDone);  // past the cap
  EXPECT_EQ(MakeKeyDiffs(d.local_only(), d.remote_only()), p.truth);
}

TEST(RibltTest, ItemHasherIsKeyedAndDeterministic) {
  const ItemHasher a("secret-a"), a2("secret-a"), b("secret-b");
  EXPECT_EQ(a.MakeItem("k", "v"), a2.MakeItem("k", "v"));
  EXPECT_NE(a.MakeItem("k", "v"), b.MakeItem("k", "v"));
  EXPECT_NE(a.KeyHash("x"), a.StateHash("x"));
  const Item it = a.MakeItem("k", "v");
  EXPECT_EQ(a.Checksum(it), a2.Checksum(it));
  EXPECT_NE(a.Checksum(it), b.Checksum(it));
}

}  // namespace
}  // namespace starling::riblt
