// String and counter commands (Redis "string" group).
#include <cmath>
#include <string>
#include <vector>

#include "lattice/numbers.h"
#include "lattice/string_ops.h"
#include "server/commands/common.h"
#include "server/session.h"

namespace starling::server {
namespace {

using lattice::KeyType;
using lattice::Mutation;
using lattice::Object;

std::string_view ValueOf(const Object& o, std::string* scratch) {
  return lattice::StringValue(*o.str(), scratch);
}

// SET's options, also used by GETEX for its expiry part.
struct SetOptions {
  bool nx = false, xx = false, get = false, keepttl = false, persist = false;
  int64_t unit_ms = 0;  // 1000 (EX, EXAT) or 1 (PX, PXAT) when an expiry is given, else 0
  bool absolute = false;
  std::string_view expire_arg;
  std::optional<int64_t> expire_at_ms;  // absolute; set by ResolveExpiry
};

// Redis's parseExtendedStringArgumentsOrReply: [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|
// KEEPTTL] for SET (from args[3]), [EX|PX|EXAT|PXAT t|PERSIST] for GETEX (from args[2]).
// Syntax only: an option may repeat (the last time given wins), conflicting or unknown
// options are a syntax error. The time is checked later (ResolveExpiry), so a syntax error
// beats a bad number, and GETEX of a missing key replies nil whatever the time. Replies
// the error and returns false on failure.
bool ParseSetOptions(CommandContext& ctx, size_t start, bool is_set, SetOptions* o) {
  enum : int { kEx = 1, kPx = 2, kExAt = 4, kPxAt = 8 };
  int expire = 0;  // the expiry option given, if any
  for (size_t j = start; j < ctx.args.size(); ++j) {
    std::string_view opt = ctx.args[j];
    if (is_set && EqualsIgnoreCase(opt, "NX") && !o->xx) {
      o->nx = true;
    } else if (is_set && EqualsIgnoreCase(opt, "XX") && !o->nx) {
      o->xx = true;
    } else if (is_set && EqualsIgnoreCase(opt, "GET")) {
      o->get = true;
    } else if (is_set && EqualsIgnoreCase(opt, "KEEPTTL") && expire == 0) {
      o->keepttl = true;
    } else if (!is_set && EqualsIgnoreCase(opt, "PERSIST") && expire == 0) {
      o->persist = true;
    } else {
      int which = EqualsIgnoreCase(opt, "EX")     ? kEx
                  : EqualsIgnoreCase(opt, "PX")   ? kPx
                  : EqualsIgnoreCase(opt, "EXAT") ? kExAt
                  : EqualsIgnoreCase(opt, "PXAT") ? kPxAt
                                                  : 0;
      if (which == 0 || o->keepttl || o->persist || (expire & ~which) || j + 1 >= ctx.args.size()) {
        ctx.Error(err::kSyntax);
        return false;
      }
      expire = which;
      o->unit_ms = (which & (kEx | kExAt)) ? 1000 : 1;
      o->absolute = (which & (kExAt | kPxAt)) != 0;
      o->expire_arg = ctx.args[++j];
    }
  }
  return true;
}

// Redis's getExpireMillisecondsOrReply: the time must be an integer (ERR value is not an
// integer...), positive and not overflow once converted (ERR invalid expire time in
// '<cmd>' command). Replies the error and returns false on failure.
bool ResolveExpiry(CommandContext& ctx, SetOptions* o) {
  if (o->unit_ms == 0)
    return true;
  std::optional<int64_t> amount = lattice::ParseInt64(o->expire_arg);
  if (!amount) {
    ctx.Error(err::kNotInteger);
    return false;
  }
  if (*amount > 0) {
    o->expire_at_ms = AbsoluteExpiryMs(*amount, o->unit_ms, o->absolute, ctx.node.NowMs());
  }
  if (!o->expire_at_ms) {
    ctx.Error(err::InvalidExpire(ctx.spec.name));
    return false;
  }
  return true;
}

void CmdGet(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kString, &wrong);
  if (wrong)
    return;
  if (!o)
    return ctx.reply().Null();
  ReplyStringValue(ctx, *o);
}

// The shared body of SET and its variants. Replies as SET does unless `reply` is false.
void DoSet(CommandContext& ctx, std::string_view key, std::string_view value,
           const SetOptions& opt) {
  const Object* o = ctx.node.Lookup(key, /*count_stats=*/false);
  std::string old;
  bool had_old = false;
  if (opt.get && o) {
    if (o->Type() != KeyType::kString)
      return ctx.Error(err::kWrongType);
    std::string scratch;
    old = std::string(ValueOf(*o, &scratch));
    had_old = true;
  }
  bool exists = o != nullptr;
  if ((opt.nx && exists) || (opt.xx && !exists)) {
    return opt.get && had_old ? ctx.reply().Bulk(old) : ctx.reply().Null();
  }
  ctx.node.Write(key, [&](Mutation& m) {
    lattice::WriteString(m, std::string(value), opt.keepttl);
    if (opt.expire_at_ms)
      lattice::SetExpiry(m, *opt.expire_at_ms);
  });
  // An absolute expiry already in the past deletes the key at once, as in Redis.
  if (opt.expire_at_ms && *opt.expire_at_ms <= ctx.node.NowMs())
    ctx.node.Delete(key);
  if (opt.get)
    return had_old ? ctx.reply().Bulk(old) : ctx.reply().Null();
  ctx.Ok();
}

void CmdSet(CommandContext& ctx) {
  SetOptions opt;
  if (!ParseSetOptions(ctx, 3, /*is_set=*/true, &opt) || !ResolveExpiry(ctx, &opt))
    return;
  DoSet(ctx, ctx.args[1], ctx.args[2], opt);
}

void CmdSetNx(CommandContext& ctx) {
  if (ctx.node.Lookup(ctx.args[1], false))
    return ctx.reply().Integer(0);
  ctx.node.Write(ctx.args[1],
                 [&](Mutation& m) { lattice::WriteString(m, std::string(ctx.args[2]), false); });
  ctx.reply().Integer(1);
}

// SETEX key seconds value / PSETEX key ms value.
void SetWithExpire(CommandContext& ctx, int64_t unit) {
  ArgParser p(ctx.args, 2);
  int64_t amount = p.Int();
  if (!p.ok())
    return ctx.Error(p.error());
  std::optional<int64_t> at;
  if (amount > 0)
    at = AbsoluteExpiryMs(amount, unit, false, ctx.node.NowMs());
  if (!at)
    return ctx.Error(err::InvalidExpire(ctx.spec.name));
  SetOptions opt;
  opt.expire_at_ms = at;
  DoSet(ctx, ctx.args[1], ctx.args[3], opt);
}
void CmdSetEx(CommandContext& ctx) { SetWithExpire(ctx, 1000); }
void CmdPSetEx(CommandContext& ctx) { SetWithExpire(ctx, 1); }

void CmdGetSet(CommandContext& ctx) {
  SetOptions opt;
  opt.get = true;
  DoSet(ctx, ctx.args[1], ctx.args[2], opt);
}

void CmdGetDel(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kString, &wrong);
  if (wrong)
    return;
  if (!o)
    return ctx.reply().Null();
  std::string scratch;
  std::string value(ValueOf(*o, &scratch));
  ctx.node.Delete(ctx.args[1]);
  ctx.reply().Bulk(value);
}

