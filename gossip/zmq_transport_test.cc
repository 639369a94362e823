#include "gossip/zmq_transport.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <functional>
#include <map>
#include <thread>
#include <zmq.hpp>

#include "base/random.h"

namespace starling::gossip {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

struct Received {
  NodeId from;
  std::string bytes;
};

ZmqTransportOptions Options(const NodeId& self, int port = 0) {
  ZmqTransportOptions o;
  o.self = self;
  o.port = port;
  o.reconnect_ivl_ms = 20;
  o.reconnect_ivl_max_ms = 200;
  return o;
}

std::unique_ptr<ZmqTransport> Open(const ZmqTransportOptions& o) {
  // A port just released by a closed transport can take a moment to be free again (ZeroMQ
  // closes sockets on its own thread).
  auto deadline = Clock::now() + milliseconds(3000);
  while (true) {
    auto t = ZmqTransport::Open(o);
    if (t.ok()) {
      return std::move(t).value();
    }
    if (Clock::now() > deadline) {
      ADD_FAILURE() << t.status().ToString();
      return nullptr;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
}

ZmqPeerAddress Addr(const ZmqTransport& t) { return {t.self(), "127.0.0.1", t.port()}; }

// Drives transports the way the event loop does: wait on their fds, Drain the readable ones
// (and only those, so a transport whose fd fails to signal makes the test time out).
class Net {
 public:
  void Add(ZmqTransport* t) { nodes_.push_back(t); }
  void Remove(ZmqTransport* t) { std::erase(nodes_, t); }
  // NOLINTNEXTLINE(readability-identifier-naming): accessor named like its field (Google style)
  std::vector<Received>& inbox(const NodeId& id) { return inbox_[id]; }

  bool PumpUntil(const std::function<bool()>& done, milliseconds timeout = milliseconds(10000)) {
    auto deadline = Clock::now() + timeout;
    while (!done()) {
      if (Clock::now() > deadline) {
        return false;
      }
      PumpOnce(milliseconds(20));
    }
    return true;
  }
  void PumpFor(milliseconds d) {
    auto end = Clock::now() + d;
    while (Clock::now() < end) {
      PumpOnce(milliseconds(20));
    }
  }

 private:
  void PumpOnce(milliseconds wait) {
    std::vector<pollfd> fds;
    for (ZmqTransport* t : nodes_) {
      fds.push_back({t->fd(), POLLIN, 0});
    }
    ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) {
        continue;
      }
      ZmqTransport* t = nodes_[i];
      auto keep = [&](const NodeId& from, std::string_view bytes) {
        inbox_[t->self()].push_back({from, std::string(bytes)});
      };
      // In small steps, as a loop that bounds its turns would: HasPending tells whether to
      // go on (and consumes the fd's signal, so it must be believed).
      while (t->Drain(keep, 64) == 64 || t->HasPending()) {
      }
    }
  }

  std::vector<ZmqTransport*> nodes_;
  std::map<NodeId, std::vector<Received>> inbox_;
};

const ZmqPeerStats* PeerStats(const ZmqTransportStats& s, const NodeId& id) {
  for (const auto& p : s.peers) {
    if (p.id == id) {
      return &p;
    }
  }
  return nullptr;
}

TEST(ZmqTransportTest, TwoNodesExchangeWithSenderIds) {
  auto a = Open(Options("a")), b = Open(Options("b"));
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->SetPeers({Addr(*b)}).ok());
  ASSERT_TRUE(b->SetPeers({Addr(*a)}).ok());
  Net net;
  net.Add(a.get());
  net.Add(b.get());
  a->Send("b", "hello");
  a->Send("b", "");
  b->Send("a", std::string("w\0rld", 5));
  ASSERT_TRUE(
      net.PumpUntil([&] { return net.inbox("b").size() == 2 && net.inbox("a").size() == 1; }));
  EXPECT_EQ(net.inbox("b")[0].from, "a");
  EXPECT_EQ(net.inbox("b")[0].bytes, "hello");
  EXPECT_EQ(net.inbox("b")[1].bytes, "");
  EXPECT_EQ(net.inbox("a")[0].from, "b");
  EXPECT_EQ(net.inbox("a")[0].bytes, std::string("w\0rld", 5));
  ZmqTransportStats sa = a->Stats(), sb = b->Stats();
  EXPECT_EQ(sa.sent_messages, 2u);
  EXPECT_EQ(sa.sent_bytes, 5u);
  EXPECT_EQ(sa.received_messages, 1u);
  ASSERT_NE(PeerStats(sb, "a"), nullptr);
  EXPECT_EQ(PeerStats(sb, "a")->received_messages, 2u);
  EXPECT_EQ(PeerStats(sb, "a")->received_bytes, 5u);
  EXPECT_EQ(sb.received_from_unknown, 0u);
}

