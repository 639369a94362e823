// AntiEntropy: finds and repairs the keys on which this node and a peer differ (DESIGN.md
// section 6, issue 8), with RIBLT sketches from gossip/riblt.
//
// Items. Every key this node replicates is one 16-byte item, H(key) || H(canonical state),
// keyed by the cluster secret. Changes only mark keys dirty; items are recomputed from the
// keyspace when a round needs them (a key written a thousand times between rounds is hashed
// once). Per peer there is one Sketch of the first kSketchSymbols coded symbols over the keys
// both nodes replicate, edited in place (O(log M) symbols an item).
//
// A round (this node R initiates, with one peer S at a time):
//   R -> S  kRequest
//   S -> R  kSymbols, streamed without acks: batches of 1, 1, 2, 4 ... kMaxBatch symbols, the
//           first at once and then one per gossip period (the bandwidth budget), from a
//           snapshot of S's sketch (a round ends at the sketch's size);
//   R       subtracts its own symbol i from each and peels, until the difference decodes;
//   R -> S  kStop with the key hashes R wants, then kStates with R's states of the keys that
//           S lacks or has otherwise;  S -> R kStates with the wanted states. Both join.
// If the difference does not decode within the sketch (or the stream is inconsistent): when
// the delta stream to S is busy the round ends "busy" and is retried at the next period
// (writes in flight look like differences); otherwise R sends kStop with `fallback`, and both
// stream the range to each other (Cluster's paced full sync). A round with no progress for
// kRoundTimeoutMs is abandoned. Dirty keys are rehashed a few thousand a turn while idle,
// and all at the start of a round.
//
// Schedule: each peer every anti_entropy_period_ms, one round at a time; at once on start,
// when a peer comes back up, after a queue overflow and after a ring change; STARLING REPAIR.
//
// Deterministic: time from the node's clock, network only through the Replicator.
#pragma once

#include <cstdint>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "gossip/messages.h"
#include "gossip/replication.h"
#include "gossip/riblt/decoder.h"
#include "gossip/riblt/item.h"
#include "gossip/riblt/sketch.h"

namespace starling::server {

class Cluster;
class Node;

class AntiEntropy {
 public:
  // Rounds decode within the sketch only: 16384 symbols (640 KiB a peer in memory) decode
  // about 11,000 differing items. A larger difference is not decoded on the event loop
  // (an encoder past the sketch walks every item of the range): while the stream to the
  // peer is busy the round is retried later (in-flight writes look like differences), else
  // the range is streamed (fallback).
  static constexpr size_t kSketchSymbols = 16384;
  static constexpr size_t kMaxSymbols = kSketchSymbols;
  static constexpr size_t kFlushPerTick = 4096;  // dirty keys rehashed a turn
  static constexpr size_t kMaxBatch = 1024;         // symbols a gossip period (27 KiB)
  static constexpr int64_t kRoundTimeoutMs = 5000;
  static constexpr size_t kStatesPerMessage = 512;

  struct Stats {
    uint64_t rounds = 0;            // completed rounds started here
    uint64_t rounds_in_sync = 0;    // of which found no difference
    uint64_t rounds_failed = 0;     // abandoned: timeout, gap, peer down
    uint64_t fallbacks = 0;         // did not decode: the range was streamed
    uint64_t keys_repaired = 0;     // differing keys found by rounds started here
    uint64_t keys_pushed = 0;       // states sent in repairs (either side)
    uint64_t keys_pulled = 0;       // states received in repairs (either side)
    uint64_t symbols_received = 0;  // coded symbols decoded by rounds started here
    uint64_t differences = 0;       // differing items those rounds decoded
    uint64_t bytes_sent = 0;        // anti-entropy payload bytes (symbols, hashes, states)
    uint64_t bytes_received = 0;
    uint64_t rejected = 0;          // messages for no live round, or inconsistent
  };
  struct RoundLog {
    std::string peer;
    int64_t started_ms = 0;  // node wall clock
    int64_t took_ms = 0;
    uint64_t symbols = 0;
    uint64_t differences = 0;  // differing items
    uint64_t keys = 0;         // differing keys
    std::string outcome;       // in-sync, repaired, fallback, timeout, ...
  };

  AntiEntropy(Cluster& cluster, Node& node, gossip::Replicator& repl, const std::string& secret,
              int64_t period_ms, int64_t gossip_period_ms);
  ~AntiEntropy();

  // A key's state changed here (local write, remote join, drop).
  void Touched(const std::string& key);
  // The ring changed: sketches are rebuilt and every peer is due at once.
  void OnRingChange();
  // A round with peer as soon as possible (peer up again, queue overflow, admin command).
  void Trigger(const std::string& peer);
  void TriggerAll();
  // Periodic work; call every event-loop turn.
  void Tick();
  void OnMessage(const std::string& from, const gossip::AntiEntropy& m);

  const Stats& stats() const { return stats_; }
  const std::deque<RoundLog>& recent() const { return recent_; }
  bool round_active() const { return out_ != nullptr; }

 private:
  using Item = riblt::Item;
  using Symbol = riblt::CodedSymbol<Item>;
  struct Entry {
    std::string key;
    uint64_t state_hash = 0;
  };
  struct OutRound;  // a round this node started (receiver of symbols)
  struct InRound;   // a round a peer started (sender of symbols)

  // Rehashes up to `budget` dirty keys (all by default).
  void Flush(size_t budget = SIZE_MAX);
  void Rebuild();
  std::vector<std::string> PeersOf(const std::string& key) const;
  void StartRound(const std::string& peer, int64_t now);
  void FinishRound(const std::string& outcome);
  void OnSymbols(const std::string& from, const gossip::AntiEntropy& m);
  void SendBatch(InRound& r, int64_t now);
  void SendStates(const std::string& peer, uint64_t round, const std::vector<std::string>& keys);
  void JoinStates(const std::string& from, const std::vector<gossip::KeyState>& states);
  void Send(const std::string& peer, gossip::AntiEntropy m);

  Cluster& cluster_;
  Node& node_;
  gossip::Replicator& repl_;
  riblt::ItemHasher hasher_;
  int64_t period_ms_;
  int64_t gossip_period_ms_;
  bool loaded_ = false;  // the keyspace loaded at start has been marked dirty
  std::set<std::string> dirty_;
  std::unordered_map<uint64_t, Entry> items_;  // key hash -> key and state hash
  std::map<std::string, riblt::Sketch<Item>> sketches_;
  std::map<std::string, int64_t> due_ms_;  // peer -> when its next round is due
  std::unique_ptr<OutRound> out_;
  std::map<std::string, std::unique_ptr<InRound>> in_;
  uint64_t next_round_ = 1;
  Stats stats_;
  std::deque<RoundLog> recent_;
};

}  // namespace starling::server
