// Transport: how a node's core sends bytes to its peers (DESIGN.md sections 2 and 4).
//
// The core sees only this interface: "send these bytes to node N". No ZeroMQ types cross
// it. The production implementation (zmq_transport.h) uses a ROUTER socket to receive and
// one DEALER per peer to send; dst/ has a simulated network behind the same interface.
// Delivery is best effort: messages may be lost, duplicated, delayed or reordered; the
// replication protocol (replication.h) makes up for it. Incoming messages are handed to
// the core by the driver as events (Node::OnPeerMessage), never by callbacks from threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace starling::gossip {

// A node's id, as in the cluster configuration ("n1").
using NodeId = std::string;

class Transport {
 public:
  virtual ~Transport() = default;
  // Queues bytes for `to`. Never blocks; drops (and counts) when the peer's send queue is
  // full or the peer is unknown.
  virtual void Send(const NodeId& to, std::string bytes) = 0;
};

// A transport that goes nowhere (a one-node cluster).
class NullTransport final : public Transport {
 public:
  void Send(const NodeId&, std::string) override {}
};

}  // namespace starling::gossip
