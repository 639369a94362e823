#include "gossip/zmq_transport.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <charconv>
#include <map>
#include <string>
#include <zmq.hpp>

namespace starling::gossip {
namespace {

using QueuedBytes = std::atomic<int64_t>;

// One outgoing message, handed to ZeroMQ without a copy. ZeroMQ frees it (FreeOutgoing) once
// it has written it to the connection or dropped it, on its I/O thread, or on ours when a
// send is refused; the peer's byte count goes down at that moment. The shared counter
// outlives a peer removed while its messages are still queued.
struct Outgoing {
  Outgoing(std::string b, std::shared_ptr<QueuedBytes> q)
      : bytes(std::move(b)), queued(std::move(q)) {
    queued->fetch_add(static_cast<int64_t>(bytes.size()), std::memory_order_relaxed);
  }
  ~Outgoing() { queued->fetch_sub(static_cast<int64_t>(bytes.size()), std::memory_order_relaxed); }
  Outgoing(const Outgoing&) = delete;
  Outgoing& operator=(const Outgoing&) = delete;

  std::string bytes;
  std::shared_ptr<QueuedBytes> queued;
};

void FreeOutgoing(void* /*data*/, void* hint) { delete static_cast<Outgoing*>(hint); }

Status FromZmq(const zmq::error_t& e, const std::string& what) {
  std::string m = what + ": " + e.what();
  switch (e.num()) {
    case EADDRINUSE:
    case EADDRNOTAVAIL:
    case EACCES:
    case ENODEV:
      return Status::IoError(m);
    case EINVAL:
    case EPROTONOSUPPORT:
      return Status::InvalidArgument(m);
    default:
      return Status::IoError(m);
  }
}

bool IsIpv6(std::string_view host) { return host.find(':') != std::string_view::npos; }

std::string Endpoint(std::string_view host, const std::string& port) {
  std::string h(host);
  if (IsIpv6(host) && host.front() != '[') {
    h = "[" + h + "]";
  }
  return "tcp://" + h + ":" + port;
}

std::vector<std::string> SplitAddresses(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s + " ") {
    if (c == ' ' || c == ',') {
      if (!cur.empty()) {
        out.push_back(std::move(cur));
      }
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  return out;
}

Status ValidateOptions(const ZmqTransportOptions& o) {
  if (o.self.empty() || o.self.size() > 255 || o.self[0] == '\0') {
    return Status::InvalidArgument("self: a node id is 1 to 255 bytes and does not start with 0");
  }
  if (o.port < 0 || o.port > 65535) {
    return Status::InvalidArgument("port: not in 0..65535");
  }
  if (SplitAddresses(o.bind).empty()) {
    return Status::InvalidArgument("bind: no address");
  }
  if (o.send_hwm <= 0 || o.receive_hwm <= 0 || o.max_queue_bytes <= 0 || o.max_message_bytes <= 0) {
    return Status::InvalidArgument("send_hwm, receive_hwm and the byte limits must be positive");
  }
  if (o.reconnect_ivl_ms <= 0 || o.reconnect_ivl_max_ms < 0 || o.heartbeat_ivl_ms < 0 ||
      o.heartbeat_timeout_ms < 0 || o.tcp_keepalive_idle_s <= 0 || o.tcp_keepalive_intvl_s <= 0 ||
      o.tcp_keepalive_cnt <= 0) {
    return Status::InvalidArgument("intervals and keepalive settings must be positive");
  }
  return Status::Ok();
}

void SetCommon(zmq::socket_t& s, const ZmqTransportOptions& o) {
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::tcp_keepalive, 1);
  s.set(zmq::sockopt::tcp_keepalive_idle, o.tcp_keepalive_idle_s);
  s.set(zmq::sockopt::tcp_keepalive_intvl, o.tcp_keepalive_intvl_s);
  s.set(zmq::sockopt::tcp_keepalive_cnt, o.tcp_keepalive_cnt);
}

void AddCounters(const ZmqPeerStats& p, ZmqTransportStats* t) {
  t->sent_messages += p.sent_messages;
  t->sent_bytes += p.sent_bytes;
  t->received_messages += p.received_messages;
  t->received_bytes += p.received_bytes;
  t->dropped_hwm += p.dropped_hwm;
  t->dropped_bytes += p.dropped_bytes;
  t->malformed += p.malformed;
}

}  // namespace

struct ZmqTransport::Peer {
  ZmqPeerAddress address;
  std::unique_ptr<zmq::socket_t> socket;
  std::shared_ptr<QueuedBytes> queued = std::make_shared<QueuedBytes>(0);
  ZmqPeerStats stats;
};

Result<std::unique_ptr<ZmqTransport>> ZmqTransport::Open(const ZmqTransportOptions& options) {
  STARLING_RETURN_IF_ERROR(ValidateOptions(options));
  std::unique_ptr<ZmqTransport> t(new ZmqTransport(options));
  STARLING_RETURN_IF_ERROR(t->Bind());
  return t;
}

ZmqTransport::ZmqTransport(const ZmqTransportOptions& options) : options_(options) {}

ZmqTransport::~ZmqTransport() {
  // Sockets first: the context's destructor waits until every socket is closed.
  peers_.clear();
  router_.reset();
  context_.reset();
}

Status ZmqTransport::Bind() {
  try {
    context_ = std::make_unique<zmq::context_t>(1);
    context_->set(zmq::ctxopt::blocky, 0);
    router_ = std::make_unique<zmq::socket_t>(*context_, zmq::socket_type::router);
    SetCommon(*router_, options_);
    router_->set(zmq::sockopt::router_handover, 1);
    router_->set(zmq::sockopt::rcvhwm, options_.receive_hwm);
    router_->set(zmq::sockopt::maxmsgsize, options_.max_message_bytes);
    std::vector<std::string> addresses = SplitAddresses(options_.bind);
    for (const std::string& a : addresses) {
      if (IsIpv6(a)) {
        router_->set(zmq::sockopt::ipv6, 1);
      }
    }
    port_ = options_.port;
    for (const std::string& a : addresses) {
      std::string endpoint = Endpoint(a, port_ != 0 ? std::to_string(port_) : "*");
      try {
        router_->bind(endpoint);
      } catch (const zmq::error_t& e) {
        return FromZmq(e, "gossip bind " + endpoint);
      }
      if (port_ == 0) {  // the first address picked a free port; the others take the same
        std::string last = router_->get(zmq::sockopt::last_endpoint);
        const char* digits = last.data() + last.rfind(':') + 1;
        if (std::from_chars(digits, last.data() + last.size(), port_).ec != std::errc() ||
            port_ == 0) {
          return Status::Internal("gossip bind: unexpected endpoint " + last);
        }
      }
    }
    fd_ = static_cast<int>(router_->get(zmq::sockopt::fd));
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "gossip transport");
  }
  return Status::Ok();
}

