// Logging through spdlog. Processes call InitLogging once at start; library code logs with
// the spdlog macros (SPDLOG_INFO, ...) or spdlog::info. Logging never feeds back into the
// core's state, so it does not break determinism.
#pragma once

#include <string>

#include "base/status.h"

namespace starling {

enum class LogFormat { kText, kJson };

struct LogOptions {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
  LogFormat format = LogFormat::kText;
  std::string prefix;          // e.g. the node id; prepended to every text line
};

// Configures the default spdlog logger (stderr). Returns InvalidArgument for an unknown
// level.
Status InitLogging(const LogOptions& options);

// "text" or "json".
Result<LogFormat> ParseLogFormat(const std::string& s);

}  // namespace starling
