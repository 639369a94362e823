// In-process tests of the set family through the real command table. Expected replies and
// errors were checked against redis-server 7.0.15.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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

// The elements of a rendered array reply (`["a", "b"]`), sorted. Elements must not contain
// ", " or quotes.
std::vector<std::string> Elems(const std::string& rendered) {
  std::vector<std::string> out;
  if (rendered.size() < 2 || rendered.front() != '[')
    return {"<not an array: " + rendered + ">"};
  std::string body = rendered.substr(1, rendered.size() - 2);
  size_t pos = 0;
  while (!body.empty() && pos <= body.size()) {
    size_t end = body.find(", ", pos);
    if (end == std::string::npos)
      end = body.size();
    std::string e = body.substr(pos, end - pos);
    if (e.size() >= 2 && e.front() == '"')
      e = e.substr(1, e.size() - 2);
    out.push_back(e);
    pos = end + 2;
  }
  std::sort(out.begin(), out.end());
  return out;
}

using V = std::vector<std::string>;

void AddRange(NodeFixture& f, const std::string& key, int from, int to) {
  std::vector<std::string> cmd = {"SADD", key};
  for (int i = from; i < to; ++i)
    cmd.push_back("m" + std::to_string(i));
  f.Run(*f.session, cmd);
}

TEST(SetsTest, AddRemoveCardMembership) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"SADD", "s", "a", "b", "a"}), "(integer) 2");
  EXPECT_EQ(f.Run({"SADD", "s", "b", "c"}), "(integer) 1");
  EXPECT_EQ(f.Run({"SCARD", "s"}), "(integer) 3");
  EXPECT_EQ(f.Run({"SCARD", "nokey"}), "(integer) 0");
  EXPECT_EQ(f.Run({"SISMEMBER", "s", "a"}), "(integer) 1");
  EXPECT_EQ(f.Run({"SISMEMBER", "s", "z"}), "(integer) 0");
  EXPECT_EQ(f.Run({"SISMEMBER", "nokey", "a"}), "(integer) 0");
  EXPECT_EQ(f.Run({"SMISMEMBER", "s", "a", "z", "c"}), "[(integer) 1, (integer) 0, (integer) 1]");
  EXPECT_EQ(f.Run({"SMISMEMBER", "nokey", "a"}), "[(integer) 0]");
  EXPECT_EQ(Elems(f.Run({"SMEMBERS", "s"})), (V{"a", "b", "c"}));
  EXPECT_EQ(f.Run({"SMEMBERS", "nokey"}), "[]");
  EXPECT_EQ(f.Run({"SREM", "s", "a", "a", "z"}), "(integer) 1");
  EXPECT_EQ(f.Run({"SREM", "s", "z"}), "(integer) 0");
  EXPECT_EQ(f.Run({"SREM", "nokey", "z"}), "(integer) 0");
  EXPECT_EQ(f.Run({"EXPIRE", "s", "100"}), "(integer) 1");
  EXPECT_EQ(f.Run({"SREM", "s", "b", "c"}), "(integer) 2");  // empty: the key goes
  EXPECT_EQ(f.Run({"EXISTS", "s"}), "(integer) 0");
  EXPECT_EQ(f.Run({"SADD", "s", "x"}), "(integer) 1");
  EXPECT_EQ(f.Run({"TTL", "s"}), "(integer) -1");  // its TTL went with it
  EXPECT_EQ(f.Run({"TYPE", "s"}), "set");
  EXPECT_EQ(f.Run({"SADD", "s"}), "(error) ERR wrong number of arguments for 'sadd' command");
  EXPECT_EQ(f.Run({"SMISMEMBER", "s"}),
            "(error) ERR wrong number of arguments for 'smismember' command");
}

