// Redis's exact error replies, in one place (CONVENTIONS.md 6). Clients match on these
// strings; change one only to match what redis-server 7 sends.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace starling::server::err {

constexpr std::string_view kSyntax = "ERR syntax error";
constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
constexpr std::string_view kNotFloat = "ERR value is not a valid float";
constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
constexpr std::string_view kNanOrInf = "ERR increment would produce NaN or Infinity";
constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
constexpr std::string_view kNoSuchKey = "ERR no such key";
constexpr std::string_view kNoAuth = "NOAUTH Authentication required.";
constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
constexpr std::string_view kAuthNotConfigured =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";
constexpr std::string_view kDbIndexOutOfRange = "ERR DB index is out of range";
constexpr std::string_view kStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
constexpr std::string_view kOffsetOutOfRange = "ERR offset is out of range";
constexpr std::string_view kIndexOutOfRange = "ERR index out of range";
constexpr std::string_view kPositive = "ERR value is out of range, must be positive";
constexpr std::string_view kTimeoutNotFloat = "ERR timeout is not a float or out of range";
constexpr std::string_view kTimeoutNegative = "ERR timeout is negative";
constexpr std::string_view kMinMaxNotFloat = "ERR min or max is not a float";
constexpr std::string_view kMinMaxNotString =
    "ERR min or max not valid string range item";
constexpr std::string_view kScoreNaN = "ERR resulting score is not a number (NaN)";
constexpr std::string_view kNoProto = "NOPROTO unsupported protocol version";
constexpr std::string_view kMaxClients = "ERR max number of clients reached";
constexpr std::string_view kInvalidCursor = "ERR invalid cursor";
constexpr std::string_view kMisconf =
    "MISCONF Starling is configured to persist data, but the last write to disk failed. "
    "Commands that may modify the data set are disabled until the disk accepts writes again. "
    "Please check the Starling logs for details about the error.";

// "ERR wrong number of arguments for 'get' command"
inline std::string WrongArgs(std::string_view cmd) {
  return "ERR wrong number of arguments for '" + std::string(cmd) + "' command";
}

// "ERR invalid expire time in 'set' command"
inline std::string InvalidExpire(std::string_view cmd) {
  return "ERR invalid expire time in '" + std::string(cmd) + "' command";
}

// "ERR unknown subcommand 'foo'. Try CLIENT HELP."
inline std::string UnknownSubcommand(std::string_view sub, std::string_view container) {
  std::string up(container);
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "ERR unknown subcommand '" + std::string(sub.substr(0, 128)) + "'. Try " + up +
         " HELP.";
}

}  // namespace starling::server::err
