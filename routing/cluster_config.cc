#include "routing/cluster_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <utility>

namespace starling::routing {

namespace {

// A config is a few hundred bytes; the cap only stops a wrong path (a device, a log file)
// from being read whole.
constexpr size_t kMaxConfigBytes = 1 << 20;
constexpr int kMaxVirtualNodes = 65536;

Status Error(const std::string& field, const std::string& what) {
  return Status::InvalidArgument(field + ": " + what);
}

// How a value that is not what a field wants reads in an error message.
std::string Describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      return "'" + n.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "nothing";
  }
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// The handlers of one mapping's fields: name -> reads the value into the struct.
using FieldReaders = std::vector<std::pair<std::string, std::function<Status(const YAML::Node&)>>>;

// Checks a mapping's keys (scalars, known, each once) and runs the reader of every field
// present. `where` prefixes errors ("" at the top level, "nodes[2]" for a node); a field's
// own errors are named `<where>.<field>`.
Status ReadMapping(const YAML::Node& map, const std::string& where, const FieldReaders& fields) {
  const std::string prefix = where.empty() ? "" : where + ": ";
  std::set<std::string> seen;
  // yaml-cpp's iterator hands out its pairs by value (operator-> points into a temporary),
  // so every loop here copies the pair: a Node is a cheap handle.
  for (const YAML::detail::iterator_value entry : map) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) {
      return Status::InvalidArgument(prefix + "field names must be plain words (got " +
                                     Describe(key) + ")");
    }
    const std::string& name = key.Scalar();
    bool known =
        std::any_of(fields.begin(), fields.end(), [&](const auto& f) { return f.first == name; });
    if (!known) {
      std::string msg = prefix + "unknown field '" + name + "'";
      for (const auto& f : fields) {
        if (EditDistance(name, f.first) <= 2) {
          msg += " (did you mean '" + f.first + "'?)";
          break;
        }
      }
      return Status::InvalidArgument(msg);
    }
    if (!seen.insert(name).second) {
      return Status::InvalidArgument(prefix + "field '" + name + "' given twice");
    }
  }
  for (const auto& [name, read] : fields) {
    if (!seen.contains(name)) {
      continue;
    }
    for (const YAML::detail::iterator_value entry : map) {
      if (entry.first.Scalar() == name) {
        STARLING_RETURN_IF_ERROR(read(entry.second));
        break;
      }
    }
  }
  return Status::Ok();
}

// Integers are plain decimal ("-12", "6379"), read by hand: yaml-cpp's conversions accept
// hex and octal forms and report failures as exceptions.
Status ReadInt64(const YAML::Node& n, const std::string& field, int64_t lo, int64_t hi,
                 int64_t* out) {
  if (!n.IsScalar()) {
    return Error(field, "expected an integer (got " + Describe(n) + ")");
  }
  const std::string& s = n.Scalar();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  bool digits_only = !s.empty() && end == s.data() + s.size();
  if (ec == std::errc::result_out_of_range ||
      (ec == std::errc() && digits_only && (v < lo || v > hi))) {
    return Error(field, "out of range (got " + s + ")");
  }
  if (ec != std::errc() || !digits_only) {
    return Error(field, "expected an integer (got '" + s + "')");
  }
  *out = v;
  return Status::Ok();
}

Status ReadInt(const YAML::Node& n, const std::string& field, int* out) {
  int64_t v = 0;
  STARLING_RETURN_IF_ERROR(ReadInt64(n, field, INT_MIN, INT_MAX, &v));
  *out = static_cast<int>(v);
  return Status::Ok();
}

Status ReadString(const YAML::Node& n, const std::string& field, std::string* out) {
  if (n.IsNull()) {
    return Error(field, "missing value");
  }
  if (!n.IsScalar()) {
    return Error(field, "expected a string (got " + Describe(n) + ")");
  }
  *out = n.Scalar();
  return Status::Ok();
}

Status ReadNode(const YAML::Node& n, const std::string& where, NodeConfig* node) {
  if (!n.IsMap()) {
    return Error(where, "expected a mapping with id, host, resp_port and gossip_port (got " +
                            Describe(n) + ")");
  }
  std::set<std::string> given;
  auto field = [&](const char* name, auto reader) {
    return std::pair<std::string, std::function<Status(const YAML::Node&)>>(
        name, [&given, name, reader, where](const YAML::Node& v) {
          given.insert(name);
          return reader(v, where + "." + name);
        });
  };
  FieldReaders readers = {
      field("id",
            [&](const YAML::Node& v, const std::string& f) { return ReadString(v, f, &node->id); }),
      field("host", [&](const YAML::Node& v,
                        const std::string& f) { return ReadString(v, f, &node->host); }),
      field("resp_port", [&](const YAML::Node& v,
                             const std::string& f) { return ReadInt(v, f, &node->resp_port); }),
      field("gossip_port", [&](const YAML::Node& v,
                               const std::string& f) { return ReadInt(v, f, &node->gossip_port); }),
      field("data_dir", [&](const YAML::Node& v,
                            const std::string& f) { return ReadString(v, f, &node->data_dir); }),
  };
  STARLING_RETURN_IF_ERROR(ReadMapping(n, where, readers));
  for (const char* required : {"id", "host", "resp_port", "gossip_port"}) {
    if (!given.contains(required)) {
      return Error(where + "." + required, "missing");
    }
  }
  return Status::Ok();
}

