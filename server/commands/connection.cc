// Connection commands (Redis "connection" group): PING, ECHO, HELLO, AUTH, SELECT, QUIT,
// RESET and the CLIENT container. Replies and error strings are redis-server 7.0.15's
// (CLIENT SETINFO, CLIENT NO-TOUCH and the lib-name/lib-ver fields of CLIENT LIST are
// 7.2's). The only user is `default`; its password is the requirepass parameter.
#include <climits>
#include <string>
#include <vector>

#include "lattice/numbers.h"
#include "server/commands/common.h"
#include "server/commands/info.h"
#include "server/session.h"

namespace starling::server {
namespace {

// Compares without an early exit, so the time taken does not tell how much of the password
// matched (its length may show; Redis hides that too by hashing first, a refinement we skip).
bool SecretEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// Redis's ACLAuthenticateUser for the one user: `default`, whose password is requirepass
// (none: any password is accepted). Replies WRONGPASS on failure.
bool Authenticate(CommandContext& ctx, std::string_view user, std::string_view pass) {
  const std::string& required = ctx.node.config().requirepass;
  if (user != "default" || (!required.empty() && !SecretEquals(pass, required))) {
    ctx.Error(err::kWrongPass);
    return false;
  }
  ctx.session.authenticated = true;
  return true;
}

// CLIENT SETNAME's and HELLO SETNAME's check: printable ASCII without spaces.
bool ValidClientAttr(std::string_view v) {
  for (char c : v) {
    if (c < '!' || c > '~')
      return false;
  }
  return true;
}

constexpr std::string_view kBadName =
    "ERR Client names cannot contain spaces, newlines or special characters.";

void CmdPing(CommandContext& ctx) {
  if (ctx.args.size() > 2)
    return ctx.Error(err::WrongArgs("ping"));
  if (ctx.args.size() == 1)
    return ctx.reply().Write(resp::Canned::kPong);
  ctx.reply().Bulk(ctx.args[1]);
}

void CmdEcho(CommandContext& ctx) { ctx.reply().Bulk(ctx.args[1]); }

void CmdHello(CommandContext& ctx) {
  int64_t version = 0;
  if (ctx.args.size() >= 2) {
    auto v = lattice::ParseInt64(ctx.args[1]);
    if (!v)
      return ctx.Error("ERR Protocol version is not an integer or out of range");
    if (*v < 2 || *v > 3)
      return ctx.Error(err::kNoProto);
    version = *v;
  }
  std::string_view user, pass, name;
  bool auth = false, setname = false;
  for (size_t j = 2; j < ctx.args.size(); ++j) {
    size_t more = ctx.args.size() - 1 - j;
    if (EqualsIgnoreCase(ctx.args[j], "AUTH") && more >= 2) {
      auth = true;
      user = ctx.args[j + 1];
      pass = ctx.args[j + 2];
      j += 2;
    } else if (EqualsIgnoreCase(ctx.args[j], "SETNAME") && more >= 1) {
      setname = true;
      name = ctx.args[++j];
    } else {
      return ctx.Error("ERR Syntax error in HELLO option '" + std::string(ctx.args[j]) + "'");
    }
  }
  if (auth && !Authenticate(ctx, user, pass))
    return;
  if (!ctx.session.authenticated) {
    return ctx.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
        "the RESP protocol version at the same time");
  }
  if (setname) {
    if (!ValidClientAttr(name))
      return ctx.Error(kBadName);
    ctx.session.name = std::string(name);
  }
  resp::ReplyWriter& w = ctx.reply();
  if (version != 0)
    w.set_protocol(static_cast<int>(version));
  w.MapHeader(7);
  w.Bulk("server");
  w.Bulk("redis");
  w.Bulk("version");
  w.Bulk(kRedisCompatVersion);
  w.Bulk("proto");
  w.Integer(w.protocol());
  w.Bulk("id");
  w.Integer(static_cast<int64_t>(ctx.session.id));
  w.Bulk("mode");
  w.Bulk("standalone");
  w.Bulk("role");
  w.Bulk("master");
  w.Bulk("modules");
  w.ArrayHeader(0);
}

void CmdAuth(CommandContext& ctx) {
  if (ctx.args.size() > 3)
    return ctx.Error(err::kSyntax);
  if (ctx.args.size() == 2) {
    if (ctx.node.config().requirepass.empty())
      return ctx.Error(err::kAuthNotConfigured);
    if (Authenticate(ctx, "default", ctx.args[1]))
      ctx.Ok();
    return;
  }
  if (Authenticate(ctx, ctx.args[1], ctx.args[2]))
    ctx.Ok();
}

void CmdSelect(CommandContext& ctx) {
  auto id = lattice::ParseInt64(ctx.args[1]);
  if (!id)
    return ctx.Error(err::kNotInteger);
  if (*id < INT_MIN || *id > INT_MAX) {
    return ctx.Error("ERR value is out of range, value must between -2147483648 and 2147483647");
  }
  // One database per node: a leaderless cluster has no numbered databases.
  if (*id != 0)
    return ctx.Error(err::kDbIndexOutOfRange);
  ctx.session.db = 0;
  ctx.Ok();
}

void CmdQuit(CommandContext& ctx) {
  ctx.Ok();
  ctx.session.close = Session::Close::kAfterReply;
}

void CmdReset(CommandContext& ctx) {
  Session& s = ctx.session;
  s.db = 0;
  s.out.set_protocol(2);
  s.authenticated = ctx.node.config().requirepass.empty();
  s.name.clear();
  ctx.reply().SimpleString("RESET");
}

// ---- CLIENT.

// One line of CLIENT LIST / CLIENT INFO, fields in Redis 7.2's order. `argv_mem` is the
// size of the arguments of the command being run (only the caller has one).
std::string ClientInfoLine(const Node& node, const Session& s, size_t argv_mem) {
  std::string flags;
  if (s.close == Session::Close::kAfterReply)
    flags += 'c';
  if (s.close == Session::Close::kNow)
    flags += 'A';
  if (flags.empty())
    flags = "N";
  int64_t now = node.NowMs();
  size_t rbs = s.out.buffer().capacity();
  size_t tot_mem = sizeof(Session) + rbs + s.query_buffer_bytes + argv_mem;
  std::string line;
  line.reserve(320);
  auto field = [&line](std::string_view k, std::string_view v) {
    if (!line.empty())
      line += ' ';
    line += k;
    line += '=';
    line += v;
  };
  auto num = [&field](std::string_view k, int64_t v) { field(k, std::to_string(v)); };
  num("id", static_cast<int64_t>(s.id));
  field("addr", s.addr);
  field("laddr", s.laddr);
  num("fd", s.fd);
  field("name", s.name);
  num("age", (now - s.created_ms) / 1000);
  num("idle", (now - s.last_interaction_ms) / 1000);
  field("flags", flags);
  num("db", s.db);
  field("sub", "0");
  field("psub", "0");
  field("ssub", "0");
  field("multi", "-1");
  num("qbuf", static_cast<int64_t>(s.query_buffer_bytes));
  field("qbuf-free", "0");
  num("argv-mem", static_cast<int64_t>(argv_mem));
  field("multi-mem", "0");
  num("rbs", static_cast<int64_t>(rbs));
  num("rbp", static_cast<int64_t>(rbs));
  num("obl", static_cast<int64_t>(s.out.size()));
  field("oll", "0");
  field("omem", "0");
  num("tot-mem", static_cast<int64_t>(tot_mem));
  field("events", "r");
  field("cmd", s.last_command);
  field("user", "default");
  field("redir", "-1");
  num("resp", s.out.protocol());
  field("lib-name", s.lib_name);
  field("lib-ver", s.lib_ver);
  return line;
}

size_t ArgvMem(const CommandContext& ctx) {
  size_t n = 0;
  for (std::string_view a : ctx.args)
    n += a.size();
  return n;
}

// Redis's getClientTypeByName: -1 if unknown. Every Starling client is "normal".
int ClientType(std::string_view name) {
  if (EqualsIgnoreCase(name, "normal"))
    return 0;
  if (EqualsIgnoreCase(name, "slave") || EqualsIgnoreCase(name, "replica"))
    return 1;
  if (EqualsIgnoreCase(name, "pubsub"))
    return 2;
  if (EqualsIgnoreCase(name, "master"))
    return 3;
  return -1;
}

void CmdClientId(CommandContext& ctx) { ctx.reply().Integer(static_cast<int64_t>(ctx.session.id)); }

void CmdClientGetName(CommandContext& ctx) {
  if (ctx.session.name.empty())
    return ctx.reply().Null();
  ctx.reply().Bulk(ctx.session.name);
}

void CmdClientSetName(CommandContext& ctx) {
  if (!ValidClientAttr(ctx.args[2]))
    return ctx.Error(kBadName);
  ctx.session.name = std::string(ctx.args[2]);
  ctx.Ok();
}

void CmdClientSetInfo(CommandContext& ctx) {
  std::string_view attr = ctx.args[2];
  std::string* dest = nullptr;
  if (EqualsIgnoreCase(attr, "lib-name")) {
    dest = &ctx.session.lib_name;
  } else if (EqualsIgnoreCase(attr, "lib-ver")) {
    dest = &ctx.session.lib_ver;
  } else {
    return ctx.Error("ERR Unrecognized option '" + std::string(attr) + "'");
  }
  if (!ValidClientAttr(ctx.args[3])) {
    return ctx.Error("ERR " + std::string(attr) +
                     " cannot contain spaces, newlines or special characters.");
  }
  *dest = std::string(ctx.args[3]);
  ctx.Ok();
}

void CmdClientInfo(CommandContext& ctx) {
  ctx.reply().Verbatim(ClientInfoLine(ctx.node, ctx.session, ArgvMem(ctx)) + "\n");
}

void CmdClientList(CommandContext& ctx) {
  std::string out;
  auto add = [&](const Session& s) {
    out += ClientInfoLine(ctx.node, s, &s == &ctx.session ? ArgvMem(ctx) : 0);
    out += '\n';
  };
  size_t argc = ctx.args.size();
  if (argc == 2) {
    for (const auto& [id, s] : ctx.node.sessions())
      add(*s);
  } else if (argc == 4 && EqualsIgnoreCase(ctx.args[2], "TYPE")) {
    int type = ClientType(ctx.args[3]);
    if (type < 0)
      return ctx.Error("ERR Unknown client type '" + std::string(ctx.args[3]) + "'");
    if (type == 0) {
      for (const auto& [id, s] : ctx.node.sessions())
        add(*s);
    }
  } else if (argc > 3 && EqualsIgnoreCase(ctx.args[2], "ID")) {
    std::vector<int64_t> ids;
    for (size_t j = 3; j < argc; ++j) {
      auto id = lattice::ParseInt64(ctx.args[j]);
      if (!id)
        return ctx.Error("ERR Invalid client ID");
      ids.push_back(*id);
    }
    for (int64_t id : ids) {
      if (id <= 0)
        continue;
      if (const Session* s = ctx.node.FindSession(static_cast<uint64_t>(id)))
        add(*s);
    }
  } else {
    return ctx.Error(err::kSyntax);
  }
  ctx.reply().Verbatim(out);
}

void CmdClientKill(CommandContext& ctx) {
  std::string_view addr, laddr;
  bool have_addr = false, have_laddr = false;
  uint64_t id = 0;
  int type = -1;
  bool skipme = true;
  size_t argc = ctx.args.size();
  if (argc == 3) {
    addr = ctx.args[2];
    have_addr = true;
    skipme = false;  // the old form may kill the caller
  } else {
    for (size_t i = 2; i < argc; i += 2) {
      std::string_view opt = ctx.args[i];
      if (i + 1 >= argc)
        return ctx.Error(err::kSyntax);
      std::string_view val = ctx.args[i + 1];
      if (EqualsIgnoreCase(opt, "ID")) {
        auto v = lattice::ParseInt64(val);
        if (!v || *v < 1)
          return ctx.Error("ERR client-id should be greater than 0");
        id = static_cast<uint64_t>(*v);
      } else if (EqualsIgnoreCase(opt, "TYPE")) {
        type = ClientType(val);
        if (type < 0)
          return ctx.Error("ERR Unknown client type '" + std::string(val) + "'");
      } else if (EqualsIgnoreCase(opt, "ADDR")) {
        addr = val, have_addr = true;
      } else if (EqualsIgnoreCase(opt, "LADDR")) {
        laddr = val, have_laddr = true;
      } else if (EqualsIgnoreCase(opt, "USER")) {
        if (val != "default")
          return ctx.Error("ERR No such user '" + std::string(val) + "'");
      } else if (EqualsIgnoreCase(opt, "SKIPME")) {
        if (EqualsIgnoreCase(val, "yes")) {
          skipme = true;
        } else if (EqualsIgnoreCase(val, "no")) {
          skipme = false;
        } else {
          return ctx.Error(err::kSyntax);
        }
      } else {
        return ctx.Error(err::kSyntax);
      }
    }
  }
  std::vector<uint64_t> victims;
  bool kill_self = false;
  for (const auto& [sid, s] : ctx.node.sessions()) {
    if (have_addr && s->addr != addr)
      continue;
    if (have_laddr && s->laddr != laddr)
      continue;
    if (type > 0)
      continue;  // no replica, master or pubsub clients
    if (id != 0 && sid != id)
      continue;
    if (s.get() == &ctx.session) {
      if (skipme)
        continue;
      kill_self = true;
      continue;
    }
    victims.push_back(sid);
  }
  for (uint64_t v : victims)
    ctx.node.KillSession(v);
  size_t killed = victims.size() + kill_self;
  if (argc == 3) {
    if (killed == 0)
      return ctx.Error("ERR No such client");
    ctx.Ok();
  } else {
    ctx.reply().Integer(static_cast<int64_t>(killed));
  }
  // The caller gets its reply, then the connection closes (Redis: CLOSE_AFTER_REPLY).
  if (kill_self)
    ctx.session.close = Session::Close::kAfterReply;
}

// NO-EVICT and NO-TOUCH: accepted for compatibility. Starling evicts no clients, and has
// no LRU/LFU clock for a command to touch.
void CmdClientOnOff(CommandContext& ctx) {
  if (!EqualsIgnoreCase(ctx.args[2], "ON") && !EqualsIgnoreCase(ctx.args[2], "OFF")) {
    return ctx.Error(err::kSyntax);
  }
  ctx.Ok();
}

void CmdClientHelp(CommandContext& ctx) {
  static constexpr std::string_view kHelp[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "SETINFO <option> <value>",
      "    Set client meta attr. Options are:",
      "    * LIB-NAME: the client lib name.",
      "    * LIB-VER: the client lib version.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "NO-TOUCH (ON|OFF)",
      "    Will not touch LRU/LFU stats when this mode is on.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply().ArrayHeader(std::size(kHelp));
  for (std::string_view line : kHelp)
    ctx.reply().SimpleString(line);
}

constexpr uint32_t kClientFlags = kCmdNoScript | kCmdLoading | kCmdStale;
constexpr uint32_t kPreAuthFlags =
    kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy;

constexpr CommandSpec kClientSubcommands[] = {
    {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, CmdClientHelp, "connection", "5.0.0",
     "Returns helpful text about the different subcommands.", "O(1)", ""},
    {"id", 2, kClientFlags, 0, 0, 0, CmdClientId, "connection", "5.0.0",
     "Returns the unique client ID of the connection.", "O(1)", ""},
    {"getname", 2, kClientFlags, 0, 0, 0, CmdClientGetName, "connection", "2.6.9",
     "Returns the name of the connection.", "O(1)", ""},
    {"setname", 3, kClientFlags, 0, 0, 0, CmdClientSetName, "connection", "2.6.9",
     "Sets the connection name.", "O(1)", "connection-name"},
    {"setinfo", 4, kClientFlags, 0, 0, 0, CmdClientSetInfo, "connection", "7.2.0",
     "Sets information specific to the client or connection.", "O(1)",
     "(attr: LIB-NAME libname | LIB-VER libver)"},
    {"info", 2, kClientFlags, 0, 0, 0, CmdClientInfo, "connection", "6.2.0",
     "Returns information about the connection.", "O(1)", ""},
    {"list", -2, kCmdAdmin | kClientFlags, 0, 0, 0, CmdClientList, "connection", "2.4.0",
     "Lists open connections.", "O(N) where N is the number of client connections",
     "[TYPE (client-type: NORMAL | MASTER | REPLICA | PUBSUB)] [ID client-id:integer...]"},
    {"kill", -3, kCmdAdmin | kClientFlags, 0, 0, 0, CmdClientKill, "connection", "2.4.0",
     "Terminates open connections.", "O(N) where N is the number of client connections",
     "(filter: ip-port | (new-format: ID client-id:integer | "
     "TYPE (client-type: NORMAL | MASTER | SLAVE | REPLICA | PUBSUB) | USER username | "
     "ADDR addr | LADDR laddr | SKIPME (skipme: YES | NO))...)"},
    {"no-evict", 3, kCmdAdmin | kClientFlags, 0, 0, 0, CmdClientOnOff, "connection", "7.0.0",
     "Sets the client eviction mode of the connection.", "O(1)", "(enabled: ON | OFF)"},
    {"no-touch", 3, kClientFlags, 0, 0, 0, CmdClientOnOff, "connection", "7.2.0",
     "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.", "O(1)",
     "(enabled: ON | OFF)"},
};

constexpr CommandSpec kConnectionCommands[] = {
    {"ping", -1, kCmdFast, 0, 0, 0, CmdPing, "connection", "1.0.0",
     "Returns the server's liveliness response.", "O(1)", "[message]"},
    {"echo", 2, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, CmdEcho, "connection", "1.0.0",
     "Returns the given string.", "O(1)", "message"},
    {"hello", -1, kPreAuthFlags, 0, 0, 0, CmdHello, "connection", "6.0.0",
     "Handshakes with the Redis server.", "O(1)",
     "[protover:integer [AUTH (username password)] [SETNAME clientname]]"},
    {"auth", -2, kPreAuthFlags, 0, 0, 0, CmdAuth, "connection", "1.0.0",
     "Authenticates the connection.",
     "O(N) where N is the number of passwords defined for the user", "[username] password"},
    {"select", 2, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, CmdSelect, "connection", "1.0.0",
     "Changes the selected database.", "O(1)", "index:integer"},
    {"quit", -1, kPreAuthFlags, 0, 0, 0, CmdQuit, "connection", "1.0.0", "Closes the connection.",
     "O(1)", ""},
    {"reset", 1, kPreAuthFlags, 0, 0, 0, CmdReset, "connection", "6.2.0", "Resets the connection.",
     "O(1)", ""},
    {"client", -2, 0, 0, 0, 0, nullptr, "connection", "2.4.0",
     "A container for client connection commands.", "Depends on subcommand.", "",
     kClientSubcommands},
};

}  // namespace

void RegisterConnectionCommands(CommandTable& table) { table.Register(kConnectionCommands); }

}  // namespace starling::server
