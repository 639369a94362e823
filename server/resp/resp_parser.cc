#include "server/resp/resp_parser.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace starling::server::resp {
namespace {

// A fresh buffer holds two reads, so a partial command left at the end of one read never
// forces a reallocation for the next.
constexpr size_t kInitialCapacity = 2 * Parser::kReadSize;
// An idle buffer larger than this is given back rather than reused.
constexpr size_t kShrinkAbove = 1024 * 1024;
// An idle argument vector larger than this is given back too.
constexpr size_t kMaxIdleArgs = 64 * 1024;
// The largest read sized by a bulk's declared length before any of its bytes arrived.
constexpr size_t kTrustedBulkRead = 1024 * 1024;
// Redis reserves min(n, 1024) argv slots up front, however big `*<n>` is.
constexpr int64_t kMaxArgsReserve = 1024;

// Redis's string2ll (util.c): optional '-', no '+', no leading zeros, fewer than 21 bytes.
bool ParseRedisInt(const char* s, size_t len, int64_t* out) {
  if (len == 0 || len >= 21) {
    return false;
  }
  if (len == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    if (++i == len) {
      return false;
    }
  }
  if (s[i] < '1' || s[i] > '9') {
    return false;
  }
  uint64_t v = static_cast<uint64_t>(s[i++] - '0');
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (; i < len; ++i) {
    const unsigned digit = static_cast<unsigned char>(s[i]) - static_cast<unsigned>('0');
    if (digit > 9 || v > kMax / 10) {
      return false;
    }
    v *= 10;
    if (v > kMax - digit) {
      return false;
    }
    v += digit;
  }
  constexpr uint64_t kInt64Max = std::numeric_limits<int64_t>::max();
  if (negative) {
    if (v > kInt64Max + 1) {
      return false;
    }
    *out = static_cast<int64_t>(0 - v);  // modular, well defined in C++20
  } else {
    if (v > kInt64Max) {
      return false;
    }
    *out = static_cast<int64_t>(v);
  }
  return true;
}

// isspace() in the C locale, which sdssplitargs uses to skip blanks.
bool IsBlank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c <= '9') {
    return c - '0';
  }
  return (c | 0x20) - 'a' + 10;
}

// Redis's sdssplitargs (sds.c) over [p, end), writing the unescaped tokens in place: every
// output byte consumes at least one input byte, so the write cursor never passes the read
// cursor. The line holds no NUL byte (FindTerminator guarantees it), so '\0' stands for the
// end of the line exactly as in the C original. Returns false on unbalanced quotes.
bool SplitArgs(char* p, char* end, std::vector<std::string_view>* out) {
  auto at = [end](const char* q) -> char { return q < end ? *q : '\0'; };
  char* w = p;
  for (;;) {
    while (p < end && IsBlank(*p)) {
      ++p;
    }
    if (p == end) {
      return true;
    }
    char* token = w;
    bool in_double = false;
    bool in_single = false;
    bool done = false;
    while (!done) {
      const char c = at(p);
      if (in_double) {
        if (c == '\\' && at(p + 1) == 'x' && IsHexDigit(at(p + 2)) && IsHexDigit(at(p + 3))) {
          *w++ = static_cast<char>(HexValue(at(p + 2)) * 16 + HexValue(at(p + 3)));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          ++p;
          char e = *p;
          switch (e) {
            case 'n':
              e = '\n';
              break;
            case 'r':
              e = '\r';
              break;
            case 't':
              e = '\t';
              break;
            case 'b':
              e = '\b';
              break;
            case 'a':
              e = '\a';
              break;
            default:
              break;
          }
          *w++ = e;
        } else if (c == '"') {
          // A closing quote must be followed by a blank or the end of the line.
          if (at(p + 1) != '\0' && !IsBlank(at(p + 1))) {
            return false;
          }
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          *w++ = c;
        }
      } else if (in_single) {
        if (c == '\\' && at(p + 1) == '\'') {
          ++p;
          *w++ = '\'';
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !IsBlank(at(p + 1))) {
            return false;
          }
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          *w++ = c;
        }
      } else {
        // Only these end a bare token; '\v' and '\f' are skipped between tokens but kept
        // inside one, as in Redis.
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            in_double = true;
            break;
          case '\'':
            in_single = true;
            break;
          default:
            *w++ = c;
            break;
        }
      }
      if (p < end) {
        ++p;
      }
    }
    out->emplace_back(token, static_cast<size_t>(w - token));
  }
}

}  // namespace

