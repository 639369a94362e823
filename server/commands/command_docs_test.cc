// Tests of the syntax grammar (command_docs.h), of the validation every table row must pass,
// and of the COMMAND INFO / COMMAND DOCS replies built from the rows.
#include "server/commands/command_docs.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/node_test_util.h"

namespace starling::server {
namespace {

using testing::NodeFixture;

// A compact rendering of an argument tree: name:type, then {TOKEN}, ?, *, +t (multiple
// token), and members in parentheses.
std::string Render(const std::vector<DocArg>& args) {
  std::string out;
  for (const DocArg& a : args) {
    if (!out.empty())
      out += ' ';
    out += a.name + ":" + std::string(ArgTypeName(a.type));
    if (!a.token.empty())
      out += "{" + a.token + "}";
    if (a.optional)
      out += "?";
    if (a.multiple)
      out += "*";
    if (a.multiple_token)
      out += "+t";
    if (!a.args.empty())
      out += "(" + Render(a.args) + ")";
  }
  return out;
}

std::string Parse(std::string_view syntax) {
  Result<std::vector<DocArg>> r = ParseSyntax(syntax);
  if (!r.ok())
    return "error: " + r.status().message();
  return Render(*r);
}

TEST(SyntaxTest, ArgumentsAndTypes) {
  EXPECT_EQ(Parse(""), "");
  EXPECT_EQ(Parse("key"), "key:key");
  EXPECT_EQ(Parse("key value"), "key:key value:string");
  EXPECT_EQ(Parse("start:integer score:double p:pattern t:unix-time dst:key s:string"),
            "start:integer score:double p:pattern t:unix-time dst:key s:string");
  EXPECT_EQ(Parse("keys"), "keys:string");  // only `key` itself is a key by default
  EXPECT_EQ(Parse("unix-time-seconds:unix-time"), "unix-time-seconds:unix-time");
}

TEST(SyntaxTest, Tokens) {
  EXPECT_EQ(Parse("NX"), "nx:pure-token{NX}");
  EXPECT_EQ(Parse("NO-EVICT LIB_NAME"),
            "no-evict:pure-token{NO-EVICT} lib_name:pure-token{LIB_NAME}");
  EXPECT_EQ(Parse("EX seconds:integer"), "seconds:integer{EX}");
  EXPECT_EQ(Parse("\"*\""), "*:pure-token{*}");
  EXPECT_EQ(Parse("MAXLEN \"~\" count:integer"), "maxlen:pure-token{MAXLEN} count:integer{~}");
  EXPECT_EQ(Parse("LIMIT (offset:integer count:integer)"),
            "offset-count:block{LIMIT}(offset:integer count:integer)");
  EXPECT_EQ(Parse("LIMIT (count:integer)"), "count:integer{LIMIT}");
}

TEST(SyntaxTest, OptionalGroupsAndAlternatives) {
  EXPECT_EQ(Parse("[GET]"), "get:pure-token{GET}?");
  EXPECT_EQ(Parse("[NX | XX]"), "nx-xx:oneof?(nx:pure-token{NX} xx:pure-token{XX})");
  EXPECT_EQ(Parse("(LEFT | RIGHT)"),
            "left-right:oneof(left:pure-token{LEFT} right:pure-token{RIGHT})");
  // A token followed by an argument belongs to it; parentheses keep a pure token apart.
  EXPECT_EQ(Parse("[WITHSCORES count:integer]"), "count:integer{WITHSCORES}?");
  EXPECT_EQ(Parse("[(WITHSCORES) count:integer]"),
            "withscores-count:block?(withscores:pure-token{WITHSCORES} count:integer)");
  EXPECT_EQ(Parse("[EX seconds:integer | PX ms:integer | KEEPTTL]"),
            "seconds-ms-keepttl:oneof?(seconds:integer{EX} ms:integer{PX} "
            "keepttl:pure-token{KEEPTTL})");
  EXPECT_EQ(Parse("[a b | c]"), "a-b-c:oneof?(a-b:block(a:string b:string) c:string)");
  EXPECT_EQ(Parse("[[a]]"), "a:string?");
}

TEST(SyntaxTest, Labels) {
  EXPECT_EQ(Parse("(wherefrom: LEFT | RIGHT) (whereto: LEFT | RIGHT)"),
            "wherefrom:oneof(left:pure-token{LEFT} right:pure-token{RIGHT}) "
            "whereto:oneof(left:pure-token{LEFT} right:pure-token{RIGHT})");
  EXPECT_EQ(Parse("[condition: NX | XX]"), "condition:oneof?(nx:pure-token{NX} xx:pure-token{XX})");
  EXPECT_EQ(Parse("(data: key value)..."), "data:block*(key:key value:string)");
  EXPECT_EQ(Parse("[opt: a]"), "opt:string?");
}

TEST(SyntaxTest, Repetition) {
  EXPECT_EQ(Parse("key..."), "key:key*");
  EXPECT_EQ(Parse("key ..."), "key:key*");
  EXPECT_EQ(Parse("[key...]"), "key:key?*");
  EXPECT_EQ(Parse("[key]..."), "key:key?*");
  EXPECT_EQ(Parse("(key value)..."), "key-value:block*(key:key value:string)");
  EXPECT_EQ(Parse("ID id:integer..."), "id:integer{ID}*");
  EXPECT_EQ(Parse("[(PREFIX prefix)...]"), "prefix:string{PREFIX}?*+t");
  EXPECT_EQ(Parse("(NX)..."), "nx:pure-token{NX}*");
  EXPECT_EQ(Parse("STREAMS key... id..."), "key:key{STREAMS}* id:string*");
}

TEST(SyntaxTest, MalformedStringsAreRejected) {
  const char* bad[] = {
      "[key",          // unclosed
      "key]",          // stray close
      "(key",          // unclosed
      "(key]",         // mismatched
      "[]",            // empty group
      "()",            // empty group
      "[a | ]",        // empty alternative
      "[| a]",         // empty alternative
      "a | b",         // alternatives outside a group
      "...",           // repetition of nothing
      "key......",     // repetition of a repetition
      "(key...)...",   // repetition of a repetition
      "Key",           // mixed case
      "count:int",     // unknown type
      "NX:integer",    // a token with a type
      "1abc",          // not starting with a letter
      "a,b",           // unexpected character
      "\"\"",          // empty quoted token
      "\"abc",         // unterminated quote
      "a label: b",    // label not at the start of a group
      "[a label: b]",  // label not at the start of a group
  };
  for (const char* s : bad) {
    Result<std::vector<DocArg>> r = ParseSyntax(s);
    EXPECT_FALSE(r.ok()) << "accepted malformed syntax '" << s << "' as " << Parse(s);
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("at column"), std::string::npos);
    }
  }
}

