// List commands (Redis "list" group), without the blocking ones (blocking.cc). Replies and
// errors are Redis 7.0's (t_list.c). Reads by index use the position tree's select, so
// LINDEX, LSET and LRANGE's start cost O(log n); scans (LINSERT's pivot, LREM, LPOS) are
// O(n) as in Redis.
#include "server/commands/lists.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "lattice/numbers.h"
#include "server/commands/common.h"
#include "server/commands/zsets.h"

namespace starling::server {
namespace lists {

std::optional<ListEnd> ParseEnd(std::string_view word) {
  if (EqualsIgnoreCase(word, "LEFT"))
    return ListEnd::kLeft;
  if (EqualsIgnoreCase(word, "RIGHT"))
    return ListEnd::kRight;
  return std::nullopt;
}

std::vector<std::string> PopElements(Node& node, std::string_view key, ListEnd end, size_t count) {
  const lattice::Object* o = node.Lookup(key, /*count_stats=*/false);
  if (!o || !o->list() || count == 0)
    return {};
  const auto& elems = o->list()->elems();
  size_t n = std::min(count, elems.size());
  std::vector<std::string> out;
  std::vector<lattice::Position> positions;
  out.reserve(n);
  positions.reserve(n);
  auto it = end == ListEnd::kLeft ? elems.begin() : std::prev(elems.end());
  for (size_t i = 0; i < n; ++i) {
    out.push_back(*lattice::ListElemValue(it.value()));
    positions.push_back(it.key());
    if (end == ListEnd::kLeft) {
      ++it;
    } else if (it != elems.begin()) {
      --it;
    }
  }
  bool all = n == elems.size();
  node.Write(key, [&](lattice::Mutation& m) {
    if (all)
      return m.RemoveAll();
    for (const lattice::Position& p : positions)
      lattice::ListRemoveAt(m, p);
  });
  return out;
}

std::string MoveElement(Node& node, std::string_view src, std::string_view dst, ListEnd from,
                        ListEnd to) {
  if (src != dst) {
    std::string value = std::move(PopElements(node, src, from, 1).front());
    std::string_view v = value;
    node.Write(dst, [&](lattice::Mutation& m) { lattice::ListPush(m, to, std::span(&v, 1)); });
    return value;
  }
  const auto& elems = node.Lookup(src, false)->list()->elems();
  auto it = from == ListEnd::kLeft ? elems.begin() : std::prev(elems.end());
  std::string value = *lattice::ListElemValue(it.value());
  lattice::Position p = it.key();
  std::string_view v = value;
  node.Write(src, [&](lattice::Mutation& m) {
    lattice::ListRemoveAt(m, p);
    lattice::ListPush(m, to, std::span(&v, 1));
  });
  return value;
}

void ReplyKeyAndElements(CommandContext& ctx, std::string_view key,
                         const std::vector<std::string>& elements) {
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(key);
  ctx.reply().ArrayHeader(elements.size());
  for (const std::string& e : elements)
    ctx.reply().Bulk(e);
}

}  // namespace lists

namespace {

using lattice::KeyType;
using lattice::ListEnd;
using lattice::Mutation;
using lattice::Object;
using lattice::Position;

constexpr std::string_view kPositive = "ERR value is out of range, must be positive";

const std::string& ValueAt(const lattice::ListStore::Elems::const_iterator& it) {
  return *lattice::ListElemValue(it.value());
}

// LPUSH / RPUSH / LPUSHX / RPUSHX key element...
void PushGeneric(CommandContext& ctx, ListEnd end, bool only_existing) {
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kList, &wrong, false);
  if (wrong)
    return;
  if (only_existing && !o)
    return ctx.reply().Integer(0);
  auto values = ctx.args.subspan(2);
  const Object* after =
      ctx.node.Write(ctx.args[1], [&](Mutation& m) { lattice::ListPush(m, end, values); });
  ctx.reply().Integer(after ? static_cast<int64_t>(lattice::ListLen(*after)) : 0);
}
void CmdLpush(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kLeft, false); }
void CmdRpush(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kRight, false); }
void CmdLpushx(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kLeft, true); }
void CmdRpushx(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kRight, true); }

