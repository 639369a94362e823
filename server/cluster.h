// Cluster: one node's part in a Starling cluster (DESIGN.md sections 4 and 5).
//
// Owned by the node core and driven by it (deterministic: time from the node's Clock,
// network only through a Transport). It
//  - places keys on the ring (replicas = the first RF distinct nodes clockwise);
//  - replicates every local change of a key to the key's other replicas (Replicator);
//  - joins the changes its peers send;
//  - fetches the states of keys this node does not replicate, so that any command can run
//    on any node: the node joins the fetched states into local copies, runs the command,
//    and the resulting deltas go to the keys' replicas like any other change. With no
//    replica reachable the command runs on what the node has, and its writes wait in the
//    queues for the owners (hinted hand-off): writes are never refused;
//  - drops tombstones once causally stable: the node that removed a key announces the
//    removal once every replica has acknowledged it, and replicas whose tombstone the
//    announcements cover drop it;
//  - sends full states when a peer's queue overflowed, and hands keys to new owners when
//    the membership changes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gossip/messages.h"
#include "gossip/replication.h"
#include "gossip/transport.h"
#include "lattice/causal_context.h"
#include "lattice/object.h"
#include "routing/cluster_config.h"
#include "routing/ring.h"
#include "server/anti_entropy.h"

namespace starling::server {

class Node;

class Cluster final : public gossip::ReplicationSink {
 public:
  // stream_epoch: unique per run of this node (its replica id).
  Cluster(Node& node, routing::ClusterConfig config, std::string self, gossip::Transport& transport,
          uint64_t stream_epoch);

  const std::string& self() const { return self_; }
  const routing::ClusterConfig& config() const { return config_; }
  gossip::Replicator& replicator() { return repl_; }
  AntiEntropy& anti_entropy() { return *ae_; }
  // Streams every key peer replicates to it (paced): anti-entropy's fallback.
  void StartFullSync(const gossip::NodeId& peer);

  // ---- Placement.
  bool Replicates(std::string_view key) const;
  std::vector<std::string> ReplicasOf(std::string_view key) const;
  // True when a removal on this node is stable at once (it is the key's only replica).
  bool SoleReplica(std::string_view key) const;

  // ---- Node hooks.
  // A command on this node changed key (state: after the change, null if dropped).
  void OnLocalChange(std::string_view key, const lattice::Object* state,
                     const lattice::Object& delta);
  // After the turn's storage commit: replication work (acks go out only after commit).
  void AfterCommit();
  // After a sync of the storage to stable storage (appendfsync everysec's timer).
  void AfterSync() { repl_.Synced(); }
  // Bytes from a peer (the driver hands them over); malformed ones are counted and dropped.
  void OnPeerBytes(std::string_view bytes);

  // Fetches the states of keys this node does not replicate from live replicas; `done`
  // runs (on the node's thread, from AfterCommit or OnPeerBytes) when every answer arrived
  // or the fetch timed out (then with false; the command runs on what the node has).
  void StartFetch(std::vector<std::string> keys, std::function<void(bool)> done);

  // Membership change: a new config (same cluster name). Keys move to new owners.
  Status Reconfigure(routing::ClusterConfig next);

  // ---- Introspection (STARLING NODES, INFO).
  struct PeerView {
    std::string id;
    std::string address;
    bool self = false;
    bool up = false;
    int64_t last_contact_ms_ago = -1;
    gossip::PeerStats stats;
  };
  std::vector<PeerView> Peers() const;
  uint64_t malformed_messages() const { return repl_.malformed_dropped(); }
  uint64_t pending_gc() const { return pending_gc_.size(); }
  uint64_t tombstones_dropped() const { return tombstones_dropped_; }
  uint64_t fetches() const { return fetches_; }
  uint64_t full_syncs() const { return full_syncs_; }

  // ---- ReplicationSink.
  void ApplyRemote(const gossip::NodeId& from, const std::string& key,
                   const lattice::Object& state) override;
  std::vector<gossip::KeyState> ServeFetch(const gossip::NodeId& from,
                                           const std::vector<std::string>& keys) override;
  void OnFetchReply(const gossip::NodeId& from, gossip::FetchReply reply) override;
  void OnStable(const gossip::NodeId& from, const gossip::StableAnnouncement& a) override;
  void OnPeerUp(const gossip::NodeId& peer) override;
  void OnPeerDown(const gossip::NodeId& peer) override;
  void NeedsFullSync(const gossip::NodeId& peer) override;
  void OnAntiEntropy(const gossip::NodeId& from, gossip::AntiEntropy a) override;

 private:
  struct Fetch {
    std::set<std::string> waiting;  // peers not answered yet
    int64_t deadline_ms;
    std::function<void(bool)> done;
  };
  void RebuildRing();
  // Registers key's tombstone for collection and sends it whole to the other replicas.
  void AdoptTombstone(const std::string& key);
  void CheckFetchTimeouts();
  void CheckPendingGc();
  void CheckHinted();
  void ContinueFullSyncs();
  void HandOffLoadedHints();
  // Drops key's tombstone if announcements cover its context.
  void MaybeDropTombstone(const std::string& key);
  int rf() const { return config_.EffectiveReplicationFactor(); }

  Node& node_;
  routing::ClusterConfig config_;
  std::string self_;
  std::unique_ptr<routing::Ring> ring_;
  gossip::Replicator repl_;
  std::unique_ptr<AntiEntropy> ae_;
  uint64_t next_fetch_id_ = 1;
  std::map<uint64_t, Fetch> fetches_pending_;
  // Removals made here, waiting for every replica to acknowledge: key -> removed context.
  std::map<std::string, lattice::CausalContext> pending_gc_;
  // Announced stable removals not yet applied (the local tombstone had more dots).
  std::map<std::string, lattice::CausalContext> stable_;
  // Keys held here that this node does not replicate (fetched, or written as a hinted
  // copy): dropped when idle, and, if written here, once the changes reached the replicas.
  struct Hinted {
    int64_t last_use_ms = 0;
    bool written = false;
  };
  std::map<std::string, Hinted> hinted_;
  // Full syncs in progress: peer -> keyspace cursor (0 at the start).
  std::map<std::string, uint64_t> full_sync_cursor_;
  int64_t last_housekeeping_ms_ = 0;
  bool loaded_hints_handed_off_ = false;
  uint64_t tombstones_dropped_ = 0;
  uint64_t fetches_ = 0;
  uint64_t full_syncs_ = 0;
};

}  // namespace starling::server
