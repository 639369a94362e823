// COMMAND and its subcommands (Redis "server" group), generated from every family's table
// through node.commands() (command_docs.h builds the replies). Error strings and reply
// shapes are redis-server 7.0.15's.
#include <string>
#include <vector>

#include "lattice/numbers.h"
#include "server/commands/command_docs.h"
#include "server/commands/common.h"
#include "server/glob.h"

namespace starling::server {
namespace {

// ---- Reply builders (shapes of redis-server 7.0, see command_docs.h).

void ReplyStringSet(resp::ReplyWriter& w, const std::vector<std::string_view>& items) {
  w.SetHeader(items.size());
  for (std::string_view s : items)
    w.SimpleString(s);
}

// Command flags in the order redis-server lists them (addReplyFlagsForCommand).
std::vector<std::string_view> FlagNames(uint32_t f) {
  static constexpr std::pair<uint32_t, std::string_view> kOrder[] = {
      {kCmdWrite, "write"},
      {kCmdReadonly, "readonly"},
      {kCmdDenyOom, "denyoom"},
      {kCmdAdmin, "admin"},
      {kCmdPubsub, "pubsub"},
      {kCmdNoScript, "noscript"},
      {kCmdBlocking, "blocking"},
      {kCmdLoading, "loading"},
      {kCmdStale, "stale"},
      {kCmdSkipSlowlog, "skip_slowlog"},
      {kCmdFast, "fast"},
      {kCmdNoAuth, "no_auth"},
      {kCmdMayReplicate, "may_replicate"},
      {kCmdNoMandatoryKeys, "no_mandatory_keys"},
      {kCmdNoMulti, "no_multi"},
      {kCmdAllowBusy, "allow_busy"}};
  std::vector<std::string_view> out;
  for (const auto& [bit, name] : kOrder) {
    if (f & bit)
      out.push_back(name);
  }
  return out;
}

// The flags of the one key spec derived from a row: Redis's RW/RO and access/update, from
// the command's write / readonly flags (the table does not say more).
std::vector<std::string_view> KeySpecFlags(const CommandSpec& spec) {
  if (spec.flags & kCmdWrite)
    return {"RW", "update"};
  if (spec.flags & kCmdReadonly)
    return {"RO", "access"};
  return {"RW", "access"};
}

void ReplyKeySpecs(resp::ReplyWriter& w, const CommandSpec& spec) {
  if (spec.first_key <= 0) {
    w.SetHeader(0);
    return;
  }
  w.SetHeader(1);
  w.MapHeader(3);
  w.Bulk("flags");
  ReplyStringSet(w, KeySpecFlags(spec));
  w.Bulk("begin_search");
  w.MapHeader(2);
  w.Bulk("type");
  w.Bulk("index");
  w.Bulk("spec");
  w.MapHeader(1);
  w.Bulk("index");
  w.Integer(spec.first_key);
  w.Bulk("find_keys");
  w.MapHeader(2);
  w.Bulk("type");
  w.Bulk("range");
  w.Bulk("spec");
  w.MapHeader(3);
  w.Bulk("lastkey");
  // Relative to the first key, as Redis's range spec; negative counts from the end.
  w.Integer(spec.last_key < 0 ? spec.last_key : spec.last_key - spec.first_key);
  w.Bulk("keystep");
  w.Integer(spec.key_step);
  w.Bulk("limit");
  w.Integer(0);
}

void ReplyArgs(resp::ReplyWriter& w, const std::vector<DocArg>& args) {
  w.ArrayHeader(args.size());
  for (const DocArg& a : args) {
    bool container = a.type == ArgType::kOneof || a.type == ArgType::kBlock;
    bool has_flags = a.optional || a.multiple || a.multiple_token;
    // Redis 7.2 sends display_text for value arguments only (not tokens, not containers).
    bool display = !container && a.type != ArgType::kPureToken;
    size_t fields =
        2 + display + (a.type == ArgType::kKey) + !a.token.empty() + has_flags + container;
    w.MapHeader(fields);
    w.Bulk("name");
    w.Bulk(a.name);
    w.Bulk("type");
    w.Bulk(ArgTypeName(a.type));
    if (display) {
      w.Bulk("display_text");
      w.Bulk(a.name);
    }
    if (a.type == ArgType::kKey) {
      w.Bulk("key_spec_index");
      w.Integer(0);
    }
    if (!a.token.empty()) {
      w.Bulk("token");
      w.Bulk(a.token);
    }
    if (has_flags) {
      std::vector<std::string_view> flags;
      if (a.optional)
        flags.push_back("optional");
      if (a.multiple)
        flags.push_back("multiple");
      if (a.multiple_token)
        flags.push_back("multiple_token");
      w.Bulk("flags");
      ReplyStringSet(w, flags);
    }
    if (container) {
      w.Bulk("arguments");
      ReplyArgs(w, a.args);
    }
  }
}

void ReplyCommandInfo(resp::ReplyWriter& w, const CommandSpec& spec, std::string_view fullname) {
  bool is_container = !spec.subcommands.empty();
  w.ArrayHeader(10);
  w.Bulk(fullname);
  w.Integer(spec.arity);
  ReplyStringSet(w, FlagNames(spec.flags));
  w.Integer(spec.first_key);
  w.Integer(spec.first_key > 0 ? spec.last_key : 0);
  w.Integer(spec.first_key > 0 ? spec.key_step : 0);
  ReplyStringSet(w, AclCategories(spec, is_container));
  w.SetHeader(0);  // tips
  ReplyKeySpecs(w, spec);
  if (!is_container) {
    w.SetHeader(0);
    return;
  }
  w.ArrayHeader(spec.subcommands.size());
  for (const CommandSpec& sub : spec.subcommands) {
    ReplyCommandInfo(w, sub, std::string(fullname) + "|" + sub.name);
  }
}

void ReplyCommandDocs(resp::ReplyWriter& w, const CommandSpec& spec, std::string_view fullname) {
  Result<std::vector<DocArg>> args = ParseSyntax(spec.syntax ? spec.syntax : "");
  bool has_args = args.ok() && !args->empty();
  bool has_complexity = spec.complexity && *spec.complexity;
  bool is_container = !spec.subcommands.empty();
  w.MapHeader(3 + has_complexity + has_args + is_container);
  w.Bulk("summary");
  w.Bulk(spec.summary);
  w.Bulk("since");
  w.Bulk(spec.since);
  w.Bulk("group");
  w.Bulk(spec.group);
  if (has_complexity) {
    w.Bulk("complexity");
    w.Bulk(spec.complexity);
  }
  if (has_args) {
    w.Bulk("arguments");
    ReplyArgs(w, *args);
  }
  if (is_container) {
    w.Bulk("subcommands");
    w.MapHeader(spec.subcommands.size());
    for (const CommandSpec& sub : spec.subcommands) {
      std::string subname = std::string(fullname) + "|" + sub.name;
      w.Bulk(subname);
      ReplyCommandDocs(w, sub, subname);
    }
  }
}

// ---- Handlers.

// A command by its full name: "get", or "client|list" for a subcommand.
const CommandSpec* LookupFullName(const CommandTable& table, std::string_view name) {
  size_t bar = name.find('|');
  const CommandSpec* spec = table.Find(name.substr(0, bar));
  if (!spec || bar == std::string_view::npos)
    return spec;
  return CommandTable::FindSub(*spec, name.substr(bar + 1));
}

std::string FullName(const CommandTable& table, std::string_view name, const CommandSpec& spec) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos)
    return spec.name;
  return std::string(table.Find(name.substr(0, bar))->name) + "|" + spec.name;
}

