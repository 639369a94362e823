// Helpers shared by the set and hash command families (sets.cc, hashes.cc): SSCAN / HSCAN
// cursors over an element map, and the random picks behind SPOP, SRANDMEMBER and HRANDFIELD.
//
// An element map is a btree map keyed by lattice::ElemKey in (Hash64(bytes), bytes) order
// (lattice::SetStore::Map, the `fields` map of lattice::HashStore).
//
// Scan cursors work as Keyspace::Scan's: a cursor is (hash >> 1) + 1 of the element to resume
// from, so a full iteration returns every element present throughout, whatever is added or
// removed between calls (elements never move). A collection of at most kWholeScanMax
// elements is returned whole with cursor 0, as Redis does for its compact encodings.
//
// Random picks (RandomElement) are O(log n + kPickWindow): a random 64-bit point, the first
// element at or after it, then a random 0..W-1 steps on (W = kPickWindow). An element's
// chance is then proportional to the hash span of the W elements ending at it, which
// averages W exponential gaps (relative spread 1/sqrt(W)); a rejection step accepts a pick
// with probability min(1, L / span), L being half the mean span, which makes every element
// whose span is at least L (all but about 1% of them for W = 16, and those are at most a
// little less likely) exactly equally likely, at about two attempts per pick.
// Many picks from one map (a count of at least 1/kIndexRatio of its size) use exact methods
// instead, which then cost less: an index of the map for repeated picks, one pass of
// selection sampling for distinct ones. Maps of at most kExactPickMax elements are always
// picked from exactly. Randomness comes only from the Random passed in (the node's PRNG).
//
// Header only; runs on the node's thread inside the deterministic core.
#pragma once

#include <absl/container/flat_hash_set.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "lattice/elem_key.h"
#include "lattice/numbers.h"
#include "server/command.h"
#include "server/errors.h"
#include "server/glob.h"

namespace starling::server {

inline constexpr size_t kWholeScanMax = 128;
inline constexpr size_t kExactPickMax = 256;
inline constexpr size_t kPickWindow = 16;
inline constexpr uint64_t kIndexRatio = 16;
// SRANDMEMBER / HRANDFIELD with a negative count reply |count| elements. Redis builds such a
// reply however large (and a count near -2^63 exhausts its memory); Starling refuses counts
// beyond this bound with Redis's range error instead.
inline constexpr int64_t kMaxRepeatedPicks = int64_t{1} << 25;

// "ERR value is out of range, value must between -N and 9223372036854775807" (Redis's
// getRangeLongFromObjectOrReply wording).
inline std::string CountRangeError(int64_t min_abs) {
  return "ERR value is out of range, value must between -" + std::to_string(min_abs) +
         " and 9223372036854775807";
}

// A SRANDMEMBER / HRANDFIELD count as Redis parses it: an integer in [-INT64_MAX, INT64_MAX].
// Replies the error and returns nullopt otherwise.
inline std::optional<int64_t> ParseRandomCount(CommandContext& ctx, std::string_view arg) {
  std::optional<int64_t> v = lattice::ParseInt64(arg);
  if (!v) {
    ctx.Error(err::kNotInteger);
    return std::nullopt;
  }
  if (*v == INT64_MIN) {
    ctx.Error(CountRangeError(INT64_MAX));
    return std::nullopt;
  }
  return v;
}

// Starling's bound on a negative count (kMaxRepeatedPicks). Replies the error and returns
// false beyond it.
inline bool CheckRepeatedPicks(CommandContext& ctx, int64_t count) {
  if (count >= -kMaxRepeatedPicks)
    return true;
  ctx.Error(CountRangeError(kMaxRepeatedPicks));
  return false;
}

// Redis parses scan cursors with strtoul: a leading '+' or '-' is accepted ("-1" wraps to the
// largest cursor), leading blanks and trailing bytes are not.
inline std::optional<uint64_t> ParseScanCursor(std::string_view arg) {
  std::string s(arg);  // strtoull needs a NUL; an embedded NUL ends the number, as in Redis
  if (!s.empty() && std::isspace(static_cast<unsigned char>(s[0])))
    return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE)
    return std::nullopt;
  return static_cast<uint64_t>(v);
}

struct ScanOptions {
  size_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  bool Matches(std::string_view s) const { return !use_pattern || GlobMatch(pattern, s); }
};

// Parses SSCAN / HSCAN's [MATCH pattern] [COUNT count] from args[start] on, as Redis's
// scanGenericCommand: a non-integer COUNT is "not an integer", a COUNT below 1 or any other
// word a syntax error; a repeated option takes the last value. Replies the error and returns
// false on failure.
inline bool ParseScanOptions(CommandContext& ctx, size_t start, ScanOptions* o) {
  for (size_t i = start; i < ctx.args.size(); i += 2) {
    bool has_value = i + 1 < ctx.args.size();
    std::string_view opt = ctx.args[i];
    if (EqualsIgnoreCase(opt, "count") && has_value) {
      std::optional<int64_t> c = lattice::ParseInt64(ctx.args[i + 1]);
      if (!c) {
        ctx.Error(err::kNotInteger);
        return false;
      }
      if (*c < 1) {
        ctx.Error(err::kSyntax);
        return false;
      }
      o->count = static_cast<size_t>(*c);
    } else if (EqualsIgnoreCase(opt, "match") && has_value) {
      o->pattern = ctx.args[i + 1];
      o->use_pattern = !GlobMatchesAll(o->pattern);
    } else {
      ctx.Error(err::kSyntax);
      return false;
    }
  }
  return true;
}

