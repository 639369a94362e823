#include "server/command.h"

#include "lattice/hash.h"
#include "lattice/numbers.h"
#include "server/errors.h"
#include "server/node.h"
#include "server/session.h"

namespace starling::server {

std::vector<std::string_view> CommandFlagNames(uint32_t flags) {
  static constexpr std::string_view kNames[] = {
      "write",     "readonly", "denyoom",        "admin",          "pubsub",
      "noscript",  "blocking", "loading",        "stale",          "no_auth",
      "fast",      "may_replicate", "no_mandatory_keys", "allow_busy", "skip_slowlog",
      "no_multi"};
  std::vector<std::string_view> out;
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (flags & (1u << i)) out.push_back(kNames[i]);
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x != y && std::tolower(x) != std::tolower(y)) return false;
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

size_t CommandTable::CaseHash::operator()(std::string_view s) const {
  char buf[64];
  if (s.size() > sizeof(buf)) return lattice::Hash64(ToLower(s));
  for (size_t i = 0; i < s.size(); ++i) {
    buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
  }
  return lattice::Hash64(std::string_view(buf, s.size()));
}

void CommandTable::Register(std::span<const CommandSpec> specs) {
  for (const CommandSpec& s : specs) {
    if (by_name_.emplace(s.name, &s).second) all_.push_back(&s);
  }
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const CommandSpec* CommandTable::FindSub(const CommandSpec& container, std::string_view sub) {
  for (const CommandSpec& s : container.subcommands) {
    if (EqualsIgnoreCase(s.name, sub)) return &s;
  }
  return nullptr;
}

std::vector<size_t> KeyIndexes(const CommandSpec& spec, std::span<const std::string_view> args) {
  std::vector<size_t> out;
  if (spec.first_key > 0) {
    int64_t argc = static_cast<int64_t>(args.size());
    int64_t last = spec.last_key < 0 ? argc + spec.last_key : spec.last_key;
    int64_t step = spec.key_step > 0 ? spec.key_step : 1;
    for (int64_t i = spec.first_key; i <= last && i < argc; i += step) {
      out.push_back(static_cast<size_t>(i));
    }
  }
  if (spec.key_finder) spec.key_finder(args, &out);
  return out;
}

CommandContext::CommandContext(Node& n, Session& s, std::span<const std::string_view> a,
                               const CommandSpec& sp)
    : node(n), session(s), args(a), spec(sp) {}

resp::ReplyWriter& CommandContext::reply() { return session.out; }

std::string_view ArgParser::Next() {
  if (Done()) {
    Fail(err::kSyntax);
    return {};
  }
  return args_[pos_++];
}

bool ArgParser::Match(std::string_view token) {
  if (Done() || !EqualsIgnoreCase(args_[pos_], token)) return false;
  ++pos_;
  return true;
}

int64_t ArgParser::Int() {
  std::string_view s = Next();
  if (!ok()) return 0;
  auto v = lattice::ParseInt64(s);
  if (!v) {
    Fail(err::kNotInteger);
    return 0;
  }
  return *v;
}

int64_t ArgParser::IntInRange(int64_t lo, int64_t hi, std::string_view error) {
  std::string_view s = Next();
  if (!ok()) return 0;
  auto v = lattice::ParseInt64(s);
  if (!v) {
    Fail(err::kNotInteger);
    return 0;
  }
  if (*v < lo || *v > hi) {
    Fail(error);
    return 0;
  }
  return *v;
}

double ArgParser::Double() {
  std::string_view s = Next();
  if (!ok()) return 0;
  auto v = lattice::ParseDouble(s);
  if (!v) {
    Fail(err::kNotFloat);
    return 0;
  }
  return *v;
}

long double ArgParser::LongDouble() {
  std::string_view s = Next();
  if (!ok()) return 0;
  auto v = lattice::ParseLongDouble(s);
  if (!v) {
    Fail(err::kNotFloat);
    return 0;
  }
  return *v;
}

void ArgParser::Fail(std::string_view error) {
  if (error_.empty()) error_ = std::string(error);
}

}  // namespace starling::server
