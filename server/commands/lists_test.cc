// In-process tests of the list family through the real command table. Expected replies
// were checked against redis-server 7.0.15.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lattice/string_ops.h"
#include "server/node_test_util.h"

namespace starling::server {
namespace {

using testing::NodeFixture;

constexpr const char* kWrongType =
    "(error) WRONGTYPE Operation against a key holding the wrong kind of value";

TEST(ListsTest, PushPopAndLength) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"LPUSH", "l", "a", "b", "c"}), "(integer) 3");
  EXPECT_EQ(f.Run({"RPUSH", "l", "x", "y"}), "(integer) 5");
  EXPECT_EQ(f.Run({"LRANGE", "l", "0", "-1"}), "[\"c\", \"b\", \"a\", \"x\", \"y\"]");
  EXPECT_EQ(f.Run({"LPUSHX", "none", "a"}), "(integer) 0");
  EXPECT_EQ(f.Run({"RPUSHX", "none", "a"}), "(integer) 0");
  EXPECT_EQ(f.node.Lookup("none"), nullptr);
  EXPECT_EQ(f.Run({"LPUSHX", "l", "h"}), "(integer) 6");
  EXPECT_EQ(f.Run({"RPUSHX", "l", "t1", "t2"}), "(integer) 8");
  EXPECT_EQ(f.Run({"LLEN", "l"}), "(integer) 8");
  EXPECT_EQ(f.Run({"LLEN", "none"}), "(integer) 0");
  EXPECT_EQ(f.Run({"LPOP", "l"}), "\"h\"");
  EXPECT_EQ(f.Run({"RPOP", "l"}), "\"t2\"");
  EXPECT_EQ(f.Run({"LPOP", "l", "2"}), "[\"c\", \"b\"]");
  EXPECT_EQ(f.Run({"RPOP", "l", "2"}), "[\"t1\", \"y\"]");
  EXPECT_EQ(f.Run({"LPOP", "l", "0"}), "[]");
  EXPECT_EQ(f.Run({"RPOP", "l", "10"}), "[\"x\", \"a\"]");
  EXPECT_EQ(f.node.Lookup("l"), nullptr);
  EXPECT_EQ(f.RunRaw({"LPOP", "l"}), "$-1\r\n");
  EXPECT_EQ(f.RunRaw({"LPOP", "l", "1"}), "*-1\r\n");
  EXPECT_EQ(f.RunRaw({"LPOP", "l", "0"}), "*-1\r\n");
  EXPECT_EQ(f.Run({"LPOP", "l", "-1"}), "(error) ERR value is out of range, must be positive");
  EXPECT_EQ(f.Run({"LPOP", "l", "x"}), "(error) ERR value is out of range, must be positive");
  EXPECT_EQ(f.Run({"LPOP", "l", "1", "2"}),
            "(error) ERR wrong number of arguments for 'lpop' command");
  f.session->out.set_protocol(3);
  EXPECT_EQ(f.RunRaw({"RPOP", "l"}), "_\r\n");
  EXPECT_EQ(f.RunRaw({"RPOP", "l", "3"}), "_\r\n");
}

