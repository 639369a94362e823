// In-process tests of the sorted-set family through the real command table. Expected
// replies were checked against redis-server 7.0.15.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "server/node_test_util.h"

namespace starling::server {
namespace {

using testing::NodeFixture;

// The quoted strings of a rendered reply, in order.
std::vector<std::string> Bulks(const std::string& r) {
  std::vector<std::string> out;
  for (size_t p = r.find('"'); p != std::string::npos; p = r.find('"', p + 1)) {
    size_t e = r.find('"', p + 1);
    out.push_back(r.substr(p + 1, e - p - 1));
    p = e;
  }
  return out;
}

constexpr const char* kWrongType =
    "(error) WRONGTYPE Operation against a key holding the wrong kind of value";

TEST(ZsetsTest, ZaddOptions) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"ZADD", "z", "1", "a", "2", "b"}), "(integer) 2");
  EXPECT_EQ(f.Run({"ZADD", "z", "1", "a", "3", "c"}), "(integer) 1");
  EXPECT_EQ(f.Run({"ZADD", "z", "NX", "9", "a", "4", "d"}), "(integer) 1");
  EXPECT_EQ(f.Run({"ZSCORE", "z", "a"}), "\"1\"");
  EXPECT_EQ(f.Run({"ZADD", "z", "XX", "CH", "5", "a", "7", "new"}), "(integer) 1");
  EXPECT_EQ(f.Run({"ZSCORE", "z", "new"}), "(nil)");
  EXPECT_EQ(f.Run({"ZADD", "z", "GT", "CH", "4", "a", "10", "b"}), "(integer) 1");
  EXPECT_EQ(f.Run({"ZADD", "z", "LT", "CH", "0", "a", "20", "b", "1", "e"}), "(integer) 2");
  EXPECT_EQ(f.Run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}),
            "[\"a\", \"0\", \"e\", \"1\", \"c\", \"3\", \"d\", \"4\", \"b\", \"10\"]");
  // A member repeated in one command: the last score stays, each change counts.
  EXPECT_EQ(f.Run({"ZADD", "r", "CH", "1", "m", "2", "m"}), "(integer) 2");
  EXPECT_EQ(f.Run({"ZSCORE", "r", "m"}), "\"2\"");
  EXPECT_EQ(f.Run({"ZADD", "r", "NX", "5", "n", "6", "n"}), "(integer) 1");
  EXPECT_EQ(f.Run({"ZSCORE", "r", "n"}), "\"5\"");
  // XX on a missing key creates nothing.
  EXPECT_EQ(f.Run({"ZADD", "none", "XX", "1", "a"}), "(integer) 0");
  EXPECT_EQ(f.node.Lookup("none"), nullptr);
}

TEST(ZsetsTest, ZaddErrors) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"ZADD", "z", "NX", "XX", "1", "a"}),
            "(error) ERR XX and NX options at the same time are not compatible");
  EXPECT_EQ(f.Run({"ZADD", "z", "NX", "GT", "1", "a"}),
            "(error) ERR GT, LT, and/or NX options at the same time are not compatible");
  EXPECT_EQ(f.Run({"ZADD", "z", "GT", "LT", "1", "a"}),
            "(error) ERR GT, LT, and/or NX options at the same time are not compatible");
  EXPECT_EQ(f.Run({"ZADD", "z", "INCR", "1", "a", "2", "b"}),
            "(error) ERR INCR option supports a single increment-element pair");
  EXPECT_EQ(f.Run({"ZADD", "z", "1", "a", "2"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"ZADD", "z", "CH"}), "(error) ERR wrong number of arguments for 'zadd' command");
  EXPECT_EQ(f.Run({"ZADD", "z", "nan", "a"}), "(error) ERR value is not a valid float");
  EXPECT_EQ(f.Run({"ZADD", "z", "abc", "a"}), "(error) ERR value is not a valid float");
  // strtod's range: an underflow to zero and an overflow are errors, a subnormal is fine.
  EXPECT_EQ(f.Run({"ZADD", "z", "1e-400", "a"}), "(error) ERR value is not a valid float");
  EXPECT_EQ(f.Run({"ZADD", "z", "1e400", "a"}), "(error) ERR value is not a valid float");
  EXPECT_EQ(f.Run({"ZADD", "z", "1e-310", "a"}), "(integer) 1");
  EXPECT_EQ(f.Run({"ZADD", "z", "INCR", "inf", "b"}), "\"inf\"");
  EXPECT_EQ(f.Run({"ZADD", "z", "INCR", "-inf", "b"}),
            "(error) ERR resulting score is not a number (NaN)");
  EXPECT_EQ(f.Run({"ZSCORE", "z", "b"}), "\"inf\"");
}