// LPOP / RPOP key [count]: a bulk without count, an array with one (a missing key is a
// null bulk or a null array accordingly).
void PopGeneric(CommandContext& ctx, ListEnd end) {
  if (ctx.args.size() > 3)
    return ctx.Error(err::WrongArgs(ctx.spec.name));
  bool has_count = ctx.args.size() == 3;
  int64_t count = 1;
  if (has_count) {
    std::optional<int64_t> c = lattice::ParseInt64(ctx.args[2]);
    if (!c || *c < 0)
      return ctx.Error(kPositive);
    count = *c;
  }
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kList, &wrong, false);
  if (wrong)
    return;
  if (!o)
    return has_count ? ctx.reply().NullArray() : ctx.reply().Null();
  if (count == 0)
    return ctx.reply().ArrayHeader(0);
  std::vector<std::string> vals =
      lists::PopElements(ctx.node, ctx.args[1], end, static_cast<size_t>(count));
  if (!has_count)
    return ctx.reply().Bulk(vals.front());
  ctx.reply().ArrayHeader(vals.size());
  for (const std::string& v : vals)
    ctx.reply().Bulk(v);
}
void CmdLpop(CommandContext& ctx) { PopGeneric(ctx, ListEnd::kLeft); }
void CmdRpop(CommandContext& ctx) { PopGeneric(ctx, ListEnd::kRight); }

void CmdLlen(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kList, &wrong);
  if (wrong)
    return;
  ctx.reply().Integer(o ? static_cast<int64_t>(lattice::ListLen(*o)) : 0);
}

// A Redis list index (negative from the end) as a position in [0, len), if inside.
std::optional<size_t> NormalizeIndex(int64_t index, size_t len) {
  if (index < 0)
    index += static_cast<int64_t>(len);
  if (index < 0 || index >= static_cast<int64_t>(len))
    return std::nullopt;
  return static_cast<size_t>(index);
}

void CmdLindex(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kList, &wrong);
  if (wrong)
    return;
  if (!o)
    return ctx.reply().Null();
  std::optional<int64_t> index = lattice::ParseInt64(ctx.args[2]);
  if (!index)
    return ctx.Error(err::kNotInteger);
  const auto& elems = o->list()->elems();
  std::optional<size_t> i = NormalizeIndex(*index, elems.size());
  if (!i)
    return ctx.reply().Null();
  ctx.reply().Bulk(ValueAt(elems.select(*i)));
}

void CmdLrange(CommandContext& ctx) {
  std::optional<int64_t> start = lattice::ParseInt64(ctx.args[2]);
  std::optional<int64_t> end = lattice::ParseInt64(ctx.args[3]);
  if (!start || !end)
    return ctx.Error(err::kNotInteger);
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kList, &wrong);
  if (wrong)
    return;
  if (!o)
    return ctx.reply().ArrayHeader(0);
  const auto& elems = o->list()->elems();
  int64_t len = static_cast<int64_t>(elems.size());
  int64_t s = *start < 0 ? len + *start : *start;
  int64_t e = *end < 0 ? len + *end : *end;
  if (s < 0)
    s = 0;
  if (s > e || s >= len)
    return ctx.reply().ArrayHeader(0);
  if (e >= len)
    e = len - 1;
  size_t n = static_cast<size_t>(e - s + 1);
  ctx.reply().ArrayHeader(n);
  auto it = elems.select(static_cast<size_t>(s));
  for (size_t i = 0; i < n; ++i, ++it)
    ctx.reply().Bulk(ValueAt(it));
}

void CmdLset(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kList, &wrong, false);
  if (wrong)
    return;
  if (!o)
    return ctx.Error(err::kNoSuchKey);
  std::optional<int64_t> index = lattice::ParseInt64(ctx.args[2]);
  if (!index)
    return ctx.Error(err::kNotInteger);
  const auto& elems = o->list()->elems();
  std::optional<size_t> i = NormalizeIndex(*index, elems.size());
  if (!i)
    return ctx.Error(err::kIndexOutOfRange);
  Position p = elems.select(*i).key();
  ctx.node.Write(ctx.args[1],
                 [&](Mutation& m) { lattice::ListSetAt(m, p, std::string(ctx.args[3])); });
  ctx.Ok();
}

