// Incremental RESP request parser: turns the bytes a client sends into commands.
//
// What it is: a byte-level state machine for client requests in RESP2 multibulk form
// (`*<n>\r\n` then n times `$<len>\r\n<bytes>\r\n`) and in inline form (one line split like
// Redis's sdssplitargs). It reproduces Redis 7.0's parser (processMultibulkBuffer /
// processInlineBuffer in networking.c) byte for byte, including its error strings and its
// quirks; README.md lists every behaviour and how it was checked against redis-server 7.0.15.
//
// Ownership: the parser owns its input buffer. The event loop reads from the socket straight
// into it (PrepareRead, then CommitRead), so bytes are never copied on the way in. A command's
// arguments are string_views into that buffer, valid until the next call of any non-const
// method; the argument vector is reused, so a pipeline of small commands costs no allocation
// per command. The limits are owned by the caller and read at every call, so CONFIG SET takes
// effect at once; they must outlive the parser.
//
// Threading: none. One parser belongs to one connection and is used by one thread at a time;
// whoever changes the shared ParserLimits must do it on that thread or between calls.
//
// Errors: once Next() returns kError the parser stays failed. The caller sends
// `-ERR <error()>\r\n` if error() is not empty and closes the connection (Redis: the client
// is flagged CLOSE_AFTER_REPLY). Commands returned before the error were complete and are
// meant to run, as in Redis.
//
// Typical loop:
//   std::span<char> dst = parser.PrepareRead();
//   ssize_t n = read(fd, dst.data(), dst.size());
//   parser.CommitRead(n);
//   for (;;) {
//     ParseResult r = parser.Next();
//     if (r == ParseResult::kCommand) Dispatch(parser.args());
//     else if (r == ParseResult::kError) { ReplyAndClose(parser.error()); break; }
//     else break;  // kNeedMore
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace starling::server::resp {

// Limits on what a client may send. Defaults are Redis 7.0's.
struct ParserLimits {
  // proto-max-bulk-len: the largest `$<len>`; larger is "invalid bulk length".
  int64_t max_bulk_len = 512LL * 1024 * 1024;
  // The largest `*<n>`; larger is "invalid multibulk length". Redis 7.0 allows up to INT_MAX
  // (6.x allowed 1024*1024); the argument vector grows as arguments arrive, never up front.
  int64_t max_multibulk_len = INT32_MAX;
  // PROTO_INLINE_MAX_SIZE: the longest inline request and the longest `*`/`$` header line.
  size_t max_inline_len = 64 * 1024;
  // client-query-buffer-limit: the most unparsed bytes the parser holds after a read.
  size_t max_query_buffer = 1024ULL * 1024 * 1024;
  // Applied while auth_required() (Redis 7: before AUTH, `*` above 10 and `$` above 16384
  // are refused).
  int64_t unauth_max_multibulk_len = 10;
  int64_t unauth_max_bulk_len = 16384;
};

enum class ParseResult : uint8_t {
  kCommand,   // args() holds a command with at least one argument
  kNeedMore,  // no complete command buffered; read more
  kError,     // protocol error or limit; see error_code() and error()
};

enum class ParseError : uint8_t {
  kNone,
  kInvalidMultibulkLength,  // "Protocol error: invalid multibulk length"
  kInvalidBulkLength,       // "Protocol error: invalid bulk length"
  kExpectedDollar,          // "Protocol error: expected '$', got 'x'"
  kTooBigMultibulkCount,    // "Protocol error: too big mbulk count string"
  kTooBigBulkCount,         // "Protocol error: too big bulk count string"
  kTooBigInline,            // "Protocol error: too big inline request"
  kUnbalancedQuotes,        // "Protocol error: unbalanced quotes in request"
  kUnauthMultibulkLength,   // "Protocol error: unauthenticated multibulk length"
  kUnauthBulkLength,        // "Protocol error: unauthenticated bulk length"
  kQueryBufferLimit,        // no reply: Redis closes the connection silently (and logs)
};

// The exact Redis text for an error code ("" for kNone and kQueryBufferLimit). For
// kExpectedDollar the text depends on the offending byte; use Parser::error() for it.
std::string_view ParseErrorText(ParseError code);

class Parser {
 public:
  // PROTO_IOBUF_LEN: the usual read size.
  static constexpr size_t kReadSize = 16 * 1024;
  // PROTO_MBULK_BIG_ARG: from this bulk length on, reads ask for exactly the missing bytes.
  static constexpr size_t kBigArg = 32 * 1024;

  // REQUIRES: limits != nullptr and outlives the parser.
  explicit Parser(const ParserLimits* limits);
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Returns a writable region at the tail of the buffer for the next read(). Its size is the
  // recommended read length: kReadSize, or for a bulk argument of at least kBigArg bytes the
  // bytes it still misses (as Redis does, so a value up to 1 MB lands in one piece; past
  // that the region is at most as large as what has arrived of it, so a client cannot make
  // the parser allocate by declaring a length it never sends). May compact or grow. After a
  // failure it still works, and what is read is dropped.
  std::span<char> PrepareRead();
  // Appends the first n bytes written into the last PrepareRead() region. Fails the parser
  // (kQueryBufferLimit) if the unparsed bytes now exceed max_query_buffer.
  // REQUIRES: n <= PrepareRead().size(), with no other non-const call in between.
  void CommitRead(size_t n);
  // Copies bytes in: PrepareRead/CommitRead for callers that already hold the data (tests,
  // replication streams). Same limit check as CommitRead, applied to the whole piece.
  void Feed(std::string_view bytes);

  // Parses the next command from the buffered bytes.
  ParseResult Next();
  // The arguments of the command that Next() just returned; binary safe.
  // REQUIRES: the last Next() returned kCommand and no non-const call since.
  std::span<const std::string_view> args() const { return args_; }

  // While true, the stricter unauthenticated limits apply to headers parsed from now on.
  void set_auth_required(bool required) { auth_required_ = required; }
  bool auth_required() const { return auth_required_; }

  bool failed() const { return error_code_ != ParseError::kNone; }
  ParseError error_code() const { return error_code_; }
  // The Redis error text to send as `-ERR <text>`; empty when nothing is to be sent.
  std::string_view error() const { return error_text_; }

  // Bytes held that no returned command has consumed yet.
  size_t buffered_bytes() const { return end_ - cmd_start_; }
  size_t capacity() const { return cap_; }
  // Frees the buffer if no unconsumed bytes are held (call on idle connections).
  void ReleaseIfIdle();
  // Back to the state of a new parser (keeps the limits and the auth flag).
  void Reset();

 private:
  enum class State : uint8_t { kIdle, kMultibulkCount, kBulkHeader, kBulkData, kInline };
  // What one parsing step did; kContinue means "state changed, keep going".
  enum class Step : uint8_t { kContinue, kCommand, kNeedMore, kError };

  // Makes room for `want` bytes after end_; keeps [cmd_start_, end_) and the partial args.
  void Reserve(size_t want);
  void MoveLive(char* dst);
  size_t RecommendedReadSize() const;
  void CheckQueryBuffer();
  // Redis's strchr over its NUL-terminated buffer: offset of `term` at or after scan_, or
  // kNotFound if it is not there yet or a NUL byte comes first.
  size_t FindTerminator(char term);
  Step Fail(ParseError code);
  Step ParseMultibulkCount();
  Step ParseBulkHeader();
  Step ParseInline();
  void EnterState(State state);

  static constexpr size_t kNotFound = ~size_t{0};

  const ParserLimits* limits_;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t cmd_start_ = 0;  // first byte of the command being parsed
  size_t pos_ = 0;        // parse position; [cmd_start_, pos_) is consumed by this command
  size_t end_ = 0;        // end of the bytes read
  size_t scan_ = 0;       // where the terminator search resumes
  bool nul_before_terminator_ = false;
  bool auth_required_ = false;
  State state_ = State::kIdle;
  ParseError error_code_ = ParseError::kNone;
  int64_t args_left_ = 0;  // bulk strings still to come in this multibulk
  int64_t bulk_len_ = 0;   // length of the bulk being read (state kBulkData)
  std::vector<std::string_view> args_;
  std::string error_text_;
};

}  // namespace starling::server::resp
