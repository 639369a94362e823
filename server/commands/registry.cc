// Every command family registers its table here (one line per family file).
#include "server/node.h"

namespace starling::server {

void RegisterConnectionCommands(CommandTable& table);
void RegisterServerCommands(CommandTable& table);
void RegisterKeyCommands(CommandTable& table);
void RegisterStringCommands(CommandTable& table);

void RegisterAllCommands(CommandTable& table) {
  RegisterConnectionCommands(table);
  RegisterServerCommands(table);
  RegisterKeyCommands(table);
  RegisterStringCommands(table);
}

}  // namespace starling::server