TEST(ListsTest, IndexRangeAndSet) {
  NodeFixture f;
  f.Run({"RPUSH", "l", "a", "b", "c", "d"});
  EXPECT_EQ(f.Run({"LINDEX", "l", "0"}), "\"a\"");
  EXPECT_EQ(f.Run({"LINDEX", "l", "-1"}), "\"d\"");
  EXPECT_EQ(f.Run({"LINDEX", "l", "4"}), "(nil)");
  EXPECT_EQ(f.Run({"LINDEX", "l", "x"}), "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"LINDEX", "none", "x"}), "(nil)");  // the key is looked up first
  EXPECT_EQ(f.Run({"LRANGE", "l", "-3", "-2"}), "[\"b\", \"c\"]");
  EXPECT_EQ(f.Run({"LRANGE", "l", "2", "100"}), "[\"c\", \"d\"]");
  EXPECT_EQ(f.Run({"LRANGE", "l", "3", "1"}), "[]");
  EXPECT_EQ(f.Run({"LRANGE", "l", "-100", "0"}), "[\"a\"]");
  EXPECT_EQ(f.Run({"LRANGE", "none", "x", "1"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"LSET", "l", "1", "B"}), "OK");
  EXPECT_EQ(f.Run({"LSET", "l", "-1", "D"}), "OK");
  EXPECT_EQ(f.Run({"LRANGE", "l", "0", "-1"}), "[\"a\", \"B\", \"c\", \"D\"]");
  EXPECT_EQ(f.Run({"LSET", "l", "4", "x"}), "(error) ERR index out of range");
  EXPECT_EQ(f.Run({"LSET", "l", "x", "x"}), "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"LSET", "none", "0", "x"}), "(error) ERR no such key");
}

TEST(ListsTest, InsertRemoveTrim) {
  NodeFixture f;
  f.Run({"RPUSH", "l", "a", "b", "a", "c", "a"});
  EXPECT_EQ(f.Run({"LINSERT", "l", "BEFORE", "b", "x"}), "(integer) 6");
  EXPECT_EQ(f.Run({"LINSERT", "l", "after", "c", "y"}), "(integer) 7");
  EXPECT_EQ(f.Run({"LINSERT", "l", "BEFORE", "a", "h"}), "(integer) 8");
  EXPECT_EQ(f.Run({"LINSERT", "l", "AFTER", "zz", "q"}), "(integer) -1");
  EXPECT_EQ(f.Run({"LINSERT", "none", "AFTER", "a", "q"}), "(integer) 0");
  EXPECT_EQ(f.Run({"LINSERT", "l", "MIDDLE", "a", "q"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"LRANGE", "l", "0", "-1"}),
            "[\"h\", \"a\", \"x\", \"b\", \"a\", \"c\", \"y\", \"a\"]");
  EXPECT_EQ(f.Run({"LREM", "l", "-2", "a"}), "(integer) 2");
  EXPECT_EQ(f.Run({"LRANGE", "l", "0", "-1"}), "[\"h\", \"a\", \"x\", \"b\", \"c\", \"y\"]");
  EXPECT_EQ(f.Run({"LREM", "l", "0", "zz"}), "(integer) 0");
  EXPECT_EQ(f.Run({"LREM", "l", "x", "a"}), "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"LTRIM", "l", "1", "-2"}), "OK");
  EXPECT_EQ(f.Run({"LRANGE", "l", "0", "-1"}), "[\"a\", \"x\", \"b\", \"c\"]");
  EXPECT_EQ(f.Run({"LTRIM", "l", "-100", "100"}), "OK");
  EXPECT_EQ(f.Run({"LLEN", "l"}), "(integer) 4");
  EXPECT_EQ(f.Run({"LTRIM", "l", "2", "1"}), "OK");
  EXPECT_EQ(f.node.Lookup("l"), nullptr);
  EXPECT_EQ(f.Run({"LTRIM", "none", "0", "1"}), "OK");
  f.Run({"RPUSH", "r", "a", "a", "a"});
  EXPECT_EQ(f.Run({"LREM", "r", "0", "a"}), "(integer) 3");
  EXPECT_EQ(f.node.Lookup("r"), nullptr);
}

TEST(ListsTest, Lpos) {
  NodeFixture f;
  f.Run({"RPUSH", "l", "a", "b", "a", "a", "c"});
  EXPECT_EQ(f.Run({"LPOS", "l", "a"}), "(integer) 0");
  EXPECT_EQ(f.Run({"LPOS", "l", "a", "RANK", "2"}), "(integer) 2");
  EXPECT_EQ(f.Run({"LPOS", "l", "a", "RANK", "-1"}), "(integer) 3");
  EXPECT_EQ(f.Run({"LPOS", "l", "a", "COUNT", "0"}), "[(integer) 0, (integer) 2, (integer) 3]");
  EXPECT_EQ(f.Run({"LPOS", "l", "a", "RANK", "-2", "COUNT", "2"}), "[(integer) 2, (integer) 0]");
  EXPECT_EQ(f.Run({"LPOS", "l", "a", "RANK", "2", "MAXLEN", "3"}), "(integer) 2");
  EXPECT_EQ(f.Run({"LPOS", "l", "a", "MAXLEN", "1", "COUNT", "0"}), "[(integer) 0]");
  EXPECT_EQ(f.Run({"LPOS", "l", "z"}), "(nil)");
  EXPECT_EQ(f.Run({"LPOS", "l", "a", "RANK", "-9223372036854775808"}), "(integer) 3");
  EXPECT_EQ(f.Run({"LPOS", "none", "a", "COUNT", "0"}), "[]");
  EXPECT_EQ(f.Run({"LPOS", "none", "a"}), "(nil)");
  EXPECT_EQ(f.Run({"LPOS", "l", "a", "RANK", "0"}),
            "(error) ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
            "second ... or use negative to start from the end of the list");
  EXPECT_EQ(f.Run({"LPOS", "l", "a", "COUNT", "-1"}), "(error) ERR COUNT can't be negative");
  EXPECT_EQ(f.Run({"LPOS", "l", "a", "MAXLEN", "x"}), "(error) ERR MAXLEN can't be negative");
  EXPECT_EQ(f.Run({"LPOS", "l", "a", "RANK"}), "(error) ERR syntax error");
}

TEST(ListsTest, MoveAndMpop) {
  NodeFixture f;
  f.Run({"RPUSH", "s", "a", "b", "c"});
  EXPECT_EQ(f.Run({"LMOVE", "s", "d", "LEFT", "RIGHT"}), "\"a\"");
  EXPECT_EQ(f.Run({"RPOPLPUSH", "s", "d"}), "\"c\"");
  EXPECT_EQ(f.Run({"LRANGE", "d", "0", "-1"}), "[\"c\", \"a\"]");
  EXPECT_EQ(f.Run({"LMOVE", "s", "d", "LEFT", "LEFT"}), "\"b\"");
  EXPECT_EQ(f.node.Lookup("s"), nullptr);
  EXPECT_EQ(f.Run({"LMOVE", "s", "d", "LEFT", "LEFT"}), "(nil)");
  EXPECT_EQ(f.Run({"LMOVE", "s", "d", "UP", "LEFT"}), "(error) ERR syntax error");
  // Rotation within one key keeps the key (and its TTL).
  f.node.Write("d", [](lattice::Mutation& m) { lattice::SetExpiry(m, 4'000'000'000'000); });
  EXPECT_EQ(f.Run({"LMOVE", "d", "d", "RIGHT", "LEFT"}), "\"a\"");
  EXPECT_EQ(f.Run({"LRANGE", "d", "0", "-1"}), "[\"a\", \"b\", \"c\"]");
  EXPECT_EQ(f.node.Lookup("d")->ExpiryMs(), 4'000'000'000'000);
  f.Run({"RPUSH", "one", "x"});
  EXPECT_EQ(f.Run({"LMOVE", "one", "one", "LEFT", "RIGHT"}), "\"x\"");
  EXPECT_EQ(f.Run({"LRANGE", "one", "0", "-1"}), "[\"x\"]");
  EXPECT_EQ(f.Run({"LMPOP", "2", "none", "d", "RIGHT", "COUNT", "2"}), "[\"d\", [\"c\", \"b\"]]");
  EXPECT_EQ(f.Run({"LMPOP", "1", "d", "LEFT", "COUNT", "9"}), "[\"d\", [\"a\"]]");
  EXPECT_EQ(f.Run({"LMPOP", "1", "d", "LEFT"}), "(nil)");
  EXPECT_EQ(f.RunRaw({"LMPOP", "1", "d", "LEFT"}), "*-1\r\n");
  EXPECT_EQ(f.Run({"LMPOP", "0", "d", "LEFT"}), "(error) ERR numkeys should be greater than 0");
  EXPECT_EQ(f.Run({"LMPOP", "2", "d", "LEFT"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"LMPOP", "1", "d", "UP"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"LMPOP", "1", "d", "LEFT", "COUNT", "0"}),
            "(error) ERR count should be greater than 0");
}

TEST(ListsTest, WrongTypeForEveryCommand) {
  NodeFixture f;
  f.Run({"SET", "s", "v"});
  f.Run({"ZADD", "z", "1", "m"});
  f.Run({"RPUSH", "ok", "v"});
  for (const char* key : {"s", "z"}) {
    std::vector<std::vector<std::string>> cmds = {
        {"LPUSH", key, "a"},
        {"RPUSH", key, "a"},
        {"LPUSHX", key, "a"},
        {"RPUSHX", key, "a"},
        {"LPOP", key},
        {"RPOP", key, "2"},
        {"LLEN", key},
        {"LINDEX", key, "0"},
        {"LRANGE", key, "0", "1"},
        {"LSET", key, "0", "a"},
        {"LINSERT", key, "BEFORE", "a", "b"},
        {"LREM", key, "0", "a"},
        {"LTRIM", key, "0", "1"},
        {"LPOS", key, "a"},
        {"LMOVE", key, "ok", "LEFT", "LEFT"},
        {"LMOVE", "ok", key, "LEFT", "LEFT"},
        {"RPOPLPUSH", key, "ok"},
        {"RPOPLPUSH", "ok", key},
        {"LMPOP", "1", key, "LEFT"},
    };
    for (const auto& cmd : cmds)
      EXPECT_EQ(f.Run(*f.session, cmd), kWrongType) << cmd[0];
  }
  EXPECT_EQ(f.Run({"LRANGE", "ok", "0", "-1"}), "[\"v\"]");
  EXPECT_EQ(f.Run({"ZCARD", "z"}), "(integer) 1");
}

TEST(ListsTest, MillionElementListReadsByIndex) {
  NodeFixture f;
  constexpr int kN = 1000000;
  for (int base = 0; base < kN; base += 10000) {
    std::vector<std::string> push = {"RPUSH", "big"};
    for (int i = base; i < base + 10000; ++i)
      push.push_back(std::to_string(i));
    ASSERT_EQ(f.Run(*f.session, push), "(integer) " + std::to_string(base + 10000));
  }
  EXPECT_EQ(f.Run({"LINDEX", "big", "500000"}), "\"500000\"");
  EXPECT_EQ(f.Run({"LINDEX", "big", "-1"}), "\"999999\"");
  std::string head = f.Run({"LRANGE", "big", "0", "99"});
  EXPECT_EQ(head.substr(0, 16), "[\"0\", \"1\", \"2\", ");
  EXPECT_NE(head.find("\"99\"]"), std::string::npos);
  EXPECT_EQ(f.Run({"LRANGE", "big", "500000", "500002"}), "[\"500000\", \"500001\", \"500002\"]");
  EXPECT_EQ(f.Run({"LSET", "big", "500000", "mid"}), "OK");
  EXPECT_EQ(f.Run({"LINDEX", "big", "500000"}), "\"mid\"");
  EXPECT_EQ(f.Run({"LPUSH", "big", "h"}), "(integer) 1000001");
  EXPECT_EQ(f.Run({"LINDEX", "big", "500001"}), "\"mid\"");
}

}  // namespace
}  // namespace starling::server