void ReplyAllInfo(CommandContext& ctx) {
  const auto& all = ctx.node.commands().all();
  ctx.reply().ArrayHeader(all.size());
  for (const CommandSpec* spec : all)
    ReplyCommandInfo(ctx.reply(), *spec, spec->name);
}

// COMMAND alone; the dispatcher sends here a subcommand it does not know, too.
void CmdCommand(CommandContext& ctx) {
  if (ctx.args.size() > 1)
    return ctx.Error(err::UnknownSubcommand(ctx.args[1], "COMMAND"));
  ReplyAllInfo(ctx);
}

void CmdCommandCount(CommandContext& ctx) {
  ctx.reply().Integer(static_cast<int64_t>(ctx.node.commands().all().size()));
}

void CmdCommandInfo(CommandContext& ctx) {
  const CommandTable& table = ctx.node.commands();
  if (ctx.args.size() == 2)
    return ReplyAllInfo(ctx);
  ctx.reply().ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const CommandSpec* spec = LookupFullName(table, ctx.args[i]);
    if (!spec) {
      ctx.reply().Null();
      continue;
    }
    ReplyCommandInfo(ctx.reply(), *spec, FullName(table, ctx.args[i], *spec));
  }
}

void CmdCommandDocs(CommandContext& ctx) {
  const CommandTable& table = ctx.node.commands();
  std::vector<std::pair<const CommandSpec*, std::string>> found;
  if (ctx.args.size() == 2) {
    for (const CommandSpec* spec : table.all())
      found.emplace_back(spec, spec->name);
  }
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (const CommandSpec* spec = LookupFullName(table, ctx.args[i])) {
      found.emplace_back(spec, FullName(table, ctx.args[i], *spec));
    }
  }
  ctx.reply().MapHeader(found.size());
  for (const auto& [spec, name] : found) {
    ctx.reply().Bulk(name);
    ReplyCommandDocs(ctx.reply(), *spec, name);
  }
}