Status ZmqTransport::Connect(const ZmqPeerAddress& address, Peer* peer) {
  std::string endpoint = Endpoint(address.host, std::to_string(address.gossip_port));
  try {
    auto s = std::make_unique<zmq::socket_t>(*context_, zmq::socket_type::dealer);
    SetCommon(*s, options_);
    s->set(zmq::sockopt::routing_id, options_.self);
    s->set(zmq::sockopt::sndhwm, options_.send_hwm);
    s->set(zmq::sockopt::immediate, options_.queue_while_connecting ? 0 : 1);
    s->set(zmq::sockopt::reconnect_ivl, options_.reconnect_ivl_ms);
    s->set(zmq::sockopt::reconnect_ivl_max, options_.reconnect_ivl_max_ms);
    if (options_.heartbeat_ivl_ms > 0) {
      s->set(zmq::sockopt::heartbeat_ivl, options_.heartbeat_ivl_ms);
      s->set(zmq::sockopt::heartbeat_timeout, options_.heartbeat_timeout_ms);
    }
    if (IsIpv6(address.host)) {
      s->set(zmq::sockopt::ipv6, 1);
    }
    s->connect(endpoint);
    peer->socket = std::move(s);
  } catch (const zmq::error_t& e) {
    return FromZmq(e, "gossip connect to " + address.id + " at " + endpoint);
  }
  peer->address = address;
  peer->stats.id = address.id;
  peer->stats.endpoint = endpoint;
  return Status::Ok();
}

