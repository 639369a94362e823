// Config: the server parameters that CONFIG GET / CONFIG SET see, and the typed values the
// core reads on its hot paths.
//
// Every parameter has a name, a getter and a setter that validates. Starling's own
// parameters change behaviour; Redis tuning parameters that have no meaning here (encoding
// thresholds, RDB settings...) are accepted and remembered, as Redis would accept them, so
// that client libraries and tools that set them keep working.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace starling::server {

class Config {
 public:
  Config();

  // ---- Typed values (the core reads these directly).
  std::string bind = "127.0.0.1";
  int64_t port = 6379;
  std::string dir = "./data";
  std::string requirepass;
  int64_t maxclients = 10000;
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;
  int64_t hz = 10;
  std::string appendfsync = "everysec";
  std::string loglevel = "notice";
  int64_t timeout = 0;  // idle client timeout, seconds (0: never)
  // --enable-debug-command: test-only fault commands (STARLING CUT/HEAL) are allowed.
  bool enable_debug_command = false;

  // ---- CONFIG GET / SET.
  struct Param {
    std::string name;
    std::function<std::string(const Config&)> get;
    // Null for parameters that cannot change at run time.
    std::function<Status(Config&, std::string_view)> set;
  };

  // (name, value) of every parameter matching the glob pattern (case-insensitive).
  std::vector<std::pair<std::string, std::string>> Get(std::string_view pattern) const;
  // Sets one parameter. InvalidArgument with Redis's message for unknown names or bad
  // values; FailedPrecondition for parameters that cannot change at run time.
  Status Set(std::string_view name, std::string_view value);
  const Param* Find(std::string_view name) const;

  // Called after a successful Set (the node applies side effects: logging level...).
  std::function<void(const std::string& name)> on_change;

 private:
  void Register();
  std::map<std::string, Param> params_;      // lower-case name
  std::map<std::string, std::string> passive_;  // accepted Redis parameters without effect
};

}  // namespace starling::server