void CmdGetEx(CommandContext& ctx) {
  SetOptions opt;
  if (!ParseSetOptions(ctx, 2, /*is_set=*/false, &opt))
    return;
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kString, &wrong);
  if (wrong)
    return;
  if (!o)
    return ctx.reply().Null();
  if (!ResolveExpiry(ctx, &opt))
    return;
  std::string scratch;
  std::string value(ValueOf(*o, &scratch));
  if (opt.expire_at_ms) {
    if (*opt.expire_at_ms <= ctx.node.NowMs()) {
      ctx.node.Delete(ctx.args[1]);
    } else {
      ctx.node.Write(ctx.args[1], [&](Mutation& m) { lattice::SetExpiry(m, *opt.expire_at_ms); });
    }
  } else if (opt.persist && o->ExpiryMs()) {
    ctx.node.Write(ctx.args[1], [&](Mutation& m) { lattice::PersistKey(m); });
  }
  ctx.reply().Bulk(value);
}

void CmdMGet(CommandContext& ctx) {
  ctx.reply().ArrayHeader(ctx.args.size() - 1);
  std::string scratch;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const Object* o = ctx.node.Lookup(ctx.args[i]);
    if (!o || o->Type() != KeyType::kString) {
      ctx.reply().Null();
    } else {
      ctx.reply().Bulk(ValueOf(*o, &scratch));
    }
  }
}

