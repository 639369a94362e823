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
#include <iostream>

#include "base/clock.h"
#include "base/log.h"
#include "base/random.h"
#include "server/event_loop.h"
#include "server/node.h"
#include "server/process_info.h"
#include "storage/engine.h"

namespace starling::server {
namespace {

int Main(int argc, char** argv) {
  cxxopts::Options options("starling-server", "Starling: a leaderless Redis-compatible cluster node");
  // clang-format off
  options.add_options()
      ("port", "RESP port", cxxopts::value<int>()->default_value("6379"))
      ("bind", "addresses to listen on (space or comma separated)",
       cxxopts::value<std::string>()->default_value("127.0.0.1"))
      ("data-dir", "data directory", cxxopts::value<std::string>()->default_value("./data"))
      ("requirepass", "password clients must AUTH with", cxxopts::value<std::string>()->default_value(""))
      ("appendfsync", "durability: always, everysec or no",
       cxxopts::value<std::string>()->default_value("everysec"))
      ("log-level", "trace, debug, info, warn, error", cxxopts::value<std::string>()->default_value("info"))
      ("log-format", "text or json", cxxopts::value<std::string>()->default_value("text"))
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
  LogOptions log;
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
  if (Status st = config.Set("appendfsync", args["appendfsync"].as<std::string>()); !st.ok()) {
    std::cerr << "starling-server: --appendfsync: " << st.message() << "\n";
    return 2;
  }

  SystemClock clock;
  Prng random(SeedFromOs());
  storage::MemoryEngine engine;
  int port = static_cast<int>(config.port);
  Node::Env env{clock, random, engine, [&port]() { return ReadProcessInfo(port, ""); }};
  lattice::ReplicaId replica = random.Next64();
  Node node(env, config, replica);
  if (Status st = node.Start(); !st.ok()) {
    SPDLOG_CRITICAL("cannot start: {}", st.ToString());
    return 1;
  }
  EventLoop loop(node, clock);
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
  if (Status s = engine.Sync(); !s.ok()) SPDLOG_ERROR("final sync failed: {}", s.ToString());
  SPDLOG_INFO("bye");
  return 0;
}

}  // namespace
}  // namespace starling::server

int main(int argc, char** argv) { return starling::server::Main(argc, argv); }