TEST(ZsetsTest, IncrementsUseRedisDoubleArithmetic) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"ZINCRBY", "z", "0.1", "a"}), "\"0.10000000000000001\"");
  EXPECT_EQ(f.Run({"ZINCRBY", "z", "0.1", "a"}), "\"0.20000000000000001\"");
  // Redis adds doubles one at a time; a long double running sum would give 0.29999999999999999.
  EXPECT_EQ(f.Run({"ZINCRBY", "z", "0.1", "a"}), "\"0.30000000000000004\"");
  EXPECT_EQ(f.Run({"ZADD", "z", "1.1", "b"}), "(integer) 1");
  EXPECT_EQ(f.Run({"ZINCRBY", "z", "2.2", "b"}), "\"3.3000000000000003\"");
  EXPECT_EQ(f.Run({"ZADD", "z", "INCR", "-3.3000000000000003", "b"}), "\"0\"");
  EXPECT_EQ(f.Run({"ZADD", "z", "XX", "INCR", "1", "missing"}), "(nil)");
  EXPECT_EQ(f.Run({"ZADD", "z", "NX", "INCR", "1", "a"}), "(nil)");
  EXPECT_EQ(f.Run({"ZADD", "z", "GT", "INCR", "-1", "a"}), "(nil)");
  EXPECT_EQ(f.Run({"ZINCRBY", "z", "x", "a"}), "(error) ERR value is not a valid float");
  // Once an increment run holds an infinity, later increments still follow Redis.
  EXPECT_EQ(f.Run({"ZADD", "i", "INCR", "inf", "d"}), "\"inf\"");
  EXPECT_EQ(f.Run({"ZADD", "i", "3.3", "d"}), "(integer) 0");
  EXPECT_EQ(f.Run({"ZINCRBY", "i", "-2.5", "d"}), "\"0.79999999999999982\"");
  EXPECT_EQ(f.Run({"ZINCRBY", "i", "inf", "d"}), "\"inf\"");
  EXPECT_EQ(f.Run({"ZINCRBY", "i", "1", "d"}), "\"inf\"");
  EXPECT_EQ(f.Run({"ZADD", "i", "1", "d"}), "(integer) 0");
  EXPECT_EQ(f.Run({"ZINCRBY", "i", "1", "d"}), "\"2\"");
  EXPECT_EQ(f.Run({"ZSCORE", "i", "d"}), "\"2\"");
  // Negative zero is kept as zero, as in Redis's compact encoding.
  EXPECT_EQ(f.Run({"ZADD", "n", "-0.0", "a"}), "(integer) 1");
  EXPECT_EQ(f.Run({"ZSCORE", "n", "a"}), "\"0\"");
}

