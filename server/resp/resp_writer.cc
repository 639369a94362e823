#include "server/resp/resp_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace starling::server::resp {
namespace {

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes the decimal digits of v so that they end just before `end`; returns the first.
char* FormatBackward(uint64_t v, char* end) {
  while (v >= 100) {
    end -= 2;
    std::memcpy(end, kDigitPairs + (v % 100) * 2, 2);
    v /= 100;
  }
  if (v >= 10) {
    end -= 2;
    std::memcpy(end, kDigitPairs + v * 2, 2);
  } else {
    *--end = static_cast<char>('0' + v);
  }
  return end;
}

// Writes the signed decimal form of v ending just before `end`; returns the first byte.
char* FormatSignedBackward(int64_t v, char* end) {
  // 0 - u is the magnitude even for INT64_MIN, whose negation overflows int64_t.
  const uint64_t u = static_cast<uint64_t>(v);
  if (v >= 0) {
    return FormatBackward(u, end);
  }
  char* p = FormatBackward(0 - u, end);
  *--p = '-';
  return p;
}

// %.17g, the format Redis 7.0 uses for doubles; to_chars gives the same text with no locale.
// REQUIRES: out holds at least 32 bytes; value is not infinite.
size_t FormatDouble(double value, char* out) {
  const std::to_chars_result r =
      std::to_chars(out, out + 32, value, std::chars_format::general, 17);
  return static_cast<size_t>(r.ptr - out);
}

}  // namespace

std::string_view CannedBytes(Canned reply, int protocol) {
  switch (reply) {
    case Canned::kOk:
      return "+OK\r\n";
    case Canned::kPong:
      return "+PONG\r\n";
    case Canned::kZero:
      return ":0\r\n";
    case Canned::kOne:
      return ":1\r\n";
    case Canned::kNull:
      return protocol >= 3 ? std::string_view("_\r\n") : std::string_view("$-1\r\n");
  }
  return "";
}

size_t FormatInt64(int64_t v, char* out) {
  char tmp[20];
  char* end = tmp + sizeof(tmp);
  char* first = FormatSignedBackward(v, end);
  const size_t len = static_cast<size_t>(end - first);
  std::memcpy(out, first, len);
  return len;
}

void ReplyWriter::AppendHeader(char prefix, int64_t n) {
  char tmp[24];
  char* end = tmp + sizeof(tmp);
  end[-2] = '\r';
  end[-1] = '\n';
  char* p = FormatSignedBackward(n, end - 2);
  *--p = prefix;
  buf_.append(p, static_cast<size_t>(end - p));
}

void ReplyWriter::AppendSanitized(char prefix, std::string_view text) {
  const size_t start = buf_.size();
  buf_.reserve(start + text.size() + 3);
  buf_.push_back(prefix);
  buf_.append(text);
  for (size_t i = start + 1; i < buf_.size(); ++i) {
    if (buf_[i] == '\r' || buf_[i] == '\n') {
      buf_[i] = ' ';
    }
  }
  buf_.append("\r\n", 2);
}

void ReplyWriter::SimpleString(std::string_view text) { AppendSanitized('+', text); }

void ReplyWriter::Error(std::string_view text) {
  if (!text.empty() && text.front() == '-') {
    text.remove_prefix(1);
  }
  AppendSanitized('-', text);
}

void ReplyWriter::Integer(int64_t value) {
  if (value == 0 || value == 1) {
    Write(value == 0 ? Canned::kZero : Canned::kOne);
    return;
  }
  AppendHeader(':', value);
}

void ReplyWriter::Bulk(std::string_view bytes) {
  AppendHeader('$', static_cast<int64_t>(bytes.size()));
  buf_.append(bytes);
  buf_.append("\r\n", 2);
}

void ReplyWriter::BulkInteger(int64_t value) {
  char tmp[32];
  char* end = tmp + sizeof(tmp);
  end[-2] = '\r';
  end[-1] = '\n';
  char* first = FormatSignedBackward(value, end - 2);
  const int64_t digits = (end - 2) - first;
  *--first = '\n';
  *--first = '\r';
  // At most 20 digits, so the length is one or two digits.
  if (digits >= 10) {
    *--first = static_cast<char>('0' + digits % 10);
    *--first = static_cast<char>('0' + digits / 10);
  } else {
    *--first = static_cast<char>('0' + digits);
  }
  *--first = '$';
  buf_.append(first, static_cast<size_t>(end - first));
}

void ReplyWriter::Null() { Write(Canned::kNull); }

void ReplyWriter::NullArray() {
  buf_.append(protocol_ >= 3 ? std::string_view("_\r\n") : std::string_view("*-1\r\n"));
}

void ReplyWriter::ArrayHeader(size_t n) { AppendHeader('*', static_cast<int64_t>(n)); }

void ReplyWriter::MapHeader(size_t n) {
  if (protocol_ >= 3) {
    AppendHeader('%', static_cast<int64_t>(n));
  } else {
    AppendHeader('*', static_cast<int64_t>(2 * n));
  }
}

void ReplyWriter::SetHeader(size_t n) {
  AppendHeader(protocol_ >= 3 ? '~' : '*', static_cast<int64_t>(n));
}

void ReplyWriter::PushHeader(size_t n) {
  // Redis sends pub/sub messages to RESP2 clients as plain arrays.
  AppendHeader(protocol_ >= 3 ? '>' : '*', static_cast<int64_t>(n));
}

void ReplyWriter::Double(double value) {
  if (std::isinf(value)) {
    // Redis spells infinities itself rather than trust the libc.
    if (protocol_ >= 3) {
      buf_.append(value > 0 ? std::string_view(",inf\r\n") : std::string_view(",-inf\r\n"));
    } else {
      buf_.append(value > 0 ? std::string_view("$3\r\ninf\r\n")
                            : std::string_view("$4\r\n-inf\r\n"));
    }
    return;
  }
  char tmp[32];
  const size_t len = FormatDouble(value, tmp);
  if (protocol_ >= 3) {
    buf_.push_back(',');
    buf_.append(tmp, len);
    buf_.append("\r\n", 2);
  } else {
    Bulk(std::string_view(tmp, len));
  }
}

void ReplyWriter::Boolean(bool value) {
  if (protocol_ >= 3) {
    buf_.append(value ? std::string_view("#t\r\n") : std::string_view("#f\r\n"));
  } else {
    Write(value ? Canned::kOne : Canned::kZero);
  }
}

void ReplyWriter::Verbatim(std::string_view text, std::string_view format) {
  if (protocol_ < 3) {
    Bulk(text);
    return;
  }
  if (format.size() != 3) {
    format = "txt";  // the header counts exactly three bytes of type
  }
  AppendHeader('=', static_cast<int64_t>(text.size() + 4));
  buf_.append(format);
  buf_.push_back(':');
  buf_.append(text);
  buf_.append("\r\n", 2);
}

}  // namespace starling::server::resp