// LINSERT key BEFORE|AFTER pivot element.
void CmdLinsert(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.args[2], "AFTER")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.args[2], "BEFORE")) {
    after = false;
  } else {
    return ctx.Error(err::kSyntax);
  }
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kList, &wrong, false);
  if (wrong)
    return;
  if (!o)
    return ctx.reply().Integer(0);
  const auto& elems = o->list()->elems();
  auto it = elems.begin();
  while (it != elems.end() && ValueAt(it) != ctx.args[3])
    ++it;
  if (it == elems.end())
    return ctx.reply().Integer(-1);
  std::optional<Position> lo, hi;
  if (after) {
    lo = it.key();
    if (auto next = std::next(it); next != elems.end())
      hi = next.key();
  } else {
    hi = it.key();
    if (it != elems.begin())
      lo = std::prev(it).key();
  }
  size_t len = elems.size();
  ctx.node.Write(ctx.args[1], [&](Mutation& m) {
    lattice::ListInsertBetween(m, lo ? &*lo : nullptr, hi ? &*hi : nullptr,
                               std::string(ctx.args[4]));
  });
  ctx.reply().Integer(static_cast<int64_t>(len + 1));
}

// Removes the elements at `positions` of the list under key (all of them: the key).
void RemovePositions(CommandContext& ctx, std::string_view key, size_t len,
                     const std::vector<Position>& positions) {
  if (positions.empty())
    return;
  if (positions.size() == len) {
    ctx.node.Delete(key);
    return;
  }
  ctx.node.Write(key, [&](Mutation& m) {
    for (const Position& p : positions)
      lattice::ListRemoveAt(m, p);
  });
}

// LREM key count element: count > 0 from the head, < 0 from the tail, 0 all.
void CmdLrem(CommandContext& ctx) {
  std::optional<int64_t> count = lattice::ParseInt64(ctx.args[2]);
  if (!count)
    return ctx.Error(err::kNotInteger);
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kList, &wrong, false);
  if (wrong)
    return;
  if (!o)
    return ctx.reply().Integer(0);
  const auto& elems = o->list()->elems();
  std::string_view element = ctx.args[3];
  uint64_t limit = *count == 0  ? UINT64_MAX
                   : *count > 0 ? static_cast<uint64_t>(*count)
                                : 0 - static_cast<uint64_t>(*count);
  std::vector<Position> doomed;
  if (*count >= 0) {
    for (auto it = elems.begin(); it != elems.end() && doomed.size() < limit; ++it) {
      if (ValueAt(it) == element)
        doomed.push_back(it.key());
    }
  } else {
    for (auto it = elems.end(); it != elems.begin() && doomed.size() < limit;) {
      --it;
      if (ValueAt(it) == element)
        doomed.push_back(it.key());
    }
  }
  RemovePositions(ctx, ctx.args[1], elems.size(), doomed);
  ctx.reply().Integer(static_cast<int64_t>(doomed.size()));
}

