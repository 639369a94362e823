#include "lattice/codec.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "lattice/object_gen.h"

namespace starling::lattice {
namespace {

using testing::ObjectHistory;

RC_GTEST_PROP(CodecProp, RoundTripIsIdentityAndCanonical, (uint64_t seed)) {
  ObjectHistory h(seed);
  h.Run(60);
  for (size_t i = 0; i < h.replicas(); ++i) {
    const Object& o = h.state(i);
    std::string bytes = EncodeObject(o);
    Result<Object> back = DecodeObject(bytes);
    RC_ASSERT(back.ok());
    RC_ASSERT(*back == o);
    RC_ASSERT(EncodeObject(*back) == bytes);
    // The derived sorted-set index is rebuilt on decode.
    if (back->zset()) RC_ASSERT(back->zset()->index().size() == back->zset()->size());
  }
  // Deltas (sparse, with touched keys) round-trip too.
  for (const auto& rec : h.records()) {
    std::string bytes = EncodeObject(rec.delta);
    Result<Object> back = DecodeObject(bytes);
    RC_ASSERT(back.ok());
    RC_ASSERT(*back == rec.delta);
    RC_ASSERT(back->is_delta == rec.delta.is_delta);
  }
}

RC_GTEST_PROP(CodecProp, EqualStatesEncodeEqual, (uint64_t seed)) {
  ObjectHistory h(seed);
  h.Run(60);
  // The same join reached in two orders is the same state, so the same bytes.
  Object a = h.state(0), b = h.state(1);
  a.Join(h.state(1));
  a.Join(h.state(2));
  b.Join(h.state(2));
  b.Join(h.state(0));
  RC_ASSERT(a == b);
  RC_ASSERT(EncodeObject(a) == EncodeObject(b));
}

// Garbage never crashes the decoder: random bytes, truncations and bit flips of real
// encodings. Whatever decodes is a state that re-encodes and decodes to itself.
RC_GTEST_PROP(CodecProp, GarbageNeverCrashes, (uint64_t seed)) {
  ObjectHistory h(seed);
  h.Run(40);
  std::string good = EncodeObject(h.state(0));
  Prng rng(seed ^ 0x9e3779b97f4a7c15ULL);
  for (int trial = 0; trial < 40; ++trial) {
    std::string bad;
    switch (trial % 4) {
      case 0:
        bad = rng.Bytes(rng.Uniform(200));
        break;
      case 1:
        bad = good.substr(0, rng.Uniform(good.size() + 1));
        break;
      case 2:
        bad = good;
        if (!bad.empty()) bad[rng.Uniform(bad.size())] ^= static_cast<char>(1 << rng.Uniform(8));
        break;
      default:
        bad = good;
        for (int k = 0; k < 4 && !bad.empty(); ++k) {
          bad[rng.Uniform(bad.size())] = static_cast<char>(rng.Uniform(256));
        }
        break;
    }
    Result<Object> o = DecodeObject(bad);
    if (o.ok()) {
      std::string again = EncodeObject(*o);
      Result<Object> o2 = DecodeObject(again);
      RC_ASSERT(o2.ok());
      RC_ASSERT(*o2 == *o);
    } else {
      RC_ASSERT(o.status().code() == StatusCode::kCorruption);
    }
  }
}

TEST(CodecTest, RejectsLiveDotOutsideContext) {
  Object o;
  o.store.tags.Insert(Dot{1, 5}, TypeTag{KeyType::kString, 1});
  Result<Object> r = DecodeObject(EncodeObject(o));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("outside the causal context"), std::string::npos);
}

TEST(CodecTest, RejectsUnknownTypeTagAndBadRange) {
  Object o;
  o.ctx.Insert(Dot{1, 1});
  o.store.tags.Insert(Dot{1, 1}, TypeTag{static_cast<KeyType>(9), 1});
  EXPECT_FALSE(DecodeObject(EncodeObject(o)).ok());
  EXPECT_FALSE(DecodeObject("").ok());
}

TEST(CodecTest, ContextRoundTrip) {
  CausalContext c;
  c.InsertRange(3, 1, 10);
  c.Insert(Dot{3, 20});
  c.InsertRange(UINT64_MAX, UINT64_MAX - 1, UINT64_MAX);
  std::string bytes;
  EncodeContext(c, &bytes);
  Result<CausalContext> back = DecodeContext(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, c);
}

}  // namespace
}  // namespace starling::lattice
