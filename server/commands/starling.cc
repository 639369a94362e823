// STARLING: Starling's own admin command (cluster state and membership).
//
//   STARLING NODES    one line per node: id, address, state, last contact, replication lag
//   STARLING RELOAD   re-reads the cluster config file (as SIGHUP does)
#include <string>

#include "server/cluster.h"
#include "server/commands/common.h"
#include "server/session.h"

namespace starling::server {
namespace {

void CmdStarlingNodes(CommandContext& ctx) {
  std::string out;
  Cluster* c = ctx.node.cluster();
  if (!c) {
    out = "standalone 127.0.0.1:" + std::to_string(ctx.node.config().port) +
          " self up last_contact_ms=0 pending_keys=0 unacked_batches=0 queued_bytes=0 "
          "lag_ms=0\n";
    return ctx.reply().Verbatim(out);
  }
  int64_t now = ctx.node.env().clock.MonoMillis();
  for (const Cluster::PeerView& p : c->Peers()) {
    const gossip::PeerStats& s = p.stats;
    int64_t lag = s.unacked_batches > 0 ? now - s.oldest_unacked_ms : 0;
    out += p.id + " " + p.address + " " + (p.self ? "self" : p.up ? "up" : "down") +
           " last_contact_ms=" + std::to_string(p.last_contact_ms_ago) +
           " pending_keys=" + std::to_string(s.pending_keys) +
           " unacked_batches=" + std::to_string(s.unacked_batches) +
           " queued_bytes=" + std::to_string(s.queued_bytes) + " lag_ms=" + std::to_string(lag) +
           "\n";
  }
  ctx.reply().Verbatim(out);
}

void CmdStarlingReload(CommandContext& ctx) {
  if (!ctx.node.cluster()) return ctx.Error("ERR this node was not started with a cluster config");
  Status st = ctx.node.ReloadCluster();
  if (!st.ok()) return ctx.Error("ERR " + st.message());
  ctx.Ok();
}

void CmdStarlingHelp(CommandContext& ctx) {
  static constexpr const char* kLines[] = {
      "STARLING <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "NODES",
      "    One line per node: id, address, state (self, up, down), milliseconds since",
      "    the last message, and the replication queue towards it.",
      "RELOAD",
      "    Re-read the cluster config file and apply membership changes.",
      "HELP",
      "    Print this help.",
  };
  ctx.reply().ArrayHeader(std::size(kLines));
  for (const char* l : kLines) ctx.reply().SimpleString(l);
}

constexpr CommandSpec kStarlingSubcommands[] = {
    {"nodes", 2, kCmdAdmin | kCmdLoading | kCmdStale, 0, 0, 0, CmdStarlingNodes, "server", "0.1.0",
     "Lists the cluster's nodes with their state and replication lag.", "O(N) in the nodes",
     ""},
    {"reload", 2, kCmdAdmin | kCmdNoScript, 0, 0, 0, CmdStarlingReload, "server", "0.1.0",
     "Re-reads the cluster config file and applies membership changes.", "O(N) in the keys",
     ""},
    {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, CmdStarlingHelp, "server", "0.1.0",
     "Shows help about the STARLING command.", "O(1)", ""},
};

constexpr CommandSpec kStarlingCommands[] = {
    {"starling", -2, 0, 0, 0, 0, nullptr, "server", "0.1.0", "A container for Starling commands.",
     "Depends on subcommand.", "", kStarlingSubcommands},
};

}  // namespace

void RegisterStarlingCommands(CommandTable& table) { table.Register(kStarlingCommands); }

}  // namespace starling::server