Status ReadNodes(const YAML::Node& n, std::vector<NodeConfig>* nodes) {
  if (!n.IsSequence()) {
    return Error("nodes", "expected a list of nodes (got " + Describe(n) + ")");
  }
  for (size_t i = 0; i < n.size(); ++i) {
    NodeConfig node;
    STARLING_RETURN_IF_ERROR(ReadNode(n[i], "nodes[" + std::to_string(i) + "]", &node));
    nodes->push_back(std::move(node));
  }
  return Status::Ok();
}

Status ReadConfig(const YAML::Node& root, ClusterConfig* c) {
  if (!root.IsMap()) {
    return Error("config", "expected a mapping of fields, with at least 'nodes' (got " +
                               Describe(root) + ")");
  }
  bool has_nodes = false;
  auto str = [](const char* name, std::string* out) {
    return FieldReaders::value_type(
        name, [name, out](const YAML::Node& v) { return ReadString(v, name, out); });
  };
  auto num = [](const char* name, int* out) {
    return FieldReaders::value_type(
        name, [name, out](const YAML::Node& v) { return ReadInt(v, name, out); });
  };
  FieldReaders readers = {
      str("cluster", &c->name),
      num("replication_factor", &c->replication_factor),
      num("virtual_nodes", &c->virtual_nodes),
      num("gossip_period_ms", &c->gossip_period_ms),
      num("heartbeat_ms", &c->heartbeat_ms),
      num("failure_timeout_ms", &c->failure_timeout_ms),
      num("resend_timeout_ms", &c->resend_timeout_ms),
      {"max_queue_bytes",
       [c](const YAML::Node& v) {
         return ReadInt64(v, "max_queue_bytes", INT64_MIN, INT64_MAX, &c->max_queue_bytes);
       }},
      num("anti_entropy_period_ms", &c->anti_entropy_period_ms),
      str("durability", &c->durability),
      str("data_dir", &c->data_dir),
      str("secret", &c->secret),
      str("bind", &c->bind),
      {"nodes",
       [c, &has_nodes](const YAML::Node& v) {
         has_nodes = true;
         return ReadNodes(v, &c->nodes);
       }},
  };
  STARLING_RETURN_IF_ERROR(ReadMapping(root, "", readers));
  if (!has_nodes) {
    return Error("nodes", "missing (at least one node is required)");
  }
  return Status::Ok();
}

bool ValidId(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '.' || ch == '-';
  });
}

Status Positive(const char* field, int64_t v) {
  if (v <= 0) {
    return Error(field, "must be positive (got " + std::to_string(v) + ")");
  }
  return Status::Ok();
}

Status ValidatePort(const std::string& field, int port) {
  if (port < 1 || port > 65535) {
    return Error(field, "must be in 1..65535 (got " + std::to_string(port) + ")");
  }
  return Status::Ok();
}

}  // namespace

const NodeConfig* ClusterConfig::Find(std::string_view id) const {
  for (const NodeConfig& n : nodes) {
    if (n.id == id) {
      return &n;
    }
  }
  return nullptr;
}

