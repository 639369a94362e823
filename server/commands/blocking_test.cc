// In-process tests of the blocking pops: two or more sessions on one Node, the manual
// clock for timeouts. Expected behaviour was checked against redis-server 7.0.15.
#include <gtest/gtest.h>

#include <string>

#include "server/node_test_util.h"
#include "server/session.h"

namespace starling::server {
namespace {

using testing::NodeFixture;

constexpr const char* kWrongType =
    "(error) WRONGTYPE Operation against a key holding the wrong kind of value";

// The raw bytes a session has pending, cleared.
std::string TakeRaw(Session& s) {
  std::string out = s.out.buffer();
  s.out.Clear();
  return out;
}

TEST(BlockingTest, BlpopIsServedByAPushFromAnotherClient) {
  NodeFixture f;
  Session& waiter = f.NewSession();
  EXPECT_EQ(f.Run(waiter, {"BLPOP", "l", "0"}), "");
  ASSERT_NE(waiter.blocked, nullptr);
  EXPECT_EQ(f.Run({"LPUSH", "l", "a"}), "(integer) 1");  // the pusher sees its own push
  EXPECT_EQ(f.TakeOutput(waiter), "[\"l\", \"a\"]");
  EXPECT_EQ(waiter.blocked, nullptr);
  EXPECT_EQ(f.node.TakeUnblockedSessions(), std::vector<uint64_t>{waiter.id});
  EXPECT_EQ(f.Run({"LLEN", "l"}), "(integer) 0");
  // With data present it does not block at all.
  f.Run({"RPUSH", "l", "x", "y"});
  EXPECT_EQ(f.Run(waiter, {"BRPOP", "none", "l", "0"}), "[\"l\", \"y\"]");
}

TEST(BlockingTest, TimeoutsReplyNullOfTheRightShape) {
  NodeFixture f;
  Session& a = f.NewSession();
  Session& b = f.NewSession();
  Session& c = f.NewSession();
  EXPECT_EQ(f.Run(a, {"BLPOP", "l", "1.5"}), "");
  EXPECT_EQ(f.Run(b, {"BLMOVE", "l", "d", "LEFT", "LEFT", "1"}), "");
  c.out.set_protocol(3);
  EXPECT_EQ(f.Run(c, {"BZPOPMIN", "z", "1"}), "");
  f.Advance(999);
  EXPECT_EQ(TakeRaw(b), "");
  f.Advance(1);
  EXPECT_EQ(TakeRaw(b), "*-1\r\n");  // redis-server 7.0.15 sends a null array here too
  EXPECT_EQ(TakeRaw(c), "_\r\n");
  EXPECT_EQ(TakeRaw(a), "");
  f.Advance(500);
  EXPECT_EQ(TakeRaw(a), "*-1\r\n");
  EXPECT_EQ(a.blocked, nullptr);
  // A later push is not delivered to a session that timed out.
  EXPECT_EQ(f.Run({"RPUSH", "l", "v"}), "(integer) 1");
  EXPECT_EQ(TakeRaw(a), "");
  EXPECT_EQ(f.Run(a, {"BRPOPLPUSH", "none", "d", "0.01"}), "");
  f.Advance(10);
  EXPECT_EQ(TakeRaw(a), "*-1\r\n");
  EXPECT_EQ(f.Run(a, {"BLMPOP", "0.001", "1", "none", "LEFT"}), "");
  f.Advance(1);
  EXPECT_EQ(TakeRaw(a), "*-1\r\n");
}

TEST(BlockingTest, TimeoutParsing) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"BLPOP", "l", "abc"}), "(error) ERR timeout is not a float or out of range");
  EXPECT_EQ(f.Run({"BLPOP", "l", " 1"}), "(error) ERR timeout is not a float or out of range");
  EXPECT_EQ(f.Run({"BLPOP", "l", "-1"}), "(error) ERR timeout is negative");
  EXPECT_EQ(f.Run({"BLPOP", "l", "inf"}), "(error) ERR timeout is negative");
  EXPECT_EQ(f.Run({"BLPOP", "l", "9.3e15"}), "(error) ERR timeout is negative");
  EXPECT_EQ(f.Run({"BZPOPMAX", "z", "nan"}), "(error) ERR timeout is not a float or out of range");
  // Seconds * 1000 rounded up: -0.0001 is 0 (forever), 0.0001 is one millisecond.
  Session& a = f.NewSession();
  Session& b = f.NewSession();
  EXPECT_EQ(f.Run(a, {"BLPOP", "l", "-0.0001"}), "");
  EXPECT_EQ(f.Run(b, {"BLPOP", "m", "0.0001"}), "");
  f.Advance(1);
  EXPECT_EQ(f.TakeOutput(b), "(nil)");
  f.Advance(1000000);
  EXPECT_EQ(f.TakeOutput(a), "");
  EXPECT_NE(a.blocked, nullptr);
  // BLMPOP and BZMPOP parse their keys and options before the timeout.
  EXPECT_EQ(f.Run({"BLMPOP", "abc", "1", "k", "UP"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"BLMPOP", "abc", "1", "k", "LEFT"}),
            "(error) ERR timeout is not a float or out of range");
  EXPECT_EQ(f.Run({"BZMPOP", "0", "0", "k", "MIN"}),
            "(error) ERR numkeys should be greater than 0");
  EXPECT_EQ(f.Run({"BZMPOP", "abc", "1", "k", "MIN", "COUNT", "0"}),
            "(error) ERR count should be greater than 0");
  EXPECT_EQ(f.Run({"BLMOVE", "a", "b", "UP", "LEFT", "0"}), "(error) ERR syntax error");
}