TEST(ZsetsTest, ScoresRanksAndRemoval) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c"}), "(integer) 3");
  EXPECT_EQ(f.Run({"ZMSCORE", "z", "a", "x", "c"}), "[\"1\", (nil), \"3\"]");
  EXPECT_EQ(f.Run({"ZMSCORE", "none", "a", "b"}), "[(nil), (nil)]");
  EXPECT_EQ(f.Run({"ZCARD", "z"}), "(integer) 3");
  EXPECT_EQ(f.Run({"ZCARD", "none"}), "(integer) 0");
  EXPECT_EQ(f.Run({"ZRANK", "z", "c"}), "(integer) 2");
  EXPECT_EQ(f.Run({"ZREVRANK", "z", "c"}), "(integer) 0");
  EXPECT_EQ(f.Run({"ZRANK", "z", "x"}), "(nil)");
  EXPECT_EQ(f.Run({"ZRANK", "none", "x"}), "(nil)");
  EXPECT_EQ(f.Run({"ZREM", "z", "a", "a", "x"}), "(integer) 1");
  EXPECT_EQ(f.Run({"ZREM", "z", "x"}), "(integer) 0");
  EXPECT_EQ(f.Run({"ZREM", "z", "b", "c"}), "(integer) 2");
  EXPECT_EQ(f.node.Lookup("z"), nullptr);
}

TEST(ZsetsTest, RangesByRankScoreAndLex) {
  NodeFixture f;
  f.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
  EXPECT_EQ(f.Run({"ZRANGE", "z", "1", "-2"}), "[\"b\", \"c\", \"d\"]");
  EXPECT_EQ(f.Run({"ZRANGE", "z", "-100", "100", "REV"}), "[\"e\", \"d\", \"c\", \"b\", \"a\"]");
  EXPECT_EQ(f.Run({"ZRANGE", "z", "3", "1"}), "[]");
  EXPECT_EQ(f.Run({"ZREVRANGE", "z", "0", "1", "WITHSCORES"}), "[\"e\", \"5\", \"d\", \"4\"]");
  EXPECT_EQ(f.Run({"ZRANGEBYSCORE", "z", "(1", "3"}), "[\"b\", \"c\"]");
  EXPECT_EQ(f.Run({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "2"}), "[\"b\", \"c\"]");
  EXPECT_EQ(f.Run({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "2"}), "[]");
  EXPECT_EQ(f.Run({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "3", "-1"}), "[\"d\", \"e\"]");
  EXPECT_EQ(f.Run({"ZREVRANGEBYSCORE", "z", "(5", "2", "LIMIT", "1", "5"}), "[\"c\", \"b\"]");
  EXPECT_EQ(f.Run({"ZRANGE", "z", "+inf", "(3", "BYSCORE", "REV", "WITHSCORES"}),
            "[\"e\", \"5\", \"d\", \"4\"]");
  EXPECT_EQ(f.Run({"ZRANGEBYSCORE", "z", "", "1"}), "[\"a\"]");  // strtod reads "" as 0
  EXPECT_EQ(f.Run({"ZRANGEBYSCORE", "z", "0x2", "(3"}), "[\"b\"]");
  EXPECT_EQ(f.Run({"ZCOUNT", "z", "(1", "(5"}), "(integer) 3");
  EXPECT_EQ(f.Run({"ZCOUNT", "z", "5", "1"}), "(integer) 0");
  f.Run({"ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d"});
  EXPECT_EQ(f.Run({"ZRANGEBYLEX", "l", "[b", "(d"}), "[\"b\", \"c\"]");
  EXPECT_EQ(f.Run({"ZREVRANGEBYLEX", "l", "+", "(b"}), "[\"d\", \"c\"]");
  EXPECT_EQ(f.Run({"ZRANGE", "l", "[d", "[b", "BYLEX", "REV", "LIMIT", "1", "1"}), "[\"c\"]");
  EXPECT_EQ(f.Run({"ZRANGEBYLEX", "l", "-", "+", "LIMIT", "2", "10"}), "[\"c\", \"d\"]");
  EXPECT_EQ(f.Run({"ZRANGEBYLEX", "l", "+", "-"}), "[]");
  EXPECT_EQ(f.Run({"ZLEXCOUNT", "l", "(a", "+"}), "(integer) 3");
  EXPECT_EQ(f.Run({"ZLEXCOUNT", "l", "[c", "[c"}), "(integer) 1");
  EXPECT_EQ(f.Run({"ZLEXCOUNT", "l", "(c", "[c"}), "(integer) 0");
  EXPECT_EQ(f.Run({"ZRANGE", "none", "0", "-1"}), "[]");
}

