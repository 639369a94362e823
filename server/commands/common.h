// Helpers shared by command families: typed key lookup with Redis's WRONGTYPE reply, and
// the expire-option parsing that SET, GETEX and the EXPIRE family share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lattice/object.h"
#include "server/command.h"
#include "server/errors.h"
#include "server/node.h"

namespace starling::server {

// The live object under key if it holds type t; null if the key does not exist. If it holds
// another type, replies WRONGTYPE, sets *wrongtype and returns null.
inline const lattice::Object* LookupTyped(CommandContext& ctx, std::string_view key,
                                          lattice::KeyType t, bool* wrongtype,
                                          bool count_stats = true) {
  *wrongtype = false;
  const lattice::Object* o = ctx.node.Lookup(key, count_stats);
  if (o && o->Type() != t) {
    *wrongtype = true;
    ctx.Error(err::kWrongType);
    return nullptr;
  }
  return o;
}

// An absolute expiry (Unix ms) from a relative or absolute amount in seconds or ms, as
// Redis computes it; nullopt when it overflows. `unit_ms` is 1000 for seconds.
inline std::optional<int64_t> AbsoluteExpiryMs(int64_t amount, int64_t unit_ms, bool absolute,
                                               int64_t now_ms) {
  int64_t ms;
  if (__builtin_mul_overflow(amount, unit_ms, &ms)) return std::nullopt;
  if (!absolute && __builtin_add_overflow(ms, now_ms, &ms)) return std::nullopt;
  return ms;
}

// Redis's string-value reply for a string object (GET, GETDEL...).
void ReplyStringValue(CommandContext& ctx, const lattice::Object& o);

}  // namespace starling::server
