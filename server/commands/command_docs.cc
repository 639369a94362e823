#include "server/commands/command_docs.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace starling::server {
namespace {

// ---- Lexer.

struct Lexeme {
  enum Kind { kEnd, kOpen, kClose, kOpenOpt, kCloseOpt, kBar, kEllipsis, kToken, kArg, kLabel };
  Kind kind = kEnd;
  std::string text;  // token text, argument or label name
  std::string type;  // annotation of an argument ("" if none)
  size_t pos = 0;    // column, for errors
};

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Result<Lexeme> Next() {
    while (i_ < s_.size() && s_[i_] == ' ')
      ++i_;
    Lexeme l;
    l.pos = i_;
    if (i_ >= s_.size())
      return l;
    char c = s_[i_];
    switch (c) {
      case '(':
        ++i_, l.kind = Lexeme::kOpen;
        return l;
      case ')':
        ++i_, l.kind = Lexeme::kClose;
        return l;
      case '[':
        ++i_, l.kind = Lexeme::kOpenOpt;
        return l;
      case ']':
        ++i_, l.kind = Lexeme::kCloseOpt;
        return l;
      case '|':
        ++i_, l.kind = Lexeme::kBar;
        return l;
      default:
        break;
    }
    if (s_.substr(i_, 3) == "...") {
      i_ += 3;
      l.kind = Lexeme::kEllipsis;
      return l;
    }
    if (c == '"') {
      size_t end = s_.find('"', i_ + 1);
      if (end == std::string_view::npos || end == i_ + 1)
        return Error(i_, "bad quoted token");
      l.kind = Lexeme::kToken;
      l.text = std::string(s_.substr(i_ + 1, end - i_ - 1));
      i_ = end + 1;
      return l;
    }
    size_t start = i_;
    while (i_ < s_.size() && IsWordChar(s_[i_]))
      ++i_;
    if (i_ == start)
      return Error(start, std::string("unexpected '") + c + "'");
    std::string word(s_.substr(start, i_ - start));
    bool has_lower = std::any_of(word.begin(), word.end(), [](char ch) {
      return std::islower(static_cast<unsigned char>(ch));
    });
    bool has_upper = std::any_of(word.begin(), word.end(), [](char ch) {
      return std::isupper(static_cast<unsigned char>(ch));
    });
    if (has_lower && has_upper)
      return Error(start, "mixed-case word '" + word + "'");
    if (!std::isalpha(static_cast<unsigned char>(word[0]))) {
      return Error(start, "word '" + word + "' must start with a letter");
    }
    if (i_ < s_.size() && s_[i_] == ':') {
      if (!has_lower)
        return Error(start, "a token cannot have a type: '" + word + "'");
      size_t tstart = ++i_;
      while (i_ < s_.size() && IsWordChar(s_[i_]))
        ++i_;
      l.text = std::move(word);
      if (i_ == tstart) {
        l.kind = Lexeme::kLabel;
        return l;
      }
      l.type = std::string(s_.substr(tstart, i_ - tstart));
    } else {
      l.text = std::move(word);
    }
    l.kind = has_lower ? Lexeme::kArg : Lexeme::kToken;
    return l;
  }

 private:
  static Status Error(size_t pos, const std::string& what) {
    return Status::InvalidArgument("at column " + std::to_string(pos) + ": " + what);
  }

  std::string_view s_;
  size_t i_ = 0;
};

// ---- Parser: recursive descent over the lexemes (grammar in command_docs.h).

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string JoinNames(const std::vector<DocArg>& args) {
  std::string out;
  for (const DocArg& a : args) {
    if (!out.empty())
      out += '-';
    out += a.name;
  }
  return out;
}

Result<ArgType> TypeFromAnnotation(const Lexeme& l) {
  if (l.type.empty())
    return l.text == "key" ? ArgType::kKey : ArgType::kString;
  static constexpr std::pair<std::string_view, ArgType> kTypes[] = {
      {"string", ArgType::kString},   {"integer", ArgType::kInteger},
      {"double", ArgType::kDouble},   {"key", ArgType::kKey},
      {"pattern", ArgType::kPattern}, {"unix-time", ArgType::kUnixTime}};
  for (const auto& [name, t] : kTypes) {
    if (l.type == name)
      return t;
  }
  return Status::InvalidArgument("at column " + std::to_string(l.pos) + ": unknown type '" +
                                 l.type + "'");
}

