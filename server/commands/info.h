// INFO: the Redis-compatible server report (DESIGN.md section 9), so redis-cli, redis_exporter
// and client libraries read Starling as they read redis-server 7.0.
//
// Sections, in Redis's order, with Redis's field names: server, clients, memory, persistence,
// stats, replication, cpu, modules, commandstats, errorstats, cluster, keyspace. `INFO`
// and `INFO default` give the default set (all but commandstats); `all` and `everything`
// give every section; names are case-insensitive and unknown names are ignored. Fields that
// describe Redis machinery Starling does not have (forks, AOF rewrites, replicas) report
// Redis's idle values. Starling's own facts are fields named starling_* (starling_version)
// or sections of their own.
//
// Everything comes from the node: its clock, statistics, sampled rates, and the process
// facts it is given (ProcessInfo); nothing here reads the OS.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/command.h"

namespace starling::server {

constexpr std::string_view kStarlingVersion = "0.1.0";
constexpr std::string_view kRedisCompatVersion = "7.0.15";

// The INFO text for the requested sections (empty: the default set).
std::string InfoText(Node& node, const std::vector<std::string>& sections);

// Registers INFO (called from RegisterServerCommands).
void RegisterInfoCommand(CommandTable& table);

}  // namespace starling::server
