#include "server/config.h"

#include <cctype>

#include "lattice/numbers.h"
#include "server/glob.h"

namespace starling::server {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Redis memory syntax: 100, 1k (1000), 1kb (1024), 1m, 1mb, 1g, 1gb.
Result<int64_t> ParseMemory(std::string_view v) {
  std::string s = Lower(v);
  int64_t mul = 1;
  auto ends = [&](std::string_view suf) {
    return s.size() > suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
  };
  if (ends("gb")) {
    mul = 1LL << 30;
    s.resize(s.size() - 2);
  } else if (ends("mb")) {
    mul = 1LL << 20;
    s.resize(s.size() - 2);
  } else if (ends("kb")) {
    mul = 1LL << 10;
    s.resize(s.size() - 2);
  } else if (ends("g")) {
    mul = 1000LL * 1000 * 1000;
    s.pop_back();
  } else if (ends("m")) {
    mul = 1000LL * 1000;
    s.pop_back();
  } else if (ends("k")) {
    mul = 1000;
    s.pop_back();
  } else if (ends("b")) {
    s.pop_back();
  }
  auto n = lattice::ParseInt64(s);
  int64_t out;
  if (!n || *n < 0 || __builtin_mul_overflow(*n, mul, &out)) {
    return Status::InvalidArgument("argument must be a memory value");
  }
  return out;
}

Result<int64_t> ParseInt(std::string_view v, int64_t lo, int64_t hi) {
  auto n = lattice::ParseInt64(v);
  if (!n) return Status::InvalidArgument("argument couldn't be parsed into an integer");
  if (*n < lo || *n > hi) {
    return Status::InvalidArgument("argument must be between " + std::to_string(lo) + " and " +
                                   std::to_string(hi) + " inclusive");
  }
  return *n;
}

// Redis parameters that Starling accepts and remembers without acting on them, with
// redis-server 7's defaults. Tools and client libraries set some of these at start.
constexpr std::pair<const char*, const char*> kPassive[] = {
    {"save", "3600 1 300 100 60 10000"},
    {"appendonly", "no"},
    {"appendfilename", "appendonly.aof"},
    {"dbfilename", "dump.rdb"},
    {"databases", "16"},
    {"maxmemory", "0"},
    {"maxmemory-policy", "noeviction"},
    {"maxmemory-samples", "5"},
    {"lazyfree-lazy-eviction", "no"},
    {"lazyfree-lazy-expire", "no"},
    {"lazyfree-lazy-server-del", "no"},
    {"lazyfree-lazy-user-del", "no"},
    {"lazyfree-lazy-user-flush", "no"},
    {"tcp-keepalive", "300"},
    {"tcp-backlog", "511"},
    {"protected-mode", "yes"},
    {"daemonize", "no"},
    {"supervised", "no"},
    {"pidfile", ""},
    {"logfile", ""},
    {"syslog-enabled", "no"},
    {"stop-writes-on-bgsave-error", "yes"},
    {"rdbcompression", "yes"},
    {"rdbchecksum", "yes"},
    {"replica-read-only", "yes"},
    {"replica-serve-stale-data", "yes"},
    {"repl-diskless-sync", "yes"},
    {"slowlog-log-slower-than", "10000"},
    {"slowlog-max-len", "128"},
    {"latency-monitor-threshold", "0"},
    {"notify-keyspace-events", ""},
    {"hash-max-listpack-entries", "128"},
    {"hash-max-listpack-value", "64"},
    {"hash-max-ziplist-entries", "128"},
    {"hash-max-ziplist-value", "64"},
    {"list-max-listpack-size", "-2"},
    {"list-max-ziplist-size", "-2"},
    {"list-compress-depth", "0"},
    {"set-max-intset-entries", "512"},
    {"zset-max-listpack-entries", "128"},
    {"zset-max-listpack-value", "64"},
    {"zset-max-ziplist-entries", "128"},
    {"zset-max-ziplist-value", "64"},
    {"hll-sparse-max-bytes", "3000"},
    {"stream-node-max-bytes", "4096"},
    {"stream-node-max-entries", "100"},
    {"activerehashing", "yes"},
    {"activedefrag", "no"},
    {"dynamic-hz", "yes"},
    {"aof-rewrite-incremental-fsync", "yes"},
    {"rdb-save-incremental-fsync", "yes"},
    {"no-appendfsync-on-rewrite", "no"},
    {"auto-aof-rewrite-percentage", "100"},
    {"auto-aof-rewrite-min-size", "67108864"},
    {"lua-time-limit", "5000"},
    {"busy-reply-threshold", "5000"},
    {"cluster-enabled", "no"},
    {"io-threads", "1"},
    {"io-threads-do-reads", "no"},
    {"client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
    {"maxmemory-clients", "0"},
    {"lfu-log-factor", "10"},
    {"lfu-decay-time", "1"},
    {"latency-tracking", "yes"},
    {"latency-tracking-info-percentiles", "50 99 99.9"},
    {"enable-debug-command", "no"},
    {"enable-module-command", "no"},
    {"enable-protected-configs", "no"},
    {"oom-score-adj", "no"},
    {"acllog-max-len", "128"},
    {"active-expire-effort", "1"},
    {"close-on-replica-write", "yes"},
    {"set-proc-title", "yes"},
    {"unixsocket", ""},
    {"unixsocketperm", "0"},
    {"tls-port", "0"},
};

// Passive parameters that redis-server 7.0 refuses to change at run time.
constexpr const char* kPassiveImmutable[] = {
    "daemonize",
    "supervised",
    "pidfile",
    "logfile",
    "syslog-enabled",
    "databases",
    "unixsocket",
    "unixsocketperm",
    "io-threads",
    "io-threads-do-reads",
    "cluster-enabled",
    "tcp-backlog",
    "enable-debug-command",
    "enable-module-command",
    "enable-protected-configs",
    "appendfilename",
    "set-proc-title",
};

// Passive parameters holding a memory amount: validated and stored in bytes, as Redis.
constexpr const char* kPassiveMemory[] = {"maxmemory", "auto-aof-rewrite-min-size"};

}  // namespace

Config::Config() { Register(); }

void Config::Register() {
  auto add = [this](const std::string& name, std::function<std::string(const Config&)> get,
                    std::function<Status(Config&, std::string_view)> set) {
    params_[name] = Param{name, std::move(get), std::move(set)};
  };
  auto str_param = [&](const char* name, std::string Config::*field, bool settable) {
    add(name, [field](const Config& c) { return c.*field; },
        settable ? std::function<Status(Config&, std::string_view)>(
                       [field](Config& c, std::string_view v) {
                         c.*field = std::string(v);
                         return Status::Ok();
                       })
                 : nullptr);
  };
  auto int_param = [&](const char* name, int64_t Config::*field, int64_t lo, int64_t hi,
                       bool memory) {
    add(name, [field](const Config& c) { return std::to_string(c.*field); },
        [field, lo, hi, memory](Config& c, std::string_view v) -> Status {
          Result<int64_t> n = memory ? ParseMemory(v) : ParseInt(v, lo, hi);
          if (!n.ok()) return n.status();
          if (memory && (*n < lo || *n > hi)) {
            return Status::InvalidArgument("argument must be between " + std::to_string(lo) +
                                           " and " + std::to_string(hi) + " inclusive");
          }
          c.*field = *n;
          return Status::Ok();
        });
  };
  str_param("bind", &Config::bind, false);
  add("port", [](const Config& c) { return std::to_string(c.port); }, nullptr);
  str_param("dir", &Config::dir, false);
  str_param("requirepass", &Config::requirepass, true);
  int_param("maxclients", &Config::maxclients, 1, 4294967295LL, false);
  int_param("proto-max-bulk-len", &Config::proto_max_bulk_len, 1024 * 1024, INT64_MAX, true);
  int_param("client-query-buffer-limit", &Config::client_query_buffer_limit, 1024 * 1024,
            INT64_MAX, true);
  int_param("hz", &Config::hz, 1, 500, false);
  int_param("timeout", &Config::timeout, 0, INT32_MAX, false);
  add("appendfsync", [](const Config& c) { return c.appendfsync; },
      [](Config& c, std::string_view v) -> Status {
        std::string s = Lower(v);
        if (s != "always" && s != "everysec" && s != "no") {
          return Status::InvalidArgument("argument(s) must be one of the following: everysec, "
                                         "always, no");
        }
        c.appendfsync = s;
        return Status::Ok();
      });
  add("loglevel", [](const Config& c) { return c.loglevel; },
      [](Config& c, std::string_view v) -> Status {
        std::string s = Lower(v);
        if (s != "debug" && s != "verbose" && s != "notice" && s != "warning" &&
            s != "nothing") {
          return Status::InvalidArgument(
              "argument(s) must be one of the following: debug, verbose, notice, warning, "
              "nothing");
        }
        c.loglevel = s;
        return Status::Ok();
      });
  for (const auto& [name, value] : kPassive) passive_[name] = value;
}

const Config::Param* Config::Find(std::string_view name) const {
  auto it = params_.find(Lower(name));
  return it == params_.end() ? nullptr : &it->second;
}

std::vector<std::pair<std::string, std::string>> Config::Get(std::string_view pattern) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, p] : params_) {
    if (GlobMatch(pattern, name, /*nocase=*/true)) out.emplace_back(name, p.get(*this));
  }
  for (const auto& [name, v] : passive_) {
    if (GlobMatch(pattern, name, /*nocase=*/true)) out.emplace_back(name, v);
  }
  return out;
}

Status Config::Set(std::string_view name, std::string_view value) {
  std::string key = Lower(name);
  if (auto it = params_.find(key); it != params_.end()) {
    if (!it->second.set) return Status::FailedPrecondition("can't set immutable config");
    STARLING_RETURN_IF_ERROR(it->second.set(*this, value));
    if (on_change) on_change(key);
    return Status::Ok();
  }
  if (auto it = passive_.find(key); it != passive_.end()) {
    for (const char* name : kPassiveImmutable) {
      if (key == name) return Status::FailedPrecondition("can't set immutable config");
    }
    for (const char* name : kPassiveMemory) {
      if (key != name) continue;
      Result<int64_t> bytes = ParseMemory(value);
      if (!bytes.ok()) return bytes.status();
      it->second = std::to_string(*bytes);
      return Status::Ok();
    }
    it->second = std::string(value);
    return Status::Ok();
  }
  return Status::NotFound("Unknown option or number of arguments for CONFIG SET - '" +
                          std::string(name) + "'");
}

}  // namespace starling::server
