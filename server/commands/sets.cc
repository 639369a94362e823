// Set commands (Redis "set" group). Replies, errors and their order are redis-server 7.0's.
//
// Reads use the set_ops.h views and the element map; every change is one Node::Write per
// key with the set_ops.h mutators, so it is a delta that replicates (DESIGN.md section 3:
// add-wins observed-remove set). Multi-key commands collect their result as views into the
// source objects and write nothing until it is complete, so a destination that is also a
// source is read before it is replaced. Randomness comes only from ctx.node.random().
#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lattice/set_ops.h"
#include "server/commands/collections.h"
#include "server/commands/common.h"
#include "server/session.h"

namespace starling::server {
namespace {

using lattice::ElemKey;
using lattice::ElemLess;
using lattice::KeyType;
using lattice::Mutation;
using lattice::Object;
using lattice::SetStore;
using Members = std::vector<std::string_view>;

// The set under key (null if missing); sets *wrong after replying WRONGTYPE.
const SetStore* LookupSet(CommandContext& ctx, std::string_view key, bool* wrong,
                          bool count_stats = true) {
  const Object* o = LookupTyped(ctx, key, KeyType::kSet, wrong, count_stats);
  return o ? o->set() : nullptr;
}

// The sets under keys, null for a missing key. Every key is checked for its type first (a
// WRONGTYPE anywhere wins over a missing key, as in Redis 7). False after replying.
bool LookupSets(CommandContext& ctx, std::span<const std::string_view> keys, bool count_stats,
                std::vector<const SetStore*>* sets) {
  sets->clear();
  for (std::string_view k : keys) {
    bool wrong;
    sets->push_back(LookupSet(ctx, k, &wrong, count_stats));
    if (wrong)
      return false;
  }
  return true;
}

void ReplyMembers(CommandContext& ctx, const Members& members) {
  ctx.reply().SetHeader(members.size());
  for (std::string_view m : members)
    ctx.reply().Bulk(m);
}

// ---- Pure operations on sets: results are views into the sets' elements.

// Calls visit(member) for each member of the intersection until it returns false. Any
// missing set makes the intersection empty. Iterates the smallest set.
template <typename F>
void ForEachInIntersection(std::vector<const SetStore*> sets, F&& visit) {
  for (const SetStore* s : sets) {
    if (!s)
      return;
  }
  std::sort(sets.begin(), sets.end(),
            [](const SetStore* a, const SetStore* b) { return a->size() < b->size(); });
  for (const auto& [elem, dots] : sets[0]->map()) {
    bool all = true;
    for (size_t j = 1; j < sets.size() && all; ++j) {
      all = sets[j] == sets[0] || sets[j]->Find(elem.ref()) != nullptr;
    }
    if (all && !visit(std::string_view(elem.str)))
      return;
  }
}

Members OpInter(const std::vector<const SetStore*>& sets) {
  Members out;
  ForEachInIntersection(sets, [&](std::string_view m) {
    out.push_back(m);
    return true;
  });
  return out;
}

// All sets share one element order, so a k-way merge yields the union in order with
// duplicates adjacent.
Members OpUnion(const std::vector<const SetStore*>& sets) {
  using It = SetStore::Map::const_iterator;
  struct Cursor {
    It it, end;
  };
  std::vector<Cursor> heap;
  size_t total = 0;
  for (const SetStore* s : sets) {
    if (s && s->size() > 0) {
      heap.push_back({s->map().begin(), s->map().end()});
      total += s->size();
    }
  }
  // A min-heap on the current element.
  auto after = [](const Cursor& a, const Cursor& b) {
    return ElemLess()(b.it->first, a.it->first);
  };
  std::make_heap(heap.begin(), heap.end(), after);
  Members out;
  out.reserve(heap.size() == 1 ? total : 0);
  const ElemKey* last = nullptr;
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), after);
    Cursor& c = heap.back();
    if (!last || !(*last == c.it->first)) {
      out.push_back(c.it->first.str);
      last = &c.it->first;
    }
    if (++c.it == c.end) {
      heap.pop_back();
    } else {
      std::push_heap(heap.begin(), heap.end(), after);
    }
  }
  return out;
}

