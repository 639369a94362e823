// Canonical binary encoding of lattice states: Cap'n Proto (lattice/schema/object.capnp),
// packed. This is the form keys take in LevelDB and in peer messages.
//
// Canonical: the encoder walks the state in its sorted order and builds the message the
// same way every time, so equal states encode to equal bytes (anti-entropy hashes them).
// Decoding is defensive: a truncated or garbled input gives a Corruption status, never a
// crash, and a decoded state satisfies the invariants the lattice code relies on (ranges
// well formed, no duplicate dots or keys, every live dot inside the context, known type
// tags). Cap'n Proto's traversal and nesting limits bound the work of hostile input.
//
// Thread-compatible: no shared state.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "lattice/causal_context.h"
#include "lattice/object.h"

namespace starling::lattice {

// Appends the encoding of o to *out.
void EncodeObject(const Object& o, std::string* out);
inline std::string EncodeObject(const Object& o) {
  std::string s;
  EncodeObject(o, &s);
  return s;
}
Result<Object> DecodeObject(std::string_view bytes);

void EncodeContext(const CausalContext& c, std::string* out);
Result<CausalContext> DecodeContext(std::string_view bytes);

// ---- Storage rows. An object is stored as a head (context, tags, TTL, string value: an
// Object without collection elements) and one row per collection element, keyed by the
// element (member, field, or encoded list position). Joining the decoded head with every
// decoded element gives back the object exactly (property-tested).

enum class ElemKind : uint8_t { kSet = 1, kHash = 2, kZset = 3, kList = 4 };

void EncodeHead(const Object& o, std::string* out);
Result<Object> DecodeHead(std::string_view bytes);

// Encodes the current state of one element of `o` (kind, key bytes as in the row key).
// Returns false if the element is absent (its row is to be deleted).
bool EncodeElement(const Object& o, ElemKind kind, std::string_view elem, std::string* out);
// Decodes an element row into `o`, whose head (context) is already decoded: the element's
// dots must lie in o's context.
Status DecodeElementInto(Object& o, ElemKind kind, std::string_view elem, std::string_view bytes);
// Finishes an object assembled from rows (rebuilds derived indexes, normalises).
void FinishAssembly(Object& o);

// Visits every element row an object has: (kind, element key bytes).
template <typename F>
void ForEachElement(const Object& o, F&& f);
// Visits every element row that `delta` may have changed (the elements it lists, its counter
// runs). For a full-state delta, callers rewrite every row instead.
template <typename F>
void ForEachTouchedElement(const Object& delta, F&& f);

// Order-preserving bytes of a list position (24 bytes per level) and back.
std::string EncodePosition(const Position& p);
Result<Position> DecodePosition(std::string_view bytes);

template <typename F>
void ForEachElement(const Object& o, F&& f) {
  const KeyStore& st = o.store;
  if (st.set) {
    for (const auto& [k, v] : st.set->map()) f(ElemKind::kSet, std::string_view(k.str));
  }
  if (st.hash) {
    for (const auto& [k, v] : st.hash->fields.map()) f(ElemKind::kHash, std::string_view(k.str));
    for (const auto& [k, r] : st.hash->runs) {
      if (!st.hash->fields.Find(k)) f(ElemKind::kHash, std::string_view(k.str));
    }
  }
  if (st.zset) {
    for (const auto& [k, v] : st.zset->members().map()) f(ElemKind::kZset, std::string_view(k.str));
    for (const auto& [k, r] : st.zset->runs()) {
      if (!st.zset->members().Find(k)) f(ElemKind::kZset, std::string_view(k.str));
    }
  }
  if (st.list) {
    for (auto it = st.list->elems().begin(); it != st.list->elems().end(); ++it) {
      f(ElemKind::kList, std::string_view(EncodePosition(it.key())));
    }
  }
}

template <typename F>
void ForEachTouchedElement(const Object& delta, F&& f) {
  const KeyStore& st = delta.store;
  if (st.set) {
    for (const auto& [k, v] : st.set->map()) f(ElemKind::kSet, std::string_view(k.str));
  }
  if (st.hash) {
    for (const auto& [k, v] : st.hash->fields.map()) f(ElemKind::kHash, std::string_view(k.str));
    for (const auto& [k, r] : st.hash->runs) f(ElemKind::kHash, std::string_view(k.str));
  }
  if (st.zset) {
    for (const auto& [k, v] : st.zset->members().map()) f(ElemKind::kZset, std::string_view(k.str));
    for (const auto& [k, r] : st.zset->runs()) f(ElemKind::kZset, std::string_view(k.str));
  }
  if (st.list) {
    for (auto it = st.list->elems().begin(); it != st.list->elems().end(); ++it) {
      f(ElemKind::kList, std::string_view(EncodePosition(it.key())));
    }
  }
}

}  // namespace starling::lattice
