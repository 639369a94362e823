#include "server/cluster.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "server/node.h"

namespace starling::server {
namespace {

gossip::ReplicationOptions OptionsFrom(const routing::ClusterConfig& c) {
  gossip::ReplicationOptions o;
  o.cluster = c.name;
  o.gossip_period_ms = c.gossip_period_ms;
  o.heartbeat_ms = c.heartbeat_ms;
  o.failure_timeout_ms = c.failure_timeout_ms;
  o.resend_timeout_ms = c.resend_timeout_ms;
  o.max_queue_bytes = c.max_queue_bytes;
  return o;
}

constexpr int64_t kFetchTimeoutMs = 1000;
constexpr int64_t kHousekeepingMs = 100;
constexpr int64_t kHintedIdleMs = 2000;
constexpr size_t kFullSyncKeysPerTick = 512;

}  // namespace

Cluster::Cluster(Node& node, routing::ClusterConfig config, std::string self,
                 gossip::Transport& transport, uint64_t stream_epoch)
    : node_(node),
      config_(std::move(config)),
      self_(std::move(self)),
      repl_(self_, stream_epoch, OptionsFrom(config_), transport, node.env().clock, node.hlc(),
            *this) {
  RebuildRing();
  ae_ = std::make_unique<AntiEntropy>(*this, node_, repl_, config_.secret,
                                      config_.anti_entropy_period_ms, config_.gossip_period_ms);
}

void Cluster::RebuildRing() {
  std::vector<std::string> ids;
  for (const auto& n : config_.nodes) ids.push_back(n.id);
  ring_ = std::make_unique<routing::Ring>(ids, config_.virtual_nodes);
  repl_.SetPeers(ids);
}

bool Cluster::Replicates(std::string_view key) const {
  return ring_->IsReplica(self_, key, rf());
}

std::vector<std::string> Cluster::ReplicasOf(std::string_view key) const {
  return ring_->Replicas(key, rf());
}

bool Cluster::SoleReplica(std::string_view key) const {
  std::vector<std::string> r = ReplicasOf(key);
  return r.size() == 1 && r[0] == self_;
}

void Cluster::OnLocalChange(std::string_view key, const lattice::Object* state,
                            const lattice::Object& delta) {
  std::string k(key);
  ae_->Touched(k);
  std::vector<std::string> replicas = ReplicasOf(key);
  bool local = std::find(replicas.begin(), replicas.end(), self_) != replicas.end();
  for (const std::string& r : replicas) {
    if (r == self_) continue;
    repl_.Enqueue(r, k, delta);
    // Delivery is tracked only where something waits for it: a hinted copy (dropped once
    // the owners have it) and tombstones (AdoptTombstone).
    if (!local) repl_.Watch(r, k);
  }
  if (!local) hinted_[k] = Hinted{node_.NowMs(), true};
  // A removal made here: garbage-collect the tombstone once every replica has it.
  if (state && !state->Exists()) AdoptTombstone(k);
}

void Cluster::AdoptTombstone(const std::string& key) {
  // The whole tombstone (not only the removal's delta) goes to every other replica; once
  // all acknowledged it, every replica has seen its whole context, which is then announced
  // stable and the tombstone dropped everywhere (CheckPendingGc). Any holder may do this:
  // the origin after its removal, and a replica whose tombstone grew by a join (so a
  // tombstone survives neither a restart of its origin nor a repair that brought it back).
  const lattice::Object* o = node_.keyspace().Find(lattice::ElemRef(key));
  if (!o || o->Exists()) return;
  for (const std::string& r : ReplicasOf(key)) {
    if (r == self_) continue;
    repl_.Enqueue(r, key, *o);
    repl_.Watch(r, key);
  }
  pending_gc_[key].Join(o->ctx);
}

void Cluster::ApplyRemote(const gossip::NodeId&, const std::string& key,
                          const lattice::Object& state) {
  // A join that grows a tombstone makes this node one of its holders (AdoptTombstone).
  std::optional<lattice::CausalContext> tomb_before;
  if (!state.Exists()) {
    const lattice::Object* cur = node_.keyspace().Find(lattice::ElemRef(key));
    tomb_before = cur ? cur->ctx : lattice::CausalContext();
  }
  node_.ApplyRemote(key, state);
  ae_->Touched(key);
  if (tomb_before) {
    const lattice::Object* now = node_.keyspace().Find(lattice::ElemRef(key));
    if (now && !now->Exists() && !(now->ctx == *tomb_before)) AdoptTombstone(key);
  }
  if (!Replicates(key)) hinted_.try_emplace(key, Hinted{node_.NowMs(), false});
  if (stable_.count(key)) MaybeDropTombstone(key);
}

std::vector<gossip::KeyState> Cluster::ServeFetch(const gossip::NodeId&,
                                                  const std::vector<std::string>& keys) {
  std::vector<gossip::KeyState> out;
  for (const std::string& k : keys) {
    if (const lattice::Object* o = node_.keyspace().Find(lattice::ElemRef(k))) {
      out.push_back(gossip::KeyState{k, *o});
    }
  }
  return out;
}

void Cluster::StartFetch(std::vector<std::string> keys, std::function<void(bool)> done) {
  ++fetches_;
  // One request per live replica, each asking for the keys it is the first live replica of.
  std::map<std::string, std::vector<std::string>> by_peer;
  for (std::string& k : keys) {
    for (const std::string& r : ReplicasOf(k)) {
      if (r != self_ && repl_.IsUp(r)) {
        by_peer[r].push_back(std::move(k));
        break;
      }
    }
  }
  if (by_peer.empty()) {
    done(false);  // no replica reachable: run on what this node has
    return;
  }
  uint64_t id = next_fetch_id_++;
  Fetch f;
  f.deadline_ms = node_.env().clock.MonoMillis() + kFetchTimeoutMs;
  f.done = std::move(done);
  for (auto& [peer, ks] : by_peer) {
    f.waiting.insert(peer);
    repl_.SendFetch(peer, gossip::FetchRequest{id, std::move(ks)});
  }
  fetches_pending_.emplace(id, std::move(f));
}

void Cluster::OnFetchReply(const gossip::NodeId& from, gossip::FetchReply reply) {
  auto it = fetches_pending_.find(reply.id);
  if (it == fetches_pending_.end()) return;  // late (timed out) or duplicate
  for (gossip::KeyState& s : reply.states) {
    node_.ApplyRemote(s.key, s.state);
    if (!Replicates(s.key)) hinted_[s.key].last_use_ms = node_.NowMs();
  }
  it->second.waiting.erase(from);
  if (it->second.waiting.empty()) {
    auto done = std::move(it->second.done);
    fetches_pending_.erase(it);
    done(true);
  }
}

void Cluster::CheckFetchTimeouts() {
  int64_t now = node_.env().clock.MonoMillis();
  for (auto it = fetches_pending_.begin(); it != fetches_pending_.end();) {
    if (now >= it->second.deadline_ms) {
      auto done = std::move(it->second.done);
      it = fetches_pending_.erase(it);
      done(false);
    } else {
      ++it;
    }
  }
}

void Cluster::OnStable(const gossip::NodeId&, const gossip::StableAnnouncement& a) {
  for (const gossip::StableRemoval& r : a.removals) {
    stable_[r.key].Join(r.ctx);
    MaybeDropTombstone(r.key);
  }
}

void Cluster::MaybeDropTombstone(const std::string& key) {
  auto it = stable_.find(key);
  if (it == stable_.end()) return;
  lattice::Object* o = node_.keyspace().Find(lattice::ElemRef(key));
  if (!o) {
    stable_.erase(it);
    return;
  }
  if (o->Exists()) {
    stable_.erase(it);  // live again: nothing to collect
    return;
  }
  if (!it->second.Includes(o->ctx)) return;  // some removal it saw is not stable yet
  node_.DropKey(key);
  ae_->Touched(key);
  ++tombstones_dropped_;
  stable_.erase(it);
}

void Cluster::CheckPendingGc() {
  for (auto it = pending_gc_.begin(); it != pending_gc_.end();) {
    const std::string& key = it->first;
    std::vector<std::string> replicas = ReplicasOf(key);
    bool delivered = true;
    for (const std::string& r : replicas) {
      if (r != self_ && !repl_.Delivered(r, key)) {
        delivered = false;
        break;
      }
    }
    if (!delivered) {
      ++it;
      continue;
    }
    gossip::StableAnnouncement a;
    a.removals.push_back(gossip::StableRemoval{key, it->second});
    for (const std::string& r : replicas) {
      if (r == self_) continue;
      repl_.SendStable(r, a);
      if (!hinted_.count(key)) repl_.Unwatch(r, key);
    }
    stable_[key].Join(it->second);
    std::string k = key;
    it = pending_gc_.erase(it);
    MaybeDropTombstone(k);
  }
}

void Cluster::CheckHinted() {
  int64_t now = node_.NowMs();
  for (auto it = hinted_.begin(); it != hinted_.end();) {
    const std::string& key = it->first;
    if (Replicates(key)) {  // the ring changed and it is ours now
      it = hinted_.erase(it);
      continue;
    }
    if (now - it->second.last_use_ms < kHintedIdleMs) {
      ++it;
      continue;
    }
    bool delivered = true;
    if (it->second.written) {
      for (const std::string& r : ReplicasOf(key)) {
        if (!repl_.Delivered(r, key)) {
          delivered = false;
          break;
        }
      }
    }
    if (!delivered) {
      ++it;
      continue;
    }
    for (const std::string& r : ReplicasOf(key)) repl_.Unwatch(r, key);
    node_.DropKey(key);
    ae_->Touched(key);
    pending_gc_.erase(key);
    it = hinted_.erase(it);
  }
}

void Cluster::NeedsFullSync(const gossip::NodeId& peer) {
  // The queue to peer overflowed and was dropped: anti-entropy finds what it missed.
  SPDLOG_WARN("replication queue to {} overflowed: repairing it by anti-entropy", peer);
  ae_->Trigger(peer);
}

void Cluster::StartFullSync(const gossip::NodeId& peer) {
  ++full_syncs_;
  full_sync_cursor_[peer] = 0;
  SPDLOG_WARN("sending {} the full states of the keys it replicates", peer);
}

void Cluster::OnAntiEntropy(const gossip::NodeId& from, gossip::AntiEntropy a) {
  ae_->OnMessage(from, a);
}

void Cluster::ContinueFullSyncs() {
  for (auto it = full_sync_cursor_.begin(); it != full_sync_cursor_.end();) {
    const std::string& peer = it->first;
    if (!repl_.IsUp(peer) ||
        static_cast<int64_t>(repl_.QueuedBytes(peer)) > config_.max_queue_bytes / 2) {
      ++it;
      continue;
    }
    uint64_t next = node_.keyspace().Scan(
        it->second, kFullSyncKeysPerTick,
        [&](const lattice::ElemKey& k, const lattice::Object& o) {
          if (ring_->IsReplica(peer, k.str, rf())) repl_.EnqueueFullState(peer, k.str, o);
        });
    if (next == 0) {
      it = full_sync_cursor_.erase(it);
    } else {
      it->second = next;
      ++it;
    }
  }
}

void Cluster::OnPeerUp(const gossip::NodeId& peer) {
  SPDLOG_INFO("peer {} is up", peer);
  ae_->Trigger(peer);
}

void Cluster::OnPeerDown(const gossip::NodeId& peer) { SPDLOG_WARN("peer {} is down", peer); }

void Cluster::OnPeerBytes(std::string_view bytes) {
  Result<gossip::Envelope> e = gossip::DecodeEnvelope(bytes);
  if (!e.ok()) {
    repl_.CountMalformed();
    SPDLOG_DEBUG("dropped a malformed peer message: {}", e.status().ToString());
    return;
  }
  repl_.OnMessage(*e, bytes.size());
}

void Cluster::HandOffLoadedHints() {
  // Keys this node loaded from disk but does not replicate are hinted writes of an earlier
  // run whose queues died with it (the owners may never have received them; anti-entropy
  // only compares keys both sides replicate): send their full states to the owners and
  // drop them here once delivered, as any hinted copy.
  std::vector<std::string> tombstones;
  for (const auto& [k, obj] : node_.keyspace().map()) {
    if (!obj->Exists()) tombstones.push_back(k.str);  // their collection died with the run
    if (Replicates(k.str)) continue;
    for (const std::string& r : ReplicasOf(k.str)) {
      repl_.EnqueueFullState(r, k.str, *obj);
      repl_.Watch(r, k.str);
    }
    hinted_[k.str] = Hinted{node_.NowMs() - kHintedIdleMs, true};
  }
  for (const std::string& k : tombstones) AdoptTombstone(k);
}

void Cluster::AfterCommit() {
  if (!loaded_hints_handed_off_) {
    loaded_hints_handed_off_ = true;  // the first turn runs after Node::Start loaded the keys
    HandOffLoadedHints();
  }
  // What this turn applied is committed; with appendfsync always it is synced too, and with
  // `no` the OS's write-back is all the durability there is: ack it as durable at once.
  repl_.Committed();
  if (node_.env().engine.durability() != storage::Durability::kEverysec) repl_.Synced();
  repl_.Tick();
  ae_->Tick();
  int64_t now = node_.env().clock.MonoMillis();
  if (!fetches_pending_.empty()) CheckFetchTimeouts();
  if (now - last_housekeeping_ms_ < kHousekeepingMs) return;
  last_housekeeping_ms_ = now;
  if (!pending_gc_.empty()) CheckPendingGc();
  if (!hinted_.empty()) CheckHinted();
  if (!full_sync_cursor_.empty()) ContinueFullSyncs();
}

Status Cluster::Reconfigure(routing::ClusterConfig next) {
  if (next.name != config_.name) {
    return Status::InvalidArgument("cluster: the cluster name cannot change at run time");
  }
  if (!next.Find(self_)) {
    return Status::InvalidArgument("nodes: this node (" + self_ + ") is not in the new config");
  }
  routing::Ring old_ring = *ring_;
  int old_rf = rf();
  config_ = std::move(next);
  RebuildRing();
  ae_->OnRingChange();
  // Hand-off: every key goes to the replicas it gains; keys this node no longer replicates
  // become hinted copies, dropped once the new owners have them.
  for (const auto& [k, obj] : node_.keyspace().map()) {
    std::vector<std::string> before = old_ring.Replicas(k.str, old_rf);
    bool keep = Replicates(k.str);
    for (const std::string& r : ReplicasOf(k.str)) {
      if (r == self_) continue;
      bool gained = std::find(before.begin(), before.end(), r) == before.end();
      if (!gained && keep) continue;
      // A new owner gets the state; a key this node gives up goes to every owner, and is
      // dropped here once they all acknowledged it.
      repl_.EnqueueFullState(r, k.str, *obj);
      repl_.Watch(r, k.str);
    }
    if (!keep) hinted_[k.str] = Hinted{node_.NowMs() - kHintedIdleMs, true};
  }
  SPDLOG_INFO("membership changed: {} nodes, replication factor {}", config_.nodes.size(), rf());
  return Status::Ok();
}

std::vector<Cluster::PeerView> Cluster::Peers() const {
  std::vector<PeerView> out;
  int64_t now = node_.env().clock.MonoMillis();
  for (const auto& n : config_.nodes) {
    PeerView v;
    v.id = n.id;
    v.address = n.host + ":" + std::to_string(n.resp_port);
    v.self = n.id == self_;
    if (v.self) {
      v.up = true;
      v.last_contact_ms_ago = 0;
    } else if (auto s = repl_.Stats(n.id)) {
      v.stats = *s;
      v.up = s->up;
      v.last_contact_ms_ago = s->last_heard_ms == 0 ? -1 : now - s->last_heard_ms;
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace starling::server
