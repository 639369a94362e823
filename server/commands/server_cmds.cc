// Server commands (Redis "server" group). Filled in by the server family work.
#include "server/node.h"

namespace starling::server {

void RegisterServerCommands(CommandTable&) {}

}  // namespace starling::server