TEST(SetsTest, Resp3Shapes) {
  NodeFixture f;
  f.session->out.set_protocol(3);
  f.Run({"SADD", "s", "a"});
  f.Run({"SADD", "t", "a", "b"});
  EXPECT_EQ(f.RunRaw({"SMEMBERS", "s"}), "~1\r\n$1\r\na\r\n");
  EXPECT_EQ(f.RunRaw({"SMEMBERS", "nokey"}), "~0\r\n");
  EXPECT_EQ(f.RunRaw({"SINTER", "s", "t"}), "~1\r\n$1\r\na\r\n");
  EXPECT_EQ(f.RunRaw({"SUNION", "nokey"}), "~0\r\n");
  EXPECT_EQ(f.RunRaw({"SDIFF", "t", "s"}), "~1\r\n$1\r\nb\r\n");
  EXPECT_EQ(f.RunRaw({"SPOP", "nokey", "1"}), "~0\r\n");
  EXPECT_EQ(f.RunRaw({"SPOP", "nokey"}), "_\r\n");
  EXPECT_EQ(f.RunRaw({"SRANDMEMBER", "s", "5"}), "*1\r\n$1\r\na\r\n");  // an array
  EXPECT_EQ(f.RunRaw({"SRANDMEMBER", "s", "-2"}), "*2\r\n$1\r\na\r\n$1\r\na\r\n");
  EXPECT_EQ(f.RunRaw({"SRANDMEMBER", "nokey", "2"}), "*0\r\n");
  EXPECT_EQ(f.RunRaw({"SRANDMEMBER", "nokey"}), "_\r\n");
  EXPECT_EQ(f.RunRaw({"SPOP", "s", "5"}), "~1\r\n$1\r\na\r\n");
  EXPECT_EQ(f.RunRaw({"SMISMEMBER", "t", "a"}), "*1\r\n:1\r\n");
}

TEST(SetsTest, WrongTypeForEveryCommand) {
  NodeFixture f;
  f.Run({"SET", "str", "x"});
  f.Run({"HSET", "h", "f", "v"});
  f.Run({"SADD", "s", "a"});
  for (const char* k : {"str", "h"}) {
    SCOPED_TRACE(k);
    EXPECT_EQ(f.Run({"SADD", k, "a"}), kWrongType);
    EXPECT_EQ(f.Run({"SREM", k, "a"}), kWrongType);
    EXPECT_EQ(f.Run({"SMEMBERS", k}), kWrongType);
    EXPECT_EQ(f.Run({"SISMEMBER", k, "a"}), kWrongType);
    EXPECT_EQ(f.Run({"SMISMEMBER", k, "a"}), kWrongType);
    EXPECT_EQ(f.Run({"SCARD", k}), kWrongType);
    EXPECT_EQ(f.Run({"SPOP", k}), kWrongType);
    EXPECT_EQ(f.Run({"SPOP", k, "0"}), kWrongType);
    EXPECT_EQ(f.Run({"SRANDMEMBER", k}), kWrongType);
    EXPECT_EQ(f.Run({"SRANDMEMBER", k, "0"}), kWrongType);
    EXPECT_EQ(f.Run({"SMOVE", k, "s", "a"}), kWrongType);
    EXPECT_EQ(f.Run({"SMOVE", "s", k, "a"}), kWrongType);
    EXPECT_EQ(f.Run({"SINTER", "s", k}), kWrongType);
    EXPECT_EQ(f.Run({"SINTER", "nokey", k}), kWrongType);  // WRONGTYPE beats a missing key
    EXPECT_EQ(f.Run({"SINTERCARD", "2", "nokey", k}), kWrongType);
    EXPECT_EQ(f.Run({"SUNION", "s", k}), kWrongType);
    EXPECT_EQ(f.Run({"SDIFF", "nokey", k}), kWrongType);
    EXPECT_EQ(f.Run({"SINTERSTORE", "d", "nokey", k}), kWrongType);
    EXPECT_EQ(f.Run({"SUNIONSTORE", "d", k}), kWrongType);
    EXPECT_EQ(f.Run({"SDIFFSTORE", "d", "s", k}), kWrongType);
    EXPECT_EQ(f.Run({"SSCAN", k, "0"}), kWrongType);
  }
  // Argument errors come before the type check where Redis checks them first.
  EXPECT_EQ(f.Run({"SPOP", "str", "x"}), "(error) ERR value is out of range, must be positive");
  EXPECT_EQ(f.Run({"SRANDMEMBER", "str", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"SSCAN", "str", "x"}), "(error) ERR invalid cursor");
  EXPECT_EQ(f.Run({"SMOVE", "nokey", "str", "a"}), "(integer) 0");  // missing source first
  EXPECT_EQ(f.Run({"GET", "str"}), "\"x\"");
  EXPECT_EQ(f.Run({"EXISTS", "d"}), "(integer) 0");
}

