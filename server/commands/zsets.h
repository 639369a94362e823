// Helpers shared by the sorted-set command files (zsets.cc, zsets_range.cc,
// zsets_setops.cc) and the blocking pops (blocking.cc).
//
// Reading a sorted set goes through its order index (lattice::ZsetStore::index(), an
// OrderTree of (score, member) in Redis order), so a rank or a score bound costs O(log n)
// and a range O(log n + m). Writing goes through the lattice mutators of
// lattice/zset_ops.h inside Node::Write.
//
// Runs on the node's thread inside the deterministic core; no clock or randomness beyond
// what the node hands out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lattice/object.h"
#include "server/command.h"

namespace starling::server::zsets {

using Index = lattice::ZsetStore::Index;
using ScoredMember = std::pair<std::string, double>;

// A score interval as Redis's zslParseRange reads it: "(" makes a bound exclusive, the rest
// goes through strtod (so "", " 1", "0x10" and "inf" are numbers; NaN is not).
struct ScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
};
std::optional<ScoreRange> ParseScoreRange(std::string_view min, std::string_view max);

// The ranks [first, last) of the index entries inside r. O(log n).
std::pair<size_t, size_t> ScoreRanks(const Index& index, const ScoreRange& r);

// A lexicographic interval as Redis's zslParseLexRange reads it: "[x" inclusive, "(x"
// exclusive, "-" and "+" the open ends.
struct LexBound {
  enum Kind { kMinusInf, kPlusInf, kValue } kind = kValue;
  std::string value;
  bool exclusive = false;
};
struct LexRange {
  LexBound min, max;
  bool GteMin(std::string_view s) const;
  bool LteMax(std::string_view s) const;
  // True when no string can be inside (min above max, or equal with an exclusive end).
  bool Empty() const;
};
std::optional<LexRange> ParseLexRange(std::string_view min, std::string_view max);

// Redis's lex-range walk (zzlFirstInLexRange / zzlLastInLexRange): the rank of the first
// (reverse: last) entry in rank order that is inside the range on the side the walk starts
// from, provided it is inside on the other side too; nullopt otherwise. Lex ranges assume
// all scores are equal: then this is a binary search, O(log n); otherwise a walk, O(n),
// which reproduces what Redis does on a small sorted set.
std::optional<size_t> FirstInLex(const Index& index, const LexRange& r);
std::optional<size_t> LastInLex(const Index& index, const LexRange& r);
// The number of entries from rank `from` (inclusive) on, in the walk's direction, that
// stay inside the range (forward: <= max; reverse: >= min).
size_t LexRunLength(const Index& index, size_t from, const LexRange& r, bool reverse);

// Replies members, with their scores if `withscores`: RESP2 a flat array (scores as bulk
// strings), RESP3 an array of [member, double] pairs, as Redis 7.0's zrange handler.
void ReplyMembers(CommandContext& ctx, std::span<const ScoredMember> items, bool withscores);

// The members at ranks [from, from + n) (reverse: counting down from rank `from`).
std::vector<ScoredMember> MembersByRank(const Index& index, size_t from, size_t n, bool reverse);

// Writes items as the whole new value of dst (ZRANGESTORE, ZUNIONSTORE...), replacing
// whatever dst held, or deletes dst when there are none. Replies the count.
void StoreAndReply(CommandContext& ctx, std::string_view dst, std::span<const ScoredMember> items);

// Removes and returns up to `count` members from the low (max: high) end of the sorted set
// under key, deleting the key when it empties. REQUIRES: key holds a sorted set.
std::vector<ScoredMember> PopMembers(Node& node, std::string_view key, bool max, size_t count);

// ZMPOP / BZMPOP arguments after numkeys_idx: numkeys key... MIN|MAX [COUNT count].
struct MpopArgs {
  std::vector<std::string_view> keys;
  bool max = false;
  int64_t count = 1;
};
// Parses as Redis's zmpopGenericCommand and lmpopGenericCommand (`where` words differ);
// replies the error and returns nullopt on failure.
std::optional<MpopArgs> ParseMpop(CommandContext& ctx, size_t numkeys_idx, std::string_view lo,
                                  std::string_view hi);

// Replies one pop the way Redis's genericZpopCommand does for ZMPOP / BZMPOP:
// [key, [[member, score], ...]].
void ReplyKeyAndPairs(CommandContext& ctx, std::string_view key,
                      std::span<const ScoredMember> popped);

// Registration of the range and set-operation tables (zsets_range.cc, zsets_setops.cc).
void RegisterZsetRangeCommands(CommandTable& table);
void RegisterZsetSetOpCommands(CommandTable& table);

}  // namespace starling::server::zsets
