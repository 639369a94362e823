// Hash commands (Redis "hash" group). Replies, errors and their order are redis-server 7.0's.
//
// Reads use the hash_ops.h views (a field's visible value may be computed from counter runs,
// so values are read through a scratch string); every change is one Node::Write with the
// hash_ops.h mutators, a delta that replicates (DESIGN.md section 3: per field a string
// register, HSET beats a concurrent HDEL, HINCRBYs add up). Preconditions (WRONGTYPE, a
// non-numeric value, overflow) are checked against the visible value before writing.
// Randomness comes only from ctx.node.random().
#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lattice/hash_ops.h"
#include "lattice/numbers.h"
#include "server/commands/collections.h"
#include "server/commands/common.h"
#include "server/session.h"

namespace starling::server {
namespace {

using lattice::ElemRef;
using lattice::HashStore;
using lattice::KeyType;
using lattice::Mutation;
using lattice::Object;
using FieldIt = decltype(HashStore{}.fields)::Map::const_iterator;

const Object* LookupHash(CommandContext& ctx, std::string_view key, bool* wrong,
                         bool count_stats = true) {
  return LookupTyped(ctx, key, KeyType::kHash, wrong, count_stats);
}

// The visible value of the field at `it` of o's hash.
std::string_view ValueAt(const Object& o, FieldIt it, std::string* scratch) {
  return lattice::VisibleString(it->second, o.hash()->RunsOf(it->first.ref()), scratch);
}

void ReplyValueAt(CommandContext& ctx, const Object& o, FieldIt it) {
  std::string scratch;
  ctx.reply().Bulk(ValueAt(o, it, &scratch));
}

// HSET / HMSET: writes the pairs from args[2] on; returns how many fields were new. A field
// repeated in one command counts once and keeps its last value.
size_t SetFields(CommandContext& ctx) {
  size_t added = 0;
  ctx.node.Write(ctx.args[1], [&](Mutation& m) {
    m.Retag(KeyType::kHash);
    for (size_t i = 2; i + 1 < ctx.args.size(); i += 2) {
      std::string_view field = ctx.args[i];
      const HashStore* d = m.dstore().hash.get();
      bool repeated = d && d->fields.Find(ElemRef(field)) != nullptr;
      if (lattice::HashSetField(m, field, std::string(ctx.args[i + 1])) && !repeated)
        ++added;
    }
  });
  return added;
}

void CmdHSet(CommandContext& ctx) {
  if (ctx.args.size() % 2 != 0)
    return ctx.Error(err::WrongArgs(ctx.spec.name));
  bool wrong;
  LookupHash(ctx, ctx.args[1], &wrong, /*count_stats=*/false);
  if (wrong)
    return;
  ctx.reply().Integer(static_cast<int64_t>(SetFields(ctx)));
}

void CmdHMSet(CommandContext& ctx) {
  if (ctx.args.size() % 2 != 0)
    return ctx.Error(err::WrongArgs(ctx.spec.name));
  bool wrong;
  LookupHash(ctx, ctx.args[1], &wrong, /*count_stats=*/false);
  if (wrong)
    return;
  SetFields(ctx);
  ctx.Ok();
}

void CmdHSetNx(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupHash(ctx, ctx.args[1], &wrong, /*count_stats=*/false);
  if (wrong)
    return;
  if (o && o->hash()->fields.Find(ElemRef(ctx.args[2])))
    return ctx.reply().Integer(0);
  SetFields(ctx);
  ctx.reply().Integer(1);
}

void CmdHGet(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  std::string scratch;
  auto v = o ? lattice::HashGet(*o, ctx.args[2], &scratch) : std::nullopt;
  if (!v)
    return ctx.reply().Null();
  ctx.reply().Bulk(*v);
}

void CmdHMGet(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  ctx.reply().ArrayHeader(ctx.args.size() - 2);
  std::string scratch;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    auto v = o ? lattice::HashGet(*o, ctx.args[i], &scratch) : std::nullopt;
    if (v) {
      ctx.reply().Bulk(*v);
    } else {
      ctx.reply().Null();
    }
  }
}

void CmdHDel(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupHash(ctx, ctx.args[1], &wrong, /*count_stats=*/false);
  if (wrong)
    return;
  auto fields = ctx.args.subspan(2);
  bool any = false;
  for (std::string_view f : fields)
    any = any || (o && o->hash()->fields.Find(ElemRef(f)));
  if (!any)
    return ctx.reply().Integer(0);  // nothing to remove: no write at all
  size_t removed = 0;
  ctx.node.Write(ctx.args[1], [&](Mutation& m) { removed = lattice::HashDeleteFields(m, fields); });
  ctx.reply().Integer(static_cast<int64_t>(removed));
}

void CmdHLen(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  ctx.reply().Integer(o ? static_cast<int64_t>(lattice::HashLen(*o)) : 0);
}

void CmdHStrLen(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  std::string scratch;
  auto v = o ? lattice::HashGet(*o, ctx.args[2], &scratch) : std::nullopt;
  ctx.reply().Integer(v ? static_cast<int64_t>(v->size()) : 0);
}

void CmdHExists(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  ctx.reply().Integer(o && o->hash()->fields.Find(ElemRef(ctx.args[2])) ? 1 : 0);
}

// HKEYS, HVALS, HGETALL.
void ReplyAll(CommandContext& ctx, bool keys, bool values) {
  bool wrong;
  const Object* o = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  size_t n = o ? lattice::HashLen(*o) : 0;
  if (keys && values) {
    ctx.reply().MapHeader(n);
  } else {
    ctx.reply().ArrayHeader(n);
  }
  if (!o)
    return;
  const auto& map = o->hash()->fields.map();
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (keys)
      ctx.reply().Bulk(it->first.str);
    if (values)
      ReplyValueAt(ctx, *o, it);
  }
}

