// Redis glob patterns (KEYS, SCAN MATCH, CONFIG GET, CLIENT KILL...): `*`, `?`, `[abc]`,
// `[^a]`, `[a-z]`, and `\` escapes, with Redis's stringmatchlen semantics, optionally
// case-insensitive. Binary safe. Iterative with a bounded backtrack, so a hostile pattern
// cannot blow the stack.
#pragma once

#include <string_view>

namespace starling::server {

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

// True if the pattern matches everything ("*"), so callers can skip matching.
inline bool GlobMatchesAll(std::string_view pattern) { return pattern == "*"; }

}  // namespace starling::server