TEST(SetsTest, SpopCountsAndErrors) {
  NodeFixture f;
  AddRange(f, "s", 0, 10);
  EXPECT_EQ(f.Run({"SPOP", "s", "-1"}), "(error) ERR value is out of range, must be positive");
  EXPECT_EQ(f.Run({"SPOP", "s", "x"}), "(error) ERR value is out of range, must be positive");
  EXPECT_EQ(f.Run({"SPOP", "s", "1", "2"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"SPOP", "s", "0"}), "[]");
  EXPECT_EQ(f.Run({"SPOP", "nokey"}), "(nil)");
  EXPECT_EQ(f.Run({"SPOP", "nokey", "3"}), "[]");
  std::set<std::string> popped;
  V three = Elems(f.Run({"SPOP", "s", "3"}));
  ASSERT_EQ(three.size(), 3u);
  popped.insert(three.begin(), three.end());
  std::string one = f.Run({"SPOP", "s"});
  popped.insert(one.substr(1, one.size() - 2));
  EXPECT_EQ(popped.size(), 4u);  // distinct
  EXPECT_EQ(f.Run({"SCARD", "s"}), "(integer) 6");
  for (const std::string& m : popped)
    EXPECT_EQ(f.Run({"SISMEMBER", "s", m}), "(integer) 0");
  // Most of what is left (the selection-sampling path), then the rest.
  EXPECT_EQ(Elems(f.Run({"SPOP", "s", "5"})).size(), 5u);
  EXPECT_EQ(f.Run({"SCARD", "s"}), "(integer) 1");
  EXPECT_EQ(Elems(f.Run({"SPOP", "s", "9223372036854775807"})).size(), 1u);
  EXPECT_EQ(f.Run({"EXISTS", "s"}), "(integer) 0");
  f.Run({"SADD", "s", "only"});
  EXPECT_EQ(f.Run({"SPOP", "s"}), "\"only\"");
  EXPECT_EQ(f.Run({"EXISTS", "s"}), "(integer) 0");
}

