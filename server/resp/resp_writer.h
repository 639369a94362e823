// Reply writer: appends RESP2 or RESP3 replies to an output buffer.
//
// What it is: an append-only builder of reply bytes, one method per reply kind, encoding each
// the way Redis 7.0 does for the connection's protocol version (HELLO 2 or HELLO 3). Where
// RESP2 has no such type the RESP2 form Redis uses is written instead: a map becomes a flat
// array of 2n elements, a set an array, a double a bulk string, a boolean the integer 1 or 0,
// a verbatim string a bulk string, a push an array, and both nulls `$-1` / `*-1`.
//
// Encoding (RESP3 form / RESP2 form):
//   SimpleString  +text\r\n                  Error     -text\r\n (text is "ERR ...", ...)
//   Integer       :n\r\n                     Bulk      $len\r\n<bytes>\r\n
//   Null          _\r\n / $-1\r\n            NullArray _\r\n / *-1\r\n
//   ArrayHeader   *n\r\n                     MapHeader %n\r\n / *<2n>\r\n
//   SetHeader     ~n\r\n / *n\r\n            PushHeader >n\r\n / *n\r\n
//   Double        ,<%.17g>\r\n / $len\r\n<%.17g>\r\n, infinities as inf and -inf
//   Boolean       #t\r\n #f\r\n / :1\r\n :0\r\n
//   Verbatim      =<len+4>\r\ntxt:<bytes>\r\n / $len\r\n<bytes>\r\n
//
// Ownership: the writer owns its buffer; the event loop sends buffer() and then clears or
// trims it. Threading: none; one writer per connection, used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace starling::server::resp {

// Replies so common they are stored ready-made.
enum class Canned : uint8_t {
  kOk,    // +OK
  kPong,  // +PONG
  kZero,  // :0
  kOne,   // :1
  kNull,  // $-1 in RESP2, _ in RESP3
};

// The bytes of a canned reply for a protocol version (2 or 3).
std::string_view CannedBytes(Canned reply, int protocol);

// Formats v in decimal into out, which must hold at least 20 bytes; returns the length.
// No locale, no snprintf.
size_t FormatInt64(int64_t v, char* out);

class ReplyWriter {
 public:
  // REQUIRES: protocol is 2 or 3.
  explicit ReplyWriter(int protocol = 2) : protocol_(protocol) {}

  int protocol() const { return protocol_; }
  // REQUIRES: protocol is 2 or 3. Applies to replies written from now on (HELLO).
  void set_protocol(int protocol) { protocol_ = protocol; }

  std::string& buffer() { return buf_; }
  const std::string& buffer() const { return buf_; }
  size_t size() const { return buf_.size(); }
  bool empty() const { return buf_.empty(); }
  void Clear() { buf_.clear(); }

  void Write(Canned reply) { buf_.append(CannedBytes(reply, protocol_)); }
  // Bytes that are already valid RESP (a relayed reply, a precomputed constant).
  void Raw(std::string_view bytes) { buf_.append(bytes); }

  // CR and LF in text would break the framing; they are written as spaces, as Redis does
  // for errors.
  void SimpleString(std::string_view text);
  // text is the full error without the leading '-', e.g. "ERR syntax error" or
  // "WRONGTYPE Operation against a key holding the wrong kind of value"; a leading '-' in
  // text is accepted and not doubled.
  void Error(std::string_view text);
  void Integer(int64_t value);
  void Bulk(std::string_view bytes);
  // A bulk string holding the decimal form of value (GET of a counter, INCRBYFLOAT-like).
  void BulkInteger(int64_t value);
  void Null();
  void NullArray();
  void ArrayHeader(size_t n);
  void MapHeader(size_t n);  // n key-value pairs follow
  void SetHeader(size_t n);
  void PushHeader(size_t n);
  void Double(double value);
  void Boolean(bool value);
  // format is the three-byte type, "txt" or "mkd"; any other length is written as "txt".
  void Verbatim(std::string_view text, std::string_view format = "txt");

 private:
  // Appends <prefix><n>\r\n.
  void AppendHeader(char prefix, int64_t n);
  void AppendSanitized(char prefix, std::string_view text);

  int protocol_;
  std::string buf_;
};

}  // namespace starling::server::resp
