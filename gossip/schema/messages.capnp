# Peer messages (gossip/messages.h, encoded and decoded by gossip/messages.cc). A message on
# the wire is one packed Cap'n Proto message whose root is an Envelope.
#
# Lattice states travel as Data holding the canonical encoding of lattice/codec.h (itself a
# packed lattice/schema/object.capnp Object): the lattice codec stays the one place that
# validates states, and the bytes are the same ones storage writes and anti-entropy hashes.
#
# Evolution: add fields and union members at the end; never renumber. A receiver that does
# not know a body kind drops the message (Corruption). `version` changes only for an
# incompatible change of meaning.
@0xf1bb3ff054bd7b4d;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("starling::gossip::schema");

struct KeyState {
  key @0 :Data;
  state @1 :Data;   # lattice::EncodeObject bytes; isDelta rides inside
}

struct DeltaBatch {
  epoch @0 :UInt64;
  seq @1 :UInt64;
  baseSeq @2 :UInt64;
  deltas @3 :List(KeyState);
}

struct ResendRequest {
  epoch @0 :UInt64;
  afterSeq @1 :UInt64;
}

struct FetchRequest {
  id @0 :UInt64;
  keys @1 :List(Data);
}

struct FetchReply {
  id @0 :UInt64;
  states @1 :List(KeyState);
}

struct StatePush {
  states @0 :List(KeyState);
}

struct StableRemoval {
  key @0 :Data;
  ctx @1 :Data;     # lattice::EncodeContext bytes
}

struct StableAnnouncement {
  removals @0 :List(StableRemoval);
}

struct AntiEntropy {
  kind @0 :UInt8;
  round @1 :UInt64;
  index @2 :UInt64;
  fallback @3 :Bool;
  symbols @4 :Data;
  keyHashes @5 :List(UInt64);
  states @6 :List(KeyState);
}

struct Envelope {
  version @0 :UInt32;
  cluster @1 :Text;
  from @2 :Text;
  configEpoch @3 :UInt64;
  hlc @4 :UInt64;
  ackEpoch @5 :UInt64;
  ackSeq @6 :UInt64;
  body :union {
    deltaBatch @7 :DeltaBatch;
    resendRequest @8 :ResendRequest;
    heartbeat @9 :Void;
    fetchRequest @10 :FetchRequest;
    fetchReply @11 :FetchReply;
    statePush @12 :StatePush;
    stableAnnouncement @13 :StableAnnouncement;
    antiEntropy @14 :AntiEntropy;
  }
  durableSeq @15 :UInt64;
}