TEST(BlockingTest, WaitersAreServedInArrivalOrder) {
  NodeFixture f;
  Session& s1 = f.NewSession();
  Session& s2 = f.NewSession();
  Session& s3 = f.NewSession();
  for (Session* s : {&s1, &s2, &s3})
    EXPECT_EQ(f.Run(*s, {"BLPOP", "k", "0"}), "");
  EXPECT_EQ(f.Run({"LPUSH", "k", "a", "b"}), "(integer) 2");
  EXPECT_EQ(f.TakeOutput(s1), "[\"k\", \"b\"]");
  EXPECT_EQ(f.TakeOutput(s2), "[\"k\", \"a\"]");
  EXPECT_EQ(f.TakeOutput(s3), "");
  EXPECT_EQ(f.Run({"RPUSH", "k", "c"}), "(integer) 1");
  EXPECT_EQ(f.TakeOutput(s3), "[\"k\", \"c\"]");
}

// Redis 7.0 wakes a waiter only for a key of the type it waits for: a SET on the key leaves
// every waiter waiting, in its place, with its deadline.
TEST(BlockingTest, WriteOfAnotherTypeLeavesWaitersInOrder) {
  NodeFixture f;
  Session& s1 = f.NewSession();
  Session& s2 = f.NewSession();
  Session& s3 = f.NewSession();
  EXPECT_EQ(f.Run(s1, {"BLPOP", "k", "0"}), "");
  EXPECT_EQ(f.Run(s2, {"BLPOP", "k", "0"}), "");
  EXPECT_EQ(f.Run(s3, {"BLPOP", "k", "1"}), "");
  EXPECT_EQ(f.Run({"SET", "k", "string"}), "OK");
  EXPECT_EQ(f.TakeOutput(s1), "");
  EXPECT_EQ(f.TakeOutput(s2), "");
  EXPECT_NE(s1.blocked, nullptr);
  EXPECT_TRUE(f.node.Delete("k"));
  EXPECT_EQ(f.Run({"RPUSH", "k", "first"}), "(integer) 1");
  EXPECT_EQ(f.TakeOutput(s1), "[\"k\", \"first\"]");
  EXPECT_EQ(f.TakeOutput(s2), "");
  f.Advance(1000);  // s3 keeps its original deadline
  EXPECT_EQ(f.TakeOutput(s3), "(nil)");
  EXPECT_EQ(f.Run({"RPUSH", "k", "second"}), "(integer) 1");
  EXPECT_EQ(f.TakeOutput(s2), "[\"k\", \"second\"]");
}

TEST(BlockingTest, ManyKeysAndChainedMoves) {
  NodeFixture f;
  Session& multi = f.NewSession();
  EXPECT_EQ(f.Run(multi, {"BLPOP", "a", "b", "0"}), "");
  EXPECT_EQ(f.Run({"RPUSH", "b", "x"}), "(integer) 1");
  EXPECT_EQ(f.TakeOutput(multi), "[\"b\", \"x\"]");
  // BLMOVE src -> dst wakes a BLPOP on dst in the same turn.
  Session& mover = f.NewSession();
  Session& reader = f.NewSession();
  EXPECT_EQ(f.Run(mover, {"BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"}), "");
  EXPECT_EQ(f.Run(reader, {"BLPOP", "dst", "0"}), "");
  EXPECT_EQ(f.Run({"RPUSH", "src", "v1", "v2"}), "(integer) 2");
  EXPECT_EQ(f.TakeOutput(mover), "\"v2\"");
  EXPECT_EQ(f.TakeOutput(reader), "[\"dst\", \"v2\"]");
  EXPECT_EQ(f.Run({"LRANGE", "src", "0", "-1"}), "[\"v1\"]");
  EXPECT_EQ(f.node.Lookup("dst"), nullptr);
  // BLMPOP with a count takes several at once.
  Session& m = f.NewSession();
  EXPECT_EQ(f.Run(m, {"BLMPOP", "0", "2", "p", "q", "RIGHT", "COUNT", "2"}), "");
  EXPECT_EQ(f.Run({"RPUSH", "q", "1", "2", "3"}), "(integer) 3");
  EXPECT_EQ(f.TakeOutput(m), "[\"q\", [\"3\", \"2\"]]");
}

