// Connection commands (Redis "connection" group). Filled in by the connection family work.
#include "server/node.h"

namespace starling::server {

void RegisterConnectionCommands(CommandTable&) {}

}  // namespace starling::server
