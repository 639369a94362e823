// In-process tests of the string family through the real command table.
#include <gtest/gtest.h>

#include "server/node_test_util.h"

namespace starling::server {
namespace {

using testing::NodeFixture;

TEST(StringsTest, SetGetAndOptions) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"SET", "k", "v"}), "OK");
  EXPECT_EQ(f.Run({"GET", "k"}), "\"v\"");
  EXPECT_EQ(f.Run({"SET", "k", "w", "NX"}), "(nil)");
  EXPECT_EQ(f.Run({"SET", "k", "w", "XX", "GET"}), "\"v\"");
  EXPECT_EQ(f.Run({"SET", "k", "x", "NX", "XX"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"SET", "k", "x", "EX", "0"}),
            "(error) ERR invalid expire time in 'set' command");
  EXPECT_EQ(f.Run({"SET", "k", "x", "EX", "10", "KEEPTTL"}), "(error) ERR syntax error");
  EXPECT_EQ(f.Run({"GET"}), "(error) ERR wrong number of arguments for 'get' command");
}

TEST(StringsTest, ExpiryIsLazyAndActive) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"SET", "a", "1", "PX", "100"}), "OK");
  EXPECT_EQ(f.Run({"SET", "b", "1", "PX", "100"}), "OK");
  f.clock.Advance(101 * 1000);
  EXPECT_EQ(f.Run({"GET", "a"}), "(nil)");  // lazy
  EXPECT_EQ(f.node.keyspace().live_keys(), 1u);
  f.Advance(1);  // active expiry on the timer
  EXPECT_EQ(f.node.keyspace().live_keys(), 0u);
}

TEST(StringsTest, CountersAndErrors) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"INCR", "c"}), "(integer) 1");
  EXPECT_EQ(f.Run({"INCRBY", "c", "41"}), "(integer) 42");
  EXPECT_EQ(f.Run({"DECRBY", "c", "2"}), "(integer) 40");
  EXPECT_EQ(f.Run({"INCRBYFLOAT", "c", "0.5"}), "\"40.5\"");
  EXPECT_EQ(f.Run({"INCR", "c"}), "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(f.Run({"SET", "m", "9223372036854775807"}), "OK");
  EXPECT_EQ(f.Run({"INCR", "m"}), "(error) ERR increment or decrement would overflow");
  EXPECT_EQ(f.Run({"INCRBYFLOAT", "c", "inf"}),
            "(error) ERR increment would produce NaN or Infinity");
  EXPECT_EQ(f.Run({"SET", "c", "10"}), "OK");  // SET absorbs the increments
  EXPECT_EQ(f.Run({"INCR", "c"}), "(integer) 11");
  EXPECT_EQ(f.Run({"GET", "c"}), "\"11\"");
}

TEST(StringsTest, RangesAndAppend) {
  NodeFixture f;
  EXPECT_EQ(f.Run({"APPEND", "s", "Hello"}), "(integer) 5");
  EXPECT_EQ(f.Run({"APPEND", "s", " World"}), "(integer) 11");
  EXPECT_EQ(f.Run({"GETRANGE", "s", "0", "4"}), "\"Hello\"");
  EXPECT_EQ(f.Run({"GETRANGE", "s", "-5", "-1"}), "\"World\"");
  EXPECT_EQ(f.Run({"SETRANGE", "s", "6", "Redis"}), "(integer) 11");
  EXPECT_EQ(f.Run({"GET", "s"}), "\"Hello Redis\"");
  EXPECT_EQ(f.Run({"SETRANGE", "z", "3", "x"}), "(integer) 4");
  EXPECT_EQ(f.Run({"GET", "z"}), std::string("\"\0\0\0x\"", 6));
  EXPECT_EQ(f.Run({"STRLEN", "s"}), "(integer) 11");
}

}  // namespace
}  // namespace starling::server
