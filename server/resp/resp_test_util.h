// Test helpers for the RESP parser, shared by resp_parser_test.cc and resp_parser_fuzz.cc.
//
// Drives a Parser the way the event loop does (read into PrepareRead(), CommitRead(), then
// Next() until it stops) over a byte stream cut into given pieces, and records what came out
// as plain values, so runs over different cuts can be compared. Not for production code.
// Single-threaded.
#pragma once

#include <algorithm>
#include <cstring>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "server/resp/resp_parser.h"

namespace starling::server::resp {

struct Outcome {
  std::vector<std::vector<std::string>> commands;
  ParseError error = ParseError::kNone;
  std::string error_text;

  bool operator==(const Outcome& other) const = default;
};

inline std::string Escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

inline std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  os << "{commands=[";
  for (const auto& cmd : o.commands) {
    os << "[";
    for (size_t i = 0; i < cmd.size(); ++i) {
      os << (i ? " " : "") << '"' << Escape(cmd[i]) << '"';
    }
    os << "]";
  }
  return os << "] error=" << static_cast<int>(o.error) << " \"" << Escape(o.error_text) << "\"}";
}

// Calls Next() until it needs more input or fails, recording commands and the error.
// Returns false once the parser has failed.
inline bool Drain(Parser& parser, Outcome* out) {
  for (;;) {
    const ParseResult r = parser.Next();
    if (r == ParseResult::kCommand) {
      std::vector<std::string> cmd;
      for (std::string_view a : parser.args()) {
        cmd.emplace_back(a);
      }
      out->commands.push_back(std::move(cmd));
      continue;
    }
    if (r == ParseResult::kError) {
      out->error = parser.error_code();
      out->error_text = std::string(parser.error());
      return false;
    }
    return true;
  }
}

// Delivers each piece as the socket would: one or more reads, each at most the size that
// PrepareRead() offers, draining the parser after every read.
inline void DeliverPiece(Parser& parser, std::string_view piece, Outcome* out) {
  while (!piece.empty()) {
    std::span<char> dst = parser.PrepareRead();
    const size_t n = std::min(dst.size(), piece.size());
    std::memcpy(dst.data(), piece.data(), n);
    parser.CommitRead(n);
    piece.remove_prefix(n);
    if (!Drain(parser, out)) {
      return;
    }
  }
}

inline Outcome RunPieces(const std::vector<std::string_view>& pieces, const ParserLimits& limits,
                         bool auth_required = false) {
  Parser parser(&limits);
  parser.set_auth_required(auth_required);
  Outcome out;
  for (std::string_view piece : pieces) {
    DeliverPiece(parser, piece, &out);
    if (parser.failed()) {
      break;
    }
  }
  if (!parser.failed()) {
    Drain(parser, &out);
  }
  return out;
}

// The input cut at the given offsets (ascending, each within the input).
inline std::vector<std::string_view> CutAt(std::string_view input,
                                           const std::vector<size_t>& offsets) {
  std::vector<std::string_view> pieces;
  size_t prev = 0;
  for (size_t off : offsets) {
    pieces.push_back(input.substr(prev, off - prev));
    prev = off;
  }
  pieces.push_back(input.substr(prev));
  return pieces;
}

inline std::vector<std::string_view> Bytewise(std::string_view input) {
  std::vector<std::string_view> pieces;
  for (size_t i = 0; i < input.size(); ++i) {
    pieces.push_back(input.substr(i, 1));
  }
  return pieces;
}

// The commands encoded as RESP2 multibulk requests.
inline std::string EncodeCommands(const std::vector<std::vector<std::string>>& commands) {
  std::string out;
  for (const auto& cmd : commands) {
    out += "*" + std::to_string(cmd.size()) + "\r\n";
    for (const std::string& arg : cmd) {
      out += "$" + std::to_string(arg.size()) + "\r\n";
      out += arg;
      out += "\r\n";
    }
  }
  return out;
}

}  // namespace starling::server::resp
