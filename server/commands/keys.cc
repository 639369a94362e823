// Generic key commands (Redis "generic" group): existence, type, iteration, renames and
// copies, OBJECT, and the expiry family. Replies and errors are Redis 7.0's.
//
// Every change goes through Node::Write / Node::Delete with the lattice mutators
// (RemoveAll, SetExpiry, PersistKey, CopyValue), so each one is a delta that replicates.
// Reads skip tombstones and expired keys; an expired key a command looks at is deleted on
// the spot (Node::Lookup), as in Redis.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lattice/copy_ops.h"
#include "lattice/hlc.h"
#include "lattice/numbers.h"
#include "lattice/string_ops.h"
#include "server/commands/common.h"
#include "server/glob.h"
#include "server/session.h"

namespace starling::server {
namespace {

using lattice::KeyType;
using lattice::Mutation;
using lattice::Object;

// ---- Existence and type.

// DEL and UNLINK: Starling frees nothing in the background, so both delete at once.
void CmdDel(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i)
    n += ctx.node.Delete(ctx.args[i]) ? 1 : 0;
  ctx.reply().Integer(n);
}

// EXISTS counts a key once per mention; TOUCH too (it counts the keys it found).
void CmdExists(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i)
    n += ctx.node.Lookup(ctx.args[i]) ? 1 : 0;
  ctx.reply().Integer(n);
}

void CmdType(CommandContext& ctx) {
  const Object* o = ctx.node.Lookup(ctx.args[1]);
  ctx.reply().SimpleString(o ? lattice::KeyTypeName(o->Type()) : "none");
}

// ---- KEYS, SCAN, RANDOMKEY.

bool Visible(const Object& o, int64_t now_ms) { return o.Exists() && !o.IsExpiredAt(now_ms); }

void CmdKeys(CommandContext& ctx) {
  std::string_view pattern = ctx.args[1];
  bool all = GlobMatchesAll(pattern);
  int64_t now = ctx.node.NowMs();
  std::vector<std::string_view> keys;
  for (const auto& [k, o] : ctx.node.keyspace().map()) {
    if (Visible(*o, now) && (all || GlobMatch(pattern, k.str)))
      keys.push_back(k.str);
  }
  ctx.reply().ArrayHeader(keys.size());
  for (std::string_view k : keys)
    ctx.reply().Bulk(k);
}

// Redis parses cursors with strtoul: a leading '+' or '-' is accepted ("-1" wraps to the
// largest cursor), an empty string is 0, leading blanks and trailing bytes are not.
std::optional<uint64_t> ParseCursor(std::string_view arg) {
  std::string s(arg);  // strtoul needs a NUL; an embedded NUL ends the number, as in Redis
  if (!s.empty() && std::isspace(static_cast<unsigned char>(s[0])))
    return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE)
    return std::nullopt;
  return static_cast<uint64_t>(v);
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. Cursors come from Keyspace::Scan:
// keys are ordered by hash and the cursor is where to resume, so a full iteration returns
// every key present throughout, whatever is added or deleted between calls. COUNT is the
// number of entries visited (as in Redis, a hint: a call may return fewer keys).
void CmdScan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = ParseCursor(ctx.args[1]);
  if (!cursor)
    return ctx.Error(err::kInvalidCursor);
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  std::optional<std::string_view> type;
  for (size_t i = 2; i < ctx.args.size();) {
    bool has_value = i + 1 < ctx.args.size();
    std::string_view opt = ctx.args[i];
    if (EqualsIgnoreCase(opt, "count") && has_value) {
      std::optional<int64_t> c = lattice::ParseInt64(ctx.args[i + 1]);
      if (!c)
        return ctx.Error(err::kNotInteger);
      if (*c < 1)
        return ctx.Error(err::kSyntax);
      count = *c;
    } else if (EqualsIgnoreCase(opt, "match") && has_value) {
      pattern = ctx.args[i + 1];
      use_pattern = !GlobMatchesAll(pattern);
    } else if (EqualsIgnoreCase(opt, "type") && has_value) {
      type = ctx.args[i + 1];
    } else {
      return ctx.Error(err::kSyntax);
    }
    i += 2;
  }
  std::vector<std::string> keys;
  std::vector<std::string> expired;
  uint64_t next = 0;
  // Cursors are at most 2^63 (see Keyspace::Scan); a larger one is past the last key.
  if (*cursor <= (uint64_t{1} << 63)) {
    int64_t now = ctx.node.NowMs();
    next = ctx.node.keyspace().Scan(
        *cursor, static_cast<size_t>(count), [&](const lattice::ElemKey& k, const Object& o) {
          if (!o.Exists())
            return;  // a tombstone
          if (use_pattern && !GlobMatch(pattern, k.str))
            return;
          if (o.IsExpiredAt(now)) {
            expired.push_back(k.str);
            return;
          }
          if (type && !EqualsIgnoreCase(*type, lattice::KeyTypeName(o.Type())))
            return;
          keys.push_back(k.str);
        });
  }
  // Expired keys met on the way are deleted, as Redis's SCAN does (after the walk: deleting
  // during it would move the entries under the iterator).
  for (const std::string& k : expired)
    ctx.node.Lookup(k, /*count_stats=*/false);
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(std::to_string(next));
  ctx.reply().ArrayHeader(keys.size());
  for (const std::string& k : keys)
    ctx.reply().Bulk(k);
}