class Parser {
 public:
  explicit Parser(std::string_view s) : lexer_(s) {}

  Result<std::vector<DocArg>> ParseAll() {
    STARLING_RETURN_IF_ERROR(Advance());
    std::vector<DocArg> out;
    STARLING_RETURN_IF_ERROR(ParseSequence(&out));
    if (cur_.kind != Lexeme::kEnd)
      return Fail("unexpected '" + Describe(cur_) + "'");
    return out;
  }

 private:
  Status Advance() {
    Result<Lexeme> l = lexer_.Next();
    if (!l.ok())
      return l.status();
    cur_ = std::move(*l);
    return Status::Ok();
  }

  Status Fail(const std::string& what) const {
    return Status::InvalidArgument("at column " + std::to_string(cur_.pos) + ": " + what);
  }

  static std::string Describe(const Lexeme& l) {
    switch (l.kind) {
      case Lexeme::kEnd:
        return "end";
      case Lexeme::kOpen:
        return "(";
      case Lexeme::kClose:
        return ")";
      case Lexeme::kOpenOpt:
        return "[";
      case Lexeme::kCloseOpt:
        return "]";
      case Lexeme::kBar:
        return "|";
      case Lexeme::kEllipsis:
        return "...";
      case Lexeme::kLabel:
        return l.text + ":";
      default:
        return l.text;
    }
  }

  // Items until ')', ']', '|' or the end.
  Status ParseSequence(std::vector<DocArg>* out) {
    while (cur_.kind != Lexeme::kEnd && cur_.kind != Lexeme::kClose &&
           cur_.kind != Lexeme::kCloseOpt && cur_.kind != Lexeme::kBar) {
      DocArg item;
      STARLING_RETURN_IF_ERROR(ParseItem(&item));
      out->push_back(std::move(item));
    }
    return Status::Ok();
  }

  Status ParseItem(DocArg* out) {
    bool single_from_group = false;
    switch (cur_.kind) {
      case Lexeme::kToken: {
        std::string token = cur_.text;
        STARLING_RETURN_IF_ERROR(Advance());
        if (cur_.kind == Lexeme::kArg) {
          STARLING_RETURN_IF_ERROR(ParseArgument(out));
          out->token = std::move(token);
        } else if (cur_.kind == Lexeme::kOpen) {
          STARLING_RETURN_IF_ERROR(ParseGroup(token, out, &single_from_group));
        } else {
          out->name = Lower(token);
          out->type = ArgType::kPureToken;
          out->token = std::move(token);
        }
        break;
      }
      case Lexeme::kArg:
        STARLING_RETURN_IF_ERROR(ParseArgument(out));
        break;
      case Lexeme::kOpen:
      case Lexeme::kOpenOpt:
        STARLING_RETURN_IF_ERROR(ParseGroup("", out, &single_from_group));
        break;
      case Lexeme::kEllipsis:
        return Fail("'...' must follow an argument or a group");
      case Lexeme::kLabel:
        return Fail("label '" + cur_.text + ":' must start a group");
      default:
        return Fail("unexpected '" + Describe(cur_) + "'");
    }
    if (cur_.kind == Lexeme::kEllipsis) {
      if (out->multiple)
        return Fail("repetition of a repetition");
      out->multiple = true;
      // `(TOKEN arg)...` repeats the token too.
      if (single_from_group && !out->token.empty() && out->type != ArgType::kPureToken) {
        out->multiple_token = true;
      }
      STARLING_RETURN_IF_ERROR(Advance());
    }
    return Status::Ok();
  }

  Status ParseArgument(DocArg* out) {
    Result<ArgType> t = TypeFromAnnotation(cur_);
    if (!t.ok())
      return t.status();
    out->name = cur_.text;
    out->type = *t;
    return Advance();
  }

