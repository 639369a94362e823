#include "server/glob.h"

#include <cctype>

namespace starling::server {
namespace {

char Fold(char c, bool nocase) {
  return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Matches one character class starting after '['; advances p past the closing ']'.
bool MatchClass(std::string_view pat, size_t& p, char c, bool nocase) {
  bool negate = p < pat.size() && pat[p] == '^';
  if (negate) ++p;
  bool match = false;
  while (p < pat.size() && pat[p] != ']') {
    if (pat[p] == '\\' && p + 1 < pat.size()) {
      ++p;
      if (Fold(pat[p], nocase) == Fold(c, nocase)) match = true;
      ++p;
    } else if (p + 2 < pat.size() && pat[p + 1] == '-') {
      unsigned char lo = static_cast<unsigned char>(Fold(pat[p], nocase));
      unsigned char hi = static_cast<unsigned char>(Fold(pat[p + 2], nocase));
      if (lo > hi) std::swap(lo, hi);
      unsigned char x = static_cast<unsigned char>(Fold(c, nocase));
      if (x >= lo && x <= hi) match = true;
      p += 3;
    } else {
      if (Fold(pat[p], nocase) == Fold(c, nocase)) match = true;
      ++p;
    }
  }
  if (p < pat.size()) ++p;  // ']'; an unterminated class ends the pattern (as in Redis)
  return negate ? !match : match;
}

}  // namespace

bool GlobMatch(std::string_view pat, std::string_view str, bool nocase) {
  // Classic iterative matcher: remember the last '*' and retry from there on mismatch.
  size_t p = 0, s = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (s < str.size()) {
    if (p < pat.size()) {
      char pc = pat[p];
      if (pc == '*') {
        while (p < pat.size() && pat[p] == '*') ++p;
        if (p == pat.size()) return true;
        star_p = p;
        star_s = s;
        continue;
      }
      if (pc == '?') {
        ++p;
        ++s;
        continue;
      }
      if (pc == '[') {
        size_t q = p + 1;
        if (MatchClass(pat, q, str[s], nocase)) {
          p = q;
          ++s;
          continue;
        }
      } else {
        if (pc == '\\' && p + 1 < pat.size()) {
          if (Fold(pat[p + 1], nocase) == Fold(str[s], nocase)) {
            p += 2;
            ++s;
            continue;
          }
        } else if (Fold(pc, nocase) == Fold(str[s], nocase)) {
          ++p;
          ++s;
          continue;
        }
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    s = ++star_s;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

}  // namespace starling::server
