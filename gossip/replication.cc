#include "gossip/replication.h"

#include <algorithm>

namespace starling::gossip {
namespace {

// A cheap upper-ish estimate of a delta's encoded size, for the queue bound (encoding every
// delta on enqueue would double the work of the write path).
size_t Estimate(const std::string& key, const lattice::Object& o) {
  size_t n = 64 + key.size() + o.ctx.NumRanges() * 24 + o.store.tags.size() * 32;
  const lattice::KeyStore& st = o.store;
  if (st.str) {
    for (const auto& [d, e] : st.str->dots.entries.entries()) n += 48 + e.value.size();
    n += st.str->dots.marks.size() * 16;
  }
  if (st.set) {
    for (const auto& [k, v] : st.set->map()) n += 24 + k.str.size() + v.size() * 16;
  }
  if (st.hash) {
    for (const auto& [k, v] : st.hash->fields.map()) {
      n += 24 + k.str.size();
      for (const auto& [d, e] : v.entries.entries()) n += 48 + e.value.size();
    }
    n += st.hash->runs.size() * 64;
  }
  if (st.zset) n += st.zset->members().size() * 72 + st.zset->runs().size() * 64;
  if (st.list) {
    for (auto it = st.list->elems().begin(); it != st.list->elems().end(); ++it) {
      n += 24 * it.key().size() + 32;
      for (const auto& [d, e] : it.value().entries()) n += 32 + e.value.size();
    }
  }
  return n;
}

}  // namespace

Replicator::Replicator(NodeId self, uint64_t stream_epoch, ReplicationOptions options,
                       Transport& transport, const Clock& clock, lattice::HlcClock& hlc,
                       ReplicationSink& sink)
    : self_(std::move(self)),
      stream_epoch_(stream_epoch),
      options_(std::move(options)),
      transport_(transport),
      clock_(clock),
      hlc_(hlc),
      sink_(sink) {}

void Replicator::SetPeers(const std::vector<NodeId>& peers) {
  std::map<NodeId, Peer> next;
  for (const NodeId& id : peers) {
    if (id == self_) continue;
    auto it = peers_.find(id);
    if (it != peers_.end()) {
      next.emplace(id, std::move(it->second));
    } else {
      Peer p;
      p.id = id;
      p.epoch = stream_epoch_;
      next.emplace(id, std::move(p));
    }
  }
  peers_ = std::move(next);
  peer_ids_.clear();
  for (const auto& [id, p] : peers_) peer_ids_.push_back(id);
}

Replicator::Peer* Replicator::Find(const NodeId& id) {
  auto it = peers_.find(id);
  return it == peers_.end() ? nullptr : &it->second;
}

const Replicator::Peer* Replicator::Find(const NodeId& id) const {
  auto it = peers_.find(id);
  return it == peers_.end() ? nullptr : &it->second;
}

bool Replicator::Enqueue(const NodeId& peer, const std::string& key, const lattice::Object& delta) {
  Peer* p = Find(peer);
  if (!p) return false;
  if (p->stats.cut) {
    ++p->stats.cut_dropped;
    return true;
  }
  auto [it, fresh] = p->pending.try_emplace(key);
  if (!fresh) p->pending_bytes -= std::min(p->pending_bytes, Estimate(key, it->second));
  if (fresh) {
    it->second = delta;
  } else {
    it->second.Join(delta);
  }
  p->pending_bytes += Estimate(key, it->second);
  if (static_cast<int64_t>(QueuedBytes(*p)) > options_.max_queue_bytes) Overflow(*p);
  return true;
}

bool Replicator::SetCut(const NodeId& peer, bool cut) {
  Peer* p = Find(peer);
  if (!p) return false;
  p->stats.cut = cut;
  return true;
}

bool Replicator::SetHeld(const NodeId& peer, bool held) {
  Peer* p = Find(peer);
  if (!p) return false;
  p->stats.held = held;
  return true;
}

void Replicator::Overflow(Peer& p) {
  // Stop buffering: drop the stream, start a new one, and let the node send full states.
  p.pending.clear();
  p.pending_bytes = 0;
  p.unacked.clear();
  p.unacked_bytes = 0;
  ++p.stats.overflows;
  for (auto& [k, seq] : p.watched) seq = 0;  // re-sent by the full sync
  p.epoch = stream_epoch_ + p.stats.overflows;
  p.next_seq = 1;
  p.acked_seq = 0;
  p.durable_acked_seq = 0;
  sink_.NeedsFullSync(p.id);
}

Envelope Replicator::NewEnvelope(const Peer& p) const {
  Envelope e;
  e.cluster = options_.cluster;
  e.from = self_;
  e.config_epoch = options_.config_epoch;
  e.hlc = hlc_.Last();
  e.ack_epoch = p.in_epoch;
  e.ack_seq = p.in_contiguous;
  e.durable_seq = std::min(p.in_durable, p.in_contiguous);
  return e;
}

void Replicator::SendRaw(Peer& p, const std::string& bytes) {
  p.last_sent_ms = clock_.MonoMillis();
  p.stats.bytes_sent += bytes.size();
  transport_.Send(p.id, bytes);
}

void Replicator::SendEnvelope(Peer& p, const Envelope& e) {
  p.ack_owed = false;
  SendRaw(p, EncodeEnvelope(e));
}

void Replicator::SendFetch(const NodeId& peer, FetchRequest req) {
  Peer* p = Find(peer);
  if (!p) return;
  Envelope e = NewEnvelope(*p);
  e.body = std::move(req);
  SendEnvelope(*p, e);
}

void Replicator::SendStable(const NodeId& peer, StableAnnouncement a) {
  Peer* p = Find(peer);
  if (!p) return;
  Envelope e = NewEnvelope(*p);
  e.body = std::move(a);
  SendEnvelope(*p, e);
}

void Replicator::SendAntiEntropy(const NodeId& peer, AntiEntropy a) {
  Peer* p = Find(peer);
  if (!p) return;
  Envelope e = NewEnvelope(*p);
  e.body = std::move(a);
  SendEnvelope(*p, e);
}

void Replicator::FlushPending(Peer& p, int64_t now) {
  while (!p.pending.empty()) {
    DeltaBatch b;
    b.epoch = p.epoch;
    b.seq = p.next_seq++;
    b.base_seq = p.unacked.empty() ? b.seq : p.unacked.front().seq;
    size_t bytes = 0;
    while (!p.pending.empty() && (b.deltas.empty() || bytes < options_.max_batch_bytes)) {
      auto node = p.pending.extract(p.pending.begin());
      if (!p.watched.empty()) {
        if (auto w = p.watched.find(node.key()); w != p.watched.end()) w->second = b.seq;
      }
      size_t est = Estimate(node.key(), node.mapped());
      bytes += est;
      p.pending_bytes -= std::min(p.pending_bytes, est);
      b.deltas.push_back(KeyState{std::move(node.key()), std::move(node.mapped())});
    }
    Envelope e = NewEnvelope(p);
    size_t n = b.deltas.size();
    e.body = b;
    std::string wire = EncodeEnvelope(e);
    p.stats.deltas_sent += n;
    ++p.stats.batches_sent;
    p.ack_owed = false;
    SendRaw(p, wire);
    size_t size = wire.size();
    p.unacked_bytes += size;
    p.unacked.push_back(SentBatch{b.seq, std::move(b), size, now});
    if (p.unacked.size() == 1) {
      p.resend_backoff_ms = options_.resend_timeout_ms;
      p.next_resend_ms = now + p.resend_backoff_ms;
    }
  }
  if (p.pending.empty()) p.pending_bytes = 0;
}

void Replicator::Resend(Peer& p, int64_t now) {
  for (SentBatch& b : p.unacked) {
    ++p.stats.batches_resent;
    b.batch.base_seq = p.unacked.front().seq;
    Envelope e = NewEnvelope(p);
    e.body = b.batch;
    p.ack_owed = false;
    SendRaw(p, EncodeEnvelope(e));
  }
  p.resend_backoff_ms = std::min(options_.max_resend_backoff_ms,
                                 std::max<int64_t>(options_.resend_timeout_ms,
                                                   p.resend_backoff_ms * 2));
  p.next_resend_ms = now + p.resend_backoff_ms;
}

void Replicator::Committed() {
  for (auto& [id, p] : peers_) p.in_committed = p.in_contiguous;
}

void Replicator::Synced() {
  for (auto& [id, p] : peers_) {
    if (p.in_durable != p.in_committed) {
      p.in_durable = p.in_committed;
      p.ack_owed = true;  // the durable ack goes out with the next message or heartbeat
    }
  }
}

void Replicator::HandleAck(Peer& p, uint64_t epoch, uint64_t seq, uint64_t durable) {
  if (epoch != p.epoch) return;
  p.durable_acked_seq =
      std::max(p.durable_acked_seq, std::min({durable, seq, p.next_seq - 1}));
  if (seq <= p.acked_seq) return;
  p.acked_seq = std::min(seq, p.next_seq - 1);
  while (!p.unacked.empty() && p.unacked.front().seq <= p.acked_seq) {
    p.unacked_bytes -= std::min(p.unacked_bytes, p.unacked.front().size);
    p.unacked.pop_front();
  }
  p.resend_backoff_ms = options_.resend_timeout_ms;
  p.next_resend_ms = clock_.MonoMillis() + p.resend_backoff_ms;
}

void Replicator::HandleBatch(Peer& p, const DeltaBatch& b) {
  if (b.seq == 0) return;
  if (b.epoch != p.in_epoch) {
    // A stream we do not know yet (first contact, the sender restarted or overflowed):
    // expect everything from its base on.
    p.in_epoch = b.epoch;
    p.in_committed = p.in_durable = 0;
    p.in_contiguous = (b.base_seq >= 1 && b.base_seq <= b.seq ? b.base_seq : b.seq) - 1;
    p.in_ahead.clear();
  }
  p.ack_owed = true;
  ++p.stats.batches_received;
  // Every batch below base_seq was acknowledged (by this node, or by an earlier run of it
  // that stored it): skip ahead. Otherwise a restarted receiver that first saw a delayed
  // old batch of the stream waits forever for batches the sender has dropped.
  if (b.base_seq > p.in_contiguous + 1 && b.base_seq <= b.seq) {
    p.in_contiguous = b.base_seq - 1;
    while (!p.in_ahead.empty() && *p.in_ahead.begin() <= p.in_contiguous + 1) {
      p.in_contiguous = std::max(p.in_contiguous, *p.in_ahead.begin());
      p.in_ahead.erase(p.in_ahead.begin());
    }
  }
  if (b.seq <= p.in_contiguous || p.in_ahead.count(b.seq)) return;  // a duplicate
  for (const KeyState& d : b.deltas) sink_.ApplyRemote(p.id, d.key, d.state);
  p.stats.deltas_received += b.deltas.size();
  if (b.seq == p.in_contiguous + 1) {
    ++p.in_contiguous;
    while (!p.in_ahead.empty() && *p.in_ahead.begin() == p.in_contiguous + 1) {
      p.in_ahead.erase(p.in_ahead.begin());
      ++p.in_contiguous;
    }
    return;
  }
  // A gap: ask for what is missing (once per new gap).
  bool new_gap = p.in_ahead.empty();
  p.in_ahead.insert(b.seq);
  if (new_gap) {
    ++p.stats.resend_requests;
    Envelope e = NewEnvelope(p);
    e.body = ResendRequest{p.in_epoch, p.in_contiguous};
    SendEnvelope(p, e);
  }
}

void Replicator::OnMessage(const Envelope& e, size_t wire_bytes) {
  if (e.cluster != options_.cluster) {
    ++foreign_;
    return;
  }
  Peer* p = Find(e.from);
  if (!p) {
    ++foreign_;
    return;
  }
  int64_t now = clock_.MonoMillis();
  hlc_.Observe(e.hlc);
  p->stats.bytes_received += wire_bytes;
  p->last_heard_ms = now;
  p->ever_heard = true;
  if (!p->up) {
    p->up = true;
    p->next_resend_ms = now;  // resend what it may have missed at the next tick
    sink_.OnPeerUp(p->id);
  }
  HandleAck(*p, e.ack_epoch, e.ack_seq, e.durable_seq);
  if (const auto* b = std::get_if<DeltaBatch>(&e.body)) {
    HandleBatch(*p, *b);
  } else if (const auto* r = std::get_if<ResendRequest>(&e.body)) {
    if (r->epoch == p->epoch) {
      HandleAck(*p, r->epoch, r->after_seq, 0);
      if (!p->unacked.empty()) Resend(*p, now);
    }
  } else if (const auto* f = std::get_if<FetchRequest>(&e.body)) {
    FetchReply reply;
    reply.id = f->id;
    reply.states = sink_.ServeFetch(p->id, f->keys);
    Envelope out = NewEnvelope(*p);
    out.body = std::move(reply);
    SendEnvelope(*p, out);
  } else if (const auto* fr = std::get_if<FetchReply>(&e.body)) {
    sink_.OnFetchReply(p->id, *fr);
  } else if (const auto* sa = std::get_if<StableAnnouncement>(&e.body)) {
    sink_.OnStable(p->id, *sa);
  } else if (const auto* sp = std::get_if<StatePush>(&e.body)) {
    for (const KeyState& s : sp->states) sink_.ApplyRemote(p->id, s.key, s.state);
  } else if (const auto* ae = std::get_if<AntiEntropy>(&e.body)) {
    sink_.OnAntiEntropy(p->id, *ae);
  }
}

void Replicator::Tick() {
  int64_t now = clock_.MonoMillis();
  bool flush = now - last_flush_ms_ >= options_.gossip_period_ms;
  if (flush) last_flush_ms_ = now;
  for (auto& [id, p] : peers_) {
    if (p.up && now - p.last_heard_ms > options_.failure_timeout_ms) {
      p.up = false;
      sink_.OnPeerDown(p.id);
    }
    if (flush && p.up && !p.stats.held) FlushPending(p, now);
    if (p.up && !p.unacked.empty() && now >= p.next_resend_ms) Resend(p, now);
    if (p.ack_owed || now - p.last_sent_ms >= options_.heartbeat_ms) {
      Envelope e = NewEnvelope(p);
      e.body = Heartbeat{};
      SendEnvelope(p, e);
    }
  }
}

void Replicator::Watch(const NodeId& peer, const std::string& key) {
  if (Peer* p = Find(peer)) p->watched.try_emplace(key, 0);
}

void Replicator::Unwatch(const NodeId& peer, const std::string& key) {
  if (Peer* p = Find(peer)) p->watched.erase(key);
}

bool Replicator::Delivered(const NodeId& peer, const std::string& key) const {
  const Peer* p = Find(peer);
  if (!p) return true;  // not a peer any more: nothing to wait for
  auto it = p->watched.find(key);
  if (it == p->watched.end()) return false;
  return it->second != 0 && it->second <= p->durable_acked_seq && !p->pending.count(key);
}

size_t Replicator::QueuedBytes(const NodeId& peer) const {
  const Peer* p = Find(peer);
  return p ? QueuedBytes(*p) : 0;
}

bool Replicator::IsUp(const NodeId& peer) const {
  const Peer* p = Find(peer);
  return p && p->up;
}

uint64_t Replicator::AckedThrough(const NodeId& peer) const {
  const Peer* p = Find(peer);
  return p ? p->acked_seq : 0;
}

uint64_t Replicator::NextSeq(const NodeId& peer) const {
  const Peer* p = Find(peer);
  return p ? p->next_seq : 0;
}

uint64_t Replicator::StreamEpoch(const NodeId& peer) const {
  const Peer* p = Find(peer);
  return p ? p->epoch : 0;
}

std::optional<PeerStats> Replicator::Stats(const NodeId& peer) const {
  const Peer* p = Find(peer);
  if (!p) return std::nullopt;
  PeerStats s = p->stats;
  s.up = p->up;
  s.last_heard_ms = p->last_heard_ms;
  s.next_seq = p->next_seq;
  s.acked_seq = p->acked_seq;
  s.pending_keys = p->pending.size();
  s.queued_bytes = QueuedBytes(*p);
  s.unacked_batches = p->unacked.size();
  s.oldest_unacked_ms = p->unacked.empty() ? 0 : p->unacked.front().first_sent_ms;
  return s;
}

bool Replicator::Idle() const {
  for (const auto& [id, p] : peers_) {
    if (!p.pending.empty() || !p.unacked.empty()) return false;
  }
  return true;
}

}  // namespace starling::gossip