// Members of the first set that are in none of the others.
Members OpDiff(const std::vector<const SetStore*>& sets) {
  Members out;
  const SetStore* first = sets[0];
  if (!first)
    return out;
  for (size_t j = 1; j < sets.size(); ++j) {
    if (sets[j] == first)
      return out;
  }
  for (const auto& [elem, dots] : first->map()) {
    bool keep = true;
    for (size_t j = 1; j < sets.size() && keep; ++j) {
      keep = !sets[j] || sets[j]->Find(elem.ref()) == nullptr;
    }
    if (keep)
      out.push_back(elem.str);
  }
  return out;
}

// Replaces dest with a set of `members` (deleting it when there are none) and replies the
// count. The members may be views into dest's own old value: they are read before the
// write is applied.
void StoreSet(CommandContext& ctx, std::string_view dest, const Members& members) {
  if (members.empty()) {
    ctx.node.Delete(dest);
    return ctx.reply().Integer(0);
  }
  ctx.node.Write(dest, [&](Mutation& m) {
    if (!m.obj().store.IsBottom())
      m.RemoveAll();  // any type, its TTL and all
    lattice::AddSetMembers(m, members);
  });
  ctx.reply().Integer(static_cast<int64_t>(members.size()));
}

// ---- Single-key commands.

void CmdSAdd(CommandContext& ctx) {
  bool wrong;
  LookupSet(ctx, ctx.args[1], &wrong, /*count_stats=*/false);
  if (wrong)
    return;
  size_t added = 0;
  ctx.node.Write(ctx.args[1],
                 [&](Mutation& m) { added = lattice::AddSetMembers(m, ctx.args.subspan(2)); });
  ctx.reply().Integer(static_cast<int64_t>(added));
}

void CmdSRem(CommandContext& ctx) {
  bool wrong;
  const SetStore* s = LookupSet(ctx, ctx.args[1], &wrong, /*count_stats=*/false);
  if (wrong)
    return;
  auto members = ctx.args.subspan(2);
  // Nothing to remove: no write at all.
  if (!s || std::none_of(members.begin(), members.end(), [&](std::string_view m) {
        return s->Find(lattice::ElemRef(m)) != nullptr;
      })) {
    return ctx.reply().Integer(0);
  }
  size_t removed = 0;
  ctx.node.Write(ctx.args[1],
                 [&](Mutation& m) { removed = lattice::RemoveSetMembers(m, members); });
  ctx.reply().Integer(static_cast<int64_t>(removed));
}

