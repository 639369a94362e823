// In-process tests of the hash family through the real command table. Expected replies and
// errors were checked against redis-server 7.0.15.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "server/node_test_util.h"

namespace starling::server {
namespace {

using testing::NodeFixture;

constexpr char kWrongType[] =
    "(error) WRONGTYPE Operation against a key holding the wrong kind of value";

// Splits a rendered flat array (`["a", "1", "b", "2"]`) into its elements, in order.
std::vector<std::string> Flat(const std::string& rendered) {
  std::vector<std::string> out;
  if (rendered.size() < 2 || rendered.front() != '[')
    return {"<not an array: " + rendered + ">"};
  std::string body = rendered.substr(1, rendered.size() - 2);
  for (size_t pos = 0; !body.empty() && pos <= body.size();) {
    size_t end = body.find(", ", pos);
    if (end == std::string::npos)
      end = body.size();
    std::string e = body.substr(pos, end - pos);
    if (e.size() >= 2 && e.front() == '"')
      e = e.substr(1, e.size() - 2);
    out.push_back(e);
    pos = end + 2;
  }
  return out;
}

// A rendered flat field/value array as a map.
std::map<std::string, std::string> Pairs(const std::string& rendered) {
  std::vector<std::string> v = Flat(rendered);
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < v.size(); i += 2)
    out[v[i]] = v[i + 1];
  if (v.size() % 2)
    out["<odd>"] = rendered;
  return out;
}

using M = std::map<std::string, std::string>;

void FillHash(NodeFixture& f, const std::string& key, int from, int to) {
  std::vector<std::string> cmd = {"HSET", key};
  for (int i = from; i < to; ++i) {
    cmd.push_back("f" + std::to_string(i));
    cmd.push_back("v" + std::to_string(i));
  }
  f.Run(*f.session, cmd);
}

TEST(HashesTest, SetGetDelete) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"HSET", "h", "a", "1", "b", "2"}), "(integer) 2");
  EXPECT_EQ(f.Run({"HSET", "h", "a", "10", "c", "3", "c", "4"}), "(integer) 1");  // c once
  EXPECT_EQ(f.Run({"HGET", "h", "a"}), "\"10\"");
  EXPECT_EQ(f.Run({"HGET", "h", "c"}), "\"4\"");  // the last value of a repeated field
  EXPECT_EQ(f.Run({"HGET", "h", "zz"}), "(nil)");
  EXPECT_EQ(f.Run({"HGET", "nokey", "a"}), "(nil)");
  EXPECT_EQ(f.Run({"HSET", "h", "a"}), "(error) ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(f.Run({"HSET", "h", "a", "1", "b"}),
            "(error) ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(f.Run({"HMSET", "h", "a", "1", "b"}),
            "(error) ERR wrong number of arguments for 'hmset' command");
  EXPECT_EQ(f.Run({"HMSET", "h", "d", "5", "a", "11"}), "OK");
  EXPECT_EQ(f.Run({"HSETNX", "h", "a", "x"}), "(integer) 0");
  EXPECT_EQ(f.Run({"HSETNX", "h", "e", "6"}), "(integer) 1");
  EXPECT_EQ(f.Run({"HSETNX", "new", "e", "6"}), "(integer) 1");
  EXPECT_EQ(f.Run({"HMGET", "h", "a", "zz", "e"}), "[\"11\", (nil), \"6\"]");
  EXPECT_EQ(f.Run({"HMGET", "nokey", "a", "b"}), "[(nil), (nil)]");
  EXPECT_EQ(f.Run({"HLEN", "h"}), "(integer) 5");
  EXPECT_EQ(f.Run({"HLEN", "nokey"}), "(integer) 0");
  EXPECT_EQ(f.Run({"HSTRLEN", "h", "a"}), "(integer) 2");
  EXPECT_EQ(f.Run({"HSTRLEN", "h", "zz"}), "(integer) 0");
  EXPECT_EQ(f.Run({"HSTRLEN", "nokey", "a"}), "(integer) 0");
  EXPECT_EQ(f.Run({"HEXISTS", "h", "a"}), "(integer) 1");
  EXPECT_EQ(f.Run({"HEXISTS", "h", "zz"}), "(integer) 0");
  EXPECT_EQ(f.Run({"HEXISTS", "nokey", "a"}), "(integer) 0");
  EXPECT_EQ(f.Run({"HDEL", "h", "a", "a", "zz"}), "(integer) 1");
  EXPECT_EQ(f.Run({"HDEL", "h", "zz"}), "(integer) 0");
  EXPECT_EQ(f.Run({"HDEL", "nokey", "zz"}), "(integer) 0");
  EXPECT_EQ(f.Run({"EXPIRE", "h", "100"}), "(integer) 1");
  EXPECT_EQ(f.Run({"HSET", "h", "b", "20"}), "(integer) 0");
  EXPECT_EQ(f.Run({"TTL", "h"}), "(integer) 100");                     // HSET keeps the TTL
  EXPECT_EQ(f.Run({"HDEL", "h", "b", "c", "d", "e"}), "(integer) 4");  // empty: the key goes
  EXPECT_EQ(f.Run({"EXISTS", "h"}), "(integer) 0");
  EXPECT_EQ(f.Run({"HSET", "h", "x", "y"}), "(integer) 1");
  EXPECT_EQ(f.Run({"TTL", "h"}), "(integer) -1");
  EXPECT_EQ(f.Run({"TYPE", "h"}), "hash");
}