  // '(' or '[' ... ')' or ']'. `token`: the token written before '(' (may be empty).
  Status ParseGroup(const std::string& token, DocArg* out, bool* single) {
    bool optional = cur_.kind == Lexeme::kOpenOpt;
    Lexeme::Kind close = optional ? Lexeme::kCloseOpt : Lexeme::kClose;
    STARLING_RETURN_IF_ERROR(Advance());
    std::string label;
    if (cur_.kind == Lexeme::kLabel) {
      label = cur_.text;
      STARLING_RETURN_IF_ERROR(Advance());
    }
    std::vector<std::vector<DocArg>> alts(1);
    for (;;) {
      STARLING_RETURN_IF_ERROR(ParseSequence(&alts.back()));
      if (alts.back().empty())
        return Fail("empty group or alternative");
      if (cur_.kind == Lexeme::kBar) {
        STARLING_RETURN_IF_ERROR(Advance());
        alts.emplace_back();
        continue;
      }
      if (cur_.kind != close) {
        return Fail(std::string("expected '") + (optional ? "]" : ")") + "', got '" +
                    Describe(cur_) + "'");
      }
      STARLING_RETURN_IF_ERROR(Advance());
      break;
    }
    *single = false;
    if (alts.size() == 1 && alts[0].size() == 1 &&
        (token.empty() || (alts[0][0].token.empty() && alts[0][0].type != ArgType::kPureToken))) {
      *out = std::move(alts[0][0]);
      *single = true;
      if (!token.empty())
        out->token = token;
      if (!label.empty())
        out->name = label;
      out->optional = out->optional || optional;
      return Status::Ok();
    }
    if (alts.size() == 1) {
      out->type = ArgType::kBlock;
      out->args = std::move(alts[0]);
    } else {
      out->type = ArgType::kOneof;
      for (std::vector<DocArg>& alt : alts) {
        if (alt.size() == 1) {
          out->args.push_back(std::move(alt[0]));
        } else {
          DocArg block;
          block.type = ArgType::kBlock;
          block.name = JoinNames(alt);
          block.args = std::move(alt);
          out->args.push_back(std::move(block));
        }
      }
    }
    out->name = label.empty() ? JoinNames(out->args) : label;
    out->token = token;
    out->optional = optional;
    return Status::Ok();
  }

  Lexer lexer_;
  Lexeme cur_;
};

ArgCount CountOne(const DocArg& a) {
  ArgCount c;
  switch (a.type) {
    case ArgType::kOneof: {
      c.min = ArgCount::kUnbounded;
      for (const DocArg& alt : a.args) {
        ArgCount ac = CountOne(alt);
        c.min = std::min(c.min, ac.min);
        c.max = std::max(c.max, ac.max);
      }
      break;
    }
    case ArgType::kBlock:
      c = CountArgs(a.args);
      break;
    default:
      c.min = c.max = 1;
      break;
  }
  if (!a.token.empty() && a.type != ArgType::kPureToken) {
    c.min += 1;
    if (c.max != ArgCount::kUnbounded)
      c.max += 1;
  }
  if (a.multiple)
    c.max = ArgCount::kUnbounded;
  if (a.optional)
    c.min = 0;
  return c;
}

bool HasKeyArg(const std::vector<DocArg>& args) {
  return std::any_of(args.begin(), args.end(),
                     [](const DocArg& a) { return a.type == ArgType::kKey || HasKeyArg(a.args); });
}

}  // namespace

std::string_view ArgTypeName(ArgType t) {
  static constexpr std::string_view kNames[] = {
      "string", "integer", "double", "key", "pattern", "unix-time", "pure-token", "oneof", "block"};
  return kNames[static_cast<size_t>(t)];
}

Result<std::vector<DocArg>> ParseSyntax(std::string_view syntax) {
  return Parser(syntax).ParseAll();
}

ArgCount CountArgs(const std::vector<DocArg>& args) {
  ArgCount total;
  for (const DocArg& a : args) {
    ArgCount c = CountOne(a);
    total.min += c.min;
    total.max = (total.max == ArgCount::kUnbounded || c.max == ArgCount::kUnbounded)
                    ? ArgCount::kUnbounded
                    : total.max + c.max;
  }
  return total;
}