void CmdCommandList(CommandContext& ctx) {
  enum { kNone, kModule, kAclCat, kPattern } filter = kNone;
  std::string_view arg;
  if (ctx.args.size() == 5 && EqualsIgnoreCase(ctx.args[2], "FILTERBY")) {
    arg = ctx.args[4];
    if (EqualsIgnoreCase(ctx.args[3], "MODULE")) {
      filter = kModule;
    } else if (EqualsIgnoreCase(ctx.args[3], "ACLCAT")) {
      filter = kAclCat;
    } else if (EqualsIgnoreCase(ctx.args[3], "PATTERN")) {
      filter = kPattern;
    } else {
      return ctx.Error(err::kSyntax);
    }
  } else if (ctx.args.size() != 2) {
    return ctx.Error(err::kSyntax);
  }
  std::string category = "@" + ToLower(arg);
  auto keep = [&](const CommandSpec& spec, const std::string& fullname, bool container) {
    switch (filter) {
      case kNone:
        return true;
      case kModule:
        return false;  // no modules
      case kAclCat: {
        for (std::string_view c : AclCategories(spec, container)) {
          if (c == category)
            return true;
        }
        return false;
      }
      case kPattern:
        return GlobMatch(arg, fullname, /*nocase=*/true);
    }
    return false;
  };
  std::vector<std::string> names;
  for (const CommandSpec* spec : ctx.node.commands().all()) {
    if (keep(*spec, spec->name, !spec->subcommands.empty()))
      names.emplace_back(spec->name);
    for (const CommandSpec& sub : spec->subcommands) {
      std::string full = std::string(spec->name) + "|" + sub.name;
      if (keep(sub, full, false))
        names.push_back(std::move(full));
    }
  }
  ctx.reply().ArrayHeader(names.size());
  for (const std::string& n : names)
    ctx.reply().Bulk(n);
}

// The key positions of a command line, from the table (first, last, step). Replies an
// error and returns false when there are none, with Redis's messages.
bool KeysOf(CommandContext& ctx, const CommandSpec** found, std::vector<std::string_view>* keys) {
  std::span<const std::string_view> cmd = ctx.args.subspan(2);
  const CommandSpec* spec = ctx.node.commands().Find(cmd[0]);
  if (spec && !spec->subcommands.empty() && cmd.size() >= 2) {
    if (const CommandSpec* sub = CommandTable::FindSub(*spec, cmd[1]))
      spec = sub;
  }
  if (!spec) {
    ctx.Error("ERR Invalid command specified");
    return false;
  }
  if (spec->first_key <= 0) {
    ctx.Error("ERR The command has no key arguments");
    return false;
  }
  size_t argc = cmd.size();
  if ((spec->arity > 0 && static_cast<size_t>(spec->arity) != argc) ||
      (spec->arity < 0 && argc < static_cast<size_t>(-spec->arity))) {
    ctx.Error("ERR Invalid number of arguments specified for command");
    return false;
  }
  int64_t last = spec->last_key < 0 ? static_cast<int64_t>(argc) + spec->last_key : spec->last_key;
  for (int64_t i = spec->first_key; i <= last && i < static_cast<int64_t>(argc);
       i += spec->key_step) {
    keys->push_back(cmd[static_cast<size_t>(i)]);
  }
  if (keys->empty() && !(spec->flags & kCmdNoMandatoryKeys)) {
    ctx.Error("ERR Invalid arguments specified for command");
    return false;
  }
  *found = spec;
  return true;
}

