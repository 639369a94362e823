// Redis's number syntax and formatting, shared by the lattice views (a counter's visible
// value) and the command layer (argument parsing). Matches Redis 7: string2ll, string2ld,
// and ld2string in LD_STR_HUMAN mode.
#pragma once

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace starling::lattice {

// Redis string2ll: optional '-', then digits with no leading zeros (except "0" itself),
// no spaces, no '+', within int64.
inline std::optional<int64_t> ParseInt64(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() == 1 && s[0] == '0') return 0;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
    if (s.size() == 1) return std::nullopt;
  }
  if (s[i] < '1' || s[i] > '9') return std::nullopt;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    if (v > (UINT64_MAX - (s[i] - '0')) / 10) return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  if (neg) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - v);
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(v);
}

// Redis string2ld: strtold over the whole string; no leading space, not NaN.
inline std::optional<long double> ParseLongDouble(std::string_view s) {
  if (s.empty() || s.size() >= 5120) return std::nullopt;
  if (std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  std::string buf(s);
  char* end = nullptr;
  errno = 0;
  long double v = std::strtold(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO)) {
    return std::nullopt;
  }
  return v;
}

// Redis getDoubleFromObject for doubles (scores, INCRBYFLOAT increments use ld): strtod
// over the whole string; no leading space, not NaN. "inf", "+inf", "-inf" are accepted as
// in Redis; a literal that overflows to infinity or underflows to zero is refused, while
// one that rounds to a subnormal (strtod's ERANGE with a non-zero result) is accepted.
inline std::optional<double> ParseDouble(std::string_view s) {
  if (s.empty() || s.size() >= 5120) return std::nullopt;
  if (std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  std::string buf(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && (std::isinf(v) || v == 0)) return std::nullopt;
  return v;
}

// Redis ld2string(LD_STR_HUMAN): "%.17Lf" with trailing zeros (and a bare '.') removed,
// "-0" printed as "0". Infinite values print as "inf"/"-inf" (callers refuse them first).
inline std::string FormatLongDouble(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[5200];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) return "0";
  std::string s(buf, static_cast<size_t>(n));
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

// Doubles as Redis 7.0 replies them (addReplyDouble / RESP2 bulk): "%.17g", inf as
// "inf"/"-inf".
inline std::string FormatDouble(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace starling::lattice