void CmdHKeys(CommandContext& ctx) { ReplyAll(ctx, true, false); }
void CmdHVals(CommandContext& ctx) { ReplyAll(ctx, false, true); }
void CmdHGetAll(CommandContext& ctx) { ReplyAll(ctx, true, true); }

void CmdHIncrBy(CommandContext& ctx) {
  std::optional<int64_t> by = lattice::ParseInt64(ctx.args[3]);
  if (!by)
    return ctx.Error(err::kNotInteger);
  bool wrong;
  const Object* o = LookupHash(ctx, ctx.args[1], &wrong, /*count_stats=*/false);
  if (wrong)
    return;
  int64_t cur = 0;
  std::string scratch;
  if (auto v = o ? lattice::HashGet(*o, ctx.args[2], &scratch) : std::nullopt) {
    std::optional<int64_t> parsed = lattice::ParseInt64(*v);
    if (!parsed)
      return ctx.Error("ERR hash value is not an integer");
    cur = *parsed;
  }
  int64_t next;
  if (__builtin_add_overflow(cur, *by, &next))
    return ctx.Error(err::kOverflow);
  ctx.node.Write(ctx.args[1],
                 [&](Mutation& m) { lattice::HashIncrementField(m, ctx.args[2], *by, 0); });
  ctx.reply().Integer(next);
}

void CmdHIncrByFloat(CommandContext& ctx) {
  std::optional<long double> by = lattice::ParseLongDouble(ctx.args[3]);
  if (!by)
    return ctx.Error(err::kNotFloat);
  if (std::isnan(*by) || std::isinf(*by))
    return ctx.Error("ERR value is NaN or Infinity");
  bool wrong;
  const Object* o = LookupHash(ctx, ctx.args[1], &wrong, /*count_stats=*/false);
  if (wrong)
    return;
  long double cur = 0;
  std::string scratch;
  if (auto v = o ? lattice::HashGet(*o, ctx.args[2], &scratch) : std::nullopt) {
    std::optional<long double> parsed = lattice::ParseLongDouble(*v);
    if (!parsed)
      return ctx.Error("ERR hash value is not a float");
    cur = *parsed;
  }
  long double next = cur + *by;
  if (std::isnan(next) || std::isinf(next))
    return ctx.Error(err::kNanOrInf);
  ctx.node.Write(ctx.args[1],
                 [&](Mutation& m) { lattice::HashIncrementField(m, ctx.args[2], 0, *by); });
  ctx.reply().Bulk(lattice::FormatLongDouble(next));
}

// HRANDFIELD key [count [WITHVALUES]]. RESP2 pairs are flat; RESP3 pairs are two-element
// arrays (Redis 7.0).
void CmdHRandField(CommandContext& ctx) {
  bool withvalues = false;
  std::optional<int64_t> count;
  if (ctx.args.size() >= 3) {
    count = ParseRandomCount(ctx, ctx.args[2]);
    if (!count)
      return;
    if (ctx.args.size() > 4 ||
        (ctx.args.size() == 4 && !EqualsIgnoreCase(ctx.args[3], "withvalues"))) {
      return ctx.Error(err::kSyntax);
    }
    withvalues = ctx.args.size() == 4;
    if (withvalues && (*count < -INT64_MAX / 2 || *count > INT64_MAX / 2)) {
      return ctx.Error("ERR value is out of range");
    }
    if (!CheckRepeatedPicks(ctx, *count))
      return;
  }
  bool wrong;
  const Object* o = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  if (!count) {
    if (!o)
      return ctx.reply().Null();
    return ctx.reply().Bulk(RandomElement(o->hash()->fields.map(), ctx.node.random())->first.str);
  }
  if (!o || *count == 0)
    return ctx.reply().ArrayHeader(0);
  const auto& map = o->hash()->fields.map();
  bool flat = withvalues && ctx.reply().protocol() == 2;
  auto header = [&](uint64_t n) { ctx.reply().ArrayHeader(flat ? n * 2 : n); };
  auto emit = [&](FieldIt it) {
    if (withvalues && !flat)
      ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(it->first.str);
    if (withvalues)
      ReplyValueAt(ctx, *o, it);
  };
  if (*count < 0) {
    uint64_t k = static_cast<uint64_t>(-*count);
    header(k);
    return ForEachRandomWithRepeats(map, k, ctx.node.random(), emit);
  }
  uint64_t k = static_cast<uint64_t>(*count);
  if (k >= map.size()) {
    header(map.size());
    for (auto it = map.begin(); it != map.end(); ++it)
      emit(it);
    return;
  }
  header(k);
  ForEachDistinctRandom(map, k, ctx.node.random(), emit);
}