Status ValidateClusterConfig(const ClusterConfig& c) {
  if (c.name.empty()) {
    return Error("cluster", "must not be empty");
  }
  if (c.replication_factor < 1) {
    return Error("replication_factor",
                 "must be at least 1 (got " + std::to_string(c.replication_factor) + ")");
  }
  if (c.virtual_nodes < 1 || c.virtual_nodes > kMaxVirtualNodes) {
    return Error("virtual_nodes", "must be in 1.." + std::to_string(kMaxVirtualNodes) + " (got " +
                                      std::to_string(c.virtual_nodes) + ")");
  }
  STARLING_RETURN_IF_ERROR(Positive("gossip_period_ms", c.gossip_period_ms));
  STARLING_RETURN_IF_ERROR(Positive("heartbeat_ms", c.heartbeat_ms));
  STARLING_RETURN_IF_ERROR(Positive("failure_timeout_ms", c.failure_timeout_ms));
  STARLING_RETURN_IF_ERROR(Positive("resend_timeout_ms", c.resend_timeout_ms));
  STARLING_RETURN_IF_ERROR(Positive("max_queue_bytes", c.max_queue_bytes));
  STARLING_RETURN_IF_ERROR(Positive("anti_entropy_period_ms", c.anti_entropy_period_ms));
  if (c.durability != "always" && c.durability != "everysec" && c.durability != "no") {
    return Error("durability", "must be always, everysec or no (got '" + c.durability + "')");
  }
  if (c.data_dir.empty()) {
    return Error("data_dir", "must not be empty");
  }
  if (c.bind.empty()) {
    return Error("bind", "must not be empty");
  }
  if (c.nodes.empty()) {
    return Error("nodes", "at least one node is required");
  }
  std::map<std::string, std::string> ids;                           // id -> nodes[i]
  std::map<std::pair<std::string, int>, std::string> ports;         // (host, port) -> field
  std::map<std::pair<std::string, std::string>, std::string> dirs;  // (host, dir) -> field
  for (size_t i = 0; i < c.nodes.size(); ++i) {
    const NodeConfig& n = c.nodes[i];
    const std::string where = "nodes[" + std::to_string(i) + "]";
    if (!ValidId(n.id)) {
      return Error(where + ".id",
                   n.id.empty() ? std::string("must not be empty")
                                : "must be letters, digits, '_', '.' or '-' (got '" + n.id + "')");
    }
    if (!ids.emplace(n.id, where).second) {
      return Error(where + ".id", "duplicate id '" + n.id + "'");
    }
    if (n.host.empty()) {
      return Error(where + ".host", "must not be empty");
    }
    for (auto [name, port] : {std::pair<const char*, int>{"resp_port", n.resp_port},
                              std::pair<const char*, int>{"gossip_port", n.gossip_port}}) {
      const std::string field = where + "." + name;
      STARLING_RETURN_IF_ERROR(ValidatePort(field, port));
      auto [it, fresh] = ports.emplace(std::pair(n.host, port), field);
      if (!fresh) {
        return Error(field, "port " + std::to_string(port) + " already used by " + it->second);
      }
    }
    // Two processes on one host cannot share a LevelDB directory (the second fails to
    // lock it); an empty data_dir means the default, which distinct ids keep apart.
    if (!n.data_dir.empty()) {
      std::string dir = std::filesystem::path(n.data_dir).lexically_normal().string();
      auto [it, fresh] = dirs.emplace(std::pair(n.host, dir), where + ".data_dir");
      if (!fresh) {
        return Error(where + ".data_dir",
                     "directory '" + n.data_dir + "' already used by " + it->second);
      }
    }
  }
  return Status::Ok();
}

Result<ClusterConfig> ParseClusterConfig(std::string_view yaml_text) {
  ClusterConfig config;
  // yaml-cpp reports everything, syntax errors included, by exception; none may leave here.
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    STARLING_RETURN_IF_ERROR(ReadConfig(root, &config));
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) {
      return Status::InvalidArgument("yaml: " + e.msg);
    }
    return Status::InvalidArgument("yaml: line " + std::to_string(e.mark.line + 1) + ", column " +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("yaml: ") + e.what());
  }
  for (NodeConfig& n : config.nodes) {
    if (n.data_dir.empty() && !n.id.empty()) {
      n.data_dir = (std::filesystem::path(config.data_dir) / n.id).string();
    }
  }
  STARLING_RETURN_IF_ERROR(ValidateClusterConfig(config));
  return config;
}

Result<ClusterConfig> LoadClusterConfig(const std::string& path) {
  auto fail = [&](StatusCode code, const std::string& what) {
    return Status(code, "cluster config " + path + ": " + what);
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return fail(err == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                std::string("cannot open: ") + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(StatusCode::kIoError, "not a regular file");
  }
  std::string text;
  char buf[16384];
  for (;;) {
    ssize_t got = ::read(fd, buf, sizeof(buf));
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      int err = errno;
      ::close(fd);
      return fail(StatusCode::kIoError, std::string("cannot read: ") + std::strerror(err));
    }
    if (got == 0) {
      break;
    }
    text.append(buf, static_cast<size_t>(got));
    if (text.size() > kMaxConfigBytes) {
      ::close(fd);
      return fail(StatusCode::kInvalidArgument, "larger than 1 MiB; is this the right file?");
    }
  }
  ::close(fd);
  Result<ClusterConfig> config = ParseClusterConfig(text);
  if (!config.ok()) {
    return fail(config.status().code(), config.status().message());
  }
  return config;
}

}  // namespace starling::routing