TEST(BlockingTest, SortedSetPops) {
  NodeFixture f;
  Session& lo = f.NewSession();
  Session& hi = f.NewSession();
  Session& many = f.NewSession();
  EXPECT_EQ(f.Run(lo, {"BZPOPMIN", "z", "0"}), "");
  EXPECT_EQ(f.Run(hi, {"BZPOPMAX", "z", "0"}), "");
  EXPECT_EQ(f.Run(many, {"BZMPOP", "0", "1", "z", "MIN", "COUNT", "10"}), "");
  EXPECT_EQ(f.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"}), "(integer) 4");
  EXPECT_EQ(f.TakeOutput(lo), "[\"z\", \"a\", \"1\"]");
  EXPECT_EQ(f.TakeOutput(hi), "[\"z\", \"d\", \"4\"]");
  EXPECT_EQ(f.TakeOutput(many), "[\"z\", [[\"b\", \"2\"], [\"c\", \"3\"]]]");
  EXPECT_EQ(f.node.Lookup("z"), nullptr);
  lo.out.set_protocol(3);
  f.Run({"ZADD", "z", "1.5", "m"});
  EXPECT_EQ(f.Run(lo, {"BZPOPMIN", "z", "0"}), "[\"z\", \"m\", (double) 1.5]");
  // A list push does not wake a sorted-set waiter.
  EXPECT_EQ(f.Run(lo, {"BZPOPMIN", "k", "0"}), "");
  f.Run({"RPUSH", "k", "v"});
  EXPECT_EQ(f.TakeOutput(lo), "");
  EXPECT_NE(lo.blocked, nullptr);
}

TEST(BlockingTest, WrongTypeOnTheFirstRun) {
  NodeFixture f;
  f.Run({"SET", "s", "v"});
  f.Run({"RPUSH", "l", "v"});
  EXPECT_EQ(f.Run({"BLPOP", "s", "0"}), kWrongType);
  EXPECT_EQ(f.Run({"BRPOP", "none", "s", "0"}), kWrongType);
  EXPECT_EQ(f.Run({"BZPOPMIN", "l", "0"}), kWrongType);
  EXPECT_EQ(f.Run({"BZMPOP", "0", "1", "l", "MAX"}), kWrongType);
  EXPECT_EQ(f.Run({"BLMPOP", "0", "1", "s", "LEFT"}), kWrongType);
  EXPECT_EQ(f.Run({"BLMOVE", "s", "d", "LEFT", "LEFT", "0"}), kWrongType);
  EXPECT_EQ(f.Run({"BLMOVE", "l", "s", "LEFT", "LEFT", "0"}), kWrongType);
  EXPECT_EQ(f.Run({"BRPOPLPUSH", "l", "s", "0"}), kWrongType);
  EXPECT_EQ(f.Run({"LLEN", "l"}), "(integer) 1");
  // A BLMOVE woken while its destination holds another type gets WRONGTYPE, as in Redis.
  Session& mover = f.NewSession();
  EXPECT_EQ(f.Run(mover, {"BLMOVE", "src", "s", "LEFT", "LEFT", "0"}), "");
  EXPECT_EQ(f.Run({"RPUSH", "src", "x"}), "(integer) 1");
  EXPECT_EQ(f.TakeOutput(mover), kWrongType);
  EXPECT_EQ(f.Run({"LLEN", "src"}), "(integer) 1");
}

TEST(BlockingTest, ClosedWaiterIsForgotten) {
  NodeFixture f;
  Session& gone = f.NewSession();
  Session& stays = f.NewSession();
  EXPECT_EQ(f.Run(gone, {"BLPOP", "l", "5"}), "");
  EXPECT_EQ(f.Run(stays, {"BLPOP", "l", "0"}), "");
  f.node.CloseSession(gone.id);
  EXPECT_EQ(f.Run({"RPUSH", "l", "a", "b"}), "(integer) 2");
  EXPECT_EQ(f.TakeOutput(stays), "[\"l\", \"a\"]");
  EXPECT_EQ(f.Run({"LRANGE", "l", "0", "-1"}), "[\"b\"]");
  f.Advance(10000);  // the closed session's deadline passes harmlessly
  EXPECT_EQ(f.node.MsUntilBlockedDeadline(), -1);
}

}  // namespace
}  // namespace starling::server
