// Replicator: the delta replication protocol between one node and its peers (DESIGN.md
// section 4). Deterministic: it reads time only from the Clock it is given, sends only
// through a Transport, and hands what it receives to a ReplicationSink; the node core owns
// it and drives it from its own events (no threads, no sockets here).
//
// Per peer, the node keeps an outbound stream:
//  - pending: key -> delta, the deltas to that key joined since the last batch (so a hot
//    key costs one entry per period, not one per write);
//  - every gossip period the pending deltas go out as one DeltaBatch (epoch, seq), kept
//    until acknowledged;
//  - acks ride on every message the peer sends (the Envelope's ack fields). Unacked batches
//    are resent after resend_timeout, doubling up to a cap (go-back-N); a receiver that
//    sees a gap asks for a resend at once (ResendRequest);
//  - the stream is bounded in bytes (pending + unacked). Past the bound the stream drops
//    what it holds, starts a new epoch, and marks the peer as needing a full sync, which the
//    node performs (push of full states) instead of buffering without limit.
// Delivery order does not matter for correctness (joins commute and are idempotent); the
// sequence numbers are there to detect loss and to know what a peer has applied (which
// tombstone garbage collection needs: AckedThrough).
//
// The failure detector: a peer is up while it has been heard from within
// failure_timeout_ms; every peer gets a message at least every heartbeat_ms.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "gossip/messages.h"
#include "gossip/transport.h"
#include "lattice/hlc.h"
#include "lattice/object.h"

namespace starling::gossip {

// What the replicator hands to the node. Called synchronously from OnMessage / Tick.
class ReplicationSink {
 public:
  virtual ~ReplicationSink() = default;
  // A peer's change to key (a delta or a full state): join it.
  virtual void ApplyRemote(const NodeId& from, const std::string& key,
                           const lattice::Object& state) = 0;
  // A peer asks for the full states of keys; return those this node has.
  virtual std::vector<KeyState> ServeFetch(const NodeId& from,
                                           const std::vector<std::string>& keys) = 0;
  virtual void OnFetchReply(const NodeId& from, FetchReply reply) = 0;
  virtual void OnStable(const NodeId& from, const StableAnnouncement& a) = 0;
  // The peer came up (first contact, or back after being down) or went down.
  virtual void OnPeerUp(const NodeId& peer) = 0;
  virtual void OnPeerDown(const NodeId& peer) = 0;
  // The peer's stream overflowed (or it restarted with lost data): send it full states.
  virtual void NeedsFullSync(const NodeId& peer) = 0;
  // An anti-entropy message from a peer.
  virtual void OnAntiEntropy(const NodeId& /*from*/, AntiEntropy /*a*/) {}
};

struct ReplicationOptions {
  std::string cluster = "starling";
  uint64_t config_epoch = 0;
  int64_t gossip_period_ms = 10;
  int64_t heartbeat_ms = 100;
  int64_t failure_timeout_ms = 1000;
  int64_t resend_timeout_ms = 200;
  int64_t max_resend_backoff_ms = 5000;
  int64_t max_queue_bytes = 64 << 20;
  size_t max_batch_bytes = 4 << 20;  // a batch larger than this is split
};

struct PeerStats {
  bool up = false;
  int64_t last_heard_ms = 0;     // monotonic ms; 0: never
  uint64_t next_seq = 1;         // next batch to send
  uint64_t acked_seq = 0;        // highest seq the peer acknowledged
  size_t pending_keys = 0;
  size_t queued_bytes = 0;       // pending + unacked
  size_t unacked_batches = 0;
  int64_t oldest_unacked_ms = 0; // monotonic ms the oldest unacked batch was first sent
  uint64_t batches_sent = 0, batches_resent = 0, batches_received = 0;
  uint64_t bytes_sent = 0, bytes_received = 0, deltas_sent = 0, deltas_received = 0;
  uint64_t overflows = 0, resend_requests = 0;
  bool cut = false;              // test-only: deltas to this peer are dropped (SetCut)
  bool held = false;             // test-only: deltas to this peer wait (SetHeld)
  uint64_t cut_dropped = 0;      // deltas dropped while cut
};

class Replicator {
 public:
  // `stream_epoch` must differ between runs of this node (the incarnation's replica id).
  Replicator(NodeId self, uint64_t stream_epoch, ReplicationOptions options, Transport& transport,
             const Clock& clock, lattice::HlcClock& hlc, ReplicationSink& sink);

  const NodeId& self() const { return self_; }
  // The peers to replicate with (membership change). Streams of removed peers are dropped;
  // new peers start streams.
  void SetPeers(const std::vector<NodeId>& peers);
  const std::vector<NodeId>& peers() const { return peer_ids_; }
  void SetConfigEpoch(uint64_t epoch) { options_.config_epoch = epoch; }

  // Queues a change of key for peer (joined with what is already pending for the key).
  // Returns false if the peer is unknown.
  bool Enqueue(const NodeId& peer, const std::string& key, const lattice::Object& delta);
  // Sends any control message (fetch, announcements) to a peer now.
  void SendFetch(const NodeId& peer, FetchRequest req);
  void SendStable(const NodeId& peer, StableAnnouncement a);
  void SendAntiEntropy(const NodeId& peer, AntiEntropy a);
  // Full states for a peer's full sync, sent in the stream (so they are acked and resent).
  void EnqueueFullState(const NodeId& peer, const std::string& key, const lattice::Object& s) {
    Enqueue(peer, key, s);
  }