void CmdMSet(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0)
    return ctx.Error(err::WrongArgs(ctx.spec.name));
  for (size_t i = 1; i + 1 < ctx.args.size(); i += 2) {
    ctx.node.Write(ctx.args[i], [&](Mutation& m) {
      lattice::WriteString(m, std::string(ctx.args[i + 1]), false);
    });
  }
  ctx.Ok();
}

void CmdMSetNx(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0)
    return ctx.Error(err::WrongArgs(ctx.spec.name));
  for (size_t i = 1; i + 1 < ctx.args.size(); i += 2) {
    if (ctx.node.Lookup(ctx.args[i], false))
      return ctx.reply().Integer(0);
  }
  for (size_t i = 1; i + 1 < ctx.args.size(); i += 2) {
    ctx.node.Write(ctx.args[i], [&](Mutation& m) {
      lattice::WriteString(m, std::string(ctx.args[i + 1]), false);
    });
  }
  ctx.reply().Integer(1);
}

void CmdAppend(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kString, &wrong, false);
  if (wrong)
    return;
  std::string scratch;
  std::string value = o ? std::string(ValueOf(*o, &scratch)) : std::string();
  if (static_cast<int64_t>(value.size() + ctx.args[2].size()) >
      ctx.node.config().proto_max_bulk_len) {
    return ctx.Error(err::kStringTooLong);
  }
  value.append(ctx.args[2]);
  size_t len = value.size();
  ctx.node.Write(ctx.args[1],
                 [&](Mutation& m) { lattice::WriteString(m, std::move(value), true); });
  ctx.reply().Integer(static_cast<int64_t>(len));
}

void CmdStrlen(CommandContext& ctx) {
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kString, &wrong);
  if (wrong)
    return;
  std::string scratch;
  ctx.reply().Integer(o ? static_cast<int64_t>(ValueOf(*o, &scratch).size()) : 0);
}

void CmdGetRange(CommandContext& ctx) {
  ArgParser p(ctx.args, 2);
  int64_t start = p.Int();
  int64_t end = p.Int();
  if (!p.ok())
    return ctx.Error(p.error());
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kString, &wrong);
  if (wrong)
    return;
  if (!o)
    return ctx.reply().Bulk("");
  std::string scratch;
  std::string_view v = ValueOf(*o, &scratch);
  int64_t len = static_cast<int64_t>(v.size());
  // Redis: both negative and start > end is empty; negatives count from the end.
  if (start < 0 && end < 0 && start > end)
    return ctx.reply().Bulk("");
  if (start < 0)
    start = len + start;
  if (end < 0)
    end = len + end;
  if (start < 0)
    start = 0;
  if (end < 0)
    end = 0;
  if (end >= len)
    end = len - 1;
  if (start > end || len == 0)
    return ctx.reply().Bulk("");
  ctx.reply().Bulk(v.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

void CmdSetRange(CommandContext& ctx) {
  ArgParser p(ctx.args, 2);
  int64_t offset = p.Int();
  if (!p.ok())
    return ctx.Error(p.error());
  if (offset < 0)
    return ctx.Error(err::kOffsetOutOfRange);
  std::string_view piece = ctx.args[3];
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kString, &wrong, false);
  if (wrong)
    return;
  std::string scratch;
  std::string value = o ? std::string(ValueOf(*o, &scratch)) : std::string();
  if (piece.empty())
    return ctx.reply().Integer(static_cast<int64_t>(value.size()));
  int64_t total;  // Redis's checkStringLength: an overflowing size is too long, too
  if (__builtin_add_overflow(offset, static_cast<int64_t>(piece.size()), &total) ||
      total > ctx.node.config().proto_max_bulk_len) {
    return ctx.Error(err::kStringTooLong);
  }
  size_t need = static_cast<size_t>(offset) + piece.size();
  if (value.size() < need)
    value.resize(need, '\0');
  value.replace(static_cast<size_t>(offset), piece.size(), piece);
  size_t len = value.size();
  ctx.node.Write(ctx.args[1],
                 [&](Mutation& m) { lattice::WriteString(m, std::move(value), true); });
  ctx.reply().Integer(static_cast<int64_t>(len));
}