TEST(ZsetsTest, LexRangeOverMixedScoresWalksLikeRedis) {
  NodeFixture f;
  // Redis walks a small sorted set in rank order: first member >= min, then while <= max.
  f.Run({"ZADD", "m", "1", "b", "2", "a", "3", "d", "4", "c"});
  EXPECT_EQ(f.Run({"ZRANGEBYLEX", "m", "[a", "[c"}), "[\"b\", \"a\"]");
  EXPECT_EQ(f.Run({"ZREVRANGEBYLEX", "m", "[c", "[a"}), "[\"c\", \"d\", \"a\", \"b\"]");
  EXPECT_EQ(f.Run({"ZLEXCOUNT", "m", "-", "+"}), "(integer) 4");
}

TEST(ZsetsTest, RangeErrors) {
  NodeFixture f;
  f.Run({"ZADD", "z", "1", "a"});
  EXPECT_EQ(f.Run({"ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"}),
            "(error) ERR syntax error, LIMIT is only supported in combination with either "
            "BYSCORE or BYLEX");
  EXPECT_EQ(f.Run({"ZRANGE", "z", "0", "-1", "LIMIT", "5", "-1"}), "[\"a\"]");
  EXPECT_EQ(f.Run({"ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"}),
            "(error) ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  EXPECT_EQ(f.Run({"ZRANGE", "z", "a", "b", "BYSCORE"}), "(error) ERR min or max is not a float");
  EXPECT_EQ(f.Run({"ZRANGEBYSCORE", "z", "nan", "1"}), "(error) ERR min or max is not a float");
  EXPECT_EQ(f.Run({"ZRANGEBYLEX", "z", "a", "+"}),
            "(error) ERR min or max not valid string range item");
  EXPECT_EQ(f.Run({"ZRANGEBYLEX", "z", "-", "+x"}),
            "(error) ERR min or max not valid string range item");
  EXPECT_EQ(f.Run({"ZRANGEBYSCORE", "z", "0", "1", "REV"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"ZRANGE", "z", "0", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"ZRANGESTORE", "d", "z", "0", "-1", "WITHSCORES"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"ZRANGE", "z", "0", "-1", "BYSCORE", "BYLEX"}), "(error) ERR syntax error");
}

TEST(ZsetsTest, RangeStoreAndRemoveRanges) {
  NodeFixture f;
  f.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
  EXPECT_EQ(f.Run({"SET", "d", "string"}), "OK");
  EXPECT_EQ(f.Run({"ZRANGESTORE", "d", "z", "(1", "4", "BYSCORE", "LIMIT", "1", "2"}),
            "(integer) 2");
  EXPECT_EQ(f.Run({"ZRANGE", "d", "0", "-1", "WITHSCORES"}), "[\"c\", \"3\", \"d\", \"4\"]");
  EXPECT_EQ(f.Run({"ZRANGESTORE", "d", "z", "10", "20"}), "(integer) 0");
  EXPECT_EQ(f.node.Lookup("d"), nullptr);
  EXPECT_EQ(f.Run({"ZRANGESTORE", "z", "z", "0", "1"}), "(integer) 2");  // onto itself
  EXPECT_EQ(f.Run({"ZRANGE", "z", "0", "-1"}), "[\"a\", \"b\"]");
  f.Run({"ZADD", "z", "3", "c", "4", "d", "5", "e"});
  EXPECT_EQ(f.Run({"ZREMRANGEBYRANK", "z", "-2", "-1"}), "(integer) 2");
  EXPECT_EQ(f.Run({"ZREMRANGEBYRANK", "z", "5", "9"}), "(integer) 0");
  EXPECT_EQ(f.Run({"ZREMRANGEBYSCORE", "z", "(1", "+inf"}), "(integer) 2");
  EXPECT_EQ(f.Run({"ZREMRANGEBYSCORE", "z", "x", "1"}), "(error) ERR min or max is not a float");
  f.Run({"ZADD", "l", "0", "a", "0", "b", "0", "c"});
  EXPECT_EQ(f.Run({"ZREMRANGEBYLEX", "l", "(a", "[b"}), "(integer) 1");
  EXPECT_EQ(f.Run({"ZREMRANGEBYLEX", "l", "-", "+"}), "(integer) 2");
  EXPECT_EQ(f.node.Lookup("l"), nullptr);
  EXPECT_EQ(f.Run({"ZREMRANGEBYLEX", "none", "-", "+"}), "(integer) 0");
}

TEST(ZsetsTest, PopsAndMpop) {
  NodeFixture f;
  f.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(f.Run({"ZPOPMIN", "z"}), "[\"a\", \"1\"]");
  EXPECT_EQ(f.Run({"ZPOPMAX", "z", "5"}), "[\"c\", \"3\", \"b\", \"2\"]");
  EXPECT_EQ(f.node.Lookup("z"), nullptr);
  EXPECT_EQ(f.Run({"ZPOPMIN", "z"}), "[]");
  EXPECT_EQ(f.Run({"ZPOPMIN", "z", "-1"}), "(error) ERR value is out of range, must be positive");
  EXPECT_EQ(f.Run({"ZPOPMIN", "z", "x"}), "(error) ERR value is out of range, must be positive");
  EXPECT_EQ(f.Run({"ZPOPMIN", "z", "1", "2"}), "(error) ERR syntax error");
  f.Run({"ZADD", "y", "1", "a", "2", "b"});
  EXPECT_EQ(f.Run({"ZPOPMIN", "y", "0"}), "[]");
  EXPECT_EQ(f.Run({"ZMPOP", "2", "z", "y", "MAX", "COUNT", "5"}),
            "[\"y\", [[\"b\", \"2\"], [\"a\", \"1\"]]]");
  EXPECT_EQ(f.Run({"ZMPOP", "1", "y", "MIN"}), "(nil)");
  EXPECT_EQ(f.Run({"ZMPOP", "0", "y", "MIN"}), "(error) ERR numkeys should be greater than 0");
  EXPECT_EQ(f.Run({"ZMPOP", "2", "y", "MIN"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"ZMPOP", "1", "y", "UP"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"ZMPOP", "1", "y", "MIN", "COUNT", "0"}),
            "(error) ERR count should be greater than 0");
  EXPECT_EQ(f.Run({"ZMPOP", "1", "y", "MIN", "COUNT", "1", "COUNT", "1"}),
            "(error) ERR syntax error");
}

TEST(ZsetsTest, Resp3Shapes) {
  NodeFixture f;
  f.session->out.set_protocol(3);
  f.Run({"ZADD", "z", "1", "a", "2.5", "b", "3", "c"});
  EXPECT_EQ(f.Run({"ZSCORE", "z", "b"}), "(double) 2.5");
  EXPECT_EQ(f.Run({"ZINCRBY", "z", "1", "b"}), "(double) 3.5");
  EXPECT_EQ(f.Run({"ZMSCORE", "z", "a", "x"}), "[(double) 1, (nil)]");
  EXPECT_EQ(f.Run({"ZRANGE", "z", "0", "1", "WITHSCORES"}),
            "[[\"a\", (double) 1], [\"c\", (double) 3]]");
  EXPECT_EQ(f.Run({"ZRANDMEMBER", "z", "5", "WITHSCORES"}),
            "[[\"b\", (double) 3.5], [\"c\", (double) 3], [\"a\", (double) 1]]");
  EXPECT_EQ(f.Run({"ZPOPMIN", "z"}), "[\"a\", (double) 1]");
  EXPECT_EQ(f.Run({"ZPOPMIN", "z", "1"}), "[[\"c\", (double) 3]]");
  EXPECT_EQ(f.Run({"ZMPOP", "1", "none", "MIN"}), "(nil)");
  EXPECT_EQ(f.RunRaw({"ZMPOP", "1", "none", "MIN"}), "_\r\n");
  EXPECT_EQ(f.Run({"ZSCAN", "z", "0"}), "[\"0\", [\"b\", \"3.5\"]]");
}

TEST(ZsetsTest, RandomMembers) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"ZRANDMEMBER", "none"}), "(nil)");
  EXPECT_EQ(f.Run({"ZRANDMEMBER", "none", "3"}), "[]");
  std::vector<std::string> add = {"ZADD", "z"};
  for (int i = 0; i < 100; ++i) {
    add.push_back(std::to_string(i));
    add.push_back("m" + std::to_string(i));
  }
  f.Run(*f.session, add);
  for (const char* count : {"3", "40", "99"}) {
    std::vector<std::string> seen = Bulks(f.Run({"ZRANDMEMBER", "z", count}));
    EXPECT_EQ(seen.size(), static_cast<size_t>(std::stoi(count)));
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end()) << "repeats for " << count;
  }
  std::string rep = f.Run({"ZRANDMEMBER", "z", "-300"});
  EXPECT_EQ(std::count(rep.begin(), rep.end(), ','), 299);
  EXPECT_EQ(f.Run({"ZRANDMEMBER", "z", "1", "WITHSCORES", "x"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"ZRANDMEMBER", "z", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"ZRANDMEMBER", "z", "-9223372036854775808"}),
            "(error) ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  EXPECT_EQ(f.Run({"ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"}),
            "(error) ERR value is out of range");
}

