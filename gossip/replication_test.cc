// The replication protocol over a simulated network that drops, duplicates, delays and
// reorders messages: replicas converge once the network heals; queue overflow turns into a
// full sync; the failure detector follows silence; a restarted receiver catches up.
#include "gossip/replication.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "lattice/set_ops.h"
#include "lattice/string_ops.h"

namespace starling::gossip {
namespace {

using lattice::Object;

struct Net;

// One simulated node: its keys, its replicator, and the transport into the network.
struct SimNode : ReplicationSink, Transport {
  SimNode(Net* net, NodeId id, uint64_t epoch, const ReplicationOptions& opt, ManualClock* clock);
  void Send(const NodeId& to, std::string bytes) override;
  void ApplyRemote(const NodeId&, const std::string& key, const Object& state) override {
    keys[key].Join(state);
  }
  std::vector<KeyState> ServeFetch(const NodeId&, const std::vector<std::string>& ks) override {
    std::vector<KeyState> out;
    for (const auto& k : ks) {
      if (keys.count(k)) out.push_back({k, keys[k]});
    }
    return out;
  }
  void OnFetchReply(const NodeId&, FetchReply r) override { fetched += r.states.size(); }
  void OnStable(const NodeId&, const StableAnnouncement&) override {}
  void OnPeerUp(const NodeId& p) override { ups.push_back(p); }
  void OnPeerDown(const NodeId& p) override { downs.push_back(p); }
  void NeedsFullSync(const NodeId& p) override { full_syncs.push_back(p); }

  // A local write: mutate, then queue the delta for every peer.
  template <typename F>
  void Write(const std::string& key, F&& f) {
    Object& o = keys[key];
    lattice::Mutation m(o, dots, hlc.Now());
    f(m);
    Object d = m.Apply(o);
    for (const NodeId& p : repl->peers()) repl->Enqueue(p, key, d);
  }

  Net* net;
  NodeId id;
  ManualClock* clock;
  lattice::HlcClock hlc;
  lattice::DotSource dots;
  std::map<std::string, Object> keys;
  std::unique_ptr<Replicator> repl;
  std::vector<NodeId> ups, downs, full_syncs;
  size_t fetched = 0;
};

struct Net {
  struct Msg {
    int64_t at_ms;
    uint64_t order;
    NodeId to;
    std::string bytes;
    bool operator<(const Msg& o) const { return std::tie(at_ms, order) < std::tie(o.at_ms, o.order); }
  };
  explicit Net(uint64_t seed) : rng(seed) {}
  void Send(const NodeId& from, const NodeId& to, const std::string& bytes) {
    if (cut.count({from, to}) || down.count(to) || down.count(from)) return;
    if (rng.Bernoulli(drop)) return;
    int copies = rng.Bernoulli(dup) ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
      int64_t delay = 1 + static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(max_delay_ms)));
      q.insert(Msg{clock.MonoMillis() + delay, next++, to, bytes});
    }
  }
  // Advances time by ms, delivering due messages and ticking every node each millisecond.
  void Run(int64_t ms) {
    for (int64_t t = 0; t < ms; ++t) {
      clock.Advance(1000);
      while (!q.empty() && q.begin()->at_ms <= clock.MonoMillis()) {
        Msg m = *q.begin();
        q.erase(q.begin());
        if (down.count(m.to)) continue;
        Result<Envelope> e = DecodeEnvelope(m.bytes);
        ASSERT_TRUE(e.ok()) << e.status().ToString();
        nodes[m.to]->repl->OnMessage(*e, m.bytes.size());
      }
      for (auto& [id, n] : nodes) {
        if (!down.count(id)) n->repl->Tick();
      }
    }
  }
  SimNode& Add(const NodeId& id, const ReplicationOptions& opt = {}) {
    nodes[id] = std::make_unique<SimNode>(this, id, 1000 + nodes.size(), opt, &clock);
    return *nodes[id];
  }
  void Connect() {
    std::vector<NodeId> ids;
    for (auto& [id, n] : nodes) ids.push_back(id);
    for (auto& [id, n] : nodes) n->repl->SetPeers(ids);
  }

  ManualClock clock;
  Prng rng;
  double drop = 0, dup = 0;
  int64_t max_delay_ms = 5;
  std::set<std::pair<NodeId, NodeId>> cut;
  std::set<NodeId> down;
  std::set<Msg> q;
  uint64_t next = 0;
  std::map<NodeId, std::unique_ptr<SimNode>> nodes;
};