TEST(SetsTest, SrandmemberCounts) {
  NodeFixture f;
  AddRange(f, "s", 0, 5);
  EXPECT_EQ(f.Run({"SRANDMEMBER", "s", "0"}), "[]");
  EXPECT_EQ(f.Run({"SRANDMEMBER", "s", "1", "2"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"SRANDMEMBER", "s", "-9223372036854775808"}),
            "(error) ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  // Starling's bound on repeated picks (Redis would build the reply until memory runs out).
  EXPECT_EQ(f.Run({"SRANDMEMBER", "s", "-9223372036854775807"}),
            "(error) ERR value is out of range, value must between -33554432 and "
            "9223372036854775807");
  EXPECT_EQ(Elems(f.Run({"SRANDMEMBER", "s", "5"})), (V{"m0", "m1", "m2", "m3", "m4"}));
  EXPECT_EQ(Elems(f.Run({"SRANDMEMBER", "s", "9223372036854775807"})).size(), 5u);
  V three = Elems(f.Run({"SRANDMEMBER", "s", "3"}));
  EXPECT_EQ(std::set<std::string>(three.begin(), three.end()).size(), 3u);
  V many = Elems(f.Run({"SRANDMEMBER", "s", "-50"}));
  EXPECT_EQ(many.size(), 50u);
  for (const std::string& m : many)
    EXPECT_EQ(f.Run({"SISMEMBER", "s", m}), "(integer) 1");
  EXPECT_EQ(f.Run({"SCARD", "s"}), "(integer) 5");  // reads only
  EXPECT_EQ(f.Run({"SRANDMEMBER", "nokey", "-3"}), "[]");
}

// Each member of a set larger than the exact-pick thresholds is drawn about equally often.
// Plain "first element after a random hash" would give frequencies proportional to the hash
// gaps (a chi-square near 2n, and far more for a window without the rejection step); the
// windowed rejection brings it to about n, as for exactly uniform picks.
TEST(SetsTest, RandomPicksAreNearlyUniform) {
  NodeFixture f(7);
  const int n = 1000, draws = 4000, per_draw = 50;  // per_draw * 16 < n: no index
  AddRange(f, "s", 0, n);
  std::map<std::string, int> hits;
  for (int i = 0; i < draws; ++i) {
    for (const std::string& m : Elems(f.Run({"SRANDMEMBER", "s", "-50"})))
      ++hits[m];
  }
  ASSERT_EQ(hits.size(), static_cast<size_t>(n));
  double expected = static_cast<double>(draws) * per_draw / n, chi2 = 0;
  int lo = draws * per_draw, hi = 0;
  for (const auto& [m, c] : hits) {
    chi2 += (c - expected) * (c - expected) / expected;
    lo = std::min(lo, c);
    hi = std::max(hi, c);
  }
  EXPECT_LT(chi2, 1.25 * n) << "min " << lo << " max " << hi;
  EXPECT_GT(lo, expected * 0.6);
  EXPECT_LT(hi, expected * 1.4);
}

TEST(SetsTest, DistinctPicksCoverTheSetEvenly) {
  NodeFixture f(11);
  AddRange(f, "s", 0, 600);
  std::map<std::string, int> hits;
  for (int i = 0; i < 300; ++i) {
    V small = Elems(f.Run({"SRANDMEMBER", "s", "30"}));   // random picks with a seen-set
    V large = Elems(f.Run({"SRANDMEMBER", "s", "400"}));  // selection sampling
    ASSERT_EQ(std::set<std::string>(small.begin(), small.end()).size(), 30u);
    ASSERT_EQ(std::set<std::string>(large.begin(), large.end()).size(), 400u);
    for (const std::string& m : small)
      hits[m] += 10;
    for (const std::string& m : large)
      ++hits[m];
  }
  // Expected per member: 300 * (30/600 * 10 + 400/600) = 350, standard deviation about 38.
  for (const auto& [m, c] : hits) {
    EXPECT_GT(c, 160) << m;
    EXPECT_LT(c, 540) << m;
  }
  EXPECT_EQ(hits.size(), 600u);
}

TEST(SetsTest, SmoveCases) {
  NodeFixture f;
  f.Run({"SADD", "s", "a", "b"});
  f.Run({"SADD", "t", "b"});
  EXPECT_EQ(f.Run({"SMOVE", "nokey", "t", "a"}), "(integer) 0");
  EXPECT_EQ(f.Run({"SMOVE", "s", "t", "zz"}), "(integer) 0");
  EXPECT_EQ(f.Run({"SMOVE", "s", "s", "a"}), "(integer) 1");
  EXPECT_EQ(f.Run({"SMOVE", "s", "s", "zz"}), "(integer) 0");
  EXPECT_EQ(f.Run({"SMOVE", "s", "t", "b"}), "(integer) 1");  // already in t
  EXPECT_EQ(Elems(f.Run({"SMEMBERS", "t"})), (V{"b"}));
  EXPECT_EQ(f.Run({"SMOVE", "s", "new", "a"}), "(integer) 1");
  EXPECT_EQ(f.Run({"EXISTS", "s"}), "(integer) 0");  // emptied source goes
  EXPECT_EQ(Elems(f.Run({"SMEMBERS", "new"})), (V{"a"}));
  EXPECT_EQ(f.Run({"SMOVE", "s"}), "(error) ERR wrong number of arguments for 'smove' command");
}

TEST(SetsTest, Algebra) {
  NodeFixture f;
  f.Run({"SADD", "a", "1", "2", "3", "4"});
  f.Run({"SADD", "b", "3", "4", "5"});
  f.Run({"SADD", "c", "4", "5", "6"});
  EXPECT_EQ(Elems(f.Run({"SINTER", "a", "b"})), (V{"3", "4"}));
  EXPECT_EQ(Elems(f.Run({"SINTER", "a", "b", "c"})), (V{"4"}));
  EXPECT_EQ(Elems(f.Run({"SINTER", "a", "a"})), (V{"1", "2", "3", "4"}));
  EXPECT_EQ(f.Run({"SINTER", "a", "nokey"}), "[]");
  EXPECT_EQ(Elems(f.Run({"SUNION", "a", "b", "c", "a"})), (V{"1", "2", "3", "4", "5", "6"}));
  EXPECT_EQ(Elems(f.Run({"SUNION", "nokey", "c"})), (V{"4", "5", "6"}));
  EXPECT_EQ(Elems(f.Run({"SDIFF", "a", "b"})), (V{"1", "2"}));
  EXPECT_EQ(Elems(f.Run({"SDIFF", "a", "b", "c", "nokey"})), (V{"1", "2"}));
  EXPECT_EQ(f.Run({"SDIFF", "a", "a"}), "[]");
  EXPECT_EQ(f.Run({"SDIFF", "nokey", "a"}), "[]");
  EXPECT_EQ(f.Run({"SINTERCARD", "2", "a", "b"}), "(integer) 2");
  EXPECT_EQ(f.Run({"SINTERCARD", "2", "a", "b", "LIMIT", "1"}), "(integer) 1");
  EXPECT_EQ(f.Run({"SINTERCARD", "2", "a", "b", "limit", "0"}), "(integer) 2");
  EXPECT_EQ(f.Run({"SINTERCARD", "2", "a", "b", "LIMIT", "1", "LIMIT", "5"}), "(integer) 2");
  EXPECT_EQ(f.Run({"SINTERCARD", "2", "a", "nokey"}), "(integer) 0");
  EXPECT_EQ(f.Run({"SINTERCARD", "0", "a"}), "(error) ERR numkeys should be greater than 0");
  EXPECT_EQ(f.Run({"SINTERCARD", "x", "a"}), "(error) ERR numkeys should be greater than 0");
  EXPECT_EQ(f.Run({"SINTERCARD", "3", "a", "b"}),
            "(error) ERR Number of keys can't be greater than number of args");
  EXPECT_EQ(f.Run({"SINTERCARD", "1", "a", "LIMIT", "-1"}), "(error) ERR LIMIT can't be negative");
  EXPECT_EQ(f.Run({"SINTERCARD", "1", "a", "LIMIT", "x"}), "(error) ERR LIMIT can't be negative");
  EXPECT_EQ(f.Run({"SINTERCARD", "1", "a", "LIMIT"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"SINTERCARD", "1", "a", "FOO", "1"}), "(error) ERR syntax error");
}

TEST(SetsTest, StoreReplacesDestination) {
  NodeFixture f;
  f.Run({"SADD", "a", "1", "2", "3"});
  f.Run({"SADD", "b", "2", "3", "4"});
  EXPECT_EQ(f.Run({"SINTERSTORE", "d", "a", "b"}), "(integer) 2");
  EXPECT_EQ(Elems(f.Run({"SMEMBERS", "d"})), (V{"2", "3"}));
  // A destination of another type, with a TTL, is replaced by a set without one.
  f.Run({"SET", "str", "x"});
  f.Run({"EXPIRE", "str", "100"});
  EXPECT_EQ(f.Run({"SUNIONSTORE", "str", "a", "b"}), "(integer) 4");
  EXPECT_EQ(f.Run({"TYPE", "str"}), "set");
  EXPECT_EQ(f.Run({"TTL", "str"}), "(integer) -1");
  EXPECT_EQ(Elems(f.Run({"SMEMBERS", "str"})), (V{"1", "2", "3", "4"}));
  f.Run({"HSET", "h", "f", "v"});
  EXPECT_EQ(f.Run({"SDIFFSTORE", "h", "a", "b"}), "(integer) 1");
  EXPECT_EQ(f.Run({"TYPE", "h"}), "set");
  // The destination is one of the sources.
  EXPECT_EQ(f.Run({"SUNIONSTORE", "a", "a", "b"}), "(integer) 4");
  EXPECT_EQ(Elems(f.Run({"SMEMBERS", "a"})), (V{"1", "2", "3", "4"}));
  EXPECT_EQ(f.Run({"SDIFFSTORE", "a", "a", "b"}), "(integer) 1");
  EXPECT_EQ(Elems(f.Run({"SMEMBERS", "a"})), (V{"1"}));
  EXPECT_EQ(f.Run({"SINTERSTORE", "b", "b", "b"}), "(integer) 3");
  EXPECT_EQ(Elems(f.Run({"SMEMBERS", "b"})), (V{"2", "3", "4"}));
  // An empty result deletes the destination, whatever it held.
  EXPECT_EQ(f.Run({"SINTERSTORE", "d", "a", "nokey"}), "(integer) 0");
  EXPECT_EQ(f.Run({"EXISTS", "d"}), "(integer) 0");
  f.Run({"SET", "d", "x"});
  EXPECT_EQ(f.Run({"SDIFFSTORE", "d", "a", "a"}), "(integer) 0");
  EXPECT_EQ(f.Run({"EXISTS", "d"}), "(integer) 0");
  EXPECT_EQ(f.Run({"SUNIONSTORE", "d", "nokey"}), "(integer) 0");
  EXPECT_EQ(f.Run({"SINTERSTORE", "d"}),
            "(error) ERR wrong number of arguments for 'sinterstore' command");
}

TEST(SetsTest, SscanErrorsAndSmallSets) {
  NodeFixture f;
  f.Run({"SADD", "s", "a", "b", "c"});
  EXPECT_EQ(f.Run({"SSCAN", "s", "x"}), "(error) ERR invalid cursor");
  EXPECT_EQ(f.Run({"SSCAN", "s", "18446744073709551616"}), "(error) ERR invalid cursor");
  EXPECT_EQ(f.Run({"SSCAN", "s", "0", "COUNT", "0"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"SSCAN", "s", "0", "COUNT", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"SSCAN", "s", "0", "MATCH"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"SSCAN", "s", "0", "TYPE", "set"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"SSCAN", "nokey", "0", "COUNT", "0"}), "[\"0\", []]");  // key before options
  EXPECT_EQ(f.Run({"SSCAN", "s", "0", "MATCH", "b"}), "[\"0\", [\"b\"]]");
  std::string all = f.Run({"SSCAN", "s", "0", "COUNT", "1"});  // small: whole, cursor 0
  EXPECT_EQ(all.substr(0, 6), "[\"0\", ");
  EXPECT_EQ(Elems(all.substr(6, all.size() - 7)), (V{"a", "b", "c"}));
}

// A full SSCAN iteration returns every member present from start to end, whatever is added
// and removed between calls, and the cursor ends at 0.
TEST(SetsTest, SscanFullIterationUnderConcurrentChanges) {
  NodeFixture f;
  AddRange(f, "s", 0, 3000);
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0, added = 3000;
  do {
    std::string r = f.Run({"SSCAN", "s", cursor, "COUNT", "37"});
    size_t q = r.find('"', 2);
    cursor = r.substr(2, q - 2);
    for (const std::string& m : Elems(r.substr(q + 3, r.size() - q - 4)))
      seen.insert(m);
    // Meanwhile: remove some of the first thousand, add new members.
    f.Run({"SREM", "s", "m" + std::to_string(calls * 7 % 1000)});
    f.Run({"SADD", "s", "m" + std::to_string(added++)});
    ++calls;
  } while (cursor != "0" && calls < 10000);
  EXPECT_EQ(cursor, "0");
  EXPECT_GT(calls, 3000 / 37 / 2);
  std::set<int> removed;
  for (int c = 0; c < calls; ++c)
    removed.insert(c * 7 % 1000);
  for (int i = 0; i < 3000; ++i) {
    if (!removed.count(i)) {
      EXPECT_TRUE(seen.count("m" + std::to_string(i))) << i;
    }
  }
  EXPECT_EQ(f.Run({"SSCAN", "s", "9223372036854775809"}), "[\"0\", []]");  // past the end
}

TEST(SetsTest, SameSeedSameChoices) {
  NodeFixture f1(42), f2(42);
  AddRange(f1, "s", 0, 500);
  AddRange(f2, "s", 0, 500);
  EXPECT_EQ(f1.Run({"SRANDMEMBER", "s", "-20"}), f2.Run({"SRANDMEMBER", "s", "-20"}));
  EXPECT_EQ(f1.Run({"SPOP", "s", "20"}), f2.Run({"SPOP", "s", "20"}));
  EXPECT_EQ(f1.Run({"SPOP", "s"}), f2.Run({"SPOP", "s"}));
}

}  // namespace
}  // namespace starling::server
