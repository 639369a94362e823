// Every command family registers its table here (one line per family file).
#include "server/node.h"

namespace starling::server {

void RegisterStringCommands(CommandTable& table);

void RegisterAllCommands(CommandTable& table) { RegisterStringCommands(table); }

}  // namespace starling::server