SimNode::SimNode(Net* n, NodeId i, uint64_t epoch, const ReplicationOptions& opt, ManualClock* c)
    : net(n), id(std::move(i)), clock(c), hlc(*c), dots(epoch) {
  repl = std::make_unique<Replicator>(id, epoch, opt, *this, *c, hlc, *this);
}

void SimNode::Send(const NodeId& to, std::string bytes) { net->Send(id, to, bytes); }

void ExpectConverged(Net& net) {
  const auto& first = net.nodes.begin()->second->keys;
  for (auto& [id, n] : net.nodes) {
    ASSERT_EQ(n->keys.size(), first.size()) << id;
    for (auto& [k, o] : first) {
      ASSERT_TRUE(n->keys.count(k)) << id << " lacks " << k;
      EXPECT_TRUE(n->keys.at(k) == o) << id << " differs on " << k;
    }
  }
}

void RandomWrites(Net& net, Prng& rng, int n) {
  std::vector<SimNode*> nodes;
  for (auto& [id, node] : net.nodes) {
    if (!net.down.count(id)) nodes.push_back(node.get());
  }
  for (int i = 0; i < n; ++i) {
    SimNode* node = nodes[rng.Uniform(nodes.size())];
    std::string key = "k" + std::to_string(rng.Uniform(20));
    std::string member = "m" + std::to_string(rng.Uniform(5));
    std::vector<std::string> members{member};
    switch (rng.Uniform(3)) {
      case 0:
        node->Write(key + "s", [&](lattice::Mutation& m) { lattice::AddSetMembers(m, members); });
        break;
      case 1:
        node->Write(key + "s", [&](lattice::Mutation& m) { lattice::RemoveSetMembers(m, members); });
        break;
      default:
        node->Write(key + "c", [&](lattice::Mutation& m) { lattice::IncrementString(m, 1, 0); });
        break;
    }
    net.Run(static_cast<int64_t>(rng.Uniform(3)));
  }
}

TEST(ReplicationTest, ConvergesOverALossyNetwork) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Net net(seed);
    net.drop = 0.2;
    net.dup = 0.1;
    net.max_delay_ms = 40;  // reorders
    net.Add("a");
    net.Add("b");
    net.Add("c");
    net.Connect();
    Prng rng(seed * 7);
    net.Run(200);  // first contact
    RandomWrites(net, rng, 300);
    net.drop = net.dup = 0;  // heal
    net.Run(3000);
    ExpectConverged(net);
    for (auto& [id, n] : net.nodes) EXPECT_TRUE(n->repl->Idle()) << id << " seed " << seed;
  }
}

TEST(ReplicationTest, CountersAddUpExactlyDespiteDuplicates) {
  Net net(3);
  net.dup = 0.5;
  net.drop = 0.1;
  auto& a = net.Add("a");
  net.Add("b");
  net.Connect();
  net.Run(200);
  for (int i = 0; i < 500; ++i) {
    a.Write("n", [](lattice::Mutation& m) { lattice::IncrementString(m, 1, 0); });
    net.Run(1);
  }
  net.drop = net.dup = 0;
  net.Run(3000);
  std::string scratch;
  EXPECT_EQ(lattice::StringValue(*net.nodes["b"]->keys["n"].str(), &scratch), "500");
}

TEST(ReplicationTest, FailureDetectorFollowsSilence) {
  Net net(4);
  ReplicationOptions opt;
  opt.failure_timeout_ms = 300;
  auto& a = net.Add("a", opt);
  net.Add("b", opt);
  net.Connect();
  net.Run(100);
  EXPECT_TRUE(a.repl->IsUp("b"));
  net.down.insert("b");
  net.Run(500);
  EXPECT_FALSE(a.repl->IsUp("b"));
  ASSERT_FALSE(a.downs.empty());
  net.down.erase("b");
  net.Run(500);
  EXPECT_TRUE(a.repl->IsUp("b"));
  EXPECT_EQ(a.ups.size(), 2u);
}

TEST(ReplicationTest, WritesToADownPeerArriveWhenItReturns) {
  Net net(5);
  auto& a = net.Add("a");
  net.Add("b");
  net.Connect();
  net.Run(100);
  net.down.insert("b");
  Prng rng(1);
  for (int i = 0; i < 200; ++i) {
    a.Write("c", [](lattice::Mutation& m) { lattice::IncrementString(m, 1, 0); });
  }
  net.Run(2000);
  // Pending deltas to one key are joined while the peer is away: one entry, not 200.
  EXPECT_LE(a.repl->Stats("b")->pending_keys, 1u);
  net.down.erase("b");
  net.Run(2000);
  ExpectConverged(net);
}

