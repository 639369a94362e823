// Generic key commands (Redis "generic" group). Filled in by the keys family work.
#include "server/node.h"

namespace starling::server {

void RegisterKeyCommands(CommandTable&) {}

}  // namespace starling::server
