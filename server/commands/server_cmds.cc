// Server commands (Redis "server" group): CONFIG, DBSIZE, FLUSHALL, FLUSHDB, TIME, LASTSAVE,
// SAVE, BGSAVE, SHUTDOWN, DEBUG, SLOWLOG. INFO lives in info.cc and COMMAND in
// command_cmds.cc; both register from here. Error strings are redis-server 7.0.15's.
//
// SAVE and BGSAVE: Starling writes every change to its storage engine as it happens (per
// appendfsync), so there is no snapshot to take. Both commit the pending batch at once and
// update LASTSAVE; BGSAVE replies as Redis does when it starts a background save.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lattice/numbers.h"
#include "server/commands/command_docs.h"
#include "server/commands/common.h"
#include "server/commands/info.h"
#include "server/session.h"

namespace starling::server {
namespace {

void ReplyHelp(CommandContext& ctx, std::span<const std::string_view> lines) {
  ctx.reply().ArrayHeader(lines.size());
  for (std::string_view line : lines)
    ctx.reply().SimpleString(line);
}

// ---- CONFIG.

void CmdConfigGet(CommandContext& ctx) {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    for (auto& [name, value] : ctx.node.config().Get(ctx.args[i])) {
      if (seen.insert(name).second)
        out.emplace_back(std::move(name), std::move(value));
    }
  }
  ctx.reply().MapHeader(out.size());
  for (const auto& [name, value] : out) {
    ctx.reply().Bulk(name);
    ctx.reply().Bulk(value);
  }
}

// The current value of a parameter by exact name; false if there is none.
bool CurrentValue(const Config& config, std::string_view name, std::string* value) {
  std::string lower = ToLower(name);
  for (auto& [n, v] : config.Get(lower)) {
    if (n == lower) {
      *value = std::move(v);
      return true;
    }
  }
  return false;
}

// CONFIG SET name value [name value ...]: all or nothing, as Redis 7. Every name is checked
// first (the first problem is reported); then the values are set in order, and if one is
// refused the ones already set get their old values back.
void CmdConfigSet(CommandContext& ctx) {
  if (ctx.args.size() % 2 != 0)
    return ctx.Error(err::kSyntax);
  Config& config = ctx.node.config();
  auto failed = [&](std::string_view name, std::string_view why) {
    ctx.Error("ERR CONFIG SET failed (possibly related to argument '" + std::string(name) +
              "') - " + std::string(why));
  };
  std::vector<std::string> old_values;
  std::set<std::string> names;
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    std::string_view name = ctx.args[i];
    std::string old;
    if (!CurrentValue(config, name, &old)) {
      return ctx.Error("ERR Unknown option or number of arguments for CONFIG SET - '" +
                       std::string(name) + "'");
    }
    if (const Config::Param* p = config.Find(name); p && !p->set) {
      return failed(name, "can't set immutable config");
    }
    if (!names.insert(ToLower(name)).second)
      return failed(name, "duplicate parameter");
    old_values.push_back(std::move(old));
  }
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    Status st = config.Set(ctx.args[i], ctx.args[i + 1]);
    if (st.ok())
      continue;
    for (size_t j = 2; j < i; j += 2) {
      Status undo = config.Set(ctx.args[j], old_values[(j - 2) / 2]);
      (void)undo;  // the old value was accepted before; it is accepted again
    }
    return failed(ctx.args[i], st.message());
  }
  // With no password any more, every connection is authenticated (Redis's nopass user).
  if (config.requirepass.empty()) {
    for (const auto& [id, s] : ctx.node.sessions())
      s->authenticated = true;
  }
  ctx.Ok();
}

void CmdConfigResetStat(CommandContext& ctx) {
  ctx.node.ResetStats();
  ctx.Ok();
}

void CmdConfigRewrite(CommandContext& ctx) {
  ctx.Error("ERR The server is running without a config file");
}

void CmdConfigHelp(CommandContext& ctx) {
  static constexpr std::string_view kHelp[] = {
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.",
      "HELP",
      "    Prints this help.",
  };
  ReplyHelp(ctx, kHelp);
}

// ---- Keyspace and persistence.

void CmdDbSize(CommandContext& ctx) {
  ctx.reply().Integer(static_cast<int64_t>(ctx.node.keyspace().live_keys()));
}

// FLUSHALL / FLUSHDB [ASYNC | SYNC]: one database, so both flush everything. Either way the
// flush is done before the reply.
void CmdFlush(CommandContext& ctx) {
  if (ctx.args.size() > 2 || (ctx.args.size() == 2 && !EqualsIgnoreCase(ctx.args[1], "ASYNC") &&
                              !EqualsIgnoreCase(ctx.args[1], "SYNC"))) {
    return ctx.Error(err::kSyntax);
  }
  ctx.node.FlushAll();
  ctx.Ok();
}