TEST(ZmqTransportTest, ThreeNodesAllToAll) {
  std::vector<std::unique_ptr<ZmqTransport>> t;
  for (const char* id : {"n1", "n2", "n3"}) {
    t.push_back(Open(Options(id)));
  }
  std::vector<ZmqPeerAddress> all;
  all.reserve(t.size());
  for (auto& x : t) {
    all.push_back(Addr(*x));
  }
  Net net;
  for (auto& x : t) {
    ASSERT_TRUE(x->SetPeers(all).ok());  // our own entry is skipped
    EXPECT_EQ(x->Stats().peers.size(), 2u);
    net.Add(x.get());
  }
  for (auto& x : t) {
    for (auto& y : t) {
      if (x != y) {
        x->Send(y->self(), x->self() + "->" + y->self());
      }
    }
  }
  ASSERT_TRUE(net.PumpUntil([&] {
    for (auto& x : t) {
      if (net.inbox(x->self()).size() < 2) {
        return false;
      }
    }
    return true;
  }));
  for (auto& x : t) {
    ASSERT_EQ(net.inbox(x->self()).size(), 2u);
    for (const Received& r : net.inbox(x->self())) {
      EXPECT_EQ(r.bytes, r.from + "->" + x->self());
    }
  }
}

int FreePort() {
  auto t = Open(Options("probe"));
  return t ? t->port() : 0;
}

TEST(ZmqTransportTest, PeerNotUpYetGetsQueuedMessagesWhenItStarts) {
  int port = FreePort();
  auto a = Open(Options("a"));
  ASSERT_TRUE(a->SetPeers({{"b", "127.0.0.1", port}}).ok());
  for (int i = 0; i < 10; ++i) {
    a->Send("b", "early-" + std::to_string(i));
  }
  ZmqTransportStats s = a->Stats();
  EXPECT_EQ(s.sent_messages, 10u);
  EXPECT_EQ(s.dropped_hwm + s.dropped_bytes, 0u);
  EXPECT_GT(s.peers[0].queued_bytes, 0);
  auto b = Open(Options("b", port));
  ASSERT_TRUE(b);
  Net net;
  net.Add(b.get());
  ASSERT_TRUE(net.PumpUntil([&] { return net.inbox("b").size() == 10; }));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(net.inbox("b")[i].bytes, "early-" + std::to_string(i));
  }
  ASSERT_TRUE(net.PumpUntil([&] { return a->Stats().peers[0].queued_bytes == 0; }));
}

TEST(ZmqTransportTest, ImmediateModeDropsAndCountsUntilConnected) {
  int port = FreePort();
  ZmqTransportOptions o = Options("a");
  o.queue_while_connecting = false;
  auto a = Open(o);
  ASSERT_TRUE(a->SetPeers({{"b", "127.0.0.1", port}}).ok());
  for (int i = 0; i < 5; ++i) {
    a->Send("b", "early");
  }
  EXPECT_EQ(a->Stats().dropped_hwm, 5u);
  EXPECT_EQ(a->Stats().sent_messages, 0u);
  auto b = Open(Options("b", port));
  Net net;
  net.Add(b.get());
  ASSERT_TRUE(net.PumpUntil([&] {
    a->Send("b", "late");
    net.PumpFor(milliseconds(20));
    return !net.inbox("b").empty();
  }));
  for (const Received& r : net.inbox("b")) {
    EXPECT_EQ(r.bytes, "late");
  }
}

TEST(ZmqTransportTest, RestartedPeerReceivesAgainAndIsHeard) {
  auto a = Open(Options("a")), b = Open(Options("b"));
  int port = b->port();
  ASSERT_TRUE(a->SetPeers({Addr(*b)}).ok());
  ASSERT_TRUE(b->SetPeers({Addr(*a)}).ok());
  Net net;
  net.Add(a.get());
  net.Add(b.get());
  a->Send("b", "before");
  ASSERT_TRUE(net.PumpUntil([&] { return net.inbox("b").size() == 1; }));
  net.Remove(b.get());
  b.reset();
  net.inbox("b").clear();
  b = Open(Options("b", port));
  ASSERT_TRUE(b);
  ASSERT_TRUE(b->SetPeers({Addr(*a)}).ok());
  net.Add(b.get());
  int i = 0;
  ASSERT_TRUE(net.PumpUntil([&] {
    a->Send("b", "after-" + std::to_string(i++));
    net.PumpFor(milliseconds(20));
    return !net.inbox("b").empty();
  }));
  EXPECT_EQ(net.inbox("b")[0].from, "a");
  EXPECT_EQ(net.inbox("b")[0].bytes.rfind("after-", 0), 0u);
  // The new b's DEALER has the old one's routing id; a's ROUTER hears it.
  b->Send("a", "back");
  ASSERT_TRUE(net.PumpUntil([&] { return !net.inbox("a").empty(); }));
  EXPECT_EQ(net.inbox("a")[0].from, "b");
  EXPECT_EQ(net.inbox("a")[0].bytes, "back");
}

