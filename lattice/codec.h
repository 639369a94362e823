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

}  // namespace starling::lattice
