// starling-server: one Starling node.
//
//   starling-server --port 6379 --bind 127.0.0.1 --data-dir ./data --requirepass ...
//                   --log-level info --log-format text|json
//
// Wires the real world (system clock, OS entropy, sockets, storage) to the deterministic
// node core and runs the event loop until SIGINT/SIGTERM or SHUTDOWN.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cxxopts.hpp>
#include <filesystem>
#include <iostream>
#include <optional>

#include "base/clock.h"
#include "base/log.h"
#include "base/random.h"
#include "server/event_loop.h"
#include "server/node.h"
#include "server/process_info.h"
#include "lattice/hash.h"
#include "lattice/numbers.h"
#include "storage/engine.h"
#include "storage/leveldb_engine.h"
#include "storage/fault_env.h"
#include "gossip/zmq_transport.h"
#include "routing/cluster_config.h"
#include "server/cluster.h"

namespace starling::server {
namespace {

// A replica id that no earlier run of this node used: the node id's hash in the high 32
// bits, a new incarnation (synced before the node serves) in the low 32. Dots are named by
// the replica id, so a dot is never reused even if a crash lost unsynced writes.
Result<lattice::ReplicaId> AssignReplicaId(storage::LevelDbEngine& engine,
                                           const std::string& node_id) {
  auto stored_id = engine.GetMeta("node_id");
  if (!stored_id.ok()) return stored_id.status();
  if (stored_id->has_value() && **stored_id != node_id) {
    SPDLOG_WARN("data directory belonged to node '{}', now used by '{}'", **stored_id, node_id);
  }
  auto inc = engine.GetMeta("incarnation");
  if (!inc.ok()) return inc.status();
  uint64_t incarnation = 1;
  if (inc->has_value()) {
    auto n = lattice::ParseInt64(**inc);
    if (!n || *n < 0) return Status::Corruption("bad incarnation record");
    incarnation = static_cast<uint64_t>(*n) + 1;
  }
  STARLING_RETURN_IF_ERROR(engine.PutMeta("node_id", node_id));
  STARLING_RETURN_IF_ERROR(engine.PutMeta("incarnation", std::to_string(incarnation)));
  uint64_t high = lattice::Hash64(node_id) & 0xffffffff00000000ULL;
  return high | (incarnation & 0xffffffffULL);
}

int Main(int argc, char** argv) {
  cxxopts::Options options("starling-server", "Starling: a leaderless Redis-compatible cluster node");
  // clang-format off
  options.add_options()
      ("port", "RESP port", cxxopts::value<int>()->default_value("6379"))
      ("bind", "addresses to listen on (space or comma separated)",
       cxxopts::value<std::string>()->default_value("127.0.0.1"))
      ("data-dir", "data directory", cxxopts::value<std::string>()->default_value("./data"))
      ("requirepass", "password clients must AUTH with", cxxopts::value<std::string>()->default_value(""))
      ("config", "cluster config file (YAML); with --node, start that member of the cluster",
       cxxopts::value<std::string>()->default_value(""))
      ("node", "this node's id in the cluster config", cxxopts::value<std::string>()->default_value(""))
      ("storage", "leveldb (persistent, the default) or memory (nothing kept across restarts)",
       cxxopts::value<std::string>()->default_value("leveldb"))
      ("appendfsync", "durability: always, everysec or no",
       cxxopts::value<std::string>()->default_value("everysec"))
      ("log-level", "trace, debug, info, warn, error", cxxopts::value<std::string>()->default_value("info"))
      ("log-format", "text or json", cxxopts::value<std::string>()->default_value("text"))
      ("enable-debug-command", "allow test-only fault injection (STARLING CUT/HEAL)")
      ("debug-disk-full-file", "test only: storage writes fail (disk full) while this file exists",
       cxxopts::value<std::string>()->default_value(""))
      ("h,help", "print this help");
  // clang-format on
  cxxopts::ParseResult args;
  try {
    args = options.parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "starling-server: " << e.what() << "\n" << options.help() << "\n";
    return 2;
  }
  if (args.count("help")) {
    std::cout << options.help() << "\n";
    return 0;
  }
  std::string config_path = args["config"].as<std::string>();
  std::string node_id = args["node"].as<std::string>();
  if (config_path.empty() != node_id.empty()) {
    std::cerr << "starling-server: --config and --node go together\n";
    return 2;
  }
  std::optional<routing::ClusterConfig> cluster_config;
  if (!config_path.empty()) {
    auto loaded = routing::LoadClusterConfig(config_path);
    if (!loaded.ok()) {
      std::cerr << "starling-server: " << config_path << ": " << loaded.status().message() << "\n";
      return 2;
    }
    if (!loaded->Find(node_id)) {
      std::cerr << "starling-server: " << config_path << ": nodes: no node with id '" << node_id
                << "'\n";
      return 2;
    }
    cluster_config = std::move(*loaded);
  }
  LogOptions log;
  log.prefix = node_id;
  log.level = args["log-level"].as<std::string>();
  auto fmt = ParseLogFormat(args["log-format"].as<std::string>());
  if (!fmt.ok()) {
    std::cerr << "starling-server: " << fmt.status().message() << "\n";
    return 2;
  }
  log.format = *fmt;
  if (Status st = InitLogging(log); !st.ok()) {
    std::cerr << "starling-server: " << st.message() << "\n";
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);

  Config config;
  config.port = args["port"].as<int>();
  config.bind = args["bind"].as<std::string>();
  config.dir = args["data-dir"].as<std::string>();
  config.requirepass = args["requirepass"].as<std::string>();
  config.enable_debug_command = args.count("enable-debug-command") > 0;
  std::string durability = args["appendfsync"].as<std::string>();
  const routing::NodeConfig* me = nullptr;
  if (cluster_config) {
    me = cluster_config->Find(node_id);
    config.port = me->resp_port;
    config.bind = cluster_config->bind;
    config.dir = me->data_dir.empty() ? cluster_config->data_dir + "/" + node_id : me->data_dir;
    if (!args.count("appendfsync")) durability = cluster_config->durability;
  }
  if (Status st = config.Set("appendfsync", durability); !st.ok()) {
    std::cerr << "starling-server: --appendfsync: " << st.message() << "\n";
    return 2;
  }

  SystemClock clock;
  Prng random(SeedFromOs());
  std::string storage_kind = args["storage"].as<std::string>();
  if (node_id.empty()) node_id = "standalone";
  std::unique_ptr<storage::FaultEnv> fault_env;  // outlives the engine
  std::unique_ptr<storage::Engine> engine_holder;
  Result<lattice::ReplicaId> replica = lattice::ReplicaId{0};
  if (storage_kind == "leveldb") {
    storage::LevelDbOptions db_options;
    db_options.dir = config.dir;
    if (std::string trigger = args["debug-disk-full-file"].as<std::string>(); !trigger.empty()) {
      fault_env = std::make_unique<storage::FaultEnv>(leveldb::Env::Default());
      fault_env->SetTriggerFile(trigger);
      db_options.env = fault_env.get();
    }
    // The parents too (./data/<node> in a cluster); LevelDB creates only the last level.
    std::error_code mkdir_error;
    std::filesystem::create_directories(config.dir, mkdir_error);
    auto opened = storage::LevelDbEngine::Open(db_options);
    if (!opened.ok()) {
      SPDLOG_CRITICAL("cannot open the data directory: {}", opened.status().message());
      return 1;
    }
    replica = AssignReplicaId(**opened, node_id);
    engine_holder = std::move(*opened);
  } else if (storage_kind == "memory") {
    engine_holder = std::make_unique<storage::MemoryEngine>();
    // Nothing persists, so each run is a new incarnation: a random one.
    replica = (lattice::Hash64(node_id) & 0xffffffff00000000ULL) | (random.Next64() >> 32);
  } else {
    std::cerr << "starling-server: --storage must be leveldb or memory\n";
    return 2;
  }
  if (!replica.ok()) {
    SPDLOG_CRITICAL("cannot record node metadata: {}", replica.status().ToString());
    return 1;
  }
  storage::Engine& engine = *engine_holder;
  int port = static_cast<int>(config.port);
  Node::Env env{clock, random, engine, [&port]() { return ReadProcessInfo(port, ""); }};
  Node node(env, config, *replica);

  // Cluster mode: the ZeroMQ transport on the gossip port and the node's cluster part.
  std::unique_ptr<gossip::ZmqTransport> transport;
  std::unique_ptr<Cluster> cluster;
  auto peer_addresses = [](const routing::ClusterConfig& c) {
    std::vector<gossip::ZmqPeerAddress> out;
    for (const auto& n : c.nodes) out.push_back(gossip::ZmqPeerAddress{n.id, n.host, n.gossip_port});
    return out;
  };
  if (cluster_config) {
    gossip::ZmqTransportOptions topt;
    topt.self = node_id;
    topt.bind = cluster_config->bind;
    topt.port = me->gossip_port;
    auto t = gossip::ZmqTransport::Open(topt);
    if (!t.ok()) {
      SPDLOG_CRITICAL("cannot open the gossip port {}: {}", me->gossip_port, t.status().message());
      return 1;
    }
    transport = std::move(*t);
    if (Status st = transport->SetPeers(peer_addresses(*cluster_config)); !st.ok()) {
      SPDLOG_CRITICAL("cannot connect to peers: {}", st.ToString());
      return 1;
    }
    cluster = std::make_unique<Cluster>(node, *cluster_config, node_id, *transport, *replica);
    node.AttachCluster(cluster.get());
    node.SetReloadHook([&, config_path]() -> Status {
      auto next = routing::LoadClusterConfig(config_path);
      if (!next.ok()) return next.status();
      STARLING_RETURN_IF_ERROR(transport->SetPeers(peer_addresses(*next)));
      return cluster->Reconfigure(std::move(*next));
    });
  }
  if (Status st = node.Start(); !st.ok()) {
    SPDLOG_CRITICAL("cannot start: {}", st.ToString());
    return 1;
  }
  EventLoop loop(node, clock);
  if (transport) {
    loop.AddWatch(transport->fd(), [&]() {
      transport->Drain([&](const gossip::NodeId&, std::string_view bytes) {
        cluster->OnPeerBytes(bytes);
      });
    });
  }
  if (Status st = loop.Listen(config.bind, port); !st.ok()) {
    SPDLOG_CRITICAL("{}", st.ToString());
    return 1;
  }
  port = loop.port();
  SPDLOG_INFO("starling-server ready on {}:{}", config.bind, port);
  Status st = loop.Run();
  if (!st.ok()) {
    SPDLOG_CRITICAL("event loop failed: {}", st.ToString());
    return 1;
  }
  node.EndOfTurn();
  if (Status s = engine.Sync(clock.WallMillis()); !s.ok()) {
    SPDLOG_ERROR("final sync failed: {}", s.ToString());
  }
  SPDLOG_INFO("bye");
  return 0;
}

}  // namespace
}  // namespace starling::server

int main(int argc, char** argv) { return starling::server::Main(argc, argv); }
