#include "base/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace starling {

Result<LogFormat> ParseLogFormat(const std::string& s) {
  if (s == "text") return LogFormat::kText;
  if (s == "json") return LogFormat::kJson;
  return Status::InvalidArgument("log format must be text or json, got '" + s + "'");
}

Status InitLogging(const LogOptions& options) {
  auto level = spdlog::level::from_str(options.level);
  // from_str maps unknown names to off; accept "off" only when asked for.
  if (level == spdlog::level::off && options.level != "off") {
    return Status::InvalidArgument("unknown log level '" + options.level + "'");
  }
  auto logger = spdlog::stderr_color_mt("starling");
  logger->set_level(level);
  std::string node = options.prefix.empty() ? "" : options.prefix;
  if (options.format == LogFormat::kJson) {
    // One JSON object per line. The message is not escaped by spdlog; our messages avoid
    // quotes and backslashes in the fixed part, and keys are printed through EscapeForLog.
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","node":")" + node +
                        R"(","msg":"%v"})");
  } else {
    logger->set_pattern(node.empty() ? "%Y-%m-%d %H:%M:%S.%e %^%L%$ %v"
                                     : "%Y-%m-%d %H:%M:%S.%e %^%L%$ [" + node + "] %v");
  }
  spdlog::set_default_logger(logger);
  return Status::Ok();
}

}  // namespace starling
