#include "server/anti_entropy.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "lattice/codec.h"
#include "gossip/riblt/key_diff.h"
#include "server/cluster.h"
#include "server/node.h"

namespace starling::server {
namespace {

// A symbol on the wire: key-hash sum, state-hash sum, checksum (8 bytes each, little-endian)
// and the count's low 24 bits (riblt::WireCount; the receiver restores it from its own).
constexpr size_t kSymbolBytes = riblt::kItemSymbolWireBytes;
static_assert(kSymbolBytes == 27);

void PutU64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));  // little-endian
  out->append(b, 8);
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

void AppendSymbol(std::string* out, const riblt::CodedSymbol<riblt::Item>& s) {
  PutU64(out, s.sum.key_hash);
  PutU64(out, s.sum.state_hash);
  PutU64(out, s.hash);
  uint32_t c = riblt::WireCount(s.count);
  for (int i = 0; i < 3; ++i) out->push_back(static_cast<char>(c >> (8 * i)));
}

// local_count: the receiver's own count at the same index.
riblt::CodedSymbol<riblt::Item> ReadSymbol(const char* p, int64_t local_count) {
  riblt::CodedSymbol<riblt::Item> s;
  s.sum.key_hash = GetU64(p);
  s.sum.state_hash = GetU64(p + 8);
  s.hash = GetU64(p + 16);
  uint32_t c = 0;
  for (int i = 0; i < 3; ++i) c |= static_cast<uint32_t>(static_cast<uint8_t>(p[24 + i])) << (8 * i);
  s.count = riblt::RestoreCount(c, local_count);
  return s;
}

size_t StatesBytes(const std::vector<gossip::KeyState>& states) {
  size_t n = 0;
  for (const gossip::KeyState& s : states) n += s.key.size() + lattice::EncodeObject(s.state).size();
  return n;
}

}  // namespace

struct AntiEntropy::OutRound {
  std::string peer;
  uint64_t id = 0;
  std::vector<Symbol> local;               // own sketch at the start
  riblt::Decoder<Item, riblt::ItemHasher> decoder;
  uint64_t next_index = 0;
  int64_t started_mono = 0, started_wall = 0, last_progress = 0;
  bool stopped = false;  // kStop sent; waiting for the peer's states
  uint64_t keys = 0;

  OutRound(const riblt::ItemHasher& h) : decoder(h, kMaxSymbols) {}
};

struct AntiEntropy::InRound {
  std::string peer;
  uint64_t id = 0;
  std::vector<Symbol> snapshot;
  uint64_t next_index = 0;
  size_t batch = 1;
  int64_t last_sent = 0;
};

AntiEntropy::AntiEntropy(Cluster& cluster, Node& node, gossip::Replicator& repl,
                         const std::string& secret,
                         int64_t period_ms, int64_t gossip_period_ms)
    : cluster_(cluster),
      node_(node),
      repl_(repl),
      hasher_(secret),
      period_ms_(std::max<int64_t>(period_ms, 1)),
      gossip_period_ms_(std::max<int64_t>(gossip_period_ms, 1)) {}

AntiEntropy::~AntiEntropy() = default;

void AntiEntropy::Touched(const std::string& key) { dirty_.insert(key); }

std::vector<std::string> AntiEntropy::PeersOf(const std::string& key) const {
  std::vector<std::string> out;
  if (!cluster_.Replicates(key)) return out;
  for (std::string& r : cluster_.ReplicasOf(key)) {
    if (r != cluster_.self()) out.push_back(std::move(r));
  }
  return out;
}