// HSCAN key cursor [MATCH pattern] [COUNT count]: cursor, then key, then options, as Redis.
void CmdHScan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = ParseScanCursor(ctx.args[2]);
  if (!cursor)
    return ctx.Error(err::kInvalidCursor);
  bool wrong;
  const Object* o = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong)
    return;
  ScanOptions opt;
  if (o && !ParseScanOptions(ctx, 3, &opt))
    return;
  std::vector<FieldIt> page;
  uint64_t next = 0;
  if (o) {
    next = ScanElements(o->hash()->fields.map(), *cursor, opt.count, [&](FieldIt it) {
      if (opt.Matches(it->first.str))
        page.push_back(it);
    });
  }
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(std::to_string(next));
  ctx.reply().ArrayHeader(page.size() * 2);
  for (FieldIt it : page) {
    ctx.reply().Bulk(it->first.str);
    ReplyValueAt(ctx, *o, it);
  }
}

constexpr CommandSpec kHashCommands[] = {
    {"hset", -4, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdHSet, "hash", "2.0.0",
     "Creates or modifies the value of a field in a hash.",
     "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the "
     "command is called with multiple field/value pairs.",
     "key (field value)..."},
    {"hsetnx", 4, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdHSetNx, "hash", "2.0.0",
     "Sets the value of a field in a hash only when the field doesn't exist.", "O(1)",
     "key field value"},
    {"hmset", -4, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdHMSet, "hash", "2.0.0",
     "Sets the values of multiple fields.", "O(N) where N is the number of fields being set.",
     "key (field value)..."},
    {"hget", 3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdHGet, "hash", "2.0.0",
     "Returns the value of a field in a hash.", "O(1)", "key field"},
    {"hmget", -3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdHMGet, "hash", "2.0.0",
     "Returns the values of all fields in a hash.",
     "O(N) where N is the number of fields being requested.", "key field..."},
    {"hdel", -3, kCmdWrite | kCmdFast, 1, 1, 1, CmdHDel, "hash", "2.0.0",
     "Deletes one or more fields and their values from a hash. Deletes the hash if no fields "
     "remain.",
     "O(N) where N is the number of fields to be removed.", "key field..."},
    {"hlen", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdHLen, "hash", "2.0.0",
     "Returns the number of fields in a hash.", "O(1)", "key"},
    {"hstrlen", 3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdHStrLen, "hash", "3.2.0",
     "Returns the length of the value of a field.", "O(1)", "key field"},
    {"hexists", 3, kCmdReadonly | kCmdFast, 1, 1, 1, CmdHExists, "hash", "2.0.0",
     "Determines whether a field exists in a hash.", "O(1)", "key field"},
    {"hkeys", 2, kCmdReadonly, 1, 1, 1, CmdHKeys, "hash", "2.0.0", "Returns all fields in a hash.",
     "O(N) where N is the size of the hash.", "key"},
    {"hvals", 2, kCmdReadonly, 1, 1, 1, CmdHVals, "hash", "2.0.0", "Returns all values in a hash.",
     "O(N) where N is the size of the hash.", "key"},
    {"hgetall", 2, kCmdReadonly, 1, 1, 1, CmdHGetAll, "hash", "2.0.0",
     "Returns all fields and values in a hash.", "O(N) where N is the size of the hash.", "key"},
    {"hincrby", 4, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdHIncrBy, "hash", "2.0.0",
     "Increments the integer value of a field in a hash by a number. Uses 0 as initial value "
     "if the field doesn't exist.",
     "O(1)", "key field increment:integer"},
    {"hincrbyfloat", 4, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdHIncrByFloat, "hash",
     "2.6.0",
     "Increments the floating point value of a field by a number. Uses 0 as initial value if "
     "the field doesn't exist.",
     "O(1)", "key field increment:double"},
    {"hrandfield", -2, kCmdReadonly, 1, 1, 1, CmdHRandField, "hash", "6.2.0",
     "Returns one or more random fields from a hash.",
     "O(N) where N is the number of fields returned", "key [count:integer [WITHVALUES]]"},
    {"hscan", -3, kCmdReadonly, 1, 1, 1, CmdHScan, "hash", "2.8.0",
     "Iterates over fields and values of a hash.",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls "
     "for the cursor to return back to 0. N is the number of elements inside the collection.",
     "key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]"},
};

}  // namespace

void RegisterHashCommands(CommandTable& table) { table.Register(kHashCommands); }

}  // namespace starling::server
