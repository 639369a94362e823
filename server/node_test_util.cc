#include "server/node_test_util.h"

#include <cstdlib>

namespace starling::server::testing {
namespace {

std::string Line(std::string_view b, size_t* pos) {
  size_t e = b.find("\r\n", *pos);
  if (e == std::string_view::npos) e = b.size();
  std::string out(b.substr(*pos, e - *pos));
  *pos = std::min(b.size(), e + 2);
  return out;
}

}  // namespace

std::string RenderReply(std::string_view b, size_t* pos) {
  if (*pos >= b.size()) return "<no reply>";
  char t = b[*pos];
  ++*pos;
  std::string line = Line(b, pos);
  switch (t) {
    case '+':
      return line;
    case '-':
      return "(error) " + line;
    case ':':
      return "(integer) " + line;
    case '(':
      return "(big) " + line;
    case ',':
      return "(double) " + line;
    case '#':
      return line == "t" ? "(true)" : "(false)";
    case '_':
      return "(nil)";
    case '$':
    case '=': {
      long n = std::strtol(line.c_str(), nullptr, 10);
      if (n < 0) return "(nil)";
      std::string data(b.substr(*pos, static_cast<size_t>(n)));
      *pos += static_cast<size_t>(n) + 2;
      return "\"" + data + "\"";
    }
    case '*':
    case '~':
    case '>': {
      long n = std::strtol(line.c_str(), nullptr, 10);
      if (n < 0) return "(nil)";
      std::string out = "[";
      for (long i = 0; i < n; ++i) {
        if (i) out += ", ";
        out += RenderReply(b, pos);
      }
      return out + "]";
    }
    case '%': {
      long n = std::strtol(line.c_str(), nullptr, 10);
      std::string out = "{";
      for (long i = 0; i < n; ++i) {
        if (i) out += ", ";
        out += RenderReply(b, pos);
        out += ": ";
        out += RenderReply(b, pos);
      }
      return out + "}";
    }
  }
  return "<bad reply " + std::string(1, t) + line + ">";
}

NodeFixture::NodeFixture(uint64_t seed)
    : clock(1'700'000'000'000'000, 0),
      random(seed),
      node(Node::Env{clock, random, engine, [] { return ProcessInfo{}; }}, Config(), 0x5eed) {
  Status st = node.Start();
  (void)st;
  session = &node.OpenSession("127.0.0.1:1", "127.0.0.1:6379", -1);
}

std::string NodeFixture::Run(Session& s, std::initializer_list<std::string_view> args) {
  std::vector<std::string_view> v(args);
  node.Execute(s, v);
  node.EndOfTurn();
  return TakeOutput(s);
}

std::string NodeFixture::Run(Session& s, const std::vector<std::string>& args) {
  std::vector<std::string_view> v(args.begin(), args.end());
  node.Execute(s, v);
  node.EndOfTurn();
  return TakeOutput(s);
}

std::string NodeFixture::RunRaw(std::initializer_list<std::string_view> args) {
  std::vector<std::string_view> v(args);
  node.Execute(*session, v);
  std::string out = session->out.buffer();
  session->out.Clear();
  return out;
}

std::string NodeFixture::TakeOutput(Session& s) {
  std::string bytes = s.out.buffer();
  s.out.Clear();
  if (bytes.empty()) return "";
  size_t pos = 0;
  std::string out = RenderReply(bytes, &pos);
  while (pos < bytes.size()) out += " | " + RenderReply(bytes, &pos);
  return out;
}

void NodeFixture::Advance(int64_t ms) {
  clock.Advance(ms * 1000);
  node.OnTimer();
  node.ExpireBlocked();
}

}  // namespace starling::server::testing
