#include "dst/sim.h"

#include <leveldb/helpers/memenv.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "dst/checks.h"
#include "dst/history.h"
#include "dst/workload.h"
#include "dst/world.h"
#include "lattice/codec.h"
#include "lattice/hash.h"
#include "lattice/numbers.h"
#include "server/node_test_util.h"

namespace starling::dst {
namespace {

constexpr int64_t kMs = 1000;
constexpr int64_t kFaultPhaseUs = 20'000 * kMs;
constexpr int64_t kClientTimeoutUs = 3'000 * kMs;
constexpr int64_t kMaxHealUs = 60'000 * kMs;
constexpr int64_t kSettleUs = 5'000 * kMs;  // after convergence: GC, hinted drops

// Per-seed fault rates: probability per 100 ms slot of the fault phase.
struct FaultRates {
  double crash = 0, pause = 0, partition = 0, oneway = 0, clock_jump = 0, disk_error = 0;
  int64_t skew_max_us = 0;
};

// The same replica-id scheme as the server's main: the node id's hash in the high 32 bits,
// a synced incarnation counter in the low 32 (dots are never reused after a crash).
Result<lattice::ReplicaId> AssignReplicaId(storage::LevelDbEngine& engine, const std::string& id) {
  auto inc = engine.GetMeta("incarnation");
  if (!inc.ok())
    return inc.status();
  uint64_t incarnation = 1;
  if (inc->has_value()) {
    auto n = lattice::ParseInt64(**inc);
    if (!n || *n < 0)
      return Status::Corruption("bad incarnation record");
    incarnation = static_cast<uint64_t>(*n) + 1;
  }
  STARLING_RETURN_IF_ERROR(engine.PutMeta("node_id", id));
  STARLING_RETURN_IF_ERROR(engine.PutMeta("incarnation", std::to_string(incarnation)));
  return (lattice::Hash64(id) & 0xffffffff00000000ULL) | (incarnation & 0xffffffffULL);
}

double Draw(Prng& r, double p_on, double max) {
  return r.Bernoulli(p_on) ? r.NextDouble() * max : 0;
}

class Run {
 public:
  explicit Run(const RunOptions& o)
      : opt_(o), world_(o.seed, o.replay), params_(world_.random().Fork()) {}

  RunResult Go();

 private:
  struct Client {
    int id = 0;
    bool busy = false;
    size_t op = 0;
    int node = -1;
    uint64_t incarnation = 0;
    uint64_t session = 0;
    std::map<int, std::pair<uint64_t, uint64_t>> sessions;  // node -> (incarnation, session)
  };

  void Setup();
  void DrawFaults();
  bool StartHost(Host& h);
  void CrashHost(Host& h, const char* why);
  void ScheduleTick(Host& h, int64_t delay_us);
  void Tick(Host& h);
  void SyncClock(Host& h);
  void AfterTurn(Host& h);
  void Deliver(int from, int to, std::string bytes, uint64_t seq);
  bool Paused(const Host& h) const { return h.paused_until_us > world_.now(); }
  void Resume(Host& h);
  void IssueOp();
  void ExecOp(int client, size_t op_index);
  void Complete(Client& c, OpStatus st, std::string reply);
  void FaultSlot();
  void Heal();
  bool Converged(std::string* why);
  void SampleStates();
  void FinalChecks();
  void DumpKey(const std::string& why);
  std::string RunCommand(Host& h, const std::vector<std::string>& args);
  void Log(const std::string& line) {
    if (world_.trace().printing())
      world_.trace().Print(world_.now(), line);
  }
  void Fail(const std::string& what) { result_.failures.push_back(what); }