  // Storage hooks: after each successful commit of a turn (Committed), and after each sync
  // to stable storage (Synced; with appendfsync always or no, right after Committed). Durable
  // acks report what was synced.
  void Committed();
  void Synced();

  // Handles one decoded message from the network.
  void OnMessage(const Envelope& e, size_t wire_bytes);
  // Periodic work: batches, resends, heartbeats, failure detection. Call at least every
  // gossip period.
  void Tick();

  // Delivery tracking for chosen keys (tombstone GC, hinted copies): after Watch(peer,
  // key), Delivered(peer, key) becomes true once the last change of key queued for peer has
  // been acknowledged. Watch when (or right after) enqueueing the change.
  void Watch(const NodeId& peer, const std::string& key);
  void Unwatch(const NodeId& peer, const std::string& key);
  bool Delivered(const NodeId& peer, const std::string& key) const;
  // Bytes queued for a peer (pending + unacknowledged).
  size_t QueuedBytes(const NodeId& peer) const;

  // Test-only fault (STARLING CUT): while cut, changes queued for peer are dropped instead of
  // sent, as if lost beyond the retry budget; only anti-entropy repairs them. Heartbeats,
  // acks and fetches still flow. Returns false if the peer is unknown.
  bool SetCut(const NodeId& peer, bool cut);
  // Test-only fault (STARLING HOLD): while held, changes for peer wait in its queue (joined
  // per key, bounded as usual) and go out when released: a partition of the delta stream.
  bool SetHeld(const NodeId& peer, bool held);

  bool IsUp(const NodeId& peer) const;
  // The highest batch seq the peer acknowledged in the current stream epoch, and the seq the
  // next batch will take (what a change queued now will be sent in, at the latest).
  uint64_t AckedThrough(const NodeId& peer) const;
  uint64_t NextSeq(const NodeId& peer) const;
  uint64_t StreamEpoch(const NodeId& peer) const;
  std::optional<PeerStats> Stats(const NodeId& peer) const;
  // True if nothing is pending or unacknowledged for any peer.
  bool Idle() const;
  uint64_t malformed_dropped() const { return malformed_; }
  void CountMalformed() { ++malformed_; }
  uint64_t foreign_dropped() const { return foreign_; }

 private:
  struct SentBatch {
    uint64_t seq;
    // The batch, re-encoded on every resend: its base_seq must be the current oldest unacked
    // seq (a receiver that lost its stream state, e.g. restarted, trusts base_seq; a stale,
    // lower one made it wait forever for batches already acknowledged and dropped here).
    DeltaBatch batch;
    size_t size;  // encoded size when first sent
    int64_t first_sent_ms;
  };
  struct Peer {
    NodeId id;
    // Outbound stream.
    uint64_t epoch = 0;
    uint64_t next_seq = 1;
    uint64_t acked_seq = 0;
    uint64_t durable_acked_seq = 0;  // <= acked_seq: on the peer's stable storage
    std::map<std::string, lattice::Object> pending;
    size_t pending_bytes = 0;
    std::deque<SentBatch> unacked;
    size_t unacked_bytes = 0;
    int64_t next_resend_ms = 0;
    int64_t resend_backoff_ms = 0;
    // Inbound stream from the peer.
    uint64_t in_epoch = 0;
    uint64_t in_contiguous = 0;
    std::set<uint64_t> in_ahead;  // received beyond a gap
    uint64_t in_committed = 0;    // in_contiguous at the last storage commit
    uint64_t in_durable = 0;      // in_committed at the last sync: acked as durable
    // Watched keys -> seq of the last batch that carried them (0: not sent yet).
    std::map<std::string, uint64_t> watched;
    bool ack_owed = false;
    // Failure detection.
    bool up = false;
    bool ever_heard = false;
    int64_t last_heard_ms = 0;
    int64_t last_sent_ms = INT64_MIN / 2;  // the first tick says hello at once
    PeerStats stats;
  };

  Peer* Find(const NodeId& id);
  const Peer* Find(const NodeId& id) const;
  Envelope NewEnvelope(const Peer& p) const;
  void SendEnvelope(Peer& p, const Envelope& e);
  void SendRaw(Peer& p, const std::string& bytes);
  void FlushPending(Peer& p, int64_t now);
  void Resend(Peer& p, int64_t now);
  void Overflow(Peer& p);
  void HandleAck(Peer& p, uint64_t epoch, uint64_t seq, uint64_t durable);
  void HandleBatch(Peer& p, const DeltaBatch& b);
  size_t QueuedBytes(const Peer& p) const { return p.pending_bytes + p.unacked_bytes; }

  NodeId self_;
  uint64_t stream_epoch_;
  ReplicationOptions options_;
  Transport& transport_;
  const Clock& clock_;
  lattice::HlcClock& hlc_;
  ReplicationSink& sink_;
  std::vector<NodeId> peer_ids_;
  std::map<NodeId, Peer> peers_;
  int64_t last_flush_ms_ = 0;
  uint64_t malformed_ = 0;
  uint64_t foreign_ = 0;
};

}  // namespace starling::gossip