Status ZmqTransport::SetPeers(const std::vector<ZmqPeerAddress>& peers) {
  std::map<NodeId, const ZmqPeerAddress*, std::less<>> wanted;
  for (size_t i = 0; i < peers.size(); ++i) {
    const ZmqPeerAddress& p = peers[i];
    std::string where = "peers[" + std::to_string(i) + "]";
    if (p.id.empty() || p.id.size() > 255 || p.id[0] == '\0') {
      return Status::InvalidArgument(where + ".id: 1 to 255 bytes, not starting with 0");
    }
    if (p.host.empty()) {
      return Status::InvalidArgument(where + ".host: empty");
    }
    if (p.gossip_port <= 0 || p.gossip_port > 65535) {
      return Status::InvalidArgument(where + ".gossip_port: not in 1..65535");
    }
    if (!wanted.emplace(p.id, &p).second) {
      return Status::InvalidArgument(where + ".id: duplicate id " + p.id);
    }
  }
  wanted.erase(options_.self);
  for (auto it = peers_.begin(); it != peers_.end();) {
    auto w = wanted.find(it->first);
    const ZmqPeerAddress& have = it->second->address;
    if (w == wanted.end() || w->second->host != have.host ||
        w->second->gossip_port != have.gossip_port) {
      AddCounters(it->second->stats, &outside_);  // its counts stay in the totals
      it = peers_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [id, address] : wanted) {
    if (peers_.count(id)) {
      continue;
    }
    auto peer = std::make_unique<Peer>();
    STARLING_RETURN_IF_ERROR(Connect(*address, peer.get()));
    peers_.emplace(id, std::move(peer));
  }
  return Status::Ok();
}

void ZmqTransport::Send(const NodeId& to, std::string bytes) {
  auto it = peers_.find(to);
  if (it == peers_.end()) {
    ++outside_.dropped_unknown_peer;
    return;
  }
  Peer& p = *it->second;
  auto size = static_cast<int64_t>(bytes.size());
  if (p.queued->load(std::memory_order_relaxed) + size > options_.max_queue_bytes) {
    ++p.stats.dropped_bytes;
    return;
  }
  auto out = std::make_unique<Outgoing>(std::move(bytes), p.queued);
  try {
    zmq::message_t msg(out->bytes.data(), out->bytes.size(), &FreeOutgoing, out.get());
    out.release();  // NOLINT(bugprone-unused-return-value): msg owns it now, freeing msg frees it
    bool sent = p.socket->send(msg, zmq::send_flags::dontwait).has_value();
    if (!sent) {
      // The socket learns that its connection took messages off the queue through commands
      // that send processes at most about once a millisecond; a queue that looks full may
      // not be. Reading ZMQ_EVENTS processes them now; then the answer is the real one.
      static_cast<void>(p.socket->get(zmq::sockopt::events));
      sent = p.socket->send(msg, zmq::send_flags::dontwait).has_value();
    }
    if (!sent) {
      ++p.stats.dropped_hwm;
      return;
    }
  } catch (const zmq::error_t& e) {
    ++outside_.send_errors;
    SPDLOG_WARN("gossip send to {}: {}", to, e.what());
    return;
  }
  ++p.stats.sent_messages;
  p.stats.sent_bytes += static_cast<uint64_t>(size);
}

size_t ZmqTransport::Drain(const MessageFn& on_message, size_t max_messages) {
  size_t n = 0;
  try {
    // recv with ZMQ_DONTWAIT processes the socket's pending commands before it reports
    // EAGAIN, as reading ZMQ_EVENTS does, so receiving until EAGAIN leaves nothing behind
    // that fd() would not signal.
    while (n < max_messages) {
      zmq::message_t id;
      if (!router_->recv(id, zmq::recv_flags::dontwait)) {
        break;
      }
      // A ROUTER delivers [routing id][frames...] atomically: the rest is already here.
      zmq::message_t payload;
      bool shaped =
          id.more() && router_->recv(payload, zmq::recv_flags::dontwait) && !payload.more();
      if (!shaped) {
        ++outside_.malformed;
        while (payload.more() && router_->recv(payload, zmq::recv_flags::dontwait)) {
        }
        continue;
      }
      // A copy, not a reference into peers_: on_message may change the peers.
      NodeId from(static_cast<const char*>(id.data()), id.size());
      auto it = peers_.find(from);
      ZmqPeerStats& counters = it != peers_.end() ? it->second->stats : unknown_senders_;
      ++counters.received_messages;
      counters.received_bytes += payload.size();
      ++n;
      on_message(from, std::string_view(static_cast<const char*>(payload.data()), payload.size()));
    }
  } catch (const zmq::error_t& e) {
    SPDLOG_WARN("gossip receive: {}", e.what());
  }
  return n;
}

bool ZmqTransport::HasPending() {
  try {
    return (router_->get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
  } catch (const zmq::error_t& e) {
    SPDLOG_WARN("gossip poll: {}", e.what());
    return false;
  }
}

void ZmqTransport::CountMalformed(const NodeId& from) {
  auto it = peers_.find(from);
  ++(it != peers_.end() ? it->second->stats : unknown_senders_).malformed;
}

ZmqTransportStats ZmqTransport::Stats() const {
  ZmqTransportStats s = outside_;
  AddCounters(unknown_senders_, &s);
  s.received_from_unknown = unknown_senders_.received_messages;
  for (const auto& [id, p] : peers_) {
    ZmqPeerStats ps = p->stats;
    ps.queued_bytes = p->queued->load(std::memory_order_relaxed);
    AddCounters(ps, &s);
    s.peers.push_back(std::move(ps));
  }
  return s;
}

}  // namespace starling::gossip