void AntiEntropy::Flush(size_t budget) {
  if (!loaded_) {
    loaded_ = true;
    for (const auto& [k, o] : node_.keyspace().map()) dirty_.insert(k.str);
  }
  for (; budget > 0 && !dirty_.empty(); --budget) {
    std::string key = std::move(dirty_.extract(dirty_.begin()).value());
    uint64_t kh = hasher_.KeyHash(key);
    auto it = items_.find(kh);
    std::optional<Item> old;
    if (it != items_.end()) old = Item{kh, it->second.state_hash};
    std::optional<Item> now;
    const lattice::Object* o = node_.keyspace().Find(lattice::ElemRef(key));
    if (o && cluster_.Replicates(key)) {
      now = Item{kh, hasher_.StateHash(lattice::EncodeObject(*o))};
    }
    if (old == now) continue;
    for (const std::string& peer : PeersOf(key)) {
      auto s = sketches_.find(peer);
      if (s == sketches_.end()) continue;
      if (old) s->second.Remove(hasher_.Hashed(*old));
      if (now) s->second.Add(hasher_.Hashed(*now));
    }
    if (now) {
      items_[kh] = Entry{key, now->state_hash};
    } else {
      items_.erase(kh);
    }
  }
}

void AntiEntropy::Rebuild() {
  sketches_.clear();
  for (const auto& n : cluster_.config().nodes) {
    if (n.id != cluster_.self()) sketches_.emplace(n.id, riblt::Sketch<Item>(kSketchSymbols));
  }
  // Items of keys this node no longer replicates go (their keys are re-examined).
  for (auto it = items_.begin(); it != items_.end();) {
    if (!cluster_.Replicates(it->second.key)) {
      dirty_.insert(it->second.key);
      it = items_.erase(it);
      continue;
    }
    for (const std::string& peer : PeersOf(it->second.key)) {
      sketches_.at(peer).Add(hasher_.Hashed(Item{it->first, it->second.state_hash}));
    }
    ++it;
  }
}

void AntiEntropy::OnRingChange() {
  if (sketches_.empty() && items_.empty()) {
    Rebuild();
  } else {
    Flush();
    Rebuild();
    Flush();
  }
  TriggerAll();
}

void AntiEntropy::Trigger(const std::string& peer) { due_ms_[peer] = 0; }

void AntiEntropy::TriggerAll() {
  for (const auto& n : cluster_.config().nodes) {
    if (n.id != cluster_.self()) due_ms_[n.id] = 0;
  }
}

void AntiEntropy::Send(const std::string& peer, gossip::AntiEntropy m) {
  stats_.bytes_sent += m.symbols.size() + 8 * m.key_hashes.size() + StatesBytes(m.states) + 32;
  repl_.SendAntiEntropy(peer, std::move(m));
}

void AntiEntropy::Tick() {
  if (sketches_.empty()) {
    Rebuild();
    TriggerAll();  // at once on start
  }
  if (!dirty_.empty() && !out_ && in_.empty()) Flush(kFlushPerTick);  // spread the hashing
  int64_t now = node_.env().clock.MonoMillis();
  // Senders: the next batch of each stream, one a gossip period.
  for (auto it = in_.begin(); it != in_.end();) {
    InRound& r = *it->second;
    if (!repl_.IsUp(r.peer) || r.next_index >= kMaxSymbols ||
        now - r.last_sent > kRoundTimeoutMs) {
      it = in_.erase(it);  // the receiver went away or never stopped us: cut off
      continue;
    }
    if (now - r.last_sent >= gossip_period_ms_) SendBatch(r, now);
    ++it;
  }
  // The round this node started.
  if (out_) {
    if (!repl_.IsUp(out_->peer)) {
      FinishRound("peer-down");
    } else if (now - out_->last_progress > kRoundTimeoutMs) {
      FinishRound("timeout");
    }
    return;
  }
  for (auto& [peer, due] : due_ms_) {
    if (due <= now && repl_.IsUp(peer)) {
      due = now + period_ms_;
      StartRound(peer, now);
      return;
    }
  }
}

void AntiEntropy::StartRound(const std::string& peer, int64_t now) {
  Flush();
  auto s = sketches_.find(peer);
  if (s == sketches_.end()) return;
  out_ = std::make_unique<OutRound>(hasher_);
  out_->peer = peer;
  out_->id = next_round_++;
  out_->local.assign(s->second.symbols().begin(), s->second.symbols().end());
  out_->started_mono = out_->last_progress = now;
  out_->started_wall = node_.NowMs();
  gossip::AntiEntropy m;
  m.kind = gossip::AntiEntropy::kRequest;
  m.round = out_->id;
  Send(peer, std::move(m));
}