// INCR, DECR, INCRBY, DECRBY.
void IncrBy(CommandContext& ctx, int64_t by) {
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kString, &wrong, false);
  if (wrong)
    return;
  int64_t cur = 0;
  if (o) {
    std::string scratch;
    auto v = lattice::ParseInt64(ValueOf(*o, &scratch));
    if (!v)
      return ctx.Error(err::kNotInteger);
    cur = *v;
  }
  int64_t next;
  if (__builtin_add_overflow(cur, by, &next))
    return ctx.Error(err::kOverflow);
  ctx.node.Write(ctx.args[1], [&](Mutation& m) { lattice::IncrementString(m, by, 0); });
  ctx.reply().Integer(next);
}

void CmdIncr(CommandContext& ctx) { IncrBy(ctx, 1); }
void CmdDecr(CommandContext& ctx) { IncrBy(ctx, -1); }
void CmdIncrBy(CommandContext& ctx) {
  ArgParser p(ctx.args, 2);
  int64_t by = p.Int();
  if (!p.ok())
    return ctx.Error(p.error());
  IncrBy(ctx, by);
}
void CmdDecrBy(CommandContext& ctx) {
  ArgParser p(ctx.args, 2);
  int64_t by = p.Int();
  if (!p.ok())
    return ctx.Error(p.error());
  if (by == INT64_MIN)
    return ctx.Error("ERR decrement would overflow");
  IncrBy(ctx, -by);
}

void CmdIncrByFloat(CommandContext& ctx) {
  ArgParser p(ctx.args, 2);
  long double by = p.LongDouble();
  if (!p.ok())
    return ctx.Error(p.error());
  bool wrong;
  const Object* o = LookupTyped(ctx, ctx.args[1], KeyType::kString, &wrong, false);
  if (wrong)
    return;
  long double cur = 0;
  if (o) {
    std::string scratch;
    auto v = lattice::ParseLongDouble(ValueOf(*o, &scratch));
    if (!v)
      return ctx.Error(err::kNotFloat);
    cur = *v;
  }
  long double next = cur + by;
  if (std::isnan(next) || std::isinf(next))
    return ctx.Error(err::kNanOrInf);
  const Object* after =
      ctx.node.Write(ctx.args[1], [&](Mutation& m) { lattice::IncrementString(m, 0, by); });
  // Reply what GET will read: the counter's value as the lattice computes it.
  std::string scratch;
  if (after && after->str()) return ctx.reply().Bulk(ValueOf(*after, &scratch));
  ctx.reply().Bulk(lattice::FormatLongDouble(next));
}

