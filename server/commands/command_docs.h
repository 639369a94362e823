// Command documentation: the grammar of CommandSpec::syntax, and the COMMAND INFO /
// COMMAND DOCS replies generated from the command table (CONVENTIONS.md 5).
//
// ---- The syntax grammar
// A row's `syntax` string describes the arguments after the command name (after the
// subcommand name for a subcommand row), in the notation of Redis's documentation:
//
//   NX                 a pure token (type pure-token, token "NX", name "nx"). Words in upper
//                      case, digits, '-' and '_' are tokens. "..." in double quotes is a
//                      token of any other characters (`"*"`).
//   key                an argument: a lower-case word ([a-z0-9_-], starting with a letter).
//                      Its type is `key` if the word is `key`, else `string`, unless
//                      annotated:
//   count:integer      typed argument: integer, double, string, key, pattern, unix-time
//                      (`destination:key`).
//   EX seconds:integer a token followed by an argument: one argument with a token.
//   TOKEN (a b)        a token followed by a group: the group carries the token.
//   [ ... ]            optional.
//   ( ... )            a group (to repeat a sequence, or to hold alternatives).
//   a | b              alternatives, only inside [ ] or ( ): a oneof. Each alternative is
//                      one item, or a block if it has several.
//   x...               x may repeat (flag multiple). `TOKEN arg...` repeats the argument
//                      after one token ("TOKEN arg [arg ...]"); `(TOKEN arg)...` repeats
//                      both ("TOKEN arg [TOKEN arg ...]", flag multiple_token).
//
// A group holding one item is that item (with the group's optional / multiple flags); a
// group of several items is a block. A group is named by a label at its start,
// `(wherefrom: LEFT | RIGHT)`, else by its members' names joined with '-' ("nx-xx");
// clients' hints show members, never group names.
//
// Examples: `key value [NX | XX] [GET] [EX seconds:integer | PX milliseconds:integer]`,
// `key...`, `(key value)...`, `[MATCH pattern:pattern] [COUNT count:integer]`.
//
// ---- Validation
// ValidateSpec() checks a row: the syntax parses, the arity agrees with the number of
// arguments the syntax allows (exactly, for a positive arity; within the allowed range for
// a negative one), key arguments appear only in commands with key positions, and every
// subcommand row is valid. command_docs_test runs it on every row of every table, so a
// malformed row fails the test suite.
//
// ---- The replies (command_cmds.cc)
// Shapes are redis-server 7.0's (server.c: addReplyCommandInfo, addReplyCommandDocs), plus
// `display_text` on value arguments (not tokens, not groups) as Redis 7.2 sends it; 7.0
// clients ignore it.
// What a CommandSpec does not hold is derived: ACL categories from the flags and the
// group (Redis's implicit categories), one key spec from first/last/step whose flags are
// RO+access for read-only commands and RW+update for writes, and no tips or history.
//
// Pure functions of the table; no node state. Thread-compatible.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "server/command.h"

namespace starling::server {

enum class ArgType {
  kString,
  kInteger,
  kDouble,
  kKey,
  kPattern,
  kUnixTime,
  kPureToken,
  kOneof,
  kBlock
};

// "string", "integer", ... as COMMAND DOCS names the type.
std::string_view ArgTypeName(ArgType t);

// One node of a command's argument tree (COMMAND DOCS "arguments").
struct DocArg {
  std::string name;
  ArgType type = ArgType::kString;
  std::string token;  // empty: none
  bool optional = false;
  bool multiple = false;
  bool multiple_token = false;
  std::vector<DocArg> args;  // kOneof / kBlock members

  bool operator==(const DocArg&) const = default;
};

// Parses a syntax string. InvalidArgument with the position and reason if malformed.
Result<std::vector<DocArg>> ParseSyntax(std::string_view syntax);

// How many arguments a sequence of DocArgs accepts; max is kUnbounded when it can repeat.
struct ArgCount {
  static constexpr size_t kUnbounded = static_cast<size_t>(-1);
  size_t min = 0;
  size_t max = 0;
};
ArgCount CountArgs(const std::vector<DocArg>& args);

// Checks one row (and its subcommands); see "Validation" above. `container` is the parent
// row of a subcommand, null for a top-level command.
Status ValidateSpec(const CommandSpec& spec, const CommandSpec* container = nullptr);

// ACL categories of a command ("@read", "@string", "@fast"...), in Redis's order.
std::vector<std::string_view> AclCategories(const CommandSpec& spec, bool is_container);

// Registers COMMAND (command_cmds.cc; called from RegisterServerCommands).
void RegisterCommandCommand(CommandTable& table);

}  // namespace starling::server