Status ValidateSpec(const CommandSpec& spec, const CommandSpec* container) {
  std::string name = container ? std::string(container->name) + "|" + spec.name : spec.name;
  auto fail = [&](const std::string& why) {
    return Status::InvalidArgument("command '" + name + "': " + why);
  };
  if (!spec.name || !*spec.name || Lower(spec.name) != spec.name) {
    return fail("the name must be non-empty lower case");
  }
  if (!spec.group || !spec.since || !spec.summary || !spec.complexity || !spec.syntax) {
    return fail("group, since, summary, complexity and syntax must not be null");
  }
  if (!*spec.group || !*spec.since || !*spec.summary) {
    return fail("group, since and summary must not be empty");
  }
  if (spec.arity == 0)
    return fail("arity 0");
  if (container && !spec.subcommands.empty())
    return fail("nested subcommands");
  if (!spec.handler && spec.subcommands.empty())
    return fail("no handler and no subcommands");
  Result<std::vector<DocArg>> args = ParseSyntax(spec.syntax);
  if (!args.ok())
    return fail("syntax '" + std::string(spec.syntax) + "' " + args.status().message());
  // A container's own syntax is empty; its subcommands carry the arguments.
  if (spec.subcommands.empty() || !args->empty()) {
    size_t fixed = container ? 2 : 1;  // the command name (and the subcommand name)
    size_t n = static_cast<size_t>(std::abs(spec.arity));
    if (n < fixed)
      return fail("arity " + std::to_string(spec.arity) + " is too small");
    n -= fixed;
    ArgCount c = CountArgs(*args);
    bool ok = spec.arity > 0 ? (c.min == n && c.max == n) : (c.min <= n && n <= c.max);
    if (!ok) {
      std::string max = c.max == ArgCount::kUnbounded ? "unbounded" : std::to_string(c.max);
      return fail("arity " + std::to_string(spec.arity) + " disagrees with syntax '" + spec.syntax +
                  "' (" + std::to_string(c.min) + " to " + max + " arguments)");
    }
  }
  if (HasKeyArg(*args) && spec.first_key <= 0)
    return fail("key arguments but no first_key");
  if (spec.first_key < 0 || (spec.first_key > 0 && spec.key_step <= 0)) {
    return fail("bad key positions");
  }
  for (const CommandSpec& sub : spec.subcommands) {
    STARLING_RETURN_IF_ERROR(ValidateSpec(sub, &spec));
  }
  return Status::Ok();
}

std::vector<std::string_view> AclCategories(const CommandSpec& spec, bool is_container) {
  // Redis's implicit categories (setImplicitACLCategories) plus the one its group implies.
  std::string_view group_cat;
  if (!is_container) {
    static constexpr std::pair<std::string_view, std::string_view> kGroups[] = {
        {"generic", "@keyspace"},
        {"string", "@string"},
        {"list", "@list"},
        {"set", "@set"},
        {"sorted-set", "@sortedset"},
        {"hash", "@hash"},
        {"bitmap", "@bitmap"},
        {"hyperloglog", "@hyperloglog"},
        {"geo", "@geo"},
        {"stream", "@stream"},
        {"pubsub", "@pubsub"},
        {"connection", "@connection"},
        {"transactions", "@transaction"},
        {"scripting", "@scripting"}};
    for (const auto& [g, cat] : kGroups) {
      if (g == spec.group)
        group_cat = cat;
    }
  }
  uint32_t f = spec.flags;
  // Redis's category order (ACLCommandCategories in acl.c).
  const std::pair<std::string_view, bool> ordered[] = {
      {"@keyspace", group_cat == "@keyspace"},
      {"@read", (f & kCmdReadonly) != 0},
      {"@write", (f & kCmdWrite) != 0},
      {"@set", group_cat == "@set"},
      {"@sortedset", group_cat == "@sortedset"},
      {"@list", group_cat == "@list"},
      {"@hash", group_cat == "@hash"},
      {"@string", group_cat == "@string"},
      {"@bitmap", group_cat == "@bitmap"},
      {"@hyperloglog", group_cat == "@hyperloglog"},
      {"@geo", group_cat == "@geo"},
      {"@stream", group_cat == "@stream"},
      {"@pubsub", (f & kCmdPubsub) != 0 || group_cat == "@pubsub"},
      {"@admin", (f & kCmdAdmin) != 0},
      {"@fast", (f & kCmdFast) != 0},
      {"@slow", (f & kCmdFast) == 0},
      {"@blocking", (f & kCmdBlocking) != 0},
      {"@dangerous", (f & kCmdAdmin) != 0},
      {"@connection", group_cat == "@connection"},
      {"@transaction", group_cat == "@transaction"},
      {"@scripting", group_cat == "@scripting"},
  };
  std::vector<std::string_view> out;
  for (const auto& [cat, on] : ordered) {
    if (on)
      out.push_back(cat);
  }
  return out;
}

}  // namespace starling::server