void AntiEntropy::FinishRound(const std::string& outcome) {
  if (!out_) return;
  int64_t now = node_.env().clock.MonoMillis();
  RoundLog log;
  log.peer = out_->peer;
  log.started_ms = out_->started_wall;
  log.took_ms = now - out_->started_mono;
  log.symbols = out_->decoder.symbols();
  log.differences = out_->decoder.local_only().size() + out_->decoder.remote_only().size();
  log.keys = out_->keys;
  log.outcome = outcome;
  if (outcome == "in-sync" || outcome == "repaired" || outcome == "fallback") {
    ++stats_.rounds;
    if (outcome == "in-sync") ++stats_.rounds_in_sync;
    stats_.symbols_received += log.symbols;
    stats_.differences += log.differences;
  } else {
    ++stats_.rounds_failed;
    // Retry soon, unless the peer's stream was busy (then at the next period).
    if (outcome != "busy") due_ms_[out_->peer] = now + std::min<int64_t>(period_ms_, 1000);
  }
  if (outcome != "in-sync") {
    SPDLOG_INFO("anti-entropy with {}: {} ({} differing keys, {} symbols, {} ms)", log.peer,
                outcome, log.keys, log.symbols, log.took_ms);
  }
  recent_.push_back(std::move(log));
  if (recent_.size() > 16) recent_.pop_front();
  out_.reset();
}

void AntiEntropy::OnMessage(const std::string& from, const gossip::AntiEntropy& m) {
  stats_.bytes_received += m.symbols.size() + 8 * m.key_hashes.size() + StatesBytes(m.states) + 32;
  int64_t now = node_.env().clock.MonoMillis();
  switch (m.kind) {
    case gossip::AntiEntropy::kRequest: {
      Flush();
      auto s = sketches_.find(from);
      if (s == sketches_.end()) {
        ++stats_.rejected;
        return;
      }
      auto r = std::make_unique<InRound>();
      r->peer = from;
      r->id = m.round;
      r->snapshot.assign(s->second.symbols().begin(), s->second.symbols().end());
      InRound& ref = *r;
      in_[from] = std::move(r);  // a new request from the same peer replaces its old round
      SendBatch(ref, now);
      return;
    }
    case gossip::AntiEntropy::kSymbols:
      return OnSymbols(from, m);
    case gossip::AntiEntropy::kStop: {
      auto it = in_.find(from);
      if (it == in_.end() || it->second->id != m.round) {
        ++stats_.rejected;
        return;
      }
      in_.erase(it);
      if (m.fallback) {
        cluster_.StartFullSync(from);
        return;
      }
      if (m.key_hashes.empty()) return;
      std::vector<std::string> keys;
      for (uint64_t kh : m.key_hashes) {
        if (auto e = items_.find(kh); e != items_.end()) keys.push_back(e->second.key);
      }
      SendStates(from, m.round, keys);
      return;
    }
    case gossip::AntiEntropy::kStates:
      // States are joined whatever the round: joins are safe, and these were asked for.
      JoinStates(from, m.states);
      if (out_ && out_->peer == from && out_->id == m.round && out_->stopped) {
        out_->last_progress = now;
        if (m.index == 1) FinishRound("repaired");  // index 1 marks the last message
      }
      return;
    default:
      ++stats_.rejected;
  }
}

void AntiEntropy::SendBatch(InRound& r, int64_t now) {
  size_t n = std::min(r.batch, kMaxSymbols - std::min<size_t>(r.next_index, kMaxSymbols));
  if (n == 0) return;
  gossip::AntiEntropy m;
  m.kind = gossip::AntiEntropy::kSymbols;
  m.round = r.id;
  m.index = r.next_index;
  m.symbols.reserve(n * kSymbolBytes);
  for (size_t i = 0; i < n; ++i) {
    uint64_t idx = r.next_index + i;
    if (idx >= r.snapshot.size()) break;  // rounds end at the sketch (kMaxSymbols)
    AppendSymbol(&m.symbols, r.snapshot[idx]);
  }
  n = m.symbols.size() / kSymbolBytes;
  if (n == 0) return;
  r.next_index += n;
  r.batch = std::min(kMaxBatch, r.next_index <= 1 ? size_t{1} : r.batch * 2);
  r.last_sent = now;
  Send(r.peer, std::move(m));
}

