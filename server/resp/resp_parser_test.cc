#include "server/resp/resp_parser.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "base/random.h"
#include "server/resp/resp_test_util.h"

// Counts heap allocations made while g_count_allocations is set, to check that the parser's
// hot path allocates nothing.
namespace {
std::atomic<bool> g_count_allocations{false};
std::atomic<int> g_allocations{0};
}  // namespace

void* operator new(size_t size) {
  if (g_count_allocations.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
// Out of line, or GCC sees free() on memory from operator new and warns.
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace starling::server::resp {
namespace {

using Cmds = std::vector<std::vector<std::string>>;
using namespace std::string_literals;

Outcome Ok(Cmds commands) { return Outcome{std::move(commands), ParseError::kNone, ""}; }

Outcome Err(Cmds commands, ParseError code, std::string text = "") {
  if (text.empty()) {
    text = std::string(ParseErrorText(code));
  }
  return Outcome{std::move(commands), code, std::move(text)};
}

struct Sample {
  std::string name;
  std::string input;
  Outcome expected;
  bool auth_required = false;
};

// Names the sample in failure messages instead of dumping its bytes.
void PrintTo(const Sample& s, std::ostream* os) { *os << s.name; }

std::string Repeat(char c, size_t n) { return std::string(n, c); }

std::vector<Sample> Samples() {
  const Cmds ping = {{"PING"}};
  const std::string ping_mb = "*1\r\n$4\r\nPING\r\n";
  std::string pipeline;
  Cmds pipeline_cmds;
  for (int i = 0; i < 16; ++i) {
    const std::string key = "key:" + std::to_string(i);
    pipeline +=
        "*3\r\n$3\r\nSET\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n$3\r\nxxx\r\n";
    pipeline_cmds.push_back({"SET", key, "xxx"});
  }
  return {
      // Multibulk.
      {"ping", ping_mb, Ok(ping)},
      {"set", "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", Ok({{"SET", "key", "value"}})},
      {"binary with NUL and CRLF", "*2\r\n$4\r\nECHO\r\n$5\r\na\0b\r\n\r\n"s,
       Ok({{"ECHO", "a\0b\r\n"s}})},
      {"empty bulk", "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", Ok({{"ECHO", ""}})},
      {"empty multibulks skipped", "*0\r\n*-1\r\n*-10\r\n" + ping_mb, Ok(ping)},
      {"most negative count skipped", "*-9223372036854775808\r\n" + ping_mb, Ok(ping)},
      {"pipeline of 16", pipeline, Ok(pipeline_cmds)},
      {"bulk trailer not checked", "*1\r\n$4\r\nPINGXY" + ping_mb, Ok({{"PING"}, {"PING"}})},
      {"count CR then any byte", "*1\rX$4\r\nPING\r\n", Ok(ping)},
      {"bulk header CR then any byte", "*1\r\n$4\rXPING\r\n", Ok(ping)},
      {"incomplete command waits", "*2\r\n$3\r\nGET\r\n$1\r\n", Ok({})},
      {"incomplete bulk header waits", "*1\r\nx", Ok({})},
      {"NUL in count line waits", "*1\0\r\n$4\r\nPING\r\n"s, Ok({})},
      {"NUL in bulk header waits", "*1\r\n$4\0\r\nPING\r\n"s, Ok({})},
      {"64K count line without CR waits", "*" + Repeat('1', 65535), Ok({})},
      // Inline.
      {"inline", "PING\r\n", Ok(ping)},
      {"inline LF only", "SET a b\n", Ok({{"SET", "a", "b"}})},
      {"inline blanks", "  SET \t a   b  \r\n", Ok({{"SET", "a", "b"}})},
      {"inline quotes", "SET \"a b\" 'c d'\r\n", Ok({{"SET", "a b", "c d"}})},
      {"double-quote escapes", "ECHO \"a\\x41\\n\\t\\\"\\\\\\q\\x4g\\r\\b\\a\\x00\"\r\n",
       Ok({{"ECHO", "aA\n\t\"\\qx4g\r\b\a\0"s}})},
      {"single-quote escapes", "ECHO 'a\\'b\\n'\r\n", Ok({{"ECHO", "a'b\\n"}})},
      {"quote inside token", "ECHO ab\"cd\"\r\n", Ok({{"ECHO", "abcd"}})},
      {"empty quotes", "ECHO \"\" ''\r\n", Ok({{"ECHO", "", ""}})},
      {"vertical tab inside token", "ECHO a\vb\r\n", Ok({{"ECHO", "a\vb"}})},
      {"leading vt and ff", "\v\fPING\r\n", Ok(ping)},
      {"CR inside line", "ECHO a\rb\r\n", Ok({{"ECHO", "a", "b"}})},
      {"double CR", "PING\r\r\n", Ok(ping)},
      {"quote then vertical tab", "ECHO \"a\"\vb\r\n", Ok({{"ECHO", "a", "b"}})},
      {"empty lines skipped", "\r\n\n   \r\n\t\nPING\r\n", Ok(ping)},
      {"inline waits for LF", "PING\r", Ok({})},
      {"NUL in inline waits", "PING a\0b\r\nPING\r\n"s, Ok({})},
      {"inline of exactly 64K", "ECHO " + Repeat('y', 65531) + "\n",
       Ok({{"ECHO", Repeat('y', 65531)}})},
      {"mixed pipeline", "PING\r\n" + ping_mb + "ECHO 'x y'\n*0\r\n\r\n" + ping_mb,
       Ok({{"PING"}, {"PING"}, {"ECHO", "x y"}, {"PING"}})},
      // Multibulk count errors, each after a good command that must still come out.
      {"count -0", "PING\r\n*-0\r\n", Err(ping, ParseError::kInvalidMultibulkLength)},
      {"count 00", "*00\r\n", Err({}, ParseError::kInvalidMultibulkLength)},
      {"count +1", "*+1\r\n", Err({}, ParseError::kInvalidMultibulkLength)},
      {"count empty", "*\r\n", Err({}, ParseError::kInvalidMultibulkLength)},
      {"count letters", "*abc\r\n", Err({}, ParseError::kInvalidMultibulkLength)},
      {"count 4294967295", "*4294967295\r\n", Err({}, ParseError::kInvalidMultibulkLength)},
      {"count INT_MAX+1", "*2147483648\r\n", Err({}, ParseError::kInvalidMultibulkLength)},
      {"count below INT64_MIN", "*-9223372036854775809\r\n",
       Err({}, ParseError::kInvalidMultibulkLength)},
      {"count 20 digits", "*99999999999999999999\r\n",
       Err({}, ParseError::kInvalidMultibulkLength)},
      {"count line LF only", "*1\n$4\r\nPING\r\n", Err({}, ParseError::kInvalidMultibulkLength)},
      {"count line too big", "*" + Repeat('1', 65536), Err({}, ParseError::kTooBigMultibulkCount)},
      {"count line too big with CR", "*" + Repeat('1', 65536) + "\r\n",
       Err({}, ParseError::kTooBigMultibulkCount)},
      {"count line 64K with CR", "*" + Repeat('1', 65535) + "\r\n",
       Err({}, ParseError::kInvalidMultibulkLength)},
      {"count line hidden by NUL", "*1\0"s + Repeat('\n', 65534) + "\r\n",
       Err({}, ParseError::kTooBigMultibulkCount)},
      // Bulk header errors.
      {"bulk -5", ping_mb + "*1\r\n$-5\r\n", Err(ping, ParseError::kInvalidBulkLength)},
      {"bulk -1", "*1\r\n$-1\r\n", Err({}, ParseError::kInvalidBulkLength)},
      {"bulk -0", "*1\r\n$-0\r\n", Err({}, ParseError::kInvalidBulkLength)},
      {"bulk 600000000", "*1\r\n$600000000\r\n", Err({}, ParseError::kInvalidBulkLength)},
      {"bulk 512MB+1", "*1\r\n$536870913\r\n", Err({}, ParseError::kInvalidBulkLength)},
      {"bulk empty", "*1\r\n$\r\n", Err({}, ParseError::kInvalidBulkLength)},
      {"bulk 01", "*1\r\n$01\r\n", Err({}, ParseError::kInvalidBulkLength)},
      {"expected $ got x", "*1\r\nx4\r\nPING\r\n",
       Err({}, ParseError::kExpectedDollar, "Protocol error: expected '$', got 'x'")},
      {"expected $ got CR", "*1\r\n\r\n",
       Err({}, ParseError::kExpectedDollar, "Protocol error: expected '$', got ' '")},
      {"expected $ got LF", "*1\r\n\nPING\r\n",
       Err({}, ParseError::kExpectedDollar, "Protocol error: expected '$', got ' '")},
      {"expected $ got 0xff", "*1\r\n\xff\r\n",
       Err({}, ParseError::kExpectedDollar, "Protocol error: expected '$', got '\xff'")},
      {"expected $ got f", "*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n",
       Err({}, ParseError::kExpectedDollar, "Protocol error: expected '$', got 'f'")},
      {"bulk line too big", "*1\r\n$" + Repeat('1', 65536), Err({}, ParseError::kTooBigBulkCount)},
      {"bulk line 64K waits", "*1\r\n$" + Repeat('1', 65535), Ok({})},
      // Inline errors.
      {"inline too big", "PING " + Repeat('x', 100000), Err({}, ParseError::kTooBigInline)},
      {"inline too big with LF", "ECHO " + Repeat('y', 65532) + "\n",
       Err({}, ParseError::kTooBigInline)},
      {"inline too big behind NUL", "PING \0\n"s + Repeat('x', 65530),
       Err({}, ParseError::kTooBigInline)},
      {"unbalanced double", "PING\r\nECHO \"abc\r\n", Err(ping, ParseError::kUnbalancedQuotes)},
      {"unbalanced single", "ECHO 'abc\r\n", Err({}, ParseError::kUnbalancedQuotes)},
      {"text after closing double", "ECHO \"abc\"d\r\n", Err({}, ParseError::kUnbalancedQuotes)},
      {"text after closing single", "ECHO 'a'b\r\n", Err({}, ParseError::kUnbalancedQuotes)},
      {"backslash at end", "ECHO \"abc\\\r\n", Err({}, ParseError::kUnbalancedQuotes)},
      // Before AUTH.
      {"unauth count 10 waits", "*10\r\n", Ok({}), true},
      {"unauth count 11", "*11\r\n", Err({}, ParseError::kUnauthMultibulkLength), true},
      {"unauth count letters", "*abc\r\n", Err({}, ParseError::kInvalidMultibulkLength), true},
      {"unauth negative count", "*-5\r\nPING\r\n", Ok(ping), true},
      {"unauth bulk 16384 waits", "*1\r\n$16384\r\n", Ok({}), true},
      {"unauth bulk 16385", "*1\r\n$16385\r\n", Err({}, ParseError::kUnauthBulkLength), true},
      {"unauth bulk -1", "*1\r\n$-1\r\n", Err({}, ParseError::kInvalidBulkLength), true},
      {"unauth bulk 600000000", "*1\r\n$600000000\r\n", Err({}, ParseError::kInvalidBulkLength),
       true},
      {"unauth inline has no count limit", "PING" + Repeat(' ', 3) + "a b c d e f g h i j k l\n",
       Ok({{"PING", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}}), true},
  };
}

class SampleTest : public ::testing::TestWithParam<Sample> {};

TEST_P(SampleTest, WholeInput) {
  const Sample& s = GetParam();
  EXPECT_EQ(RunPieces({s.input}, ParserLimits{}, s.auth_required), s.expected);
}

TEST_P(SampleTest, FedThroughFeed) {
  const Sample& s = GetParam();
  ParserLimits limits;
  Parser parser(&limits);
  parser.set_auth_required(s.auth_required);
  parser.Feed(s.input);
  Outcome out;
  Drain(parser, &out);
  EXPECT_EQ(out, s.expected);
}

TEST_P(SampleTest, EveryTwoPieceSplit) {
  const Sample& s = GetParam();
  // Long samples are cut at a stride; the byte-wise test covers every boundary anyway.
  const size_t stride = s.input.size() > 2048 ? 613 : 1;
  for (size_t cut = 0; cut <= s.input.size(); cut += stride) {
    EXPECT_EQ(RunPieces(CutAt(s.input, {cut}), ParserLimits{}, s.auth_required), s.expected)
        << "cut at " << cut;
  }
}

TEST_P(SampleTest, OneByteAtATime) {
  const Sample& s = GetParam();
  EXPECT_EQ(RunPieces(Bytewise(s.input), ParserLimits{}, s.auth_required), s.expected);
}

TEST_P(SampleTest, RandomCuts) {
  const Sample& s = GetParam();
  Prng rng(s.input.size() * 7919 + 1);
  for (int round = 0; round < 20; ++round) {
    std::vector<size_t> cuts;
    for (size_t off = 0;;) {
      off += 1 + rng.Uniform(rng.Bernoulli(0.5) ? 8 : 4096);
      if (off >= s.input.size()) {
        break;
      }
      cuts.push_back(off);
    }
    EXPECT_EQ(RunPieces(CutAt(s.input, cuts), ParserLimits{}, s.auth_required), s.expected)
        << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Resp, SampleTest, ::testing::ValuesIn(Samples()),
                         [](const ::testing::TestParamInfo<Sample>& info) {
                           std::string name;
                           for (char c : info.param.name) {
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           }
                           return name;
                         });

TEST(ParserTest, ErrorIsSticky) {
  ParserLimits limits;
  Parser parser(&limits);
  parser.Feed("*abc\r\n");
  EXPECT_EQ(parser.Next(), ParseResult::kError);
  parser.Feed("PING\r\n");
  EXPECT_EQ(parser.Next(), ParseResult::kError);
  EXPECT_EQ(parser.error(), "Protocol error: invalid multibulk length");
  parser.Reset();
  parser.Feed("PING\r\n");
  EXPECT_EQ(parser.Next(), ParseResult::kCommand);
}

TEST(ParserTest, LimitsChangeAtRunTime) {
  ParserLimits limits;
  Parser parser(&limits);
  parser.Feed("*2\r\n$4\r\nECHO\r\n$20\r\n01234567890123456789\r\n");
  ASSERT_EQ(parser.Next(), ParseResult::kCommand);
  limits.max_bulk_len = 19;  // CONFIG SET proto-max-bulk-len
  parser.Feed("*2\r\n$4\r\nECHO\r\n$20\r\n01234567890123456789\r\n");
  EXPECT_EQ(parser.Next(), ParseResult::kError);
  EXPECT_EQ(parser.error_code(), ParseError::kInvalidBulkLength);

  limits = ParserLimits{};
  limits.max_multibulk_len = 1024 * 1024;  // the Redis 6 limit
  Parser strict(&limits);
  strict.Feed("*1048577\r\n");
  EXPECT_EQ(strict.Next(), ParseResult::kError);
  EXPECT_EQ(strict.error_code(), ParseError::kInvalidMultibulkLength);

  limits.max_inline_len = 8;
  Parser short_lines(&limits);
  short_lines.Feed("ECHO abc\nECHO abcd\n");
  EXPECT_EQ(short_lines.Next(), ParseResult::kCommand);
  EXPECT_EQ(short_lines.Next(), ParseResult::kError);
  EXPECT_EQ(short_lines.error_code(), ParseError::kTooBigInline);
}

TEST(ParserTest, AuthFlagAppliesToLaterHeaders) {
  ParserLimits limits;
  Parser parser(&limits);
  parser.set_auth_required(true);
  const std::string big_set =
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$20000\r\n" + Repeat('v', 20000) + "\r\n";
  parser.Feed("*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n" + big_set);
  ASSERT_EQ(parser.Next(), ParseResult::kCommand);
  EXPECT_EQ(parser.args()[0], "AUTH");
  parser.set_auth_required(false);  // AUTH succeeded before the next header is parsed
  ASSERT_EQ(parser.Next(), ParseResult::kCommand);
  EXPECT_EQ(parser.args()[2].size(), 20000u);
  parser.set_auth_required(true);
  parser.Feed(big_set);
  EXPECT_EQ(parser.Next(), ParseResult::kError);
  EXPECT_EQ(parser.error(), "Protocol error: unauthenticated bulk length");
}

TEST(ParserTest, QueryBufferLimitCountsUnparsedBytes) {
  ParserLimits limits;
  limits.max_query_buffer = 1024 * 1024;  // the smallest client-query-buffer-limit
  // A 1.5 MB bulk of which 1.2 MB has arrived: Redis closes the client without a reply.
  const std::string header = "*2\r\n$4\r\nECHO\r\n$1500000\r\n";
  Outcome out = RunPieces({header + Repeat('a', 1200000)}, limits);
  EXPECT_EQ(out, Err({}, ParseError::kQueryBufferLimit, ""));
  EXPECT_EQ(ParseErrorText(ParseError::kQueryBufferLimit), "");

  // Two 800 KB arguments: each is read whole on its own, so the limit is never passed
  // (Redis accepts this too).
  const std::string two =
      EncodeCommands({{"RPUSH", "k", Repeat('a', 800000), Repeat('b', 800000)}});
  out = RunPieces({two}, limits);
  EXPECT_EQ(out, Ok({{"RPUSH", "k", Repeat('a', 800000), Repeat('b', 800000)}}));

  // 2 MB of small pipelined commands, read 16 KB at a time.
  std::string pings;
  for (int i = 0; i < 350000; ++i) {
    pings += "PING\r\n";
  }
  out = RunPieces({pings}, limits);
  EXPECT_EQ(out.error, ParseError::kNone);
  EXPECT_EQ(out.commands.size(), 350000u);

  // The same bytes pushed in one Feed() exceed the limit at once.
  Parser parser(&limits);
  parser.Feed(pings);
  EXPECT_EQ(parser.Next(), ParseResult::kError);
  EXPECT_EQ(parser.error_code(), ParseError::kQueryBufferLimit);
}

std::string RandomBytes(size_t n, uint64_t seed) {
  std::string v(n, '\0');
  Prng rng(seed);
  for (char& c : v) {
    c = static_cast<char>(rng.Next64());
  }
  return v;
}

struct ReadStats {
  Outcome out;
  size_t reads = 0;
  size_t max_span = 0;
  size_t max_capacity = 0;
};

// A socket that delivers at most `chunk` bytes per read().
ReadStats ReadInChunks(const std::string& input, size_t chunk) {
  ParserLimits limits;
  Parser parser(&limits);
  ReadStats stats;
  for (size_t off = 0; off < input.size();) {
    std::span<char> dst = parser.PrepareRead();
    stats.max_span = std::max(stats.max_span, dst.size());
    stats.max_capacity = std::max(stats.max_capacity, parser.capacity());
    const size_t n = std::min({dst.size(), input.size() - off, chunk});
    std::memcpy(dst.data(), input.data() + off, n);
    parser.CommitRead(n);
    off += n;
    ++stats.reads;
    if (!Drain(parser, &stats.out)) {
      break;
    }
  }
  return stats;
}

TEST(ParserTest, BigBulkUpTo1MBLandsInOnePiece) {
  const std::string value = RandomBytes(900 * 1024, 1);
  const std::string header = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$921600\r\n";
  const std::string input = EncodeCommands({{"SET", "k", value}, {"GET", "k"}});
  ASSERT_EQ(input.substr(0, header.size()), header);
  const ReadStats stats = ReadInChunks(input, 1 << 20);
  EXPECT_EQ(stats.out, Ok({{"SET", "k", value}, {"GET", "k"}}));
  // One 16 KB read, then one read of exactly the rest of the value, then GET.
  EXPECT_EQ(stats.max_span, value.size() + 2 - (Parser::kReadSize - header.size()));
  EXPECT_EQ(stats.reads, 3u);
  EXPECT_LT(stats.max_capacity, value.size() + Parser::kReadSize * 2);
}

TEST(ParserTest, LargeBulkArrivesInChunks) {
  const std::string value = RandomBytes(10 * 1024 * 1024, 42);
  const std::string input = EncodeCommands({{"SET", "k", value}, {"GET", "k"}});
  for (size_t chunk : {size_t{1460}, size_t{64 * 1024}, size_t{16 << 20}}) {
    const ReadStats stats = ReadInChunks(input, chunk);
    ASSERT_EQ(stats.out.commands.size(), 2u) << chunk;
    EXPECT_TRUE(stats.out.commands[0][2] == value);
    EXPECT_EQ(stats.out.error, ParseError::kNone);
    // Geometric growth: never more than twice the value.
    EXPECT_LT(stats.max_capacity, 2 * value.size()) << chunk;
    EXPECT_LE(stats.max_span, value.size() / 2 + 2) << chunk;
  }

  // The same value through Feed() in 4 KB pieces.
  ParserLimits limits;
  Parser fed(&limits);
  Outcome fed_out;
  for (size_t i = 0; i < input.size(); i += 4096) {
    fed.Feed(std::string_view(input).substr(i, 4096));
    ASSERT_TRUE(Drain(fed, &fed_out));
  }
  EXPECT_EQ(fed_out, Ok({{"SET", "k", value}, {"GET", "k"}}));
  fed.ReleaseIfIdle();
  EXPECT_EQ(fed.capacity(), 0u);
}

TEST(ParserTest, DeclaredBulkLengthDoesNotAllocateUpFront) {
  ParserLimits limits;
  Parser parser(&limits);
  parser.Feed("*2\r\n$4\r\nECHO\r\n$536870912\r\nabc");
  EXPECT_EQ(parser.Next(), ParseResult::kNeedMore);
  EXPECT_EQ(parser.PrepareRead().size(), size_t{1024 * 1024});
  EXPECT_LT(parser.capacity(), size_t{2 * 1024 * 1024});
}

TEST(ParserTest, LongPipelineKeepsBufferSmall) {
  ParserLimits limits;
  Parser parser(&limits);
  Cmds expected;
  std::string input;
  for (int i = 0; i < 100000; ++i) {
    const std::string key = "key:" + std::to_string(i);
    expected.push_back({"SET", key, "value-" + std::to_string(i * 7)});
  }
  input = EncodeCommands(expected);
  Outcome out;
  // Odd-sized reads so commands straddle reads all the time.
  for (size_t off = 0; off < input.size();) {
    std::span<char> dst = parser.PrepareRead();
    const size_t n = std::min({dst.size(), input.size() - off, size_t{1000 + off % 777}});
    std::memcpy(dst.data(), input.data() + off, n);
    parser.CommitRead(n);
    off += n;
    ASSERT_TRUE(Drain(parser, &out));
    EXPECT_LE(parser.capacity(), 2 * Parser::kReadSize);
  }
  EXPECT_EQ(out.commands, expected);
  EXPECT_EQ(parser.buffered_bytes(), 0u);
}

TEST(ParserTest, PipelineParsesWithoutAllocating) {
  ParserLimits limits;
  Parser parser(&limits);
  std::string batch;
  for (int i = 0; i < 16; ++i) {
    batch += EncodeCommands({{"SET", "key:" + std::to_string(i), "xxx"}});
    batch += "GET key\r\n";
  }
  auto run_batch = [&] {
    int commands = 0;
    std::span<char> dst = parser.PrepareRead();
    std::memcpy(dst.data(), batch.data(), batch.size());
    parser.CommitRead(batch.size());
    while (parser.Next() == ParseResult::kCommand) {
      ++commands;
    }
    return commands;
  };
  ASSERT_EQ(run_batch(), 32);  // warms up the buffer and the argument vector
  g_allocations = 0;
  g_count_allocations = true;
  int commands = 0;
  for (int i = 0; i < 100; ++i) {
    commands += run_batch();
  }
  g_count_allocations = false;
  EXPECT_EQ(commands, 3200);
  EXPECT_EQ(g_allocations.load(), 0);
}

TEST(ParserTest, ReleaseIfIdleKeepsPartialCommand) {
  ParserLimits limits;
  Parser parser(&limits);
  parser.Feed("*2\r\n$4\r\nECHO\r\n$3\r\nab");
  EXPECT_EQ(parser.Next(), ParseResult::kNeedMore);
  parser.ReleaseIfIdle();
  EXPECT_GT(parser.capacity(), 0u);
  parser.Feed("c\r\n");
  ASSERT_EQ(parser.Next(), ParseResult::kCommand);
  EXPECT_EQ(parser.args()[1], "abc");
  EXPECT_EQ(parser.Next(), ParseResult::kNeedMore);
  parser.ReleaseIfIdle();
  EXPECT_EQ(parser.capacity(), 0u);
}

}  // namespace
}  // namespace starling::server::resp
