// Peer messages as plain structs (CONVENTIONS.md 7). Bytes from the network are decoded
// once, at the boundary, by DecodeEnvelope (messages.cc, Cap'n Proto schema in
// schema/messages.capnp); the replication code never sees Cap'n Proto readers.
//
// Every message is an Envelope: who sent it, for which cluster and config epoch, the
// sender's HLC (peers observe it), the piggybacked acknowledgement of the reverse
// replication stream, and one body.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "base/status.h"
#include "gossip/transport.h"
#include "lattice/causal_context.h"
#include "lattice/hlc.h"
#include "lattice/object.h"

namespace starling::gossip {

// One key's change: a delta (or a full state) to join into the key.
struct KeyState {
  std::string key;
  lattice::Object state;
};

// A batch of the sender's replication stream to the receiver. Streams are per (sender,
// receiver) pair and numbered from 1; `epoch` names the stream incarnation (a restarted
// sender starts a new stream), so sequence numbers restart safely.
struct DeltaBatch {
  uint64_t epoch = 0;
  uint64_t seq = 0;
  // The lowest seq the sender still holds unacknowledged when it sends this batch: a
  // receiver that does not know the stream yet (it restarted) expects every batch from
  // base_seq on, so a lost resend is asked for again rather than skipped.
  uint64_t base_seq = 0;
  std::vector<KeyState> deltas;
};

// The receiver lost batches after `after_seq` of stream `epoch` (it saw a gap): resend.
struct ResendRequest {
  uint64_t epoch = 0;
  uint64_t after_seq = 0;
};

// Keeps the failure detector fed when there is nothing else to send.
struct Heartbeat {};

// A coordinator that does not replicate some keys asks an owner for their states.
struct FetchRequest {
  uint64_t id = 0;
  std::vector<std::string> keys;
};

// The owner's answer: the full state of each key it has (absent keys are omitted).
struct FetchReply {
  uint64_t id = 0;
  std::vector<KeyState> states;
};

// Full states pushed to a peer that should hold them (hand-off after a ring change, a
// peer whose outbound queue overflowed, hinted writes). Joined like deltas.
struct StatePush {
  std::vector<KeyState> states;
};

// The sender's removals of these keys have been applied by every replica: a replica whose
// state of the key is a tombstone covered by `ctx` may drop it.
struct StableRemoval {
  std::string key;
  lattice::CausalContext ctx;
};
struct StableAnnouncement {
  std::vector<StableRemoval> removals;
};

// Anti-entropy (server/anti_entropy.h): one round between an initiator R and a sender S.
//   R -> S kRequest;  S -> R kSymbols (coded RIBLT symbols from `index`, streamed);
//   R -> S kStop (the differing key hashes R wants, and R's states S lacks or differs on;
//   `fallback`: the difference did not decode, stream the range instead);  S -> R kStates.
struct AntiEntropy {
  enum Kind : uint8_t { kRequest = 0, kSymbols = 1, kStop = 2, kStates = 3 };
  uint8_t kind = kRequest;
  uint64_t round = 0;
  uint64_t index = 0;
  bool fallback = false;
  std::string symbols;  // 27 bytes a symbol: key-hash and state-hash sums, checksum, count
  std::vector<uint64_t> key_hashes;
  std::vector<KeyState> states;
};

using Body = std::variant<DeltaBatch, ResendRequest, Heartbeat, FetchRequest, FetchReply, StatePush,
                          StableAnnouncement, AntiEntropy>;

struct Envelope {
  static constexpr uint32_t kVersion = 1;
  uint32_t version = kVersion;
  std::string cluster;  // cluster name: messages of another cluster are dropped
  NodeId from;
  uint64_t config_epoch = 0;
  lattice::Hlc hlc = 0;
  // Piggybacked ack of the receiver's stream to the sender: (epoch, highest contiguous seq
  // received). seq 0: nothing received yet.
  uint64_t ack_epoch = 0;
  uint64_t ack_seq = 0;
  // The highest contiguous seq of that stream that is on the receiver's stable storage
  // (<= ack_seq). ack_seq stops resends; durable_seq is what removals' stability (tombstone
  // collection) and the drop of hinted copies wait for.
  uint64_t durable_seq = 0;
  Body body;
};

struct DecodeLimits {
  size_t max_message_bytes = 64 << 20;
  size_t max_keys = 1 << 20;
  size_t max_key_bytes = 512 << 20;
};

std::string EncodeEnvelope(const Envelope& e);
// Corruption / ResourceExhausted for malformed or oversized input; never crashes.
Result<Envelope> DecodeEnvelope(std::string_view bytes, const DecodeLimits& limits = {});

}  // namespace starling::gossip