TEST(HashesTest, WholeHashRepliesAndResp3Map) {
  NodeFixture f;
  f.Run({"HSET", "h", "a", "1", "b", "2"});
  f.Run({"HINCRBY", "h", "c", "5"});
  EXPECT_EQ(Pairs(f.Run({"HGETALL", "h"})), (M{{"a", "1"}, {"b", "2"}, {"c", "5"}}));
  std::vector<std::string> keys = Flat(f.Run({"HKEYS", "h"}));
  std::vector<std::string> vals = Flat(f.Run({"HVALS", "h"}));
  ASSERT_EQ(keys.size(), 3u);
  ASSERT_EQ(vals.size(), 3u);
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(f.Run({"HGET", "h", keys[i]}), "\"" + vals[i] + "\"");  // same order
  }
  EXPECT_EQ(f.Run({"HGETALL", "nokey"}), "[]");
  EXPECT_EQ(f.Run({"HKEYS", "nokey"}), "[]");
  EXPECT_EQ(f.Run({"HVALS", "nokey"}), "[]");
  f.session->out.set_protocol(3);
  f.Run({"HDEL", "h", "b", "c"});
  EXPECT_EQ(f.RunRaw({"HGETALL", "h"}), "%1\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(f.RunRaw({"HGETALL", "nokey"}), "%0\r\n");
  EXPECT_EQ(f.RunRaw({"HKEYS", "h"}), "*1\r\n$1\r\na\r\n");
  EXPECT_EQ(f.RunRaw({"HGET", "nokey", "a"}), "_\r\n");
  EXPECT_EQ(f.RunRaw({"HSCAN", "h", "0"}), "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
}

TEST(HashesTest, WrongTypeForEveryCommand) {
  NodeFixture f;
  f.Run({"SET", "str", "x"});
  f.Run({"SADD", "set", "a"});
  for (const char* k : {"str", "set"}) {
    SCOPED_TRACE(k);
    EXPECT_EQ(f.Run({"HSET", k, "a", "1"}), kWrongType);
    EXPECT_EQ(f.Run({"HSETNX", k, "a", "1"}), kWrongType);
    EXPECT_EQ(f.Run({"HMSET", k, "a", "1"}), kWrongType);
    EXPECT_EQ(f.Run({"HGET", k, "a"}), kWrongType);
    EXPECT_EQ(f.Run({"HMGET", k, "a"}), kWrongType);
    EXPECT_EQ(f.Run({"HDEL", k, "a"}), kWrongType);
    EXPECT_EQ(f.Run({"HLEN", k}), kWrongType);
    EXPECT_EQ(f.Run({"HSTRLEN", k, "a"}), kWrongType);
    EXPECT_EQ(f.Run({"HEXISTS", k, "a"}), kWrongType);
    EXPECT_EQ(f.Run({"HKEYS", k}), kWrongType);
    EXPECT_EQ(f.Run({"HVALS", k}), kWrongType);
    EXPECT_EQ(f.Run({"HGETALL", k}), kWrongType);
    EXPECT_EQ(f.Run({"HINCRBY", k, "a", "1"}), kWrongType);
    EXPECT_EQ(f.Run({"HINCRBYFLOAT", k, "a", "1"}), kWrongType);
    EXPECT_EQ(f.Run({"HRANDFIELD", k}), kWrongType);
    EXPECT_EQ(f.Run({"HRANDFIELD", k, "1", "WITHVALUES"}), kWrongType);
    EXPECT_EQ(f.Run({"HSCAN", k, "0"}), kWrongType);
  }
  // Argument errors first, where Redis checks them first.
  EXPECT_EQ(f.Run({"HINCRBY", "str", "a", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "str", "a", "x"}), "(error) ERR value is not a valid float");
  EXPECT_EQ(f.Run({"HRANDFIELD", "str", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"HRANDFIELD", "str", "-4611686018427387904", "WITHVALUES"}),
            "(error) ERR value is out of range");
  EXPECT_EQ(f.Run({"HSCAN", "str", "x"}), "(error) ERR invalid cursor");
  EXPECT_EQ(f.Run({"HSET", "str", "a"}),
            "(error) ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(f.Run({"GET", "str"}), "\"x\"");
}

TEST(HashesTest, Hincrby) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"HINCRBY", "h", "n", "5"}), "(integer) 5");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "n", "-7"}), "(integer) -2");
  EXPECT_EQ(f.Run({"HGET", "h", "n"}), "\"-2\"");
  EXPECT_EQ(f.Run({"HSTRLEN", "h", "n"}), "(integer) 2");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "n", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "n", "1.5"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"HSET", "h", "s", "abc", "f", "1.5", "sp", " 1", "big", "9223372036854775807"}),
            "(integer) 4");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "s", "1"}), "(error) ERR hash value is not an integer");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "f", "1"}), "(error) ERR hash value is not an integer");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "sp", "1"}), "(error) ERR hash value is not an integer");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "big", "1"}),
            "(error) ERR increment or decrement would overflow");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "big", "-1"}), "(integer) 9223372036854775806");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "low", "-9223372036854775808"}),
            "(integer) -9223372036854775808");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "low", "-1"}),
            "(error) ERR increment or decrement would overflow");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "low", "9223372036854775807"}), "(integer) -1");
  // HSET absorbs the increments it saw; later ones add to the new value.
  EXPECT_EQ(f.Run({"HSET", "h", "n", "100"}), "(integer) 0");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "n", "1"}), "(integer) 101");
  EXPECT_EQ(f.Run({"HGET", "h", "n"}), "\"101\"");
  // HDEL cancels them: a new increment starts from 0.
  EXPECT_EQ(f.Run({"HDEL", "h", "n"}), "(integer) 1");
  EXPECT_EQ(f.Run({"HEXISTS", "h", "n"}), "(integer) 0");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "n", "3"}), "(integer) 3");
}

