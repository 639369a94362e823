#include "server/resp/resp_writer.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "base/random.h"

namespace starling::server::resp {
namespace {

using namespace std::string_literals;

std::string Write2(void (*fn)(ReplyWriter&)) {
  ReplyWriter w(2);
  fn(w);
  return w.buffer();
}

std::string Write3(void (*fn)(ReplyWriter&)) {
  ReplyWriter w(3);
  fn(w);
  return w.buffer();
}

struct Case {
  const char* name;
  void (*fn)(ReplyWriter&);
  std::string resp2;
  std::string resp3;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class WriterCaseTest : public ::testing::TestWithParam<Case> {};

TEST_P(WriterCaseTest, ExactBytes) {
  const Case& c = GetParam();
  EXPECT_EQ(Write2(c.fn), c.resp2) << c.name;
  EXPECT_EQ(Write3(c.fn), c.resp3) << c.name;
}

const Case kCases[] = {
    {"simple", [](ReplyWriter& w) { w.SimpleString("OK"); }, "+OK\r\n", "+OK\r\n"},
    {"simple with CRLF", [](ReplyWriter& w) { w.SimpleString("a\r\nb"); }, "+a  b\r\n",
     "+a  b\r\n"},
    {"error", [](ReplyWriter& w) { w.Error("ERR syntax error"); }, "-ERR syntax error\r\n",
     "-ERR syntax error\r\n"},
    {"error with dash", [](ReplyWriter& w) { w.Error("-WRONGTYPE x"); }, "-WRONGTYPE x\r\n",
     "-WRONGTYPE x\r\n"},
    {"error with newline", [](ReplyWriter& w) { w.Error("ERR bad\nthing\r"); },
     "-ERR bad thing \r\n", "-ERR bad thing \r\n"},
    {"integer 0", [](ReplyWriter& w) { w.Integer(0); }, ":0\r\n", ":0\r\n"},
    {"integer 1", [](ReplyWriter& w) { w.Integer(1); }, ":1\r\n", ":1\r\n"},
    {"integer -1", [](ReplyWriter& w) { w.Integer(-1); }, ":-1\r\n", ":-1\r\n"},
    {"integer 1234567", [](ReplyWriter& w) { w.Integer(1234567); }, ":1234567\r\n", ":1234567\r\n"},
    {"integer max", [](ReplyWriter& w) { w.Integer(std::numeric_limits<int64_t>::max()); },
     ":9223372036854775807\r\n", ":9223372036854775807\r\n"},
    {"integer min", [](ReplyWriter& w) { w.Integer(std::numeric_limits<int64_t>::min()); },
     ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
    {"bulk", [](ReplyWriter& w) { w.Bulk("hello"); }, "$5\r\nhello\r\n", "$5\r\nhello\r\n"},
    {"bulk empty", [](ReplyWriter& w) { w.Bulk(""); }, "$0\r\n\r\n", "$0\r\n\r\n"},
    {"bulk binary", [](ReplyWriter& w) { w.Bulk("a\0\r\nb"s); }, "$5\r\na\0\r\nb\r\n"s,
     "$5\r\na\0\r\nb\r\n"s},
    {"bulk integer", [](ReplyWriter& w) { w.BulkInteger(-42); }, "$3\r\n-42\r\n", "$3\r\n-42\r\n"},
    {"bulk integer min", [](ReplyWriter& w) { w.BulkInteger(std::numeric_limits<int64_t>::min()); },
     "$20\r\n-9223372036854775808\r\n", "$20\r\n-9223372036854775808\r\n"},
    {"null", [](ReplyWriter& w) { w.Null(); }, "$-1\r\n", "_\r\n"},
    {"null array", [](ReplyWriter& w) { w.NullArray(); }, "*-1\r\n", "_\r\n"},
    {"array", [](ReplyWriter& w) { w.ArrayHeader(3); }, "*3\r\n", "*3\r\n"},
    {"array empty", [](ReplyWriter& w) { w.ArrayHeader(0); }, "*0\r\n", "*0\r\n"},
    {"map", [](ReplyWriter& w) { w.MapHeader(2); }, "*4\r\n", "%2\r\n"},
    {"set", [](ReplyWriter& w) { w.SetHeader(5); }, "*5\r\n", "~5\r\n"},
    {"push", [](ReplyWriter& w) { w.PushHeader(3); }, "*3\r\n", ">3\r\n"},
    {"boolean true", [](ReplyWriter& w) { w.Boolean(true); }, ":1\r\n", "#t\r\n"},
    {"boolean false", [](ReplyWriter& w) { w.Boolean(false); }, ":0\r\n", "#f\r\n"},
    {"verbatim", [](ReplyWriter& w) { w.Verbatim("hello"); }, "$5\r\nhello\r\n",
     "=9\r\ntxt:hello\r\n"},
    {"verbatim mkd", [](ReplyWriter& w) { w.Verbatim("# x", "mkd"); }, "$3\r\n# x\r\n",
     "=7\r\nmkd:# x\r\n"},
    {"verbatim bad format", [](ReplyWriter& w) { w.Verbatim("x", "markdown"); }, "$1\r\nx\r\n",
     "=5\r\ntxt:x\r\n"},
    // Doubles, as Redis 7.0.15 answers ZSCORE (checked with redis-server, see README.md).
    {"double 1.1", [](ReplyWriter& w) { w.Double(1.1); }, "$18\r\n1.1000000000000001\r\n",
     ",1.1000000000000001\r\n"},
    {"double 0.1", [](ReplyWriter& w) { w.Double(0.1); }, "$19\r\n0.10000000000000001\r\n",
     ",0.10000000000000001\r\n"},
    {"double 3", [](ReplyWriter& w) { w.Double(3); }, "$1\r\n3\r\n", ",3\r\n"},
    {"double 0", [](ReplyWriter& w) { w.Double(0); }, "$1\r\n0\r\n", ",0\r\n"},
    {"double -0", [](ReplyWriter& w) { w.Double(-0.0); }, "$2\r\n-0\r\n", ",-0\r\n"},
    {"double 1e300", [](ReplyWriter& w) { w.Double(1e300); }, "$23\r\n1.0000000000000001e+300\r\n",
     ",1.0000000000000001e+300\r\n"},
    {"double 1e-300", [](ReplyWriter& w) { w.Double(1e-300); }, "$6\r\n1e-300\r\n", ",1e-300\r\n"},
    {"double 1.2345678901234568e+17", [](ReplyWriter& w) { w.Double(123456789012345678.0); },
     "$22\r\n1.2345678901234568e+17\r\n", ",1.2345678901234568e+17\r\n"},
    {"double 2.5e-5", [](ReplyWriter& w) { w.Double(2.5e-5); }, "$22\r\n2.5000000000000001e-05\r\n",
     ",2.5000000000000001e-05\r\n"},
    {"double inf", [](ReplyWriter& w) { w.Double(std::numeric_limits<double>::infinity()); },
     "$3\r\ninf\r\n", ",inf\r\n"},
    {"double -inf", [](ReplyWriter& w) { w.Double(-std::numeric_limits<double>::infinity()); },
     "$4\r\n-inf\r\n", ",-inf\r\n"},
    {"double nan", [](ReplyWriter& w) { w.Double(std::numeric_limits<double>::quiet_NaN()); },
     "$3\r\nnan\r\n", ",nan\r\n"},
    {"canned ok", [](ReplyWriter& w) { w.Write(Canned::kOk); }, "+OK\r\n", "+OK\r\n"},
    {"canned pong", [](ReplyWriter& w) { w.Write(Canned::kPong); }, "+PONG\r\n", "+PONG\r\n"},
    {"canned zero", [](ReplyWriter& w) { w.Write(Canned::kZero); }, ":0\r\n", ":0\r\n"},
    {"canned one", [](ReplyWriter& w) { w.Write(Canned::kOne); }, ":1\r\n", ":1\r\n"},
    {"canned null", [](ReplyWriter& w) { w.Write(Canned::kNull); }, "$-1\r\n", "_\r\n"},
    {"raw", [](ReplyWriter& w) { w.Raw(":7\r\n"); }, ":7\r\n", ":7\r\n"},
    {"nested reply",
     [](ReplyWriter& w) {
       w.MapHeader(1);
       w.Bulk("k");
       w.SetHeader(2);
       w.Integer(10);
       w.Null();
     },
     "*2\r\n$1\r\nk\r\n*2\r\n:10\r\n$-1\r\n", "%1\r\n$1\r\nk\r\n~2\r\n:10\r\n_\r\n"},
};

INSTANTIATE_TEST_SUITE_P(Resp, WriterCaseTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name;
                           for (const char* p = info.param.name; *p; ++p) {
                             name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
                           }
                           return name;
                         });

TEST(WriterTest, IntegersMatchToString) {
  Prng rng(7);
  std::vector<int64_t> values = {0, 9, 10, 99, 100, 999, 1000, -9, -10, -100};
  for (int64_t p = 1; p < std::numeric_limits<int64_t>::max() / 10; p *= 10) {
    values.insert(values.end(), {p - 1, p, p + 1, -p + 1, -p, -p - 1});
  }
  for (int i = 0; i < 20000; ++i) {
    const int bits = static_cast<int>(rng.Uniform(64));
    values.push_back(static_cast<int64_t>(rng.Next64() >> bits));
    values.push_back(-static_cast<int64_t>(rng.Next64() >> (bits % 63 + 1)));
  }
  values.push_back(std::numeric_limits<int64_t>::max());
  values.push_back(std::numeric_limits<int64_t>::min());
  for (int64_t v : values) {
    char buf[20];
    ASSERT_EQ(std::string(buf, FormatInt64(v, buf)), std::to_string(v));
    ReplyWriter w;
    w.Integer(v);
    w.ArrayHeader(static_cast<size_t>(v < 0 ? -(v + 1) : v));
    w.BulkInteger(v);
    const std::string digits = std::to_string(v);
    const std::string count = std::to_string(v < 0 ? -(v + 1) : v);
    std::string expected = ":";
    expected += digits;
    expected += "\r\n*";
    expected += count;
    expected += "\r\n$";
    expected += std::to_string(digits.size());
    expected += "\r\n";
    expected += digits;
    expected += "\r\n";
    ASSERT_EQ(w.buffer(), expected);
  }
}

TEST(WriterTest, DoublesMatchPrintfG17) {
  Prng rng(11);
  std::vector<double> values = {
      0.5, -1.5, 1e21, 1e-7, 123456.789, 5e-324, 1.7976931348623157e308, -2.2250738585072014e-308,
      100, 1e16, 1e17, 0.3};
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = rng.Next64();
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    if (std::isfinite(d)) {
      values.push_back(d);
    }
    values.push_back((rng.NextDouble() - 0.5) * std::pow(10.0, rng.Range(-30, 30)));
  }
  for (double d : values) {
    char expected[64];
    std::snprintf(expected, sizeof(expected), "%.17g", d);
    ReplyWriter w(3);
    w.Double(d);
    ASSERT_EQ(w.buffer(), "," + std::string(expected) + "\r\n") << d;
  }
}

TEST(WriterTest, ProtocolSwitchAndClear) {
  ReplyWriter w;
  EXPECT_EQ(w.protocol(), 2);
  w.Null();
  w.set_protocol(3);
  w.Null();
  EXPECT_EQ(w.buffer(), "$-1\r\n_\r\n");
  EXPECT_EQ(w.size(), 8u);
  w.Clear();
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(CannedBytes(Canned::kNull, 2), "$-1\r\n");
  EXPECT_EQ(CannedBytes(Canned::kNull, 3), "_\r\n");
}

}  // namespace
}  // namespace starling::server::resp
