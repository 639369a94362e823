#include "lattice/codec.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>

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
  c.InsertRange(UINT64_MAX, kMaxDotCounter - 1, kMaxDotCounter);
  std::string bytes;
  EncodeContext(c, &bytes);
  Result<CausalContext> back = DecodeContext(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, c);
}

}  // namespace
}  // namespace starling::lattice

namespace starling::lattice {
namespace {

// An object split into storage rows and assembled again is the same object.
Object Reassemble(const Object& o, bool* ok) {
  std::string head;
  EncodeHead(o, &head);
  Result<Object> back = DecodeHead(head);
  *ok = back.ok();
  if (!back.ok()) return Object();
  Object out = std::move(*back);
  ForEachElement(o, [&](ElemKind kind, std::string_view elem) {
    std::string row;
    if (!EncodeElement(o, kind, elem, &row)) {
      *ok = false;
      return;
    }
    if (!DecodeElementInto(out, kind, elem, row).ok()) *ok = false;
  });
  FinishAssembly(out);
  return out;
}

RC_GTEST_PROP(CodecProp, RowsReassembleToTheObject, (uint64_t seed)) {
  testing::ObjectHistory h(seed);
  h.Run(80);
  for (size_t i = 0; i < h.replicas(); ++i) {
    bool ok = true;
    Object back = Reassemble(h.state(i), &ok);
    RC_ASSERT(ok);
    RC_ASSERT(back == h.state(i));
  }
}

// Applying a delta's touched rows to the rows of the state before gives the rows of the
// state after: what the storage engine relies on to write only touched elements.
RC_GTEST_PROP(CodecProp, TouchedRowsCoverEveryChange, (uint64_t seed)) {
  testing::ObjectHistory h(seed);
  h.Run(60);
  for (const auto& rec : h.records()) {
    if (!rec.delta.is_delta) continue;  // full-state deltas rewrite every row
    std::map<std::pair<int, std::string>, std::string> rows;
    ForEachElement(rec.before, [&](ElemKind k, std::string_view e) {
      std::string row;
      EncodeElement(rec.before, k, e, &row);
      rows[{static_cast<int>(k), std::string(e)}] = row;
    });
    ForEachTouchedElement(rec.delta, [&](ElemKind k, std::string_view e) {
      std::string row;
      if (EncodeElement(rec.after, k, e, &row)) {
        rows[{static_cast<int>(k), std::string(e)}] = row;
      } else {
        rows.erase({static_cast<int>(k), std::string(e)});
      }
    });
    std::map<std::pair<int, std::string>, std::string> want;
    ForEachElement(rec.after, [&](ElemKind k, std::string_view e) {
      std::string row;
      EncodeElement(rec.after, k, e, &row);
      want[{static_cast<int>(k), std::string(e)}] = row;
    });
    RC_ASSERT(rows == want);
  }
}

TEST(CodecTest, PositionBytesKeepOrder) {
  Position a{PosDigit{-5, Dot{1, 2}}}, b{PosDigit{3, Dot{1, 1}}},
      c{PosDigit{3, Dot{1, 1}}, PosDigit{INT64_MIN, Dot{}}};
  EXPECT_LT(EncodePosition(a), EncodePosition(b));
  EXPECT_LT(EncodePosition(b), EncodePosition(c));
  EXPECT_EQ(*DecodePosition(EncodePosition(c)), c);
  EXPECT_FALSE(DecodePosition("short").ok());
}

}  // namespace
}  // namespace starling::lattice