TEST(HashesTest, Hincrbyfloat) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "x", "1.5"}), "\"1.5\"");
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "x", "0.1"}), "\"1.6\"");
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "x", "-1.6"}), "\"0\"");
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "i", "3.0"}), "\"3\"");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "i", "2"}), "(integer) 5");  // an integral float counts
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "e", "5.0e3"}), "\"5000\"");
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "x", "x"}), "(error) ERR value is not a valid float");
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "x", "nan"}), "(error) ERR value is not a valid float");
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "x", "inf"}), "(error) ERR value is NaN or Infinity");
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "x", "-inf"}), "(error) ERR value is NaN or Infinity");
  f.Run({"HSET", "h", "s", "abc", "sp", " 1", "hex", "0x10", "big", "1e308"});
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "s", "1"}), "(error) ERR hash value is not a float");
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "sp", "1"}), "(error) ERR hash value is not a float");
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "hex", "1"}), "\"17\"");  // strtold reads hex, as Redis
  std::string two_e308 = f.Run({"HINCRBYFLOAT", "h", "big", "1e308"});
  EXPECT_EQ(two_e308.size(), 309u + 2);  // long double: no overflow at 2e308
  EXPECT_EQ(two_e308.substr(0, 6), "\"19999");
  f.Run({"HSET", "h", "huge", "1.1e4932"});
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "huge", "1.1e4932"}),
            "(error) ERR increment would produce NaN or Infinity");
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "huge", "1e4933"}),
            "(error) ERR value is not a valid float");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "x", "1"}), "(integer) 1");
  EXPECT_EQ(f.Run({"HINCRBYFLOAT", "h", "x", "0.25"}), "\"1.25\"");
  EXPECT_EQ(f.Run({"HINCRBY", "h", "x", "1"}), "(error) ERR hash value is not an integer");
  EXPECT_EQ(f.Run({"HGET", "h", "x"}), "\"1.25\"");
}