// Visits elements of `map` in order from `cursor`, stopping after `count` visits at a point
// where the next element's cursor differs from the last visited one's. Returns the cursor to
// resume from, 0 at the end. A small map is visited whole (see the file comment).
template <typename Map, typename F>
uint64_t ScanElements(const Map& map, uint64_t cursor, size_t count, F&& visit) {
  if (map.size() <= kWholeScanMax) {
    for (auto it = map.begin(); it != map.end(); ++it)
      visit(it);
    return 0;
  }
  // Cursors are at most 2^63; a larger one is past the last element.
  if (cursor > (uint64_t{1} << 63))
    return 0;
  uint64_t start_hash = cursor == 0 ? 0 : (cursor - 1) << 1;
  auto it = map.lower_bound(lattice::ElemRef(start_hash, std::string_view()));
  size_t n = 0;
  while (it != map.end()) {
    if (n >= count && (it->first.hash >> 1) != (std::prev(it)->first.hash >> 1)) {
      return (it->first.hash >> 1) + 1;
    }
    visit(it);
    ++n;
    ++it;
  }
  return 0;
}

// A random element of a non-empty map (see the file comment for the distribution).
template <typename Map>
typename Map::const_iterator RandomElement(const Map& map, Random& random) {
  const size_t n = map.size();
  if (n <= kExactPickMax)
    return std::next(map.begin(), static_cast<ptrdiff_t>(random.Uniform(n)));
  auto forward = [&](typename Map::const_iterator it) {
    ++it;
    return it == map.end() ? map.begin() : it;
  };
  auto back = [&](typename Map::const_iterator it) {
    return std::prev(it == map.begin() ? map.end() : it);
  };
  // L: half the mean hash span of kPickWindow consecutive elements, 2^64 * W / (2n).
  const uint64_t half_mean_span =
      static_cast<uint64_t>((static_cast<unsigned __int128>(kPickWindow) << 63) / n);
  typename Map::const_iterator pick = map.begin();
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto first = map.lower_bound(lattice::ElemRef(random.Next64(), std::string_view()));
    if (first == map.end())
      first = map.begin();
    // pick = first + r; `low` = first - (W - r), the element W before the pick.
    uint64_t r = random.Uniform(kPickWindow);
    pick = first;
    for (uint64_t i = 0; i < r; ++i)
      pick = forward(pick);
    auto low = first;
    for (uint64_t i = r; i < kPickWindow; ++i)
      low = back(low);
    uint64_t span = pick->first.hash - low->first.hash;  // modulo 2^64: the span may wrap
    if (span <= half_mean_span)
      return pick;
    // Accept with probability half_mean_span / span.
    if (static_cast<unsigned __int128>(random.Next64()) * span <
        static_cast<unsigned __int128>(half_mean_span) << 64) {
      return pick;
    }
  }
  return pick;  // after 16 rejections (probability about 2^-16), the last candidate
}

// Visits `k` distinct random elements of map. REQUIRES: k < map.size(). When k is at least
// 1/kIndexRatio of the map, one pass of selection sampling (exactly uniform, O(n) = O(k), in
// map order); otherwise random picks with a seen-set (O(k) memory, about k*1.03 picks).
template <typename Map, typename F>
void ForEachDistinctRandom(const Map& map, uint64_t k, Random& random, F&& visit) {
  const uint64_t n = map.size();
  if (k * kIndexRatio >= n) {
    uint64_t need = k, left = n;
    for (auto it = map.begin(); it != map.end() && need > 0; ++it, --left) {
      if (random.Uniform(left) < need) {
        visit(it);
        --need;
      }
    }
    return;
  }
  absl::flat_hash_set<const void*> seen;
  seen.reserve(k);
  while (seen.size() < k) {
    auto it = RandomElement(map, random);
    if (seen.insert(&it->first).second)
      visit(it);
  }
}

// Visits `k` random elements of a non-empty map, repeats allowed. When the map is small or
// at most kIndexRatio times the number of picks, an index of it is built (O(k) memory) and
// the picks are exact; otherwise each is a RandomElement.
template <typename Map, typename F>
void ForEachRandomWithRepeats(const Map& map, uint64_t k, Random& random, F&& visit) {
  if (map.size() <= kExactPickMax || map.size() <= k * kIndexRatio) {
    std::vector<typename Map::const_iterator> index;
    index.reserve(map.size());
    for (auto it = map.begin(); it != map.end(); ++it)
      index.push_back(it);
    for (uint64_t i = 0; i < k; ++i)
      visit(index[random.Uniform(index.size())]);
    return;
  }
  for (uint64_t i = 0; i < k; ++i)
    visit(RandomElement(map, random));
}

}  // namespace starling::server