std::string_view ParseErrorText(ParseError code) {
  switch (code) {
    case ParseError::kNone:
      return "";
    case ParseError::kInvalidMultibulkLength:
      return "Protocol error: invalid multibulk length";
    case ParseError::kInvalidBulkLength:
      return "Protocol error: invalid bulk length";
    case ParseError::kExpectedDollar:
      return "Protocol error: expected '$', got '?'";
    case ParseError::kTooBigMultibulkCount:
      return "Protocol error: too big mbulk count string";
    case ParseError::kTooBigBulkCount:
      return "Protocol error: too big bulk count string";
    case ParseError::kTooBigInline:
      return "Protocol error: too big inline request";
    case ParseError::kUnbalancedQuotes:
      return "Protocol error: unbalanced quotes in request";
    case ParseError::kUnauthMultibulkLength:
      return "Protocol error: unauthenticated multibulk length";
    case ParseError::kUnauthBulkLength:
      return "Protocol error: unauthenticated bulk length";
    case ParseError::kQueryBufferLimit:
      return "";
  }
  return "";
}

Parser::Parser(const ParserLimits* limits) : limits_(limits) {}

void Parser::Reset() {
  buf_.reset();
  cap_ = cmd_start_ = pos_ = end_ = scan_ = 0;
  nul_before_terminator_ = false;
  state_ = State::kIdle;
  error_code_ = ParseError::kNone;
  args_left_ = bulk_len_ = 0;
  std::vector<std::string_view>().swap(args_);
  error_text_.clear();
}

void Parser::ReleaseIfIdle() {
  if (cmd_start_ != end_ && !failed()) {
    return;
  }
  buf_.reset();
  cap_ = cmd_start_ = pos_ = end_ = scan_ = 0;
  std::vector<std::string_view>().swap(args_);
}

std::span<char> Parser::PrepareRead() {
  const size_t want = RecommendedReadSize();
  Reserve(want);
  return {buf_.get() + end_, want};
}

void Parser::CommitRead(size_t n) {
  if (failed()) {
    return;  // the connection is closing; drop what it still sends
  }
  end_ += n;
  CheckQueryBuffer();
}

void Parser::Feed(std::string_view bytes) {
  if (failed() || bytes.empty()) {
    return;
  }
  Reserve(bytes.size());
  std::memcpy(buf_.get() + end_, bytes.data(), bytes.size());
  end_ += bytes.size();
  CheckQueryBuffer();
}

size_t Parser::RecommendedReadSize() const {
  if (state_ == State::kBulkData && static_cast<uint64_t>(bulk_len_) >= kBigArg) {
    const size_t need = static_cast<size_t>(bulk_len_) + 2;
    const size_t have = end_ - pos_;
    if (have < need) {
      // Redis sizes the read by the declared length alone, so one `$536870912` line costs it
      // 512 MB. We trust a declared length only up to kTrustedBulkRead, then ask for at
      // most as much again as has arrived: memory follows the bytes a client really sends,
      // and the buffer still grows geometrically.
      size_t want = std::min(need - have, std::max(kTrustedBulkRead, have));
      // Reading past the query-buffer limit only to fail would be wasted memory.
      if (limits_->max_query_buffer < want) {
        want = limits_->max_query_buffer + 1;
      }
      return std::max<size_t>(1, want);
    }
  }
  return kReadSize;
}

void Parser::CheckQueryBuffer() {
  // As Redis after each read: the bytes not yet parsed into arguments (the query buffer
  // past qb_pos) must fit. Arguments already parsed do not count, as in Redis, whose
  // argv holds them outside the query buffer.
  if (end_ - pos_ > limits_->max_query_buffer) {
    Fail(ParseError::kQueryBufferLimit);
  }
}