void CmdTime(CommandContext& ctx) {
  int64_t us = ctx.node.NowMicros();
  ctx.reply().ArrayHeader(2);
  ctx.reply().BulkInteger(us / 1'000'000);
  ctx.reply().BulkInteger(us % 1'000'000);
}

void CmdLastSave(CommandContext& ctx) { ctx.reply().Integer(ctx.node.last_save_ms() / 1000); }

void CmdSave(CommandContext& ctx) {
  Status st = ctx.node.Save();
  if (!st.ok())
    return ctx.Error("ERR " + st.message());
  ctx.Ok();
}

void CmdBgSave(CommandContext& ctx) {
  if (ctx.args.size() == 2 && !EqualsIgnoreCase(ctx.args[1], "SCHEDULE")) {
    return ctx.Error(err::kSyntax);
  }
  Status st = ctx.node.Save();
  if (!st.ok())
    return ctx.Error("ERR " + st.message());
  ctx.reply().SimpleString("Background saving started");
}

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]. No reply on success: the node stops
// serving and the driver exits. SAVE commits first (failing unless FORCE); NOSAVE skips
// that, though the driver still commits what is pending when it stops. NOW has nothing to
// skip (no replicas to wait for). ABORT: no shutdown is ever in progress.
void CmdShutdown(CommandContext& ctx) {
  bool nosave = false, save = false, force = false, abort = false, any_flag = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view a = ctx.args[i];
    if (EqualsIgnoreCase(a, "NOSAVE")) {
      nosave = any_flag = true;
    } else if (EqualsIgnoreCase(a, "SAVE")) {
      save = any_flag = true;
    } else if (EqualsIgnoreCase(a, "NOW")) {
      any_flag = true;
    } else if (EqualsIgnoreCase(a, "FORCE")) {
      force = any_flag = true;
    } else if (EqualsIgnoreCase(a, "ABORT")) {
      abort = true;
    } else {
      return ctx.Error(err::kSyntax);
    }
  }
  if ((abort && any_flag) || (nosave && save))
    return ctx.Error(err::kSyntax);
  if (abort)
    return ctx.Error("ERR No shutdown in progress.");
  if (save && !ctx.node.Save().ok() && !force) {
    return ctx.Error("ERR Errors trying to SHUTDOWN. Check logs.");
  }
  ctx.node.RequestShutdown();
}

// ---- DEBUG (only what is trivial) and SLOWLOG (Starling keeps no slow log).

void CmdDebug(CommandContext& ctx) {
  std::string mode = "no";
  for (auto& [name, value] : ctx.node.config().Get("enable-debug-command"))
    mode = value;
  bool local = ctx.session.addr.rfind("127.", 0) == 0 || ctx.session.addr.rfind("::1", 0) == 0;
  if (mode != "yes" && !(mode == "local" && local)) {
    return ctx.Error(
        "ERR DEBUG command not allowed. If the enable-debug-command option is set to "
        "\"local\", you can run it from a local connection, otherwise you need to set this "
        "option in the configuration file, and then restart the server.");
  }
  std::string_view sub = ctx.args[1];
  if (EqualsIgnoreCase(sub, "HELP") && ctx.args.size() == 2) {
    static constexpr std::string_view kHelp[] = {
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "JMAP",
        "    Does nothing (Starling has no Java heap to map).",
        "SLEEP 0",
        "    Does nothing; the node never blocks its event loop.",
        "HELP",
        "    Prints this help.",
    };
    return ReplyHelp(ctx, kHelp);
  }
  if (EqualsIgnoreCase(sub, "JMAP") && ctx.args.size() == 2)
    return ctx.Ok();
  if (EqualsIgnoreCase(sub, "SLEEP") && ctx.args.size() == 3) {
    auto secs = lattice::ParseDouble(ctx.args[2]);
    if (!secs)
      return ctx.Error(err::kNotFloat);
    if (*secs != 0)
      return ctx.Error("ERR DEBUG SLEEP would block the event loop: only 0 is accepted");
    return ctx.Ok();
  }
  ctx.Error(err::UnknownSubcommand(sub, "DEBUG"));
}

void CmdSlowlogGet(CommandContext& ctx) {
  if (ctx.args.size() > 3)
    return ctx.Error(err::WrongArgs("slowlog|get"));
  if (ctx.args.size() == 3) {
    auto n = lattice::ParseInt64(ctx.args[2]);
    if (!n || *n < -1)
      return ctx.Error("ERR count should be greater than or equal to -1");
  }
  ctx.reply().ArrayHeader(0);
}

void CmdSlowlogLen(CommandContext& ctx) { ctx.reply().Integer(0); }

void CmdSlowlogReset(CommandContext& ctx) { ctx.Ok(); }

void CmdSlowlogHelp(CommandContext& ctx) {
  static constexpr std::string_view kHelp[] = {
      "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
      "HELP",
      "    Prints this help.",
  };
  ReplyHelp(ctx, kHelp);
}