// RANDOMKEY: a random point in the key order, then the first live key at or after it.
// Tombstones are skipped by drawing again; an expired key found is deleted (as in Redis)
// and another drawn. After a bounded number of draws, a walk finds any live key left.
void CmdRandomKey(CommandContext& ctx) {
  storage::Keyspace& ks = ctx.node.keyspace();
  for (int draw = 0; draw < 64 && ks.live_keys() > 0; ++draw) {
    const auto* e = ks.AtOrAfter(ctx.node.random().Next64());
    if (!e || !e->second->Exists())
      continue;
    std::string key = e->first.str;  // Lookup may erase the entry
    if (ctx.node.Lookup(key, /*count_stats=*/false))
      return ctx.reply().Bulk(key);
  }
  int64_t now = ctx.node.NowMs();
  for (const auto& [k, o] : ks.map()) {
    if (Visible(*o, now))
      return ctx.reply().Bulk(k.str);
  }
  ctx.reply().Null();
}

// ---- RENAME, RENAMENX, COPY.

// The destination gets the source's visible value and TTL as a fresh write (see
// lattice/copy_ops.h), then the source is deleted. Same name: Redis does nothing, but
// still replies "no such key" for a missing key.
void Rename(CommandContext& ctx, bool nx) {
  std::string_view key = ctx.args[1], newkey = ctx.args[2];
  const Object* src = ctx.node.Lookup(key, /*count_stats=*/false);
  if (!src)
    return ctx.Error(err::kNoSuchKey);
  if (key == newkey)
    return nx ? ctx.reply().Integer(0) : ctx.Ok();
  if (nx && ctx.node.Lookup(newkey, /*count_stats=*/false))
    return ctx.reply().Integer(0);
  // Objects are held by pointer in the keyspace, so src stays valid while newkey is written.
  ctx.node.Write(newkey, [&](Mutation& m) { lattice::CopyValue(*src, m, /*copy_ttl=*/true); });
  ctx.node.Delete(key);
  nx ? ctx.reply().Integer(1) : ctx.Ok();
}
void CmdRename(CommandContext& ctx) { Rename(ctx, false); }
void CmdRenameNx(CommandContext& ctx) { Rename(ctx, true); }

// COPY source destination [DB destination-db] [REPLACE]. Starling has one database, so
// DB must be 0; any other index is out of range, as on a Redis with `databases 1`.
void CmdCopy(CommandContext& ctx) {
  bool replace = false;
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    if (EqualsIgnoreCase(ctx.args[j], "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(ctx.args[j], "db") && j + 1 < ctx.args.size()) {
      std::optional<int64_t> db = lattice::ParseInt64(ctx.args[++j]);
      if (!db)
        return ctx.Error(err::kNotInteger);
      if (*db < INT32_MIN || *db > INT32_MAX) {
        return ctx.Error(
            "ERR value is out of range, value must between -2147483648 and "
            "2147483647");
      }
      if (*db != 0)
        return ctx.Error(err::kDbIndexOutOfRange);
    } else {
      return ctx.Error(err::kSyntax);
    }
  }
  std::string_view key = ctx.args[1], newkey = ctx.args[2];
  if (key == newkey)
    return ctx.Error("ERR source and destination objects are the same");
  const Object* src = ctx.node.Lookup(key);
  if (!src)
    return ctx.reply().Integer(0);
  if (ctx.node.Lookup(newkey, /*count_stats=*/false) && !replace)
    return ctx.reply().Integer(0);
  ctx.node.Write(newkey, [&](Mutation& m) { lattice::CopyValue(*src, m, /*copy_ttl=*/true); });
  ctx.reply().Integer(1);
}