TEST(ZsetsTest, ScanVisitsEveryMemberOnce) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"ZSCAN", "none", "0", "COUNT", "0"}), "[\"0\", []]");
  EXPECT_EQ(f.Run({"ZSCAN", "none", "x"}), "(error) ERR invalid cursor");
  f.Run({"ZADD", "s", "2", "b", "1", "a", "0.1", "x"});
  EXPECT_EQ(f.Run({"ZSCAN", "s", "0"}),
            "[\"0\", [\"x\", \"0.10000000000000001\", \"a\", \"1\", \"b\", \"2\"]]");
  EXPECT_EQ(f.Run({"ZSCAN", "s", "0", "MATCH", "[ab]"}), "[\"0\", [\"a\", \"1\", \"b\", \"2\"]]");
  EXPECT_EQ(f.Run({"ZSCAN", "s", "0", "COUNT", "0"}), "(error) ERR syntax error");
  std::vector<std::string> add = {"ZADD", "big"};
  for (int i = 0; i < 1000; ++i) {
    add.push_back(std::to_string(i));
    add.push_back("m" + std::to_string(i));
  }
  f.Run(*f.session, add);
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    std::vector<std::string> r =
        Bulks(f.Run(*f.session, std::vector<std::string>{"ZSCAN", "big", cursor}));
    cursor = r.at(0);
    for (size_t i = 1; i < r.size(); i += 2)
      EXPECT_TRUE(seen.insert(r[i]).second) << r[i];
    ++calls;
  } while (cursor != "0" && calls < 1000);
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_GT(calls, 10);
}

