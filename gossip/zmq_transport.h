// ZmqTransport: the production Transport (DESIGN.md section 4), bytes over ZeroMQ.
//
// Sockets. The node binds one ROUTER on its gossip port to receive, and keeps one DEALER per
// peer to send, connected to tcp://host:gossip_port with ZMQ_ROUTING_ID set to our node id,
// so the peer's ROUTER names us as the sender of every message. A message is one frame; the
// receiver sees [sender id][payload]. The ROUTER hands a routing id over to its newest
// connection (ZMQ_ROUTER_HANDOVER), so a peer that restarts while its old connection is still
// half-open is heard at once. The transport carries bytes only: the caller decodes them
// (messages.h) and reports what it could not decode (CountMalformed).
//
// Sending never blocks. A message is dropped and counted when the peer is unknown, when its
// queue holds send_hwm messages, or when the bytes ZeroMQ still holds for it would exceed
// max_queue_bytes (ZeroMQ's own limit counts messages, not bytes: 1000 queued 4 MB batches
// would be 4 GB). With queue_while_connecting (the default), a peer that is not connected
// yet, or is reconnecting, gets its messages queued up to those bounds and delivered when
// the connection comes up; otherwise (ZMQ_IMMEDIATE) sends to it are dropped and counted.
// Messages in flight when a connection breaks may be lost; the replication protocol resends.
//
// Driving it. Single-threaded: every method is called from one thread, the event loop's. It
// starts no thread of its own (the ZeroMQ context runs one I/O thread internally) and never
// calls into the node: the loop watches fd() and calls Drain, which hands each message to a
// callback the loop supplies. fd() is ZeroMQ's ZMQ_FD, which is edge-triggered in effect: it
// signals that the socket's state may have changed, not that a message is waiting, and it
// does not signal again for messages already queued. So on every wake-up, drain before
// waiting on fd() again: Drain with no limit receives until nothing is left (receiving until
// EAGAIN processes the socket's events as reading ZMQ_EVENTS does). A loop that bounds its
// turns calls Drain(fn, n) and then HasPending(), which reads ZMQ_EVENTS and so clears the
// fd's signal: while it is true, the loop must Drain again (now or in its next turn) rather
// than wait on fd().
//
// Errors. cppzmq's exceptions (zmq::error_t) are caught here and turned into Status; none
// leaves this class.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gossip/transport.h"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace starling::gossip {

struct ZmqTransportOptions {
  NodeId self;  // our node id: the routing id peers see. 1 to 255 bytes, not starting with 0.
  // Addresses to bind the ROUTER on, space- or comma-separated ("127.0.0.1", "0.0.0.0",
  // "::1"). All get the same port.
  std::string bind = "127.0.0.1";
  int port = 0;  // the gossip port; 0 picks a free one (port() tells which)

  int send_hwm = 1000;                   // messages queued per peer (ZMQ_SNDHWM)
  int64_t max_queue_bytes = 64 << 20;    // bytes queued per peer; a larger message never fits
  int receive_hwm = 1000;                // per sender, before TCP back-pressure (ZMQ_RCVHWM)
  int64_t max_message_bytes = 64 << 20;  // larger incoming messages close the connection
  bool queue_while_connecting = true;    // false: ZMQ_IMMEDIATE (see the file comment)
  int reconnect_ivl_ms = 100;            // first reconnect attempt (ZMQ_RECONNECT_IVL)
  int reconnect_ivl_max_ms = 2000;       // doubling up to this (ZMQ_RECONNECT_IVL_MAX)
  // ZMTP heartbeats on each DEALER: a connection whose peer does not answer for
  // heartbeat_timeout_ms is closed and reconnected. 0 disables them.
  int heartbeat_ivl_ms = 1000;
  int heartbeat_timeout_ms = 5000;
  // TCP keepalive on every socket (idle time, probe interval, probe count), for peers that
  // vanish without closing their connections. Seconds.
  int tcp_keepalive_idle_s = 30;
  int tcp_keepalive_intvl_s = 5;
  int tcp_keepalive_cnt = 3;
};

struct ZmqPeerAddress {
  NodeId id;
  std::string host;  // name, IPv4 or IPv6 address
  int gossip_port = 0;
};