TEST(HashesTest, HrandfieldShapesAndCounts) {
  NodeFixture f;
  f.Run({"HSET", "h", "a", "1", "b", "2", "c", "3"});
  EXPECT_EQ(f.Run({"HRANDFIELD", "nokey"}), "(nil)");
  EXPECT_EQ(f.Run({"HRANDFIELD", "nokey", "2"}), "[]");
  EXPECT_EQ(f.Run({"HRANDFIELD", "nokey", "-2", "WITHVALUES"}), "[]");
  EXPECT_EQ(f.Run({"HRANDFIELD", "h", "0"}), "[]");
  EXPECT_EQ(f.Run({"HRANDFIELD", "h", "0", "WITHVALUES"}), "[]");
  EXPECT_EQ(f.Run({"HRANDFIELD", "h", "2", "x"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"HRANDFIELD", "h", "2", "WITHVALUES", "x"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"HRANDFIELD", "h", "x"}), "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"HRANDFIELD", "h", "-9223372036854775808"}),
            "(error) ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  EXPECT_EQ(f.Run({"HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"}),
            "(error) ERR value is out of range");
  EXPECT_EQ(f.Run({"HRANDFIELD", "h", "-4611686018427387904", "WITHVALUE"}),
            "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"HRANDFIELD", "h", "-4611686018427387903"}),
            "(error) ERR value is out of range, value must between -33554432 and "
            "9223372036854775807");
  std::string one = f.Run({"HRANDFIELD", "h"});
  EXPECT_TRUE(one == "\"a\"" || one == "\"b\"" || one == "\"c\"") << one;
  EXPECT_EQ(Pairs(f.Run({"HRANDFIELD", "h", "5", "WITHVALUES"})),
            (M{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  std::vector<std::string> two = Flat(f.Run({"HRANDFIELD", "h", "2"}));
  EXPECT_EQ(std::set<std::string>(two.begin(), two.end()).size(), 2u);
  std::vector<std::string> rep = Flat(f.Run({"HRANDFIELD", "h", "-7", "WITHVALUES"}));
  ASSERT_EQ(rep.size(), 14u);
  for (size_t i = 0; i < rep.size(); i += 2) {
    EXPECT_EQ(f.Run({"HGET", "h", rep[i]}), "\"" + rep[i + 1] + "\"");
  }
  // RESP3: WITHVALUES pairs are two-element arrays (Redis 7.0).
  f.Run({"HDEL", "h", "b", "c"});
  f.session->out.set_protocol(3);
  EXPECT_EQ(f.RunRaw({"HRANDFIELD", "h", "-2", "WITHVALUES"}),
            "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(f.RunRaw({"HRANDFIELD", "h", "3", "WITHVALUES"}), "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(f.RunRaw({"HRANDFIELD", "h", "1"}), "*1\r\n$1\r\na\r\n");
  EXPECT_EQ(f.RunRaw({"HRANDFIELD", "nokey", "1"}), "*0\r\n");
  EXPECT_EQ(f.RunRaw({"HRANDFIELD", "nokey"}), "_\r\n");
}

TEST(HashesTest, HrandfieldDistinctAndUniform) {
  NodeFixture f(3);
  FillHash(f, "h", 0, 800);
  std::map<std::string, int> hits;
  for (int i = 0; i < 1000; ++i) {
    // 40 of 800: random picks with a seen-set (not an index of the hash).
    std::vector<std::string> few = Flat(f.Run({"HRANDFIELD", "h", "40", "WITHVALUES"}));
    ASSERT_EQ(few.size(), 80u);
    std::set<std::string> distinct;
    for (size_t j = 0; j < few.size(); j += 2) {
      distinct.insert(few[j]);
      EXPECT_EQ("v" + few[j].substr(1), few[j + 1]);
      ++hits[few[j]];
    }
    EXPECT_EQ(distinct.size(), 40u);
  }
  // Expected 50 per field, standard deviation about 7.
  for (const auto& [field, c] : hits) {
    EXPECT_GT(c, 15) << field;
    EXPECT_LT(c, 85) << field;
  }
  EXPECT_EQ(hits.size(), 800u);
}

TEST(HashesTest, HscanErrorsAndCompleteness) {
  NodeFixture f;
  f.Run({"HSET", "small", "a", "1", "b", "2"});
  EXPECT_EQ(f.Run({"HSCAN", "small", "x"}), "(error) ERR invalid cursor");
  EXPECT_EQ(f.Run({"HSCAN", "small", "0", "COUNT", "0"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"HSCAN", "small", "0", "COUNT", "-1"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"HSCAN", "small", "0", "FOO", "bar"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"HSCAN", "small", "0", "NOVALUES"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"HSCAN", "nokey", "0", "COUNT", "0"}), "[\"0\", []]");
  EXPECT_EQ(f.Run({"HSCAN", "small", "0", "MATCH", "b"}), "[\"0\", [\"b\", \"2\"]]");
  // A big hash, with changes between calls: every field present throughout comes back with
  // its value, and counters show their visible value.
  FillHash(f, "h", 0, 2000);
  f.Run({"HINCRBY", "h", "f5", "0"});
  f.Run({"HSET", "h", "f5", "10"});
  f.Run({"HINCRBY", "h", "f5", "7"});
  std::map<std::string, std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    std::string r = f.Run({"HSCAN", "h", cursor, "COUNT", "25"});
    size_t q = r.find('"', 2);
    cursor = r.substr(2, q - 2);
    for (const auto& [k, v] : Pairs(r.substr(q + 3, r.size() - q - 4)))
      seen[k] = v;
    f.Run({"HDEL", "h", "f" + std::to_string(1000 + calls)});
    f.Run({"HSET", "h", "new" + std::to_string(calls), "x"});
    ++calls;
  } while (cursor != "0" && calls < 10000);
  EXPECT_EQ(cursor, "0");
  for (int i = 0; i < 1000; ++i) {
    std::string k = "f" + std::to_string(i);
    ASSERT_TRUE(seen.count(k)) << k;
    EXPECT_EQ(seen[k], i == 5 ? "17" : "v" + std::to_string(i));
  }
  std::string some = f.Run({"HSCAN", "h", "0", "MATCH", "new*", "COUNT", "5000"});
  EXPECT_EQ(some.substr(0, 6), "[\"0\", ");
  EXPECT_EQ(Pairs(some.substr(6, some.size() - 7)).size(), static_cast<size_t>(calls));
}

TEST(HashesTest, SameSeedSameChoices) {
  NodeFixture f1(9), f2(9);
  FillHash(f1, "h", 0, 400);
  FillHash(f2, "h", 0, 400);
  EXPECT_EQ(f1.Run({"HRANDFIELD", "h", "-30", "WITHVALUES"}),
            f2.Run({"HRANDFIELD", "h", "-30", "WITHVALUES"}));
  EXPECT_EQ(f1.Run({"HRANDFIELD", "h", "30"}), f2.Run({"HRANDFIELD", "h", "30"}));
}

}  // namespace
}  // namespace starling::server
