// Every command family registers its table here (one line per family file).
#include "server/node.h"

namespace starling::server {

void RegisterConnectionCommands(CommandTable& table);
void RegisterServerCommands(CommandTable& table);
void RegisterKeyCommands(CommandTable& table);
void RegisterStringCommands(CommandTable& table);
void RegisterSetCommands(CommandTable& table);
void RegisterHashCommands(CommandTable& table);
void RegisterZsetCommands(CommandTable& table);
void RegisterListCommands(CommandTable& table);
void RegisterBlockingCommands(CommandTable& table);

void RegisterStarlingCommands(CommandTable& table);

void RegisterAllCommands(CommandTable& table) {
  RegisterStarlingCommands(table);
  RegisterConnectionCommands(table);
  RegisterServerCommands(table);
  RegisterKeyCommands(table);
  RegisterStringCommands(table);
  RegisterSetCommands(table);
  RegisterHashCommands(table);
  RegisterZsetCommands(table);
  RegisterListCommands(table);
  RegisterBlockingCommands(table);
}

}  // namespace starling::server