struct ZmqPeerStats {
  NodeId id;
  std::string endpoint;  // tcp://host:port
  uint64_t sent_messages = 0;
  uint64_t sent_bytes = 0;
  uint64_t received_messages = 0;
  uint64_t received_bytes = 0;
  // ZeroMQ refused: send_hwm reached (or not connected, with immediate). The HWM is
  // approximate: ZeroMQ tells the sender about reads in steps of half the HWM.
  uint64_t dropped_hwm = 0;
  uint64_t dropped_bytes = 0;  // max_queue_bytes reached
  uint64_t malformed = 0;      // CountMalformed(id)
  int64_t queued_bytes = 0;    // accepted, not yet written to the connection (or dropped)
};

struct ZmqTransportStats {
  // Totals since Open, including peers removed since.
  uint64_t sent_messages = 0;
  uint64_t sent_bytes = 0;
  uint64_t received_messages = 0;
  uint64_t received_bytes = 0;
  uint64_t dropped_hwm = 0;
  uint64_t dropped_bytes = 0;
  uint64_t dropped_unknown_peer = 0;   // Send to an id that is not a current peer
  uint64_t send_errors = 0;            // ZeroMQ failed otherwise (logged)
  uint64_t malformed = 0;              // bad frames here, plus every CountMalformed
  uint64_t received_from_unknown = 0;  // messages from ids that are not current peers
  std::vector<ZmqPeerStats> peers;     // current peers, by id
};

class ZmqTransport final : public Transport {
 public:
  using MessageFn = std::function<void(const NodeId& from, std::string_view bytes)>;

  // Binds the ROUTER. InvalidArgument for bad options or addresses, IoError when binding
  // fails (the port is taken).
  static Result<std::unique_ptr<ZmqTransport>> Open(const ZmqTransportOptions& options);
  // Closes every socket at once (ZMQ_LINGER 0: queued messages are dropped).
  ~ZmqTransport() override;
  ZmqTransport(const ZmqTransport&) = delete;
  ZmqTransport& operator=(const ZmqTransport&) = delete;

  const NodeId& self() const { return options_.self; }
  int port() const { return port_; }
  // The ROUTER's ZMQ_FD, to watch for readability (see the file comment).
  int fd() const { return fd_; }

  // Makes the peer set exactly `peers`: connects new ids, closes removed ones (their queued
  // messages are dropped), reconnects an id whose host or port changed. An entry with our
  // own id is skipped (the cluster config lists every node). Checks the whole list first
  // (InvalidArgument for an empty or duplicate id or a bad port) and then changes nothing;
  // a socket error midway leaves the peers done so far and returns IoError.
  Status SetPeers(const std::vector<ZmqPeerAddress>& peers);

  // Transport. Never blocks; drops and counts (see the file comment).
  void Send(const NodeId& to, std::string bytes) override;

  // Receives up to max_messages pending messages without blocking and hands each to
  // on_message, in arrival order per sender. `bytes` is valid during the call only; `from`
  // is the sender's routing id, which a peer sets to its node id (anything may connect and
  // claim an id: the caller checks the envelope). Frames that are not [id][payload] are
  // dropped and counted as malformed. Returns how many messages were handed over.
  // REQUIRES: on_message does not call Drain (it may Send and SetPeers).
  size_t Drain(const MessageFn& on_message, size_t max_messages = SIZE_MAX);
  // True if a message is waiting (ZMQ_EVENTS has ZMQ_POLLIN). Clears fd()'s signal: after
  // true, Drain before waiting on fd() (see the file comment).
  bool HasPending();

  // The caller could not decode a message from `from`.
  void CountMalformed(const NodeId& from);

  ZmqTransportStats Stats() const;

 private:
  struct Peer;
  explicit ZmqTransport(const ZmqTransportOptions& options);
  Status Bind();
  Status Connect(const ZmqPeerAddress& address, Peer* peer);

  ZmqTransportOptions options_;
  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<zmq::socket_t> router_;
  int fd_ = -1;
  int port_ = 0;
  std::map<NodeId, std::unique_ptr<Peer>, std::less<>> peers_;
  ZmqTransportStats outside_;     // removed peers' counters, and the transport-wide ones
  ZmqPeerStats unknown_senders_;  // messages from ids that are not current peers
};

}  // namespace starling::gossip
