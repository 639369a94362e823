// The command table: what every command is, and how a handler sees its call.
//
// Each command family lives in server/commands/<family>.cc and ends with its table of
// CommandSpec rows (CONVENTIONS.md 5): name, arity (Redis convention: N means exactly N
// arguments including the name, -N at least N), flags, key positions, handler, and the
// documentation that COMMAND INFO / COMMAND DOCS are generated from (so redis-cli's hints
// and tab completion come from the same rows). Arity and authentication are checked once,
// by the dispatcher in Node, before the handler runs.
//
// A handler parses its arguments with ArgParser (first error wins; checked once), runs the
// pure operation, and writes the reply through ctx.reply(). Handlers run on the node's
// thread, inside the deterministic core: no clock, no randomness, no I/O except through
// Node.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/resp/resp_writer.h"

namespace starling::server {

class Node;
struct Session;
class CommandContext;

using Handler = void (*)(CommandContext&);

// Command flags, as COMMAND INFO names them.
enum CommandFlag : uint32_t {
  kCmdWrite = 1u << 0,
  kCmdReadonly = 1u << 1,
  kCmdDenyOom = 1u << 2,
  kCmdAdmin = 1u << 3,
  kCmdPubsub = 1u << 4,
  kCmdNoScript = 1u << 5,
  kCmdBlocking = 1u << 6,
  kCmdLoading = 1u << 7,
  kCmdStale = 1u << 8,
  kCmdNoAuth = 1u << 9,
  kCmdFast = 1u << 10,
  kCmdMayReplicate = 1u << 11,
  kCmdNoMandatoryKeys = 1u << 12,
  kCmdAllowBusy = 1u << 13,
  kCmdSkipSlowlog = 1u << 14,
  kCmdNoMulti = 1u << 15,
};

// Names of the flags above, in bit order, for COMMAND INFO.
std::vector<std::string_view> CommandFlagNames(uint32_t flags);

struct CommandSpec {
  const char* name;  // lower case; for a subcommand, the part after the container
  int arity;
  uint32_t flags;
  int first_key;  // 0 when the command takes no key
  int last_key;   // -1: the last argument
  int key_step;
  Handler handler;  // null for a container whose subcommands do the work
  // Documentation (COMMAND DOCS).
  const char* group;       // "string", "generic", "connection", "server", "list", ...
  const char* since;       // Redis version that introduced it
  const char* summary;
  const char* complexity;
  const char* syntax;      // arguments after the name, see command_docs.h
  std::span<const CommandSpec> subcommands = {};
  // For commands whose keys are not at fixed positions (Redis's movablekeys: numkeys
  // forms): appends the indexes of the key arguments.
  void (*key_finder)(std::span<const std::string_view> args, std::vector<size_t>* out) = nullptr;
};

// The indexes of the key arguments of a command line (fixed positions and key_finder).
std::vector<size_t> KeyIndexes(const CommandSpec& spec, std::span<const std::string_view> args);
// A key_finder for `numkeys key...` forms: numkeys at `numkeys_at`, keys right after it.
template <size_t kNumkeysAt>
void NumkeysKeys(std::span<const std::string_view> args, std::vector<size_t>* out) {
  if (args.size() <= kNumkeysAt) return;
  int64_t n = 0;
  for (char c : args[kNumkeysAt]) {
    if (c < '0' || c > '9' || n > 1'000'000) return;
    n = n * 10 + (c - '0');
  }
  for (size_t i = kNumkeysAt + 1; i < args.size() && static_cast<int64_t>(i - kNumkeysAt) <= n;
       ++i) {
    out->push_back(i);
  }
}

// Case-insensitive ASCII comparison.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);

class CommandTable {
 public:
  void Register(std::span<const CommandSpec> specs);
  // Case-insensitive; null if unknown.
  const CommandSpec* Find(std::string_view name) const;
  static const CommandSpec* FindSub(const CommandSpec& container, std::string_view sub);
  // Every top-level command, in registration order.
  const std::vector<const CommandSpec*>& all() const { return all_; }

 private:
  struct CaseHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const;
  };
  struct CaseEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const {
      return EqualsIgnoreCase(a, b);
    }
  };
  absl::flat_hash_map<std::string, const CommandSpec*, CaseHash, CaseEq> by_name_;
  std::vector<const CommandSpec*> all_;
};

// What a handler sees.
class CommandContext {
 public:
  CommandContext(Node& node, Session& session, std::span<const std::string_view> args,
                 const CommandSpec& spec);

  Node& node;
  Session& session;
  std::span<const std::string_view> args;  // args[0] is the command name as sent
  const CommandSpec& spec;

  resp::ReplyWriter& reply();
  void Error(std::string_view message) { reply().Error(message); }
  void Ok() { reply().SimpleString("OK"); }
};

// Parses a command's arguments. The first error is kept (its Redis error string); later
// calls return neutral values, so a handler parses everything and checks ok() once.
class ArgParser {
 public:
  explicit ArgParser(std::span<const std::string_view> args, size_t pos = 1)
      : args_(args), pos_(pos) {}

  bool Done() const { return pos_ >= args_.size(); }
  size_t Remaining() const { return Done() ? 0 : args_.size() - pos_; }
  size_t pos() const { return pos_; }
  std::string_view Peek() const { return Done() ? std::string_view() : args_[pos_]; }
  // The next argument; records a syntax error if there is none.
  std::string_view Next();
  // Consumes the next argument if it equals `token`, ignoring case.
  bool Match(std::string_view token);
  // Integer in Redis syntax (ERR value is not an integer or out of range).
  int64_t Int();
  // Integer within [lo, hi], else `error`.
  int64_t IntInRange(int64_t lo, int64_t hi, std::string_view error);
  // Float in Redis syntax (ERR value is not a valid float).
  double Double();
  long double LongDouble();

  void Fail(std::string_view error);
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  std::span<const std::string_view> args_;
  size_t pos_;
  std::string error_;
};

}  // namespace starling::server