void CmdCommandGetKeys(CommandContext& ctx) {
  const CommandSpec* spec;
  std::vector<std::string_view> keys;
  if (!KeysOf(ctx, &spec, &keys))
    return;
  ctx.reply().ArrayHeader(keys.size());
  for (std::string_view k : keys)
    ctx.reply().Bulk(k);
}

// Each key with the flags of the command's key spec (see ReplyKeySpecs).
void CmdCommandGetKeysAndFlags(CommandContext& ctx) {
  const CommandSpec* spec;
  std::vector<std::string_view> keys;
  if (!KeysOf(ctx, &spec, &keys))
    return;
  ctx.reply().ArrayHeader(keys.size());
  for (std::string_view k : keys) {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(k);
    ReplyStringSet(ctx.reply(), KeySpecFlags(*spec));
  }
}

void CmdCommandHelp(CommandContext& ctx) {
  static constexpr std::string_view kHelp[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "GETKEYSANDFLAGS <full-command>",
      "    Return the keys and the access flags from a full Redis command.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply().ArrayHeader(std::size(kHelp));
  for (std::string_view line : kHelp)
    ctx.reply().SimpleString(line);
}

constexpr uint32_t kFlags = kCmdLoading | kCmdStale;

constexpr CommandSpec kCommandSubcommands[] = {
    {"count", 2, kFlags, 0, 0, 0, CmdCommandCount, "server", "2.8.13",
     "Returns a count of commands.", "O(1)", ""},
    {"info", -2, kFlags, 0, 0, 0, CmdCommandInfo, "server", "2.8.13",
     "Returns information about one, multiple or all commands.",
     "O(N) where N is the number of commands to look up", "[command-name...]"},
    {"docs", -2, kFlags, 0, 0, 0, CmdCommandDocs, "server", "7.0.0",
     "Returns documentary information about one, multiple or all commands.",
     "O(N) where N is the number of commands to look up", "[command-name...]"},
    {"list", -2, kFlags, 0, 0, 0, CmdCommandList, "server", "7.0.0",
     "Returns a list of command names.", "O(N) where N is the total number of Redis commands",
     "[FILTERBY (filterby: MODULE module-name | ACLCAT category | PATTERN pattern:pattern)]"},
    {"getkeys", -4, kFlags, 0, 0, 0, CmdCommandGetKeys, "server", "2.8.13",
     "Extracts the key names from an arbitrary command.",
     "O(N) where N is the number of arguments to the command", "command arg..."},
    {"getkeysandflags", -4, kFlags, 0, 0, 0, CmdCommandGetKeysAndFlags, "server", "7.0.0",
     "Extracts the key names and access flags for an arbitrary command.",
     "O(N) where N is the number of arguments to the command", "command arg..."},
    {"help", 2, kFlags, 0, 0, 0, CmdCommandHelp, "server", "5.0.0",
     "Returns helpful text about the different subcommands.", "O(1)", ""},
};

constexpr CommandSpec kCommandCommands[] = {
    {"command", -1, kFlags, 0, 0, 0, CmdCommand, "server", "2.8.13",
     "Returns detailed information about all commands.",
     "O(N) where N is the total number of Redis commands", "", kCommandSubcommands},
};

}  // namespace

void RegisterCommandCommand(CommandTable& table) { table.Register(kCommandCommands); }

}  // namespace starling::server
