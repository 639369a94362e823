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

// STARLING CUT|HOLD|HEAL peer: test-only faults (--enable-debug-command). CUT drops the
// changes this node would replicate to peer, HOLD keeps them queued, HEAL ends both.
enum class Fault { kCut, kHold, kHeal };
void ApplyFault(CommandContext& ctx, Fault f) {
  if (!ctx.node.config().enable_debug_command) {
    static constexpr const char* kNames[] = {"CUT", "HOLD", "HEAL"};
    return ctx.Error(std::string("ERR STARLING ") + kNames[static_cast<int>(f)] +
                     " not allowed. Start the server with --enable-debug-command.");
  }
  Cluster* c = ctx.node.cluster();
  if (!c) return ctx.Error("ERR this node was not started with a cluster config");
  std::string peer(ctx.args[2]);
  gossip::Replicator& r = c->replicator();
  if (peer == c->self() || !r.SetCut(peer, f == Fault::kCut)) {
    return ctx.Error("ERR no such peer '" + peer + "'");
  }
  r.SetHeld(peer, f == Fault::kHold);
  ctx.Ok();
}
void CmdStarlingCut(CommandContext& ctx) { ApplyFault(ctx, Fault::kCut); }
void CmdStarlingHold(CommandContext& ctx) { ApplyFault(ctx, Fault::kHold); }
void CmdStarlingHeal(CommandContext& ctx) { ApplyFault(ctx, Fault::kHeal); }

// STARLING REPAIR [peer]: an anti-entropy round with peer (every peer) as soon as possible.
void CmdStarlingRepair(CommandContext& ctx) {
  Cluster* c = ctx.node.cluster();
  if (!c) return ctx.Error("ERR this node was not started with a cluster config");
  if (ctx.args.size() > 3) return ctx.Error("ERR wrong number of arguments for 'starling|repair' command");
  if (ctx.args.size() == 3) {
    std::string peer(ctx.args[2]);
    if (peer == c->self() || !c->replicator().Stats(peer)) {
      return ctx.Error("ERR no such peer '" + peer + "'");
    }
    c->anti_entropy().Trigger(peer);
  } else {
    c->anti_entropy().TriggerAll();
  }
  ctx.Ok();
}

// STARLING REPAIRS: the last anti-entropy rounds this node started, oldest first.
void CmdStarlingRepairs(CommandContext& ctx) {
  Cluster* c = ctx.node.cluster();
  std::string out;
  if (c) {
    for (const AntiEntropy::RoundLog& r : c->anti_entropy().recent()) {
      out += "peer=" + r.peer + " started_ms=" + std::to_string(r.started_ms) +
             " took_ms=" + std::to_string(r.took_ms) + " outcome=" + r.outcome +
             " keys=" + std::to_string(r.keys) + " differences=" + std::to_string(r.differences) +
             " symbols=" + std::to_string(r.symbols) + "\n";
    }
  }
  ctx.reply().Verbatim(out);
}

// STARLING REPLICAS key: the ids of the nodes that replicate key, in ring order.
void CmdStarlingReplicas(CommandContext& ctx) {
  Cluster* c = ctx.node.cluster();
  std::vector<std::string> ids =
      c ? c->ReplicasOf(ctx.args[2]) : std::vector<std::string>{"standalone"};
  ctx.reply().ArrayHeader(ids.size());
  for (const std::string& id : ids) ctx.reply().Bulk(id);
}

void CmdStarlingHelp(CommandContext& ctx) {
  static constexpr const char* kLines[] = {
      "STARLING <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "NODES",
      "    One line per node: id, address, state (self, up, down), milliseconds since",
      "    the last message, and the replication queue towards it.",
      "RELOAD",
      "    Re-read the cluster config file and apply membership changes.",
      "REPAIR [<peer>]",
      "    Start an anti-entropy round with <peer> (every peer) now.",
      "REPAIRS",
      "    The last anti-entropy rounds this node started, with their outcome.",
      "REPLICAS <keyname>",
      "    The ids of the nodes that replicate the key <keyname> (it is not read).",
      "CUT <peer>",
      "    Test-only (--enable-debug-command): drop the changes this node replicates to",
      "    <peer> until HEAL; only anti-entropy repairs what was dropped.",
      "HOLD <peer>",
      "    Test-only: keep the changes for <peer> queued (a partition) until HEAL.",
      "HEAL <peer>",
      "    Test-only: end a CUT or HOLD.",
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
    {"cut", 3, kCmdAdmin | kCmdNoScript, 0, 0, 0, CmdStarlingCut, "server", "0.1.0",
     "Test-only: drops the changes replicated to a peer.", "O(1)", "peer"},
    {"hold", 3, kCmdAdmin | kCmdNoScript, 0, 0, 0, CmdStarlingHold, "server", "0.1.0",
     "Test-only: holds the changes replicated to a peer.", "O(1)", "peer"},
    {"repair", -2, kCmdAdmin | kCmdNoScript, 0, 0, 0, CmdStarlingRepair, "server", "0.1.0",
     "Starts anti-entropy rounds now.", "O(1)", "[peer]"},
    {"repairs", 2, kCmdAdmin | kCmdLoading | kCmdStale, 0, 0, 0, CmdStarlingRepairs, "server",
     "0.1.0", "Shows the last anti-entropy rounds.", "O(1)", ""},
    {"replicas", 3, kCmdReadonly | kCmdLoading | kCmdStale, 0, 0, 0, CmdStarlingReplicas,
     "server", "0.1.0", "Lists the nodes that replicate a key.", "O(N) in the nodes", "keyname"},
    {"heal", 3, kCmdAdmin | kCmdNoScript, 0, 0, 0, CmdStarlingHeal, "server", "0.1.0",
     "Test-only: ends STARLING CUT or HOLD.", "O(1)", "peer"},
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