TEST(SyntaxTest, CountsArguments) {
  auto count = [](std::string_view s) {
    ArgCount c = CountArgs(*ParseSyntax(s));
    return std::to_string(c.min) + ".." +
           (c.max == ArgCount::kUnbounded ? std::string("inf") : std::to_string(c.max));
  };
  EXPECT_EQ(count(""), "0..0");
  EXPECT_EQ(count("key value"), "2..2");
  EXPECT_EQ(count("key value [NX | XX] [GET] [EX s:integer | KEEPTTL]"), "2..6");
  EXPECT_EQ(count("key..."), "1..inf");
  EXPECT_EQ(count("(key value)..."), "2..inf");
  EXPECT_EQ(count("[LIMIT (offset:integer count:integer)]"), "0..3");
  EXPECT_EQ(count("(a | b c)"), "1..2");
}

CommandSpec Row(const char* name, int arity, const char* syntax, int first_key = 0) {
  return CommandSpec{
      name,      arity,   0,       first_key, first_key, first_key ? 1 : 0, [](CommandContext&) {},
      "generic", "1.0.0", "Test.", "O(1)",    syntax};
}

TEST(ValidateSpecTest, ChecksArityAgainstSyntax) {
  EXPECT_TRUE(ValidateSpec(Row("get", 2, "key", 1)).ok());
  EXPECT_TRUE(ValidateSpec(Row("set", -3, "key value [NX | XX]", 1)).ok());
  EXPECT_TRUE(ValidateSpec(Row("ping", -1, "[message]")).ok());
  EXPECT_TRUE(ValidateSpec(Row("mget", -2, "key...", 1)).ok());
  // Fixed arity with optional arguments, too few or too many arguments, a bad string.
  EXPECT_FALSE(ValidateSpec(Row("get", 2, "key [x]", 1)).ok());
  EXPECT_FALSE(ValidateSpec(Row("get", 3, "key", 1)).ok());
  EXPECT_FALSE(ValidateSpec(Row("set", -2, "key value", 1)).ok());
  EXPECT_FALSE(ValidateSpec(Row("mget", -3, "key", 1)).ok());
  EXPECT_FALSE(ValidateSpec(Row("get", 2, "[key", 1)).ok());
  // A key argument needs key positions; upper case names are refused.
  EXPECT_FALSE(ValidateSpec(Row("echo", 2, "key")).ok());
  EXPECT_FALSE(ValidateSpec(Row("GET", 2, "key", 1)).ok());
  Status st = ValidateSpec(Row("get", 3, "key", 1));
  EXPECT_NE(st.message().find("'get'"), std::string::npos) << st.message();
}