TEST(ZmqTransportTest, SetPeersAddsRemovesAndMovesPeers) {
  auto a = Open(Options("a")), b = Open(Options("b")), c = Open(Options("c"));
  Net net;
  net.Add(b.get());
  net.Add(c.get());
  ASSERT_TRUE(a->SetPeers({Addr(*b)}).ok());
  a->Send("c", "not yet a peer");
  EXPECT_EQ(a->Stats().dropped_unknown_peer, 1u);
  ASSERT_TRUE(a->SetPeers({Addr(*b), Addr(*c), {"a", "127.0.0.1", 1}}).ok());
  a->Send("b", "to-b");
  a->Send("c", "to-c");
  ASSERT_TRUE(
      net.PumpUntil([&] { return net.inbox("b").size() == 1 && net.inbox("c").size() == 1; }));
  EXPECT_EQ(net.inbox("c")[0].bytes, "to-c");

  ASSERT_TRUE(a->SetPeers({Addr(*c)}).ok());
  a->Send("b", "removed");
  ZmqTransportStats s = a->Stats();
  EXPECT_EQ(s.dropped_unknown_peer, 2u);
  ASSERT_EQ(s.peers.size(), 1u);
  EXPECT_EQ(s.peers[0].id, "c");
  EXPECT_EQ(s.sent_messages, 2u);  // b's count stays in the totals
  net.PumpFor(milliseconds(200));
  EXPECT_EQ(net.inbox("b").size(), 1u);

  // Bad lists are refused whole.
  EXPECT_EQ(a->SetPeers({Addr(*b), Addr(*b)}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a->SetPeers({{"", "127.0.0.1", 1}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a->SetPeers({{"b", "127.0.0.1", 70000}}).code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(a->Stats().peers.size(), 1u);

  // c moves to another port: the same id at a new address is reconnected.
  net.Remove(c.get());
  c.reset();
  c = Open(Options("c"));
  net.Add(c.get());
  ASSERT_TRUE(a->SetPeers({Addr(*c)}).ok());
  EXPECT_EQ(a->Stats().peers[0].endpoint, "tcp://127.0.0.1:" + std::to_string(c->port()));
  a->Send("c", "moved");
  ASSERT_TRUE(net.PumpUntil(
      [&] { return !net.inbox("c").empty() && net.inbox("c").back().bytes == "moved"; }));
}

TEST(ZmqTransportTest, EightMegabyteMessage) {
  auto a = Open(Options("a")), b = Open(Options("b"));
  ASSERT_TRUE(a->SetPeers({Addr(*b)}).ok());
  Prng rng(8);
  std::string big = rng.Bytes(8 << 20);
  a->Send("b", big);
  Net net;
  net.Add(b.get());
  ASSERT_TRUE(net.PumpUntil([&] { return !net.inbox("b").empty(); }, milliseconds(30000)));
  EXPECT_TRUE(net.inbox("b")[0].bytes == big);
  EXPECT_EQ(a->Stats().sent_bytes, uint64_t{8} << 20);
}

TEST(ZmqTransportTest, HundredThousandSmallMessagesWithoutLoss) {
  auto a = Open(Options("a")), b = Open(Options("b"));
  ASSERT_TRUE(a->SetPeers({Addr(*b)}).ok());
  Net net;
  net.Add(b.get());
  constexpr int kTotal = 100000;
  constexpr int kWindow = 200;  // in flight at most; well under send_hwm
  int sent = 0;
  ASSERT_TRUE(net.PumpUntil(
      [&] {
        while (sent < kTotal && sent - static_cast<int>(net.inbox("b").size()) < kWindow) {
          a->Send("b", "m" + std::to_string(sent++));
        }
        return static_cast<int>(net.inbox("b").size()) == kTotal;
      },
      milliseconds(60000)))
      << "sent " << sent << " received " << net.inbox("b").size() << " dropped "
      << a->Stats().dropped_hwm << "/" << a->Stats().dropped_bytes << " pending " << b->HasPending()
      << " b received " << b->Stats().received_messages;
  const auto& in = net.inbox("b");
  for (int i = 0; i < kTotal; ++i) {
    ASSERT_EQ(in[i].bytes, "m" + std::to_string(i)) << i;
  }
  ZmqTransportStats s = a->Stats();
  EXPECT_EQ(s.sent_messages, uint64_t{kTotal});
  EXPECT_EQ(s.dropped_hwm + s.dropped_bytes, 0u);
  EXPECT_EQ(b->Stats().received_messages, uint64_t{kTotal});
}

TEST(ZmqTransportTest, QueueIsBoundedInBytes) {
  int port = FreePort();
  ZmqTransportOptions o = Options("a");
  o.max_queue_bytes = 1 << 20;
  auto a = Open(o);
  ASSERT_TRUE(a->SetPeers({{"b", "127.0.0.1", port}}).ok());
  for (int i = 0; i < 10; ++i) {
    a->Send("b", std::string(300 << 10, static_cast<char>('0' + i)));
  }
  ZmqTransportStats s = a->Stats();
  EXPECT_EQ(s.sent_messages, 3u);
  EXPECT_EQ(s.dropped_bytes, 7u);
  EXPECT_EQ(s.peers[0].queued_bytes, 3 * (300 << 10));
  auto b = Open(Options("b", port));
  Net net;
  net.Add(b.get());
  ASSERT_TRUE(net.PumpUntil([&] { return net.inbox("b").size() == 3; }));
  ASSERT_TRUE(net.PumpUntil([&] { return a->Stats().peers[0].queued_bytes == 0; }));
  a->Send("b", std::string(300 << 10, 'x'));  // room again
  ASSERT_TRUE(net.PumpUntil([&] { return net.inbox("b").size() == 4; }));
}

TEST(ZmqTransportTest, MalformedFramesAndUnknownSendersAreCounted) {
  auto a = Open(Options("a"));
  ASSERT_TRUE(a->SetPeers({{"b", "127.0.0.1", 1}}).ok());
  zmq::context_t ctx(1);
  zmq::socket_t raw(ctx, zmq::socket_type::dealer);
  raw.set(zmq::sockopt::linger, 0);
  raw.set(zmq::sockopt::routing_id, "x");
  raw.connect("tcp://127.0.0.1:" + std::to_string(a->port()));
  ASSERT_TRUE(raw.send(zmq::str_buffer("part1"), zmq::send_flags::sndmore));
  ASSERT_TRUE(raw.send(zmq::str_buffer("part2"), zmq::send_flags::none));
  ASSERT_TRUE(raw.send(zmq::str_buffer("whole"), zmq::send_flags::none));
  Net net;
  net.Add(a.get());
  ASSERT_TRUE(net.PumpUntil([&] { return !net.inbox("a").empty(); }));
  net.PumpFor(milliseconds(50));
  ASSERT_EQ(net.inbox("a").size(), 1u);
  EXPECT_EQ(net.inbox("a")[0].from, "x");
  EXPECT_EQ(net.inbox("a")[0].bytes, "whole");
  a->CountMalformed("b");
  a->CountMalformed("x");
  ZmqTransportStats s = a->Stats();
  EXPECT_EQ(s.malformed, 3u);  // the two-frame message, and two reported by the caller
  EXPECT_EQ(s.peers[0].malformed, 1u);
  EXPECT_EQ(s.received_from_unknown, 1u);
  EXPECT_EQ(s.received_messages, 1u);
}

TEST(ZmqTransportTest, OversizedIncomingMessageIsNotDelivered) {
  ZmqTransportOptions ob = Options("b");
  ob.max_message_bytes = 1 << 20;
  auto a = Open(Options("a")), b = Open(ob);
  ASSERT_TRUE(a->SetPeers({Addr(*b)}).ok());
  a->Send("b", std::string(2 << 20, 'z'));
  Net net;
  net.Add(b.get());
  // b closes the connection that carried it; a reconnects and later messages get through.
  ASSERT_TRUE(net.PumpUntil([&] {
    a->Send("b", "ping");
    net.PumpFor(milliseconds(20));
    return !net.inbox("b").empty();
  }));
  for (const Received& r : net.inbox("b")) {
    EXPECT_EQ(r.bytes, "ping");
  }
}

TEST(ZmqTransportTest, OpenErrorsAreStatuses) {
  EXPECT_EQ(ZmqTransport::Open(Options("")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ZmqTransport::Open(Options(std::string(1, '\0'))).status().code(),
            StatusCode::kInvalidArgument);
  ZmqTransportOptions o = Options("a");
  o.bind = "no-such-interface-xyz";
  EXPECT_FALSE(ZmqTransport::Open(o).ok());
  auto a = Open(Options("a"));
  Result<std::unique_ptr<ZmqTransport>> b = ZmqTransport::Open(Options("b", a->port()));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kIoError) << b.status().ToString();
}

}  // namespace
}  // namespace starling::gossip