void CmdLtrim(CommandContext& ctx) {
  std::optional<int64_t> start = lattice::ParseInt64(ctx.args[2]);
  std::optional<int64_t> end = lattice::ParseInt64(ctx.args[3]);
  if (!start || !end)
    return ctx.Error(err::kNotInteger);
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kList, &wrong, false);
  if (wrong)
    return;
  if (!o)
    return ctx.Ok();
  const auto& elems = o->list()->elems();
  int64_t len = static_cast<int64_t>(elems.size());
  int64_t s = *start < 0 ? len + *start : *start;
  int64_t e = *end < 0 ? len + *end : *end;
  if (s < 0)
    s = 0;
  int64_t ltrim, rtrim;
  if (s > e || s >= len) {
    ltrim = len;
    rtrim = 0;
  } else {
    if (e >= len)
      e = len - 1;
    ltrim = s;
    rtrim = len - e - 1;
  }
  std::vector<Position> doomed;
  auto it = elems.begin();
  for (int64_t i = 0; i < ltrim; ++i, ++it)
    doomed.push_back(it.key());
  if (rtrim > 0) {
    for (it = elems.select(static_cast<size_t>(len - rtrim)); it != elems.end(); ++it) {
      doomed.push_back(it.key());
    }
  }
  RemovePositions(ctx, ctx.args[1], elems.size(), doomed);
  ctx.Ok();
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len].
void CmdLpos(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    std::string_view opt = ctx.args[j];
    bool more = j + 1 < ctx.args.size();
    if (EqualsIgnoreCase(opt, "RANK") && more) {
      std::optional<int64_t> v = lattice::ParseInt64(ctx.args[++j]);
      if (!v)
        return ctx.Error(err::kNotInteger);
      if (*v == 0) {
        return ctx.Error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second "
            "... or use negative to start from the end of the list");
      }
      rank = *v;
    } else if (EqualsIgnoreCase(opt, "COUNT") && more) {
      std::optional<int64_t> v = lattice::ParseInt64(ctx.args[++j]);
      if (!v || *v < 0)
        return ctx.Error("ERR COUNT can't be negative");
      count = *v;
    } else if (EqualsIgnoreCase(opt, "MAXLEN") && more) {
      std::optional<int64_t> v = lattice::ParseInt64(ctx.args[++j]);
      if (!v || *v < 0)
        return ctx.Error("ERR MAXLEN can't be negative");
      maxlen = *v;
    } else {
      return ctx.Error(err::kSyntax);
    }
  }
  // A negative rank searches from the tail. (Redis negates INT64_MIN into itself, which
  // then matches from the first hit: rank 1 from the tail.)
  bool from_tail = rank < 0;
  if (from_tail)
    rank = rank == INT64_MIN ? 1 : -rank;
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kList, &wrong);
  if (wrong)
    return;
  if (!o)
    return count != -1 ? ctx.reply().ArrayHeader(0) : ctx.reply().Null();
  const auto& elems = o->list()->elems();
  const size_t len = elems.size();
  std::vector<int64_t> found;
  int64_t matches = 0;
  auto it = from_tail ? std::prev(elems.end()) : elems.begin();
  for (size_t i = 0; i < len && (maxlen == 0 || static_cast<int64_t>(i) < maxlen); ++i) {
    if (ValueAt(it) == ctx.args[2] && ++matches >= rank) {
      found.push_back(static_cast<int64_t>(from_tail ? len - i - 1 : i));
      if (count == -1 || (count > 0 && matches - rank + 1 >= count))
        break;
    }
    if (from_tail) {
      if (it != elems.begin())
        --it;
    } else {
      ++it;
    }
  }
  if (count != -1) {
    ctx.reply().ArrayHeader(found.size());
    for (int64_t f : found)
      ctx.reply().Integer(f);
    return;
  }
  if (found.empty())
    return ctx.reply().Null();
  ctx.reply().Integer(found.front());
}

// LMOVE / RPOPLPUSH: a missing source is a null reply; a wrong type at either end an error.
void MoveGeneric(CommandContext& ctx, ListEnd from, ListEnd to) {
  std::string_view src = ctx.args[1], dst = ctx.args[2];
  bool wrong;
  const Object* o = LookupTyped(ctx, src, KeyType::kList, &wrong, false);
  if (wrong)
    return;
  if (!o)
    return ctx.reply().Null();
  LookupTyped(ctx, dst, KeyType::kList, &wrong, false);
  if (wrong)
    return;
  ctx.reply().Bulk(lists::MoveElement(ctx.node, src, dst, from, to));
}

void CmdLmove(CommandContext& ctx) {
  std::optional<ListEnd> from = lists::ParseEnd(ctx.args[3]);
  std::optional<ListEnd> to = lists::ParseEnd(ctx.args[4]);
  if (!from || !to)
    return ctx.Error(err::kSyntax);
  MoveGeneric(ctx, *from, *to);
}
void CmdRpoplpush(CommandContext& ctx) { MoveGeneric(ctx, ListEnd::kRight, ListEnd::kLeft); }

// LMPOP numkeys key... LEFT|RIGHT [COUNT count].
void CmdLmpop(CommandContext& ctx) {
  std::optional<zsets::MpopArgs> a = zsets::ParseMpop(ctx, 1, "LEFT", "RIGHT");
  if (!a)
    return;
  ListEnd end = a->max ? ListEnd::kRight : ListEnd::kLeft;
  for (std::string_view key : a->keys) {
    bool wrong;
    const Object* o = LookupTyped(ctx, key, KeyType::kList, &wrong, false);
    if (wrong)
      return;
    if (!o)
      continue;
    return lists::ReplyKeyAndElements(
        ctx, key, lists::PopElements(ctx.node, key, end, static_cast<size_t>(a->count)));
  }
  ctx.reply().NullArray();
}

constexpr const char* kG = "list";
constexpr uint32_t kW = kCmdWrite | kCmdDenyOom;