void Parser::Reserve(size_t want) {
  if (cmd_start_ == end_) {
    // Nothing live: start over at offset 0 rather than move bytes later.
    cmd_start_ = pos_ = end_ = scan_ = 0;
    args_.clear();  // the last command's arguments die here, as documented
    if (cap_ > kShrinkAbove && want <= cap_ / 4) {
      buf_.reset();
      cap_ = 0;
    }
    if (args_.capacity() > kMaxIdleArgs) {
      std::vector<std::string_view>().swap(args_);
    }
  }
  if (cap_ - end_ >= want) {
    return;
  }
  const size_t live = end_ - cmd_start_;
  // Shift in place only when the consumed prefix is at least as large as what moves, so
  // the copying is paid for by consumed bytes; otherwise grow geometrically.
  if (cmd_start_ >= live && cap_ - live >= want) {
    MoveLive(buf_.get());
    return;
  }
  const size_t new_cap = std::max({cap_ * 2, live + want, kInitialCapacity});
  std::unique_ptr<char[]> fresh = std::make_unique_for_overwrite<char[]>(new_cap);
  MoveLive(fresh.get());
  buf_ = std::move(fresh);
  cap_ = new_cap;
}

void Parser::MoveLive(char* dst) {
  const size_t live = end_ - cmd_start_;
  if (state_ == State::kBulkHeader || state_ == State::kBulkData) {
    // The arguments parsed so far belong to the partial command and move with it.
    const char* src = buf_.get() + cmd_start_;
    for (std::string_view& arg : args_) {
      arg = std::string_view(dst + (arg.data() - src), arg.size());
    }
  } else {
    args_.clear();  // a returned command's arguments die here, as documented
  }
  if (live > 0) {
    std::memmove(dst, buf_.get() + cmd_start_, live);
  }
  pos_ -= cmd_start_;
  end_ -= cmd_start_;
  scan_ = std::max(scan_, cmd_start_) - cmd_start_;
  cmd_start_ = 0;
}

size_t Parser::FindTerminator(char term) {
  if (nul_before_terminator_) {
    return kNotFound;
  }
  const char* b = buf_.get();
  for (size_t i = scan_; i < end_; ++i) {
    const char c = b[i];
    if (c == term) {
      scan_ = i;
      return i;
    }
    if (c == '\0') {
      nul_before_terminator_ = true;
      return kNotFound;
    }
  }
  scan_ = end_;
  return kNotFound;
}

void Parser::EnterState(State state) {
  state_ = state;
  scan_ = pos_;
  nul_before_terminator_ = false;
}

Parser::Step Parser::Fail(ParseError code) {
  error_code_ = code;
  if (code != ParseError::kExpectedDollar) {
    error_text_ = ParseErrorText(code);
  }
  // Nothing more is parsed; give the memory back now rather than at close.
  state_ = State::kIdle;
  buf_.reset();
  cap_ = cmd_start_ = pos_ = end_ = scan_ = 0;
  args_.clear();
  return Step::kError;
}

Parser::Step Parser::ParseMultibulkCount() {
  const size_t line = pos_;
  const size_t cr = FindTerminator('\r');
  // Redis fails once more than max_inline_len bytes sit before the '\r'; deciding on the
  // '\r' position (not on how much was read) gives the same answer however input is split.
  if ((cr == kNotFound ? end_ : cr) - line > limits_->max_inline_len) {
    return Fail(ParseError::kTooBigMultibulkCount);
  }
  if (cr == kNotFound || cr + 1 >= end_) {
    return Step::kNeedMore;  // Redis needs one byte after '\r' and never checks it is '\n'
  }
  int64_t n = 0;
  if (!ParseRedisInt(buf_.get() + line + 1, cr - line - 1, &n) || n > limits_->max_multibulk_len) {
    return Fail(ParseError::kInvalidMultibulkLength);
  }
  if (auth_required_ && n > limits_->unauth_max_multibulk_len) {
    return Fail(ParseError::kUnauthMultibulkLength);
  }
  pos_ = cr + 2;
  if (n <= 0) {
    EnterState(State::kIdle);  // `*0` and `*-1` are skipped, as Redis does
    return Step::kContinue;
  }
  args_left_ = n;
  const size_t reserve = static_cast<size_t>(std::min(n, kMaxArgsReserve));
  if (args_.capacity() < reserve) {
    args_.reserve(reserve);
  }
  EnterState(State::kBulkHeader);
  return Step::kContinue;
}