TEST(ZsetsTest, SetOperations) {
  NodeFixture f;
  f.Run({"ZADD", "a", "1", "x", "2", "y", "3", "z"});
  f.Run({"ZADD", "b", "10", "y", "20", "z", "30", "w"});
  EXPECT_EQ(f.Run({"ZUNION", "2", "a", "b", "WITHSCORES"}),
            "[\"x\", \"1\", \"y\", \"12\", \"z\", \"23\", \"w\", \"30\"]");
  EXPECT_EQ(f.Run({"ZINTER", "2", "a", "b", "WEIGHTS", "2", "1", "AGGREGATE", "MAX", "WITHSCORES"}),
            "[\"y\", \"10\", \"z\", \"20\"]");
  EXPECT_EQ(f.Run({"ZDIFF", "2", "a", "b", "WITHSCORES"}), "[\"x\", \"1\"]");
  EXPECT_EQ(f.Run({"ZDIFF", "2", "b", "a"}), "[\"w\"]");
  EXPECT_EQ(f.Run({"ZINTERCARD", "2", "a", "b"}), "(integer) 2");
  EXPECT_EQ(f.Run({"ZINTERCARD", "2", "a", "b", "LIMIT", "1"}), "(integer) 1");
  EXPECT_EQ(f.Run({"ZUNIONSTORE", "d", "3", "a", "b", "none", "AGGREGATE", "MIN"}), "(integer) 4");
  EXPECT_EQ(f.Run({"ZRANGE", "d", "0", "-1", "WITHSCORES"}),
            "[\"x\", \"1\", \"y\", \"2\", \"z\", \"3\", \"w\", \"30\"]");
  EXPECT_EQ(f.Run({"ZINTERSTORE", "d", "2", "a", "none"}), "(integer) 0");
  EXPECT_EQ(f.node.Lookup("d"), nullptr);
  EXPECT_EQ(f.Run({"ZDIFFSTORE", "a", "2", "a", "b"}), "(integer) 1");  // onto a source
  EXPECT_EQ(f.Run({"ZRANGE", "a", "0", "-1"}), "[\"x\"]");
  // inf - inf is 0 under SUM; a weight times inf of 0 is 0.
  f.Run({"ZADD", "p", "inf", "m"});
  f.Run({"ZADD", "q", "-inf", "m"});
  EXPECT_EQ(f.Run({"ZUNION", "2", "p", "q", "WITHSCORES"}), "[\"m\", \"0\"]");
  EXPECT_EQ(f.Run({"ZUNION", "1", "p", "WEIGHTS", "0", "WITHSCORES"}), "[\"m\", \"0\"]");
  EXPECT_EQ(f.Run({"ZUNION", "1", "b", "WEIGHTS", "-1", "WITHSCORES"}),
            "[\"w\", \"-30\", \"z\", \"-20\", \"y\", \"-10\"]");
}