constexpr CommandSpec kListCommands[] = {
    {"lpush", -3, kW | kCmdFast, 1, 1, 1, CmdLpush, kG, "1.0.0",
     "Prepends one or more elements to a list. Creates the key if it doesn't exist.",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "key element..."},
    {"rpush", -3, kW | kCmdFast, 1, 1, 1, CmdRpush, kG, "1.0.0",
     "Appends one or more elements to a list. Creates the key if it doesn't exist.",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "key element..."},
    {"lpushx", -3, kW | kCmdFast, 1, 1, 1, CmdLpushx, kG, "2.2.0",
     "Prepends one or more elements to a list only when the list exists.",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "key element..."},
    {"rpushx", -3, kW | kCmdFast, 1, 1, 1, CmdRpushx, kG, "2.2.0",
     "Appends an element to a list only when the list exists.",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "key element..."},
    {"lpop", -2, kCmdWrite | kCmdFast, 1, 1, 1, CmdLpop, kG, "1.0.0",
     "Returns the first elements in a list after removing it. Deletes the list if the last "
     "element was popped.",
     "O(N) where N is the number of elements returned", "key [count:integer]"},
    {"rpop", -2, kCmdWrite | kCmdFast, 1, 1, 1, CmdRpop, kG, "1.0.0",
     "Returns and removes the last elements of the list. Deletes the list if the last element "
     "was popped.",
     "O(N) where N is the number of elements returned", "key [count:integer]"},
    {"llen", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdLlen, kG, "1.0.0",
     "Returns the length of a list.", "O(1)", "key"},
    {"lindex", 3, kCmdReadonly, 1, 1, 1, CmdLindex, kG, "1.0.0",
     "Returns an element from a list by its index.", "O(log(N))", "key index:integer"},
    {"lrange", 4, kCmdReadonly, 1, 1, 1, CmdLrange, kG, "1.0.0",
     "Returns a range of elements from a list.",
     "O(log(N)+M) where N is the length of the list and M the number of elements returned.",
     "key start:integer stop:integer"},
    {"lset", 4, kW, 1, 1, 1, CmdLset, kG, "1.0.0",
     "Sets the value of an element in a list by its index.", "O(log(N))",
     "key index:integer element"},
    {"linsert", 5, kW, 1, 1, 1, CmdLinsert, kG, "2.2.0",
     "Inserts an element before or after another element in a list.",
     "O(N) where N is the number of elements to traverse before seeing the value pivot.",
     "key (where: BEFORE | AFTER) pivot element"},
    {"lrem", 4, kCmdWrite, 1, 1, 1, CmdLrem, kG, "1.0.0",
     "Removes elements from a list. Deletes the list if the last element was removed.",
     "O(N+M) where N is the length of the list and M is the number of elements removed.",
     "key count:integer element"},
    {"ltrim", 4, kCmdWrite, 1, 1, 1, CmdLtrim, kG, "1.0.0",
     "Removes elements from both ends a list. Deletes the list if all elements were trimmed.",
     "O(M) where M is the number of elements to be removed by the operation.",
     "key start:integer stop:integer"},
    {"lpos", -3, kCmdReadonly, 1, 1, 1, CmdLpos, kG, "6.0.6",
     "Returns the index of matching elements in a list.",
     "O(N) where N is the number of elements in the list, for the average case. When "
     "searching for elements near the head or the tail of the list, or when the MAXLEN "
     "option is provided, the command may run in constant time.",
     "key element [RANK rank:integer] [COUNT num-matches:integer] [MAXLEN len:integer]"},
    {"lmove", 5, kW, 1, 2, 1, CmdLmove, kG, "6.2.0",
     "Returns an element after popping it from one list and pushing it to another. Deletes "
     "the list if the last element was moved.",
     "O(1)", "source:key destination:key (wherefrom: LEFT | RIGHT) (whereto: LEFT | RIGHT)"},
    {"rpoplpush", 3, kW, 1, 2, 1, CmdRpoplpush, kG, "1.2.0",
     "Returns the last element of a list after removing and pushing it to another list. "
     "Deletes the list if the last element was popped.",
     "O(1)", "source:key destination:key"},
    // Keys are found through numkeys (Redis: movablekeys, legacy positions 0 0 0).
    {"lmpop", -4, kCmdWrite, 0, 0, 0, CmdLmpop, kG, "7.0.0",
     "Returns multiple elements from a list after removing them. Deletes the list if the "
     "last element was popped.",
     "O(N+M) where N is the number of provided keys and M is the number of elements "
     "returned.",
     "numkeys:integer key:string... (where: LEFT | RIGHT) [COUNT count:integer]"},
};

}  // namespace

void RegisterListCommands(CommandTable& table) { table.Register(kListCommands); }

}  // namespace starling::server
