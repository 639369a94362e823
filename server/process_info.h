// Facts about this process for INFO: pid, memory (allocator and RSS), executable path.
// Read from the operating system; used only by the production driver, never by the core.
#pragma once

#include "server/node.h"

namespace starling::server {

ProcessInfo ReadProcessInfo(int tcp_port, const std::string& config_file);

}  // namespace starling::server