TEST(ValidateSpecTest, SubcommandsCountTheContainerName) {
  static constexpr CommandSpec kSubs[] = {
      {"setname", 3, 0, 0, 0, 0, [](CommandContext&) {}, "connection", "1.0.0", "S.", "O(1)",
       "connection-name"},
  };
  CommandSpec container{"client",     -2,      0,    0,  0,  0,    nullptr,
                        "connection", "1.0.0", "C.", "", "", kSubs};
  EXPECT_TRUE(ValidateSpec(container).ok());
  static constexpr CommandSpec kBadSubs[] = {
      {"setname", 3, 0, 0, 0, 0, [](CommandContext&) {}, "connection", "1.0.0", "S.", "O(1)",
       "a b"},
  };
  CommandSpec bad = container;
  bad.subcommands = kBadSubs;
  Status st = ValidateSpec(bad);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("client|setname"), std::string::npos) << st.message();
}

// Every row of every family's table, as registered in a real node.
TEST(ValidateSpecTest, EveryRegisteredRowIsValid) {
  NodeFixture f;
  ASSERT_FALSE(f.node.commands().all().empty());
  for (const CommandSpec* spec : f.node.commands().all()) {
    Status st = ValidateSpec(*spec);
    EXPECT_TRUE(st.ok()) << st.message();
  }
}

TEST(AclCategoriesTest, DerivedFromFlagsAndGroup) {
  auto cats = [](const CommandSpec& s, bool container = false) {
    std::string out;
    for (std::string_view c : AclCategories(s, container))
      out += std::string(c) + " ";
    return out;
  };
  CommandSpec get{"get", 2, kCmdReadonly | kCmdFast, 1, 1, 1, nullptr, "string", "", "", "", ""};
  EXPECT_EQ(cats(get), "@read @string @fast ");
  CommandSpec kill{"kill", -3, kCmdAdmin | kCmdNoScript, 0, 0, 0, nullptr, "connection", "", "",
                   "",     ""};
  EXPECT_EQ(cats(kill), "@admin @slow @dangerous @connection ");
  CommandSpec del{"del", -2, kCmdWrite, 1, -1, 1, nullptr, "generic", "", "", "", ""};
  EXPECT_EQ(cats(del), "@keyspace @write @slow ");
  CommandSpec client{"client", -2, 0, 0, 0, 0, nullptr, "connection", "", "", "", ""};
  EXPECT_EQ(cats(client, true), "@slow ");
}

// The replies, byte for byte, against what redis-server 7.0.15 sends for the same rows
// (captured with HELLO 3; display_text is Redis 7.2's addition).
TEST(CommandRepliesTest, InfoOfGetInResp3) {
  NodeFixture f;
  f.Run({"HELLO", "3"});
  EXPECT_EQ(f.RunRaw({"COMMAND", "INFO", "get"}),
            "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
            "~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n"
            "+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n"
            "$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n"
            "$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n"
            "$5\r\nlimit\r\n:0\r\n~0\r\n");
}

TEST(CommandRepliesTest, DocsOfGetInResp2) {
  NodeFixture f;
  EXPECT_EQ(f.RunRaw({"COMMAND", "DOCS", "get", "nosuch"}),
            "*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$34\r\nReturns the string value of a "
            "key.\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n"
            "$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*8\r\n$4\r\nname\r\n"
            "$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$12\r\ndisplay_text\r\n$3\r\nkey\r\n"
            "$14\r\nkey_spec_index\r\n:0\r\n");
}

TEST(CommandRepliesTest, SubcommandsByFullName) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"COMMAND", "INFO", "client|id"}).substr(0, 26), "[[\"client|id\", (integer) 2");
  EXPECT_EQ(f.Run({"COMMAND", "INFO", "client|nosuch", "nosuch"}), "[(nil), (nil)]");
  EXPECT_EQ(f.Run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "client|s*"}),
            "[\"client|setname\", \"client|setinfo\"]");
  EXPECT_EQ(f.Run({"COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"}), "[\"a\", \"b\"]");
  EXPECT_EQ(f.Run({"COMMAND", "GETKEYS", "echo", "x"}),
            "(error) ERR The command has no key arguments");
}

}  // namespace
}  // namespace starling::server