// ---- OBJECT.
//
// Starling keeps no Redis encodings, reference counts or access clocks. OBJECT answers
// what a Redis user would expect for a value of this type and size, so that tools that
// look at it (memory advisors, redis-cli --bigkeys style scripts) behave:
//   ENCODING  computed from the visible value with Redis 7.2's rules and this node's
//             *-max-* settings, without Redis's hysteresis (a Redis key, once converted to
//             hashtable/skiplist/quicklist, stays so when it shrinks). Redis 7.0 reports
//             every list as quicklist and non-integer sets as hashtable.
//   REFCOUNT  2147483647 for the integers Redis shares (0..9999, unless an LRU/LFU policy
//             forbids sharing), else 1.
//   IDLETIME  seconds since the key's data was last written on any replica (the HLC stamp
//             of its newest type tag); reads do not reset it, unlike Redis.
//   FREQ      Redis's error unless an LFU maxmemory-policy is set; then 0, since access
//             frequency is not tracked per key (hot keys are found per node by routing).

std::string ConfigString(const Config& config, std::string_view name) {
  for (const auto& [n, v] : config.Get(name)) {
    if (n == name)
      return v;
  }
  return "";
}

// A size limit from the config (the *-max-* settings); `dflt` if unset or not a number.
size_t ConfigLimit(const Config& config, std::string_view name, int64_t dflt) {
  return static_cast<size_t>(
      std::max<int64_t>(0, lattice::ParseInt64(ConfigString(config, name)).value_or(dflt)));
}

bool IsIntegerString(std::string_view s) {
  return s.size() <= 20 && lattice::ParseInt64(s).has_value();
}

// Bytes of one listpack entry holding s (lpEncodeString / integer encodings + back-length).
size_t ListpackEntryBytes(std::string_view s) {
  size_t enc;
  if (std::optional<int64_t> n = IsIntegerString(s) ? lattice::ParseInt64(s) : std::nullopt) {
    int64_t v = *n;
    enc = (v >= 0 && v <= 127)                                   ? 1
          : (v >= -4096 && v <= 4095)                            ? 2
          : (v >= INT16_MIN && v <= INT16_MAX)                   ? 3
          : (v >= -(int64_t{1} << 23) && v < (int64_t{1} << 23)) ? 4
          : (v >= INT32_MIN && v <= INT32_MAX)                   ? 5
                                                                 : 9;
  } else {
    enc = s.size() + (s.size() < 64 ? 1 : s.size() < 4096 ? 2 : 5);
  }
  size_t back = enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
  return enc + back;
}

const char* ListEncoding(const Object& o, const Config& config) {
  int64_t fill = lattice::ParseInt64(ConfigString(config, "list-max-listpack-size")).value_or(-2);
  const auto& elems = o.list()->elems();
  if (fill >= 0 && elems.size() > static_cast<size_t>(fill))
    return "quicklist";
  // Negative fill: a size limit of 4 KB << (-fill - 1); positive fill: 8 KB safety limit.
  size_t limit = fill < 0 ? size_t{4096} << std::min<int64_t>(-fill - 1, 4) : 8192;
  size_t bytes = 7;  // listpack header and end byte
  for (auto it = elems.begin(); it != elems.end(); ++it) {
    bytes += ListpackEntryBytes(*lattice::ListElemValue(it.value()));
    if (bytes > limit)
      return "quicklist";
  }
  return "listpack";
}

const char* Encoding(const Object& o, const Config& config) {
  std::string scratch;
  switch (o.Type()) {
    case KeyType::kString: {
      std::string_view v = lattice::StringValue(*o.str(), &scratch);
      return IsIntegerString(v) ? "int" : v.size() <= 44 ? "embstr" : "raw";
    }
    case KeyType::kList:
      return ListEncoding(o, config);
    case KeyType::kSet: {
      const auto& members = o.set()->map();
      size_t n = members.size();
      bool ints = n <= ConfigLimit(config, "set-max-intset-entries", 512);
      for (auto it = members.begin(); ints && it != members.end(); ++it) {
        ints = IsIntegerString(it->first.str);
      }
      if (ints)
        return "intset";
      if (n > ConfigLimit(config, "set-max-listpack-entries", 128)) {
        return "hashtable";
      }
      size_t max_len = ConfigLimit(config, "set-max-listpack-value", 64);
      for (const auto& [k, d] : members) {
        if (k.str.size() > max_len)
          return "hashtable";
      }
      return "listpack";
    }
    case KeyType::kHash: {
      const auto& h = *o.hash();
      if (h.fields.size() > ConfigLimit(config, "hash-max-listpack-entries", 128)) {
        return "hashtable";
      }
      size_t max_len = ConfigLimit(config, "hash-max-listpack-value", 64);
      for (const auto& [k, d] : h.fields.map()) {
        if (k.str.size() > max_len ||
            lattice::VisibleString(d, h.RunsOf(k.ref()), &scratch).size() > max_len) {
          return "hashtable";
        }
      }
      return "listpack";
    }
    case KeyType::kZset: {
      const auto& z = *o.zset();
      if (z.size() > ConfigLimit(config, "zset-max-listpack-entries", 128)) {
        return "skiplist";
      }
      size_t max_len = ConfigLimit(config, "zset-max-listpack-value", 64);
      for (const auto& [k, d] : z.members().map()) {
        if (k.str.size() > max_len)
          return "skiplist";
      }
      return "listpack";
    }
    case KeyType::kNone:
      break;
  }
  return "none";
}