constexpr uint32_t kAdmin = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;

constexpr CommandSpec kConfigSubcommands[] = {
    {"get", -3, kAdmin, 0, 0, 0, CmdConfigGet, "server", "2.0.0",
     "Returns the effective values of configuration parameters.",
     "O(N) when N is the number of configuration parameters provided", "parameter..."},
    {"set", -4, kAdmin, 0, 0, 0, CmdConfigSet, "server", "2.0.0",
     "Sets configuration parameters in-flight.",
     "O(N) when N is the number of configuration parameters provided",
     "(data: parameter value)..."},
    {"resetstat", 2, kAdmin, 0, 0, 0, CmdConfigResetStat, "server", "2.0.0",
     "Resets the server's statistics.", "O(1)", ""},
    {"rewrite", 2, kAdmin, 0, 0, 0, CmdConfigRewrite, "server", "2.8.0",
     "Persists the effective configuration to file.", "O(1)", ""},
    {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, CmdConfigHelp, "server", "5.0.0",
     "Returns helpful text about the different subcommands.", "O(1)", ""},
};

constexpr CommandSpec kSlowlogSubcommands[] = {
    {"get", -2, kCmdAdmin | kCmdLoading | kCmdStale, 0, 0, 0, CmdSlowlogGet, "server", "2.2.12",
     "Returns the slow log's entries.", "O(N) where N is the number of entries returned",
     "[count:integer]"},
    {"len", 2, kCmdAdmin | kCmdLoading | kCmdStale, 0, 0, 0, CmdSlowlogLen, "server", "2.2.12",
     "Returns the number of entries in the slow log.", "O(1)", ""},
    {"reset", 2, kCmdAdmin | kCmdLoading | kCmdStale, 0, 0, 0, CmdSlowlogReset, "server", "2.2.12",
     "Clears all entries from the slow log.",
     "O(N) where N is the number of entries in the slowlog", ""},
    {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, CmdSlowlogHelp, "server", "6.2.0",
     "Show helpful text about the different subcommands", "O(1)", ""},
};

constexpr CommandSpec kServerCommands[] = {
    {"config", -2, 0, 0, 0, 0, nullptr, "server", "2.0.0",
     "A container for server configuration commands.", "Depends on subcommand.", "",
     kConfigSubcommands},
    {"dbsize", 1, kCmdReadonly | kCmdFast, 0, 0, 0, CmdDbSize, "server", "1.0.0",
     "Returns the number of keys in the database.", "O(1)", ""},
    {"flushall", -1, kCmdWrite, 0, 0, 0, CmdFlush, "server", "1.0.0",
     "Removes all keys from all databases.",
     "O(N) where N is the total number of keys in all databases", "[flush-type: ASYNC | SYNC]"},
    {"flushdb", -1, kCmdWrite, 0, 0, 0, CmdFlush, "server", "1.0.0",
     "Remove all keys from the current database.",
     "O(N) where N is the number of keys in the selected database", "[flush-type: ASYNC | SYNC]"},
    {"time", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, CmdTime, "server", "2.6.0",
     "Returns the server time.", "O(1)", ""},
    {"lastsave", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, CmdLastSave, "server", "1.0.0",
     "Returns the Unix timestamp of the last successful save to disk.", "O(1)", ""},
    {"save", 1, kCmdAdmin | kCmdNoScript | kCmdNoMulti, 0, 0, 0, CmdSave, "server", "1.0.0",
     "Synchronously saves the database(s) to disk.",
     "O(N) where N is the total number of keys in all databases", ""},
    {"bgsave", -1, kCmdAdmin | kCmdNoScript, 0, 0, 0, CmdBgSave, "server", "1.0.0",
     "Asynchronously saves the database(s) to disk.",
     "O(N) where N is the total number of keys in all databases", "[SCHEDULE]"},
    {"shutdown", -1, kAdmin | kCmdNoMulti | kCmdAllowBusy, 0, 0, 0, CmdShutdown, "server", "1.0.0",
     "Synchronously saves the database(s) to disk and shuts down the Redis server.",
     "O(N) when saving, where N is the total number of keys in all databases when saving "
     "data, otherwise O(1)",
     "[save-selector: NOSAVE | SAVE] [NOW] [FORCE] [ABORT]"},
    {"debug", -2, kAdmin, 0, 0, 0, CmdDebug, "server", "1.0.0",
     "A container for debugging commands.", "Depends on subcommand.", "subcommand [arg...]"},
    {"slowlog", -2, 0, 0, 0, 0, nullptr, "server", "2.2.12", "A container for slow log commands.",
     "Depends on subcommand.", "", kSlowlogSubcommands},
};

}  // namespace

void RegisterServerCommands(CommandTable& table) {
  table.Register(kServerCommands);
  RegisterInfoCommand(table);
  RegisterCommandCommand(table);
}

}  // namespace starling::server