Parser::Step Parser::ParseBulkHeader() {
  const size_t line = pos_;
  const size_t cr = FindTerminator('\r');
  if ((cr == kNotFound ? end_ : cr) - line > limits_->max_inline_len) {
    return Fail(ParseError::kTooBigBulkCount);
  }
  if (cr == kNotFound || cr + 1 >= end_) {
    return Step::kNeedMore;
  }
  const char* b = buf_.get();
  if (b[line] != '$') {
    // Redis formats the byte with %c and then maps CR and LF to spaces.
    const char got = (b[line] == '\r' || b[line] == '\n') ? ' ' : b[line];
    Fail(ParseError::kExpectedDollar);
    error_text_ = "Protocol error: expected '$', got '";
    error_text_ += got;
    error_text_ += '\'';
    return Step::kError;
  }
  int64_t n = 0;
  if (!ParseRedisInt(b + line + 1, cr - line - 1, &n) || n < 0 || n > limits_->max_bulk_len) {
    return Fail(ParseError::kInvalidBulkLength);
  }
  if (auth_required_ && n > limits_->unauth_max_bulk_len) {
    return Fail(ParseError::kUnauthBulkLength);
  }
  pos_ = cr + 2;
  bulk_len_ = n;
  state_ = State::kBulkData;
  return Step::kContinue;
}

Parser::Step Parser::ParseInline() {
  const size_t line = pos_;
  const size_t nl = FindTerminator('\n');
  if ((nl == kNotFound ? end_ : nl) - line > limits_->max_inline_len) {
    return Fail(ParseError::kTooBigInline);
  }
  if (nl == kNotFound) {
    return Step::kNeedMore;
  }
  char* b = buf_.get();
  size_t line_end = nl;
  if (line_end > line && b[line_end - 1] == '\r') {
    --line_end;
  }
  if (!SplitArgs(b + line, b + line_end, &args_)) {
    return Fail(ParseError::kUnbalancedQuotes);
  }
  pos_ = nl + 1;
  EnterState(State::kIdle);
  return args_.empty() ? Step::kContinue : Step::kCommand;  // empty lines are skipped
}

ParseResult Parser::Next() {
  if (failed()) {
    return ParseResult::kError;
  }
  for (;;) {
    Step step = Step::kContinue;
    switch (state_) {
      case State::kIdle:
        args_.clear();
        cmd_start_ = pos_;
        if (pos_ == end_) {
          cmd_start_ = pos_ = end_ = 0;  // all consumed: rewind for free
          return ParseResult::kNeedMore;
        }
        EnterState(buf_[pos_] == '*' ? State::kMultibulkCount : State::kInline);
        break;
      case State::kMultibulkCount:
        step = ParseMultibulkCount();
        break;
      case State::kBulkHeader:
        step = ParseBulkHeader();
        break;
      case State::kBulkData: {
        // Redis skips the two bytes after the data without checking they are "\r\n".
        const size_t need = static_cast<size_t>(bulk_len_) + 2;
        if (end_ - pos_ < need) {
          return ParseResult::kNeedMore;
        }
        args_.emplace_back(buf_.get() + pos_, static_cast<size_t>(bulk_len_));
        pos_ += need;
        if (--args_left_ == 0) {
          EnterState(State::kIdle);
          step = Step::kCommand;
        } else {
          EnterState(State::kBulkHeader);
        }
        break;
      }
      case State::kInline:
        step = ParseInline();
        break;
    }
    switch (step) {
      case Step::kContinue:
        break;
      case Step::kCommand:
        cmd_start_ = pos_;
        return ParseResult::kCommand;
      case Step::kNeedMore:
        return ParseResult::kNeedMore;
      case Step::kError:
        return ParseResult::kError;
    }
  }
}

}  // namespace starling::server::resp