void CmdSMembers(CommandContext& ctx) {
  bool wrong;
  const SetStore* s = LookupSet(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  if (!s)
    return ctx.reply().SetHeader(0);
  ctx.reply().SetHeader(s->size());
  for (const auto& [elem, dots] : s->map())
    ctx.reply().Bulk(elem.str);
}

void CmdSIsMember(CommandContext& ctx) {
  bool wrong;
  const SetStore* s = LookupSet(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  ctx.reply().Integer(s && s->Find(lattice::ElemRef(ctx.args[2])) ? 1 : 0);
}

void CmdSMIsMember(CommandContext& ctx) {
  bool wrong;
  const SetStore* s = LookupSet(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  ctx.reply().ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply().Integer(s && s->Find(lattice::ElemRef(ctx.args[i])) ? 1 : 0);
  }
}

void CmdSCard(CommandContext& ctx) {
  bool wrong;
  const SetStore* s = LookupSet(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  ctx.reply().Integer(s ? static_cast<int64_t>(s->size()) : 0);
}

// SPOP key count: the count is checked before the key (any bad count is "must be positive").
void SPopWithCount(CommandContext& ctx) {
  std::optional<int64_t> count = lattice::ParseInt64(ctx.args[2]);
  if (!count || *count < 0)
    return ctx.Error(err::kPositive);
  std::string_view key = ctx.args[1];
  bool wrong;
  const SetStore* s = LookupSet(ctx, key, &wrong, /*count_stats=*/false);
  if (wrong)
    return;
  if (!s || *count == 0)
    return ctx.reply().SetHeader(0);
  uint64_t k = static_cast<uint64_t>(*count);
  if (k >= s->size()) {
    ctx.reply().SetHeader(s->size());
    for (const auto& [elem, dots] : s->map())
      ctx.reply().Bulk(elem.str);
    ctx.node.Delete(key);
    return;
  }
  Members picks;
  picks.reserve(k);
  ForEachDistinctRandom(s->map(), k, ctx.node.random(),
                        [&](SetStore::Map::const_iterator it) { picks.push_back(it->first.str); });
  ReplyMembers(ctx, picks);  // before the write: the picks are views into the set
  ctx.node.Write(key, [&](Mutation& m) { lattice::RemoveSetMembers(m, picks); });
}

void CmdSPop(CommandContext& ctx) {
  if (ctx.args.size() > 3)
    return ctx.Error(err::kSyntax);
  if (ctx.args.size() == 3)
    return SPopWithCount(ctx);
  bool wrong;
  const SetStore* s = LookupSet(ctx, ctx.args[1], &wrong, /*count_stats=*/false);
  if (wrong)
    return;
  if (!s)
    return ctx.reply().Null();
  std::string_view pick[] = {RandomElement(s->map(), ctx.node.random())->first.str};
  ctx.reply().Bulk(pick[0]);
  ctx.node.Write(ctx.args[1], [&](Mutation& m) { lattice::RemoveSetMembers(m, pick); });
}

// SRANDMEMBER key count: distinct members for a positive count (the whole set if it has no
// more), |count| independent picks for a negative one.
void SRandMemberWithCount(CommandContext& ctx) {
  std::optional<int64_t> count = ParseRandomCount(ctx, ctx.args[2]);
  if (!count || !CheckRepeatedPicks(ctx, *count))
    return;
  bool wrong;
  const SetStore* s = LookupSet(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  if (!s || *count == 0)
    return ctx.reply().ArrayHeader(0);
  auto emit = [&](SetStore::Map::const_iterator it) { ctx.reply().Bulk(it->first.str); };
  if (*count < 0) {
    uint64_t k = static_cast<uint64_t>(-*count);
    ctx.reply().ArrayHeader(k);
    return ForEachRandomWithRepeats(s->map(), k, ctx.node.random(), emit);
  }
  uint64_t k = static_cast<uint64_t>(*count);
  if (k >= s->size()) {
    ctx.reply().ArrayHeader(s->size());
    for (auto it = s->map().begin(); it != s->map().end(); ++it)
      emit(it);
    return;
  }
  ctx.reply().ArrayHeader(k);
  ForEachDistinctRandom(s->map(), k, ctx.node.random(), emit);
}

void CmdSRandMember(CommandContext& ctx) {
  if (ctx.args.size() > 3)
    return ctx.Error(err::kSyntax);
  if (ctx.args.size() == 3)
    return SRandMemberWithCount(ctx);
  bool wrong;
  const SetStore* s = LookupSet(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  if (!s)
    return ctx.reply().Null();
  ctx.reply().Bulk(RandomElement(s->map(), ctx.node.random())->first.str);
}

void CmdSMove(CommandContext& ctx) {
  std::string_view src_key = ctx.args[1], dst_key = ctx.args[2], member = ctx.args[3];
  bool wrong;
  const SetStore* src = LookupSet(ctx, src_key, &wrong, /*count_stats=*/false);
  if (wrong)
    return;
  // As Redis: a missing source replies 0 before the destination's type is checked.
  if (!src)
    return ctx.reply().Integer(0);
  LookupSet(ctx, dst_key, &wrong, /*count_stats=*/false);
  if (wrong)
    return;
  bool present = src->Find(lattice::ElemRef(member)) != nullptr;
  if (src_key == dst_key || !present)
    return ctx.reply().Integer(present ? 1 : 0);
  std::string_view one[] = {member};
  ctx.node.Write(src_key, [&](Mutation& m) { lattice::RemoveSetMembers(m, one); });
  ctx.node.Write(dst_key, [&](Mutation& m) { lattice::AddSetMembers(m, one); });
  ctx.reply().Integer(1);
}

// ---- Set algebra.

void CmdSInter(CommandContext& ctx) {
  std::vector<const SetStore*> sets;
  if (!LookupSets(ctx, ctx.args.subspan(1), true, &sets))
    return;
  ReplyMembers(ctx, OpInter(sets));
}

void CmdSUnion(CommandContext& ctx) {
  std::vector<const SetStore*> sets;
  if (!LookupSets(ctx, ctx.args.subspan(1), true, &sets))
    return;
  ReplyMembers(ctx, OpUnion(sets));
}

void CmdSDiff(CommandContext& ctx) {
  std::vector<const SetStore*> sets;
  if (!LookupSets(ctx, ctx.args.subspan(1), true, &sets))
    return;
  ReplyMembers(ctx, OpDiff(sets));
}

// The *STORE commands read their sources without touching the keyspace statistics, as
// Redis's lookupKeyWrite.
template <Members (*Op)(const std::vector<const SetStore*>&)>
void StoreCommand(CommandContext& ctx) {
  std::vector<const SetStore*> sets;
  if (!LookupSets(ctx, ctx.args.subspan(2), false, &sets))
    return;
  StoreSet(ctx, ctx.args[1], Op(sets));
}

void CmdSInterStore(CommandContext& ctx) { StoreCommand<OpInter>(ctx); }
void CmdSUnionStore(CommandContext& ctx) { StoreCommand<OpUnion>(ctx); }
void CmdSDiffStore(CommandContext& ctx) { StoreCommand<OpDiff>(ctx); }

// SINTERCARD numkeys key... [LIMIT limit]
void CmdSInterCard(CommandContext& ctx) {
  std::optional<int64_t> numkeys = lattice::ParseInt64(ctx.args[1]);
  if (!numkeys || *numkeys < 1)
    return ctx.Error("ERR numkeys should be greater than 0");
  if (*numkeys > static_cast<int64_t>(ctx.args.size()) - 2) {
    return ctx.Error("ERR Number of keys can't be greater than number of args");
  }
  size_t end_keys = 2 + static_cast<size_t>(*numkeys);
  int64_t limit = 0;  // 0: no limit
  for (size_t i = end_keys; i < ctx.args.size(); i += 2) {
    if (!EqualsIgnoreCase(ctx.args[i], "limit") || i + 1 >= ctx.args.size()) {
      return ctx.Error(err::kSyntax);
    }
    std::optional<int64_t> l = lattice::ParseInt64(ctx.args[i + 1]);
    if (!l || *l < 0)
      return ctx.Error("ERR LIMIT can't be negative");
    limit = *l;
  }
  std::vector<const SetStore*> sets;
  if (!LookupSets(ctx, ctx.args.subspan(2, end_keys - 2), true, &sets))
    return;
  int64_t n = 0;
  ForEachInIntersection(sets, [&](std::string_view) { return ++n != limit; });
  ctx.reply().Integer(n);
}

// SSCAN key cursor [MATCH pattern] [COUNT count]: the cursor is checked first, then the key,
// then the options (a missing key replies an empty page whatever the options), as Redis.
void CmdSScan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = ParseScanCursor(ctx.args[2]);
  if (!cursor)
    return ctx.Error(err::kInvalidCursor);
  bool wrong;
  const SetStore* s = LookupSet(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  ScanOptions opt;
  if (s && !ParseScanOptions(ctx, 3, &opt))
    return;
  Members page;
  uint64_t next = 0;
  if (s) {
    next = ScanElements(s->map(), *cursor, opt.count, [&](SetStore::Map::const_iterator it) {
      if (opt.Matches(it->first.str))
        page.push_back(it->first.str);
    });
  }
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(std::to_string(next));
  ctx.reply().ArrayHeader(page.size());
  for (std::string_view m : page)
    ctx.reply().Bulk(m);
}

constexpr CommandSpec kSetCommands[] = {
    {"sadd", -3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdSAdd, "set", "1.0.0",
     "Adds one or more members to a set. Creates the key if it doesn't exist.",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "key member..."},
    {"srem", -3, kCmdWrite | kCmdFast, 1, 1, 1, CmdSRem, "set", "1.0.0",
     "Removes one or more members from a set. Deletes the set if the last member was removed.",
     "O(N) where N is the number of members to be removed.", "key member..."},
    {"smembers", 2, kCmdReadonly, 1, 1, 1, CmdSMembers, "set", "1.0.0",
     "Returns all members of a set.", "O(N) where N is the set cardinality.", "key"},
    {"sismember", 3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdSIsMember, "set", "1.0.0",
     "Determines whether a member belongs to a set.", "O(1)", "key member"},
    {"smismember", -3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdSMIsMember, "set", "6.2.0",
     "Determines whether multiple members belong to a set.",
     "O(N) where N is the number of elements being checked for membership", "key member..."},
    {"scard", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdSCard, "set", "1.0.0",
     "Returns the number of members in a set.", "O(1)", "key"},
    {"spop", -2, kCmdWrite | kCmdFast, 1, 1, 1, CmdSPop, "set", "1.0.0",
     "Returns one or more random members from a set after removing them. Deletes the set if "
     "the last member was popped.",
     "Without the count argument O(1), otherwise O(N) where N is the value of the passed "
     "count.",
     "key [count:integer]"},
    {"srandmember", -2, kCmdReadonly, 1, 1, 1, CmdSRandMember, "set", "1.0.0",
     "Get one or multiple random members from a set",
     "Without the count argument O(1), otherwise O(N) where N is the absolute value of the "
     "passed count.",
     "key [count:integer]"},
    {"smove", 4, kCmdWrite | kCmdFast, 1, 2, 1, CmdSMove, "set", "1.0.0",
     "Moves a member from one set to another.", "O(1)", "source:key destination:key member"},
    {"sinter", -2, kCmdReadonly, 1, -1, 1, CmdSInter, "set", "1.0.0",
     "Returns the intersect of multiple sets.",
     "O(N*M) worst case where N is the cardinality of the smallest set and M is the number "
     "of sets.",
     "key..."},
    // Keys are found through numkeys (Redis: movablekeys, legacy positions 0 0 0).
    {"sintercard", -3, kCmdReadonly, 0, 0, 0, CmdSInterCard, "set", "7.0.0",
     "Returns the number of members of the intersect of multiple sets.",
     "O(N*M) worst case where N is the cardinality of the smallest set and M is the number "
     "of sets.",
     "numkeys:integer key:string... [LIMIT limit:integer]"},
    {"sunion", -2, kCmdReadonly, 1, -1, 1, CmdSUnion, "set", "1.0.0",
     "Returns the union of multiple sets.",
     "O(N) where N is the total number of elements in all given sets.", "key..."},
    {"sdiff", -2, kCmdReadonly, 1, -1, 1, CmdSDiff, "set", "1.0.0",
     "Returns the difference of multiple sets.",
     "O(N) where N is the total number of elements in all given sets.", "key..."},
    {"sinterstore", -3, kCmdWrite | kCmdDenyOom, 1, -1, 1, CmdSInterStore, "set", "1.0.0",
     "Stores the intersect of multiple sets in a key.",
     "O(N*M) worst case where N is the cardinality of the smallest set and M is the number "
     "of sets.",
     "destination:key key..."},
    {"sunionstore", -3, kCmdWrite | kCmdDenyOom, 1, -1, 1, CmdSUnionStore, "set", "1.0.0",
     "Stores the union of multiple sets in a key.",
     "O(N) where N is the total number of elements in all given sets.", "destination:key key..."},
    {"sdiffstore", -3, kCmdWrite | kCmdDenyOom, 1, -1, 1, CmdSDiffStore, "set", "1.0.0",
     "Stores the difference of multiple sets in a key.",
     "O(N) where N is the total number of elements in all given sets.", "destination:key key..."},
    {"sscan", -3, kCmdReadonly, 1, 1, 1, CmdSScan, "set", "2.8.0",
     "Iterates over members of a set.",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls "
     "for the cursor to return back to 0. N is the number of elements inside the collection.",
     "key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]"},
};

}  // namespace

void RegisterSetCommands(CommandTable& table) { table.Register(kSetCommands); }

}  // namespace starling::server