bool LfuPolicy(const Config& config) {
  return ConfigString(config, "maxmemory-policy").find("lfu") != std::string::npos;
}

// OBJECT subcommands reply nil for a missing key.
const Object* ObjectLookup(CommandContext& ctx) {
  const Object* o = ctx.node.Lookup(ctx.args[2]);
  if (!o)
    ctx.reply().Null();
  return o;
}

void CmdObjectEncoding(CommandContext& ctx) {
  if (const Object* o = ObjectLookup(ctx)) {
    ctx.reply().Bulk(Encoding(*o, ctx.node.config()));
  }
}

void CmdObjectRefcount(CommandContext& ctx) {
  const Object* o = ObjectLookup(ctx);
  if (!o)
    return;
  int64_t refs = 1;
  if (o->Type() == KeyType::kString) {
    std::string scratch;
    std::string_view v = lattice::StringValue(*o->str(), &scratch);
    std::string policy = ConfigString(ctx.node.config(), "maxmemory-policy");
    bool sharing =
        ConfigString(ctx.node.config(), "maxmemory") == "0" ||
        (policy.find("lru") == std::string::npos && policy.find("lfu") == std::string::npos);
    std::optional<int64_t> n = IsIntegerString(v) ? lattice::ParseInt64(v) : std::nullopt;
    if (sharing && n && *n >= 0 && *n < 10000)
      refs = INT32_MAX;
  }
  ctx.reply().Integer(refs);
}

void CmdObjectIdletime(CommandContext& ctx) {
  const Object* o = ObjectLookup(ctx);
  if (!o)
    return;
  if (LfuPolicy(ctx.node.config())) {
    return ctx.Error(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
        "switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.");
  }
  lattice::Hlc last = 0;
  for (const auto& [d, tag] : o->store.tags.entries())
    last = std::max(last, tag.stamp);
  int64_t idle_ms = ctx.node.NowMs() - lattice::HlcMillis(last);
  ctx.reply().Integer(std::max<int64_t>(0, idle_ms / 1000));
}

void CmdObjectFreq(CommandContext& ctx) {
  const Object* o = ObjectLookup(ctx);
  if (!o)
    return;
  if (!LfuPolicy(ctx.node.config())) {
    return ctx.Error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
        "note that when switching between policies at runtime LRU and LFU data will take "
        "some time to adjust.");
  }
  ctx.reply().Integer(0);
}

void CmdObjectHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply().ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines)
    ctx.reply().SimpleString(line);
}

// ---- Expiry.