TEST(ReplicationTest, OverflowTurnsIntoAFullSync) {
  Net net(6);
  ReplicationOptions opt;
  opt.max_queue_bytes = 4096;
  auto& a = net.Add("a", opt);
  net.Add("b", opt);
  net.Connect();
  net.Run(100);
  net.down.insert("b");
  for (int i = 0; i < 200; ++i) {
    std::vector<std::string> m{"member-" + std::to_string(i)};
    a.Write("k" + std::to_string(i), [&](lattice::Mutation& mu) { lattice::AddSetMembers(mu, m); });
  }
  ASSERT_FALSE(a.full_syncs.empty());
  EXPECT_LE(a.repl->QueuedBytes("b"), 4096u + 1024u);  // bounded, not 200 keys of deltas
}

TEST(ReplicationTest, RestartedReceiverCatchesUpFromTheStreamBase) {
  Net net(7);
  auto& a = net.Add("a");
  net.Add("b");
  net.Connect();
  net.Run(100);
  // b restarts: it loses its stream state (not its keys, which would be on disk) while a
  // has batches in flight, and the first resend it sees may be lost.
  for (int i = 0; i < 50; ++i) {
    a.Write("c", [](lattice::Mutation& m) { lattice::IncrementString(m, 1, 0); });
    net.Run(1);
  }
  std::map<std::string, Object> kept = net.nodes["b"]->keys;
  net.down.insert("b");
  for (int i = 0; i < 50; ++i) {
    a.Write("c", [](lattice::Mutation& m) { lattice::IncrementString(m, 1, 0); });
    net.Run(2);
  }
  net.nodes["b"] = std::make_unique<SimNode>(&net, "b", 5000, ReplicationOptions{}, &net.clock);
  net.nodes["b"]->keys = kept;
  net.Connect();
  net.down.erase("b");
  net.drop = 0.3;
  net.Run(2000);
  net.drop = 0;
  net.Run(3000);
  std::string scratch;
  EXPECT_EQ(lattice::StringValue(*net.nodes["b"]->keys["c"].str(), &scratch), "100");
}

TEST(ReplicationTest, FetchIsAnsweredWithFullStates) {
  Net net(8);
  auto& a = net.Add("a");
  auto& b = net.Add("b");
  net.Connect();
  net.Run(100);
  std::vector<std::string> m{"x"};
  b.keys["held"];
  {
    lattice::Mutation mu(b.keys["held"], b.dots, b.hlc.Now());
    lattice::AddSetMembers(mu, m);
    mu.Apply(b.keys["held"]);
  }
  a.repl->SendFetch("b", FetchRequest{1, {"held", "absent"}});
  net.Run(50);
  EXPECT_EQ(a.fetched, 1u);
}

}  // namespace
}  // namespace starling::gossip

namespace starling::gossip {
namespace {

// Delivered (what tombstone collection and hinted copies wait for) needs the receiver's
// durable ack: a change only received, or committed but not yet synced, does not count.
TEST(ReplicationTest, DeliveredWaitsForTheReceiversSync) {
  Net net(11);
  auto& a = net.Add("a");
  auto& b = net.Add("b");
  net.Connect();
  net.Run(200);
  a.Write("k", [](lattice::Mutation& m) { lattice::IncrementString(m, 1, 0); });
  a.repl->Watch("b", "k");
  net.Run(500);
  EXPECT_TRUE(b.keys.count("k"));
  EXPECT_TRUE(a.repl->Idle()) << "received acks stop resends";
  EXPECT_FALSE(a.repl->Delivered("b", "k")) << "received, not durable";
  b.repl->Synced();  // a sync before the commit covers nothing
  net.Run(500);
  EXPECT_FALSE(a.repl->Delivered("b", "k"));
  b.repl->Committed();
  net.Run(500);
  EXPECT_FALSE(a.repl->Delivered("b", "k")) << "committed, not synced";
  b.repl->Synced();
  net.Run(500);
  EXPECT_TRUE(a.repl->Delivered("b", "k"));
}

}  // namespace
}  // namespace starling::gossip