  RunOptions opt_;
  World world_;
  Prng params_;  // draws of this seed's parameters
  RunResult result_;
  FaultRates rates_;
  routing::ClusterConfig config_;
  std::vector<std::unique_ptr<Host>> hosts_;
  std::vector<Client> clients_;
  std::vector<Op> ops_;
  Workload workload_;
  int ops_issued_ = 0;
  bool fault_phase_ = true;
  std::map<std::string, std::vector<lattice::Object>> samples_;
  size_t samples_taken_ = 0;
};

void Run::DrawFaults() {
  const std::string& p = opt_.profile;
  Prng& r = params_;
  if (p == "none")
    return;
  // Single-kind profiles, to isolate a failure: drop, dup, delay, partition.
  if (p == "drop" || p == "dup" || p == "delay" || p == "partition") {
    if (p == "drop")
      world_.net.drop = 0.02 + r.NextDouble() * 0.2;
    if (p == "dup")
      world_.net.dup = 0.02 + r.NextDouble() * 0.2;
    if (p == "delay")
      world_.net.tail = 0.02 + r.NextDouble() * 0.1;
    if (p == "partition")
      rates_.partition = rates_.oneway = 0.02;
    return;
  }
  double k = p == "heavy" ? 2.0 : 1.0;
  double on = p == "heavy" ? 1.0 : 0.7;
  world_.net.drop = Draw(r, on, 0.15 * k);
  world_.net.dup = Draw(r, on, 0.08 * k);
  world_.net.tail = Draw(r, on, 0.08 * k);
  world_.net.jitter_us = static_cast<int64_t>(r.Range(100, 5000));
  rates_.partition = Draw(r, on, 0.02 * k);
  rates_.oneway = Draw(r, on, 0.02 * k);
  if (p == "network")
    return;
  rates_.crash = Draw(r, on, 0.03 * k);
  rates_.pause = Draw(r, on, 0.03 * k);
  rates_.clock_jump = Draw(r, on, 0.02 * k);
  rates_.disk_error = Draw(r, on * 0.7, 0.015 * k);
  rates_.skew_max_us = r.Bernoulli(on) ? r.Range(0, 3000) * kMs : 0;
}

void Run::Setup() {
  Prng& r = params_;
  int n = opt_.nodes > 0 ? opt_.nodes : static_cast<int>(r.Range(3, 7));
  result_.nodes = n;
  config_.name = "dst";
  config_.replication_factor = static_cast<int>(r.Range(2, 3));
  config_.virtual_nodes = 16;
  config_.max_queue_bytes = r.Bernoulli(0.3) ? 24 << 10 : 64 << 20;
  world_.blocked.assign(static_cast<size_t>(n), std::vector<bool>(static_cast<size_t>(n), false));
  for (int i = 0; i < n; ++i) {
    routing::NodeConfig nc;
    nc.id = "n" + std::to_string(i + 1);
    nc.host = "10.0.0." + std::to_string(i + 1);
    nc.resp_port = 6379;
    nc.gossip_port = 7379;
    config_.nodes.push_back(nc);
    world_.index_of[nc.id] = i;
  }
  DrawFaults();
  for (int i = 0; i < n; ++i) {
    auto h = std::make_unique<Host>();
    h->index = i;
    h->id = config_.nodes[static_cast<size_t>(i)].id;
    h->mem_env.reset(leveldb::NewMemEnv(leveldb::Env::Default()));
    h->disk = std::make_unique<storage::FaultEnv>(h->mem_env.get());
    h->transport = std::make_unique<SimTransport>(world_, i);
    h->random = std::make_unique<Prng>(world_.random().Fork());
    if (rates_.skew_max_us > 0) {
      h->skew_us = params_.Range(-rates_.skew_max_us, rates_.skew_max_us);
      world_.Cover("clock_skew");
    }
    hosts_.push_back(std::move(h));
  }
  for (int i = 0; i < 2 * n; ++i) {
    Client c;
    c.id = i;
    clients_.push_back(c);
  }
  world_.deliver = [this](int from, int to, std::string b, uint64_t seq) {
    Deliver(from, to, std::move(b), seq);
  };
  if (world_.trace().printing()) {
    Log("seed " + std::to_string(opt_.seed) + ": " + std::to_string(n) + " nodes, rf " +
        std::to_string(config_.replication_factor) + ", drop " + std::to_string(world_.net.drop) +
        " dup " + std::to_string(world_.net.dup) + " tail " + std::to_string(world_.net.tail) +
        " crash " + std::to_string(rates_.crash) + " pause " + std::to_string(rates_.pause) +
        " partition " + std::to_string(rates_.partition) + "/" + std::to_string(rates_.oneway) +
        " jump " + std::to_string(rates_.clock_jump) + " disk " +
        std::to_string(rates_.disk_error) + " skew " + std::to_string(rates_.skew_max_us / kMs) +
        "ms");
  }
}

void Run::SyncClock(Host& h) {
  int64_t dt = world_.now() - h.clock.MonoMicros();
  if (dt > 0)
    h.clock.Advance(dt);
  h.clock.SetWall(kEpochUs + world_.now() + h.skew_us);
}

bool Run::StartHost(Host& h) {
  storage::LevelDbOptions o;
  o.dir = "/dst/" + h.id;
  o.env = h.disk.get();
  o.durability = storage::Durability::kAlways;
  o.write_buffer_bytes = 256 << 10;
  o.block_cache_bytes = 1 << 20;
  auto opened = storage::LevelDbEngine::Open(o);
  if (!opened.ok()) {
    world_.Cover("restart_failed");
    Log(h.id + " start failed: " + opened.status().ToString());
    return false;
  }
  auto replica = AssignReplicaId(**opened, h.id);
  if (!replica.ok()) {
    world_.Cover("restart_failed");
    Log(h.id + " start failed: " + replica.status().ToString());
    return false;
  }
  h.engine =
      std::make_unique<DiskEngine>(std::move(*opened), opt_.planted_bug == "ack-before-durable");
  server::Config cfg;
  (void)cfg.Set("appendfsync", "always");
  SyncClock(h);
  h.node = std::make_unique<server::Node>(
      server::Node::Env{h.clock, *h.random, *h.engine, [] { return server::ProcessInfo{}; }}, cfg,
      *replica);
  h.cluster = std::make_unique<server::Cluster>(*h.node, config_, h.id, *h.transport, *replica);
  h.node->AttachCluster(h.cluster.get());
  Status st = h.node->Start();
  ++h.incarnation;
  world_.trace().Mix(0x57a7);
  world_.trace().Mix(static_cast<uint64_t>(h.index));
  if (!st.ok()) {
    world_.Cover("restart_failed");
    Log(h.id + " start failed: " + st.ToString());
    CrashHost(h, "start failed");
    return false;
  }
  if (h.node->keys_loaded() > 0)
    world_.Cover("restart_recovered_keys");
  Log(h.id + " started, incarnation " + std::to_string(*replica & 0xffffffff) + ", " +
      std::to_string(h.node->keys_loaded()) + " keys loaded");
  ScheduleTick(h, static_cast<int64_t>(world_.random().Uniform(10 * kMs)));
  return true;
}

void Run::CrashHost(Host& h, const char* why) {
  for (Client& c : clients_) {
    if (c.busy && c.node == h.index)
      Complete(c, OpStatus::kUnknown, std::string("(crash)"));
  }
  h.node.reset();
  h.cluster.reset();
  h.engine.reset();
  leveldb::Status st = h.disk->DropUnsyncedData();
  (void)st;
  h.inbox.clear();
  h.paused_until_us = 0;
  ++h.incarnation;
  world_.trace().Mix(0xc4a5);
  world_.trace().Mix(static_cast<uint64_t>(h.index));
  Log(h.id + " down (" + why + ")");
}

void Run::ScheduleTick(Host& h, int64_t delay_us) {
  uint64_t inc = h.incarnation;
  Host* hp = &h;
  world_.After(delay_us, [this, hp, inc]() {
    if (hp->incarnation == inc && hp->up())
      Tick(*hp);
  });
}

void Run::Tick(Host& h) {
  if (Paused(h)) {
    ScheduleTick(h, h.paused_until_us - world_.now());
    return;
  }
  SyncClock(h);
  if (opt_.driver_recovers_disk && !h.engine->Healthy() && !h.disk_failing) {
    (void)h.engine->Recover();
  }
  h.node->OnTimer();
  if (!h.engine->Healthy()) {
    h.storage_failed = true;
  } else if (h.storage_failed) {
    h.storage_failed = false;
    world_.Cover("disk_recovered");
  }
  h.node->ExpireBlocked();
  h.node->EndOfTurn();
  AfterTurn(h);
  int64_t next = std::max<int64_t>(1, h.node->MsUntilNextWork()) * kMs;
  ScheduleTick(h, next + static_cast<int64_t>(world_.random().Uniform(500)));
}

void Run::AfterTurn(Host& h) {
  (void)h.node->TakeUnblockedSessions();
  (void)h.node->TakeKilledSessions();
  for (Client& c : clients_) {
    if (!c.busy || c.node != h.index || c.incarnation != h.incarnation)
      continue;
    server::Session* s = h.node->FindSession(c.session);
    if (!s || s->Paused() || s->out.empty())
      continue;
    size_t pos = 0;
    std::string reply = server::testing::RenderReply(s->out.buffer(), &pos);
    s->out.Clear();
    bool error = reply.starts_with("(error)");
    if (reply.starts_with("(error) MISCONF"))
      world_.Cover("misconf_reply");
    Complete(c, error ? OpStatus::kUnknown : OpStatus::kOk, std::move(reply));
  }
}

void Run::Resume(Host& h) {
  if (Paused(h))
    return;
  while (!h.inbox.empty() && h.up() && !Paused(h)) {
    auto fn = std::move(h.inbox.front());
    h.inbox.pop_front();
    fn();
  }
}

void Run::Deliver(int from, int to, std::string bytes, uint64_t seq) {
  Host& h = *hosts_[static_cast<size_t>(to)];
  if (!h.up()) {
    world_.Cover("msg_to_down_node");
    return;
  }
  if (Paused(h)) {
    h.inbox.push_back([this, from, to, seq, b = std::move(bytes)]() mutable {
      Deliver(from, to, std::move(b), seq);
    });
    return;
  }
  uint64_t& last = world_.link_last_delivered[{from, to}];
  if (seq < last)
    world_.Cover("msg_reorder");
  last = std::max(last, seq);
  world_.trace().Mix(0xde1);
  world_.trace().Mix(static_cast<uint64_t>(from * 16 + to) ^ (seq << 8));
  SyncClock(h);
  h.cluster->OnPeerBytes(bytes);
  h.node->EndOfTurn();
  AfterTurn(h);
}

void Run::Complete(Client& c, OpStatus st, std::string reply) {
  Op& op = ops_[c.op];
  op.status = st;
  op.end_us = world_.now();
  op.reply = std::move(reply);
  c.busy = false;
  if (st == OpStatus::kOk) {
    ++result_.ops_ok;
  } else {
    ++result_.ops_unknown;
  }
  world_.trace().Mix(0x0b);
  world_.trace().Mix(op.id);
  world_.trace().Mix(op.reply);
  if (world_.trace().printing()) {
    std::string a;
    for (const auto& s : op.args)
      a += " " + s;
    Log("client " + std::to_string(c.id) + " n" + std::to_string(op.node + 1) + a + " -> " +
        op.reply);
  }
}

void Run::IssueOp() {
  std::vector<int> idle;
  for (const Client& c : clients_) {
    if (!c.busy)
      idle.push_back(c.id);
  }
  if (idle.empty())
    return;
  Client& c = clients_[static_cast<size_t>(idle[world_.random().Uniform(idle.size())])];
  int node = static_cast<int>(world_.random().Uniform(hosts_.size()));
  Host& h = *hosts_[static_cast<size_t>(node)];
  ++ops_issued_;
  if (!h.up()) {
    world_.Cover("client_refused");
    return;  // connection refused: nothing was sent
  }
  Op op;
  op.id = ops_.size();
  op.client = c.id;
  op.node = node;
  op.args = workload_.Next(world_.random(), op.id);
  op.invoke_us = world_.now();
  ops_.push_back(std::move(op));
  c.busy = true;
  c.op = ops_.size() - 1;
  c.node = node;
  c.incarnation = h.incarnation;
  c.session = 0;  // no session until ExecOp runs the command (ids start at 1)
  size_t idx = c.op;
  int cid = c.id;
  world_.After(kClientTimeoutUs, [this, cid, idx]() {
    Client& cl = clients_[static_cast<size_t>(cid)];
    if (!cl.busy || cl.op != idx)
      return;
    Host& hh = *hosts_[static_cast<size_t>(cl.node)];
    // Abandon the connection: a command that has not run yet never will.
    if (hh.up() && hh.incarnation == cl.incarnation)
      hh.node->CloseSession(cl.session);
    cl.sessions.erase(cl.node);
    world_.Cover("client_timeout");
    Complete(cl, OpStatus::kUnknown, "(timeout)");
  });
  if (Paused(h)) {
    world_.Cover("client_waits_paused");
    h.inbox.push_back([this, cid, idx]() { ExecOp(cid, idx); });
    return;
  }
  ExecOp(cid, idx);
}

void Run::ExecOp(int cid, size_t idx) {
  Client& c = clients_[static_cast<size_t>(cid)];
  if (!c.busy || c.op != idx)
    return;  // timed out while the node was paused
  Host& h = *hosts_[static_cast<size_t>(c.node)];
  if (!h.up() || h.incarnation != c.incarnation)
    return;
  SyncClock(h);
  auto it = c.sessions.find(c.node);
  server::Session* s = nullptr;
  if (it != c.sessions.end() && it->second.first == h.incarnation) {
    s = h.node->FindSession(it->second.second);
  }
  if (!s) {
    s = &h.node->OpenSession("10.1.0." + std::to_string(cid) + ":5000", h.id + ":6379", -1);
    c.sessions[c.node] = {h.incarnation, s->id};
  }
  c.session = s->id;
  const std::vector<std::string>& args = ops_[idx].args;
  std::vector<std::string_view> views(args.begin(), args.end());
  h.node->Execute(*s, views);
  if (s->Paused())
    world_.Cover("fetch_wait");
  h.node->EndOfTurn();
  AfterTurn(h);
}

void Run::FaultSlot() {
  if (!fault_phase_)
    return;
  Prng& r = world_.random();
  size_t n = hosts_.size();
  auto pick = [&]() -> Host& { return *hosts_[r.Uniform(n)]; };
  if (r.Bernoulli(rates_.crash)) {
    Host& h = pick();
    if (h.up()) {
      world_.Cover("crash");
      CrashHost(h, "crash");
      Host* hp = &h;
      world_.After(r.Range(50, 4000) * kMs, [this, hp]() {
        if (!hp->up() && fault_phase_) {
          if (StartHost(*hp))
            world_.Cover("restart");
        }
      });
    }
  }
  if (r.Bernoulli(rates_.pause)) {
    Host& h = pick();
    if (h.up() && !Paused(h)) {
      world_.Cover("pause");
      int64_t d = r.Range(20, 2500) * kMs;
      h.paused_until_us = world_.now() + d;
      Log(h.id + " paused for " + std::to_string(d / kMs) + "ms");
      Host* hp = &h;
      uint64_t inc = h.incarnation;
      world_.After(d, [this, hp, inc]() {
        if (hp->incarnation == inc)
          Resume(*hp);
      });
    }
  }
  auto heal_later = [&](const std::vector<std::pair<int, int>>& cut) {
    world_.After(r.Range(100, 5000) * kMs, [this, cut]() {
      for (auto [a, b] : cut)
        world_.blocked[static_cast<size_t>(a)][static_cast<size_t>(b)] = false;
      world_.Cover("partition_healed");
      Log("partition healed");
    });
  };
  if (r.Bernoulli(rates_.partition)) {
    // Symmetric: a random side against the rest.
    std::vector<bool> side(n);
    for (size_t i = 0; i < n; ++i)
      side[i] = r.Bernoulli(0.5);
    std::vector<std::pair<int, int>> cut;
    std::string desc;
    for (size_t a = 0; a < n; ++a) {
      if (side[a])
        desc += " n" + std::to_string(a + 1);
      for (size_t b = 0; b < n; ++b) {
        if (side[a] != side[b]) {
          world_.blocked[a][b] = true;
          cut.emplace_back(a, b);
        }
      }
    }
    if (!cut.empty()) {
      world_.Cover("partition_symmetric");
      Log("partition {" + desc + " } | rest");
      heal_later(cut);
    }
  }
  if (r.Bernoulli(rates_.oneway)) {
    size_t a = r.Uniform(n), b = r.Uniform(n);
    if (a != b) {
      world_.blocked[a][b] = true;
      world_.Cover("partition_oneway");
      Log("one-way partition n" + std::to_string(a + 1) + " -/-> n" + std::to_string(b + 1));
      heal_later({{static_cast<int>(a), static_cast<int>(b)}});
    }
  }
  if (r.Bernoulli(rates_.clock_jump)) {
    Host& h = pick();
    int64_t d = r.Range(-5000, 5000) * kMs;
    h.skew_us += d;
    world_.Cover(d < 0 ? "clock_jump_back" : "clock_jump_forward");
    Log(h.id + " clock jumps " + std::to_string(d / kMs) + "ms");
  }
  if (r.Bernoulli(rates_.disk_error)) {
    Host& h = pick();
    if (!h.disk_failing) {
      world_.Cover("disk_error");
      h.disk_failing = true;
      h.disk->SetWriteError(true);
      Log(h.id + " disk fails writes");
      Host* hp = &h;
      world_.After(r.Range(20, 2000) * kMs, [this, hp]() {
        hp->disk_failing = false;
        hp->disk->SetWriteError(false);
        Log(hp->id + " disk writes work again");
      });
    }
  }
}

void Run::Heal() {
  fault_phase_ = false;
  Log("---- heal phase");
  world_.net = NetParams{};
  world_.net.jitter_us = 1000;
  for (auto& row : world_.blocked)
    std::fill(row.begin(), row.end(), false);
  for (auto& h : hosts_) {
    h->disk_failing = false;
    h->disk->SetWriteError(false);
    if (h->up() && Paused(*h)) {
      h->paused_until_us = world_.now();
      Resume(*h);
    }
    if (!h->up() && !StartHost(*h))
      Fail(h->id + " could not restart in the heal phase");
  }
}

bool Run::Converged(std::string* why) {
  for (const Client& c : clients_) {
    if (c.busy) {
      *why = "client operations still pending";
      return false;
    }
  }
  for (auto& h : hosts_) {
    if (!h->up()) {
      *why = h->id + " is down";
      return false;
    }
    if (!h->cluster->replicator().Idle()) {
      *why = h->id + " has unacknowledged replication batches:";
      const gossip::Replicator& rep = h->cluster->replicator();
      for (const auto& peer : rep.peers()) {
        auto st = rep.Stats(peer);
        if (!st || (st->pending_keys == 0 && st->unacked_batches == 0))
          continue;
        *why += " to " + peer + (st->up ? " (up)" : " (down)") + " epoch " +
                std::to_string(rep.StreamEpoch(peer) & 0xffffffff) + " acked " +
                std::to_string(st->acked_seq) + " next " + std::to_string(st->next_seq) +
                " unacked " + std::to_string(st->unacked_batches) + " pending " +
                std::to_string(st->pending_keys) + " resent " + std::to_string(st->batches_resent);
        Host& to = *hosts_[static_cast<size_t>(world_.index_of[peer])];
        if (to.up()) {
          *why += " (" + peer + ": malformed " + std::to_string(to.cluster->malformed_messages()) +
                  ", foreign " + std::to_string(to.cluster->replicator().foreign_dropped()) + ")";
        }
        *why += ";";
      }
      return false;
    }
    if (!h->engine->Healthy()) {
      *why = h->id + " storage is unhealthy";
      return false;
    }
  }
  std::string diff = DivergentKey(hosts_);
  if (!diff.empty()) {
    *why = diff;
    return false;
  }
  return true;
}

void Run::SampleStates() {
  if (samples_taken_ >= 64)
    return;
  Host& h = *hosts_[world_.random().Uniform(hosts_.size())];
  if (!h.up())
    return;
  const auto& map = h.node->keyspace().map();
  if (map.empty())
    return;
  auto it = map.begin();
  std::advance(it, static_cast<long>(world_.random().Uniform(map.size())));
  auto& v = samples_[it->first.str];
  if (v.size() < 6) {
    v.push_back(*it->second);
    ++samples_taken_;
  }
}

std::string Run::RunCommand(Host& h, const std::vector<std::string>& args) {
  server::Session& s = h.node->OpenSession("10.2.0.1:1", h.id + ":6379", -1);
  std::vector<std::string_view> views(args.begin(), args.end());
  h.node->Execute(s, views);
  h.node->EndOfTurn();
  std::string reply;
  if (!s.Paused() && !s.out.empty()) {
    size_t pos = 0;
    reply = server::testing::RenderReply(s.out.buffer(), &pos);
  }
  bool paused = s.Paused();
  h.node->CloseSession(s.id);
  return paused ? "(paused)" : reply;
}

// Shows each replica's view of the key a convergence failure names ("key K ...").
void Run::DumpKey(const std::string& why) {
  if (!why.starts_with("key "))
    return;
  std::string key = why.substr(4, why.find(' ', 4) - 4);
  for (const std::string& id : hosts_[0]->cluster->ReplicasOf(key)) {
    Host& h = *hosts_[static_cast<size_t>(world_.index_of[id])];
    FinalState f =
        ReadFinal(key, [&](const std::vector<std::string>& a) { return RunCommand(h, a); });
    std::string items;
    for (const auto& i : f.items)
      items += " " + i;
    const lattice::Object* o = h.node->keyspace().Find(lattice::ElemRef(key));
    Fail("  " + id + ": " + (f.value.empty() ? "" : f.value) + " [" + items + " ] ctx " +
         (o ? o->ctx.DebugString() : std::string("-")));
  }
}

void Run::FinalChecks() {
  // Convergence (again, after the settle time).
  std::string diff = DivergentKey(hosts_);
  if (!diff.empty())
    Fail("convergence: " + diff);
  // Reference models, on the final state read through commands at a replica.
  std::map<std::string, FinalState> finals;
  for (const std::string& key : workload_.Keys()) {
    std::vector<std::string> reps = hosts_[0]->cluster->ReplicasOf(key);
    Host& h = *hosts_[static_cast<size_t>(world_.index_of[reps[0]])];
    finals[key] =
        ReadFinal(key, [&](const std::vector<std::string>& a) { return RunCommand(h, a); });
  }
  CheckContext ctx;
  ctx.ops = &ops_;
  ctx.placement_ctx = this;
  ctx.is_replica = [](void* self, int node, const std::string& key) {
    Run* r = static_cast<Run*>(self);
    for (const auto& id : r->hosts_[0]->cluster->ReplicasOf(key)) {
      if (r->world_.index_of[id] == node)
        return true;
    }
    return false;
  };
  for (std::string& v : CheckModels(ctx, finals))
    Fail("model: " + v);
  // Lattice laws on states sampled during the run and the final ones.
  for (auto& h : hosts_) {
    for (const auto& [k, o] : h->node->keyspace().map()) {
      auto& v = samples_[k.str];
      if (v.size() < 8)
        v.push_back(*o);
    }
  }
  for (std::string& v : CheckLaws(samples_))
    Fail("lattice laws: " + v);
  // Liveness: every node serves a write at once, queues drained, tombstones collected.
  for (auto& h : hosts_) {
    std::string key;
    for (int i = 0; key.empty(); ++i) {
      std::string k = "probe" + std::to_string(i);
      if (h->cluster->Replicates(k))
        key = k;
    }
    std::string reply = RunCommand(*h, {"SET", key, "x"});
    if (reply != "OK")
      Fail("liveness: " + h->id + " answered SET with " + reply);
  }
  // Leftover tombstones are a known leak (dst/README.md, "Known bugs"): reported, and a
  // failure only with --strict-gc.
  for (std::string& v : CheckLiveness(hosts_)) {
    world_.Cover("tombstones_left");
    if (opt_.strict_gc) {
      Fail("liveness: " + v);
    } else {
      result_.notes.push_back("liveness: " + v);
    }
  }
  for (auto& h : hosts_) {
    if (h->cluster->tombstones_dropped() > 0)
      world_.Cover("tombstone_gc");
    if (h->cluster->full_syncs() > 0)
      world_.Cover("full_sync");
    if (h->cluster->fetches() > 0)
      world_.Cover("fetch");
    for (const auto& peer : h->cluster->replicator().peers()) {
      auto st = h->cluster->replicator().Stats(peer);
      if (st && st->batches_resent > 0)
        world_.Cover("batch_resent");
      if (st && st->resend_requests > 0)
        world_.Cover("resend_request");
    }
  }
}

RunResult Run::Go() {
  result_.seed = opt_.seed;
  Setup();
  for (auto& h : hosts_) {
    if (!StartHost(*h))
      Fail(h->id + " could not start");
  }
  // Workload: ops spread over the fault phase; faults in 100 ms slots.
  int64_t gap = std::max<int64_t>(1, kFaultPhaseUs / std::max(1, opt_.ops));
  std::function<void()> issue = [&]() {
    if (!fault_phase_ || ops_issued_ >= opt_.ops)
      return;
    IssueOp();
    world_.After(static_cast<int64_t>(world_.random().Uniform(static_cast<uint64_t>(2 * gap))),
                 issue);
  };
  world_.After(100 * kMs, issue);
  std::function<void()> slot = [&]() {
    if (!fault_phase_)
      return;
    FaultSlot();
    if (world_.random().Bernoulli(0.1))
      SampleStates();
    world_.After(100 * kMs, slot);
  };
  world_.After(100 * kMs, slot);
  world_.RunUntil(kFaultPhaseUs);
  // Ops still unissued when the time ran out are not issued.
  Heal();
  int64_t heal_start = world_.now();
  std::string why;
  bool converged = false;
  while (world_.now() - heal_start < kMaxHealUs) {
    world_.RunUntil(world_.now() + 100 * kMs);
    if (Converged(&why)) {
      converged = true;
      break;
    }
  }
  if (!converged) {
    Fail("convergence: not converged " + std::to_string(kMaxHealUs / 1000) +
         "ms after the heal: " + why);
    DumpKey(why);
  } else {
    result_.converge_ms = (world_.now() - heal_start) / kMs;
    world_.RunUntil(world_.now() + kSettleUs);
    FinalChecks();
  }
  result_.sim_ms = world_.now() / kMs;
  result_.coverage = world_.coverage();
  world_.trace().Mix(static_cast<uint64_t>(result_.failures.size()));
  result_.trace_hash = world_.trace().hash();
  result_.ok = result_.failures.empty();
  // Tear down the nodes before their disks.
  for (auto& h : hosts_) {
    h->node.reset();
    h->cluster.reset();
    h->engine.reset();
  }
  return result_;
}

}  // namespace

RunResult RunSimulation(const RunOptions& options) {
  Run run(options);
  return run.Go();
}

std::vector<std::string> RequiredCoverage(const std::string& profile) {
  if (profile == "none")
    return {};
  std::vector<std::string> net = {"msg_drop",         "msg_dup",          "msg_delay_tail",
                                  "msg_reorder",      "msg_partitioned",  "partition_symmetric",
                                  "partition_oneway", "partition_healed", "batch_resent",
                                  "resend_request"};
  if (profile == "network")
    return net;
  std::vector<std::string> all = net;
  for (const char* k : {"crash", "restart", "restart_recovered_keys", "pause", "clock_skew",
                        "clock_jump_forward", "clock_jump_back", "disk_error", "disk_recovered",
                        "misconf_reply", "client_timeout", "fetch", "tombstone_gc"}) {
    all.push_back(k);
  }
  return all;
}

}  // namespace starling::dst