// EXPIRE key time [NX|XX|GT|LT] and its PEXPIRE / EXPIREAT / PEXPIREAT forms: base_ms is
// now for the relative forms, 0 for the absolute ones. As Redis: options are checked
// before the time, a key without a TTL counts as an infinite TTL for GT and LT, and a time
// not after now deletes the key.
void ExpireGeneric(CommandContext& ctx, int64_t base_ms, int64_t unit_ms) {
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    std::string_view opt = ctx.args[j];
    if (EqualsIgnoreCase(opt, "nx")) {
      nx = true;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      xx = true;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      gt = true;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      lt = true;
    } else {
      return ctx.Error("ERR Unsupported option " + std::string(opt));
    }
  }
  if (nx && (xx || gt || lt)) {
    return ctx.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt)
    return ctx.Error("ERR GT and LT options at the same time are not compatible");
  std::optional<int64_t> when = lattice::ParseInt64(ctx.args[2]);
  if (!when)
    return ctx.Error(err::kNotInteger);
  if (unit_ms == 1000) {
    if (*when > INT64_MAX / 1000 || *when < INT64_MIN / 1000) {
      return ctx.Error(err::InvalidExpire(ctx.spec.name));
    }
    *when *= 1000;
  }
  if (*when > INT64_MAX - base_ms)
    return ctx.Error(err::InvalidExpire(ctx.spec.name));
  *when += base_ms;

  std::string_view key = ctx.args[1];
  const Object* o = ctx.node.Lookup(key, /*count_stats=*/false);
  if (!o)
    return ctx.reply().Integer(0);
  std::optional<int64_t> current = o->ExpiryMs();
  if ((nx && current) || (xx && !current) || (gt && (!current || *when <= *current)) ||
      (lt && current && *when >= *current)) {
    return ctx.reply().Integer(0);
  }
  if (*when <= ctx.node.NowMs()) {
    ctx.node.Delete(key);
  } else {
    ctx.node.Write(key, [&](Mutation& m) { lattice::SetExpiry(m, *when); });
  }
  ctx.reply().Integer(1);
}
void CmdExpire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.node.NowMs(), 1000); }
void CmdPExpire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.node.NowMs(), 1); }
void CmdExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 0, 1000); }
void CmdPExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 0, 1); }

// TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for a missing key, -1 without a TTL. Seconds are
// rounded to the nearest, as Redis does.
void TtlGeneric(CommandContext& ctx, bool in_ms, bool absolute) {
  const Object* o = ctx.node.Lookup(ctx.args[1]);
  if (!o)
    return ctx.reply().Integer(-2);
  std::optional<int64_t> at = o->ExpiryMs();
  if (!at)
    return ctx.reply().Integer(-1);
  int64_t ttl = absolute ? *at : std::max<int64_t>(0, *at - ctx.node.NowMs());
  if (ttl < 0)
    ttl = 0;
  if (!in_ms)
    ttl = static_cast<int64_t>((static_cast<__int128>(ttl) + 500) / 1000);
  ctx.reply().Integer(ttl);
}
void CmdTtl(CommandContext& ctx) { TtlGeneric(ctx, false, false); }
void CmdPTtl(CommandContext& ctx) { TtlGeneric(ctx, true, false); }
void CmdExpireTime(CommandContext& ctx) { TtlGeneric(ctx, false, true); }
void CmdPExpireTime(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

void CmdPersist(CommandContext& ctx) {
  const Object* o = ctx.node.Lookup(ctx.args[1], /*count_stats=*/false);
  if (!o || !o->ExpiryMs())
    return ctx.reply().Integer(0);
  ctx.node.Write(ctx.args[1], [](Mutation& m) { lattice::PersistKey(m); });
  ctx.reply().Integer(1);
}

// ---- The table.

constexpr const char* kExpireSyntax = "key seconds:integer [NX | XX | GT | LT]";

constexpr CommandSpec kObjectSubcommands[] = {
    {"encoding", 3, kCmdReadonly, 2, 2, 1, CmdObjectEncoding, "generic", "2.2.3",
     "Returns the internal encoding of a Redis object.", "O(1)", "key"},
    {"freq", 3, kCmdReadonly, 2, 2, 1, CmdObjectFreq, "generic", "4.0.0",
     "Returns the logarithmic access frequency counter of a Redis object.", "O(1)", "key"},
    {"idletime", 3, kCmdReadonly, 2, 2, 1, CmdObjectIdletime, "generic", "2.2.3",
     "Returns the time since the last access to a Redis object.", "O(1)", "key"},
    {"refcount", 3, kCmdReadonly, 2, 2, 1, CmdObjectRefcount, "generic", "2.2.3",
     "Returns the reference count of a value of a key.", "O(1)", "key"},
    {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, CmdObjectHelp, "generic", "6.2.0",
     "Returns helpful text about the different subcommands.", "O(1)", ""},
};

constexpr CommandSpec kKeyCommands[] = {
    {"del", -2, kCmdWrite, 1, -1, 1, CmdDel, "generic", "1.0.0", "Deletes one or more keys.",
     "O(N) where N is the number of keys that will be removed.", "key..."},
    {"unlink", -2, kCmdWrite | kCmdFast, 1, -1, 1, CmdDel, "generic", "4.0.0",
     "Asynchronously deletes one or more keys.",
     "O(1) for each key removed regardless of its size.", "key..."},
    {"exists", -2, kCmdReadonly | kCmdFast, 1, -1, 1, CmdExists, "generic", "1.0.0",
     "Determines whether one or more keys exist.", "O(N) where N is the number of keys to check.",
     "key..."},
    {"type", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdType, "generic", "1.0.0",
     "Determines the type of value stored at a key.", "O(1)", "key"},
    {"touch", -2, kCmdReadonly | kCmdFast, 1, -1, 1, CmdExists, "generic", "3.2.1",
     "Returns the number of existing keys out of those specified after updating the time "
     "they were last accessed.",
     "O(N) where N is the number of keys that will be touched.", "key..."},
    {"keys", 2, kCmdReadonly, 0, 0, 0, CmdKeys, "generic", "1.0.0",
     "Returns all key names that match a pattern.",
     "O(N) with N being the number of keys in the database, under the assumption that the "
     "key names in the database and the given pattern have limited length.",
     "pattern:pattern"},
    {"scan", -2, kCmdReadonly, 0, 0, 0, CmdScan, "generic", "2.8.0",
     "Iterates over the key names in the database.",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls "
     "for the cursor to return back to 0. N is the number of elements inside the "
     "collection.",
     "cursor:integer [MATCH pattern:pattern] [COUNT count:integer] [TYPE type]"},
    {"randomkey", 1, kCmdReadonly, 0, 0, 0, CmdRandomKey, "generic", "1.0.0",
     "Returns a random key name from the database.", "O(1)", ""},
    {"rename", 3, kCmdWrite, 1, 2, 1, CmdRename, "generic", "1.0.0",
     "Renames a key and overwrites the destination.", "O(1)", "key newkey:key"},
    {"renamenx", 3, kCmdWrite | kCmdFast, 1, 2, 1, CmdRenameNx, "generic", "1.0.0",
     "Renames a key only when the target key name doesn't exist.", "O(1)", "key newkey:key"},
    {"copy", -3, kCmdWrite | kCmdDenyOom, 1, 2, 1, CmdCopy, "generic", "6.2.0",
     "Copies the value of a key to a new key.",
     "O(N) worst case for collections, where N is the number of nested items. O(1) for "
     "string values.",
     "source:key destination:key [DB destination-db:integer] [REPLACE]"},
    {"object", -2, 0, 0, 0, 0, nullptr, "generic", "2.2.3",
     "A container for object introspection commands.", "Depends on subcommand.", "",
     kObjectSubcommands},
    {"expire", -3, kCmdWrite | kCmdFast, 1, 1, 1, CmdExpire, "generic", "1.0.0",
     "Sets the expiration time of a key in seconds.", "O(1)", kExpireSyntax},
    {"pexpire", -3, kCmdWrite | kCmdFast, 1, 1, 1, CmdPExpire, "generic", "2.6.0",
     "Sets the expiration time of a key in milliseconds.", "O(1)",
     "key milliseconds:integer [NX | XX | GT | LT]"},
    {"expireat", -3, kCmdWrite | kCmdFast, 1, 1, 1, CmdExpireAt, "generic", "1.2.0",
     "Sets the expiration time of a key to a Unix timestamp.", "O(1)",
     "key unix-time-seconds:unix-time [NX | XX | GT | LT]"},
    {"pexpireat", -3, kCmdWrite | kCmdFast, 1, 1, 1, CmdPExpireAt, "generic", "2.6.0",
     "Sets the expiration time of a key to a Unix milliseconds timestamp.", "O(1)",
     "key unix-time-milliseconds:unix-time [NX | XX | GT | LT]"},
    {"ttl", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdTtl, "generic", "1.0.0",
     "Returns the expiration time in seconds of a key.", "O(1)", "key"},
    {"pttl", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdPTtl, "generic", "2.6.0",
     "Returns the expiration time in milliseconds of a key.", "O(1)", "key"},
    {"expiretime", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdExpireTime, "generic", "7.0.0",
     "Returns the expiration time of a key as a Unix timestamp.", "O(1)", "key"},
    {"pexpiretime", 2, kCmdReadonly | kCmdFast, 1, 1, 1, CmdPExpireTime, "generic", "7.0.0",
     "Returns the expiration time of a key as a Unix milliseconds timestamp.", "O(1)", "key"},
    {"persist", 2, kCmdWrite | kCmdFast, 1, 1, 1, CmdPersist, "generic", "2.2.0",
     "Removes the expiration time of a key.", "O(1)", "key"},
};

}  // namespace

void RegisterKeyCommands(CommandTable& table) { table.Register(kKeyCommands); }

}  // namespace starling::server