constexpr CommandSpec kStringCommands[] = {
    {"get", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdGet, "string", "1.0.0",
     "Returns the string value of a key.", "O(1)", "key"},
    {"set", -3, kCmdWrite | kCmdDenyOom, 1, 1, 1, CmdSet, "string", "1.0.0",
     "Sets the string value of a key, ignoring its type. The key is created if it doesn't "
     "exist.",
     "O(1)",
     "key value [NX | XX] [GET] [EX seconds:integer | PX milliseconds:integer | "
     "EXAT unix-time-seconds:unix-time | PXAT unix-time-milliseconds:unix-time | KEEPTTL]"},
    {"setnx", 3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdSetNx, "string", "1.0.0",
     "Set the string value of a key only when the key doesn't exist.", "O(1)", "key value"},
    {"setex", 4, kCmdWrite | kCmdDenyOom, 1, 1, 1, CmdSetEx, "string", "2.0.0",
     "Sets the string value and expiration time of a key. Creates the key if it doesn't "
     "exist.",
     "O(1)", "key seconds:integer value"},
    {"psetex", 4, kCmdWrite | kCmdDenyOom, 1, 1, 1, CmdPSetEx, "string", "2.6.0",
     "Sets both string value and expiration time in milliseconds of a key. The key is "
     "created if it doesn't exist.",
     "O(1)", "key milliseconds:integer value"},
    {"getset", 3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdGetSet, "string", "1.0.0",
     "Returns the previous string value of a key after setting it to a new value.", "O(1)",
     "key value"},
    {"getdel", 2, kCmdWrite | kCmdFast, 1, 1, 1, CmdGetDel, "string", "6.2.0",
     "Returns the string value of a key after deleting the key.", "O(1)", "key"},
    {"getex", -2, kCmdWrite | kCmdFast, 1, 1, 1, CmdGetEx, "string", "6.2.0",
     "Returns the string value of a key after setting its expiration time.", "O(1)",
     "key [EX seconds:integer | PX milliseconds:integer | EXAT unix-time-seconds:unix-time | "
     "PXAT unix-time-milliseconds:unix-time | PERSIST]"},
    {"mget", -2, kCmdReadonly | kCmdFast, 1, -1, 1, CmdMGet, "string", "1.0.0",
     "Atomically returns the string values of one or more keys.",
     "O(N) where N is the number of keys to retrieve.", "key..."},
    {"mset", -3, kCmdWrite | kCmdDenyOom, 1, -1, 2, CmdMSet, "string", "1.0.1",
     "Atomically creates or modifies the string values of one or more keys.",
     "O(N) where N is the number of keys to set.", "(key value)..."},
    {"msetnx", -3, kCmdWrite | kCmdDenyOom, 1, -1, 2, CmdMSetNx, "string", "1.0.1",
     "Atomically modifies the string values of one or more keys only when all keys don't "
     "exist.",
     "O(N) where N is the number of keys to set.", "(key value)..."},
    {"append", 3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdAppend, "string", "2.0.0",
     "Appends a string to the value of a key. Creates the key if it doesn't exist.",
     "O(1). The amortized time complexity is O(1) assuming the appended value is small and "
     "the already present value is of any size, since the dynamic string library used by "
     "Redis will double the free space available on every reallocation.",
     "key value"},
    {"strlen", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdStrlen, "string", "2.2.0",
     "Returns the length of a string value.", "O(1)", "key"},
    {"getrange", 4, kCmdReadonly, 1, 1, 1, CmdGetRange, "string", "2.4.0",
     "Returns a substring of the string stored at a key.",
     "O(N) where N is the length of the returned string.", "key start:integer end:integer"},
    {"substr", 4, kCmdReadonly, 1, 1, 1, CmdGetRange, "string", "1.0.0",
     "Returns a substring from a string value.",
     "O(N) where N is the length of the returned string.", "key start:integer end:integer"},
    {"setrange", 4, kCmdWrite | kCmdDenyOom, 1, 1, 1, CmdSetRange, "string", "2.2.0",
     "Overwrites a part of a string value with another by an offset. Creates the key if it "
     "doesn't exist.",
     "O(1), not counting the time taken to copy the new string in place.",
     "key offset:integer value"},
    {"incr", 2, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdIncr, "string", "1.0.0",
     "Increments the integer value of a key by one. Uses 0 as initial value if the key "
     "doesn't exist.",
     "O(1)", "key"},
    {"decr", 2, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdDecr, "string", "1.0.0",
     "Decrements the integer value of a key by one. Uses 0 as initial value if the key "
     "doesn't exist.",
     "O(1)", "key"},
    {"incrby", 3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdIncrBy, "string", "1.0.0",
     "Increments the integer value of a key by a number. Uses 0 as initial value if the key "
     "doesn't exist.",
     "O(1)", "key increment:integer"},
    {"decrby", 3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdDecrBy, "string", "1.0.0",
     "Decrements a number from the integer value of a key. Uses 0 as initial value if the "
     "key doesn't exist.",
     "O(1)", "key decrement:integer"},
    {"incrbyfloat", 3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdIncrByFloat, "string",
     "2.6.0",
     "Increment the floating point value of a key by a number. Uses 0 as initial value if "
     "the key doesn't exist.",
     "O(1)", "key increment:double"},
};

}  // namespace

void ReplyStringValue(CommandContext& ctx, const Object& o) {
  std::string scratch;
  ctx.reply().Bulk(ValueOf(o, &scratch));
}

void RegisterStringCommands(CommandTable& table) { table.Register(kStringCommands); }

}  // namespace starling::server
