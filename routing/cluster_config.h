// ClusterConfig: the cluster configuration file (YAML, yaml-cpp), as deploy/README.md
// documents it ("Cluster configuration"). Loading validates everything and reports the first
// problem naming the field ("nodes[2].gossip_port: port 7379 already used by
// nodes[0].gossip_port"), so a bad config stops the start with a clear message.
//
// Plain values; no clock, no randomness. yaml-cpp's exceptions never leave this module: every
// failure, malformed YAML included, is an InvalidArgument Status.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace starling::routing {

struct NodeConfig {
  std::string id;        // unique, e.g. "n1"
  std::string host;      // address peers and clients use, e.g. "127.0.0.1"
  int resp_port = 0;     // RESP (clients)
  int gossip_port = 0;   // peer traffic (ZeroMQ ROUTER)
  std::string data_dir;  // default: <cluster data_dir>/<id>
};

struct ClusterConfig {
  std::string name = "starling";
  std::vector<NodeConfig> nodes;
  int replication_factor = 3;          // capped at the node count when placing keys
  int virtual_nodes = 64;              // ring points per node
  int gossip_period_ms = 10;           // how often deltas go out to each peer
  int heartbeat_ms = 100;              // a message to every peer at least this often
  int failure_timeout_ms = 1000;       // no message for this long: the peer is down
  int resend_timeout_ms = 200;         // first resend of an unacknowledged batch (then backoff)
  int64_t max_queue_bytes = 64 << 20;  // per peer; past it, the peer gets a full sync
  int anti_entropy_period_ms = 10000;
  std::string durability = "everysec";  // always | everysec | no
  std::string data_dir = "./data";
  std::string secret;              // cluster-wide key for anti-entropy hashes
  std::string bind = "127.0.0.1";  // where nodes listen (RESP and gossip)

  // The node with this id, or null.
  const NodeConfig* Find(std::string_view id) const;
  int EffectiveReplicationFactor() const {
    return std::min<int>(replication_factor, static_cast<int>(nodes.size()));
  }
};

// Parses and validates YAML text. Unknown fields, duplicate ids or ports, an RF below 1,
// missing required fields or bad values are errors naming the field. Fields left out take
// the defaults above; a node without data_dir gets <data_dir>/<id>.
Result<ClusterConfig> ParseClusterConfig(std::string_view yaml_text);
// Reads and parses a file. A missing file is NotFound, an unreadable one IoError; every
// message starts with "cluster config <path>: ".
Result<ClusterConfig> LoadClusterConfig(const std::string& path);

// The semantic checks ParseClusterConfig runs, for a config built in code (tests, dst/, a
// reconfiguration): ranges, ids, uniqueness of ids and of ports per host. A node's empty
// data_dir is accepted (it means the default).
Status ValidateClusterConfig(const ClusterConfig& config);

}  // namespace starling::routing