void AntiEntropy::OnSymbols(const std::string& from, const gossip::AntiEntropy& m) {
  if (!out_ || out_->peer != from || out_->id != m.round || out_->stopped) {
    ++stats_.rejected;  // late symbols of a finished round, or not ours: harmless
    return;
  }
  OutRound& r = *out_;
  if (m.index != r.next_index) {
    ++stats_.rejected;
    return FinishRound("gap");
  }
  size_t n = m.symbols.size() / kSymbolBytes;
  std::vector<Symbol> diff;
  diff.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t idx = r.next_index + i;
    if (idx >= r.local.size()) break;  // a sender past the sketch: ignored, the cap ends it
    Symbol local = r.local[idx];
    diff.push_back(
        riblt::Subtract(ReadSymbol(m.symbols.data() + i * kSymbolBytes, local.count), local));
  }
  r.next_index += n;
  r.last_progress = node_.env().clock.MonoMillis();
  riblt::DecodeState st = r.decoder.AddBatch(diff);
  gossip::AntiEntropy stop;
  stop.kind = gossip::AntiEntropy::kStop;
  stop.round = r.id;
  if (st == riblt::DecodeState::kNeedMore && r.next_index < r.local.size()) return;
  if (st != riblt::DecodeState::kDone &&
      (repl_.QueuedBytes(from) > 0 || !repl_.Stats(from) || repl_.Stats(from)->pending_keys > 0)) {
    // Writes in flight to the peer look like differences: try again later.
    Send(from, std::move(stop));
    return FinishRound("busy");
  }
  if (st != riblt::DecodeState::kDone) {
    // Too large a difference (or an inconsistent stream): stream the range both ways.
    stop.fallback = true;
    ++stats_.fallbacks;
    Send(from, std::move(stop));
    cluster_.StartFullSync(from);
    return FinishRound("fallback");
  }
  std::vector<riblt::KeyDiff> diffs = riblt::MakeKeyDiffs(r.decoder.local_only(),
                                                         r.decoder.remote_only());
  std::vector<std::string> push;
  for (const riblt::KeyDiff& d : diffs) {
    if (d.has_remote) stop.key_hashes.push_back(d.key_hash);
    if (d.has_local) {
      if (auto e = items_.find(d.key_hash); e != items_.end()) push.push_back(e->second.key);
    }
  }
  r.keys = diffs.size();
  stats_.keys_repaired += diffs.size();
  if (diffs.empty()) {
    Send(from, std::move(stop));
    return FinishRound("in-sync");
  }
  r.stopped = true;
  bool wants = !stop.key_hashes.empty();
  Send(from, std::move(stop));
  SendStates(from, r.id, push);
  if (!wants) FinishRound("repaired");
}

void AntiEntropy::SendStates(const std::string& peer, uint64_t round,
                             const std::vector<std::string>& keys) {
  // Chunked; the last message has index 1 (the receiver's round ends with it).
  size_t i = 0;
  do {
    gossip::AntiEntropy m;
    m.kind = gossip::AntiEntropy::kStates;
    m.round = round;
    for (; i < keys.size() && m.states.size() < kStatesPerMessage; ++i) {
      if (const lattice::Object* o = node_.keyspace().Find(lattice::ElemRef(keys[i]))) {
        m.states.push_back(gossip::KeyState{keys[i], *o});
      }
    }
    stats_.keys_pushed += m.states.size();
    m.index = i >= keys.size() ? 1 : 0;
    Send(peer, std::move(m));
  } while (i < keys.size());
}

void AntiEntropy::JoinStates(const std::string& from, const std::vector<gossip::KeyState>& states) {
  for (const gossip::KeyState& s : states) {
    ++stats_.keys_pulled;
    cluster_.ApplyRemote(from, s.key, s.state);
  }
}

}  // namespace starling::server