TEST(ZsetsTest, SetOperationErrors) {
  NodeFixture f;
  f.Run({"ZADD", "a", "1", "x"});
  EXPECT_EQ(f.Run({"ZUNIONSTORE", "d", "0", "a"}),
            "(error) ERR at least 1 input key is needed for 'zunionstore' command");
  EXPECT_EQ(f.Run({"ZINTERCARD", "0", "a"}),
            "(error) ERR at least 1 input key is needed for 'zintercard' command");
  EXPECT_EQ(f.Run({"ZUNION", "x", "a"}), "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"ZUNION", "3", "a"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"ZUNION", "1", "a", "WEIGHTS", "x"}), "(error) ERR weight value is not a float");
  EXPECT_EQ(f.Run({"ZUNION", "1", "a", "WEIGHTS"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"ZUNION", "1", "a", "AGGREGATE", "AVG"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"ZDIFF", "1", "a", "WEIGHTS", "1"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"ZUNIONSTORE", "d", "1", "a", "WITHSCORES"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"ZINTERCARD", "1", "a", "LIMIT", "-1"}), "(error) ERR LIMIT can't be negative");
  EXPECT_EQ(f.Run({"ZINTERCARD", "1", "a", "WITHSCORES"}), "(error) ERR syntax error");
  f.Run({"SET", "s", "v"});
  EXPECT_EQ(f.Run({"ZUNION", "2", "a", "s", "WEIGHTS", "x"}), kWrongType);  // keys first
}

TEST(ZsetsTest, WrongTypeForEveryCommand) {
  NodeFixture f;
  f.Run({"SET", "s", "v"});
  f.Run({"RPUSH", "l", "v"});
  for (const char* key : {"s", "l"}) {
    std::vector<std::vector<std::string>> cmds = {
        {"ZADD", key, "1", "a"},
        {"ZINCRBY", key, "1", "a"},
        {"ZREM", key, "a"},
        {"ZSCORE", key, "a"},
        {"ZMSCORE", key, "a"},
        {"ZCARD", key},
        {"ZRANK", key, "a"},
        {"ZREVRANK", key, "a"},
        {"ZCOUNT", key, "0", "1"},
        {"ZLEXCOUNT", key, "-", "+"},
        {"ZRANGE", key, "0", "1"},
        {"ZRANGEBYSCORE", key, "0", "1"},
        {"ZREVRANGEBYSCORE", key, "1", "0"},
        {"ZRANGEBYLEX", key, "-", "+"},
        {"ZREVRANGEBYLEX", key, "+", "-"},
        {"ZREVRANGE", key, "0", "1"},
        {"ZPOPMIN", key},
        {"ZPOPMAX", key, "2"},
        {"ZRANDMEMBER", key},
        {"ZRANDMEMBER", key, "2"},
        {"ZREMRANGEBYRANK", key, "0", "1"},
        {"ZREMRANGEBYSCORE", key, "0", "1"},
        {"ZREMRANGEBYLEX", key, "-", "+"},
        {"ZRANGESTORE", "d", key, "0", "1"},
        {"ZUNIONSTORE", "d", "1", key},
        {"ZINTERSTORE", "d", "1", key},
        {"ZDIFFSTORE", "d", "1", key},
        {"ZUNION", "1", key},
        {"ZINTER", "1", key},
        {"ZDIFF", "1", key},
        {"ZINTERCARD", "1", key},
        {"ZSCAN", key, "0"},
        {"ZMPOP", "1", key, "MIN"},
    };
    for (const auto& cmd : cmds)
      EXPECT_EQ(f.Run(*f.session, cmd), kWrongType) << cmd[0];
  }
  EXPECT_EQ(f.Run({"GET", "s"}), "\"v\"");
  EXPECT_EQ(f.Run({"LLEN", "l"}), "(integer) 1");
}

TEST(ZsetsTest, LargeSortedSetRangesNearTheMiddle) {
  NodeFixture f;
  constexpr int kN = 200000;
  for (int base = 0; base < kN; base += 10000) {
    std::vector<std::string> add = {"ZADD", "big"};
    for (int i = base; i < base + 10000; ++i) {
      add.push_back(std::to_string(i));
      add.push_back("m" + std::to_string(i));
    }
    ASSERT_EQ(f.Run(*f.session, add), "(integer) 10000");
  }
  EXPECT_EQ(f.Run({"ZCARD", "big"}), "(integer) 200000");
  EXPECT_EQ(f.Run({"ZRANGE", "big", "100000", "100002"}),
            "[\"m100000\", \"m100001\", \"m100002\"]");
  EXPECT_EQ(f.Run({"ZRANGEBYSCORE", "big", "(99999", "100001", "WITHSCORES"}),
            "[\"m100000\", \"100000\", \"m100001\", \"100001\"]");
  EXPECT_EQ(f.Run({"ZRANGE", "big", "150000", "-inf", "BYSCORE", "REV", "LIMIT", "0", "2"}),
            "[\"m150000\", \"m149999\"]");
  EXPECT_EQ(f.Run({"ZCOUNT", "big", "1000", "(2000"}), "(integer) 1000");
  EXPECT_EQ(f.Run({"ZRANK", "big", "m123456"}), "(integer) 123456");
  EXPECT_EQ(f.Run({"ZREMRANGEBYRANK", "big", "0", "99999"}), "(integer) 100000");
  EXPECT_EQ(f.Run({"ZRANGE", "big", "0", "0", "WITHSCORES"}), "[\"m100000\", \"100000\"]");
}

}  // namespace
}  // namespace starling::server
