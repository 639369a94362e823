#include "server/commands/info.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <set>

#include "lattice/hash.h"
#include "server/cluster.h"
#include "server/node.h"
#include "server/session.h"

namespace starling::server {
namespace {

// Appends "name:value\r\n".
class Section {
 public:
  explicit Section(std::string* out) : out_(out) {}
  void Str(std::string_view name, std::string_view value) {
    out_->append(name);
    out_->push_back(':');
    out_->append(value);
    out_->append("\r\n");
  }
  void Int(std::string_view name, int64_t v) { Str(name, std::to_string(v)); }
  void Fmt(std::string_view name, const char* fmt, double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), fmt, v);
    Str(name, buf);
  }

 private:
  std::string* out_;
};

// Redis's bytesToHuman: 1023B, 1.00K, 1.50M, 2.00G...
std::string Human(uint64_t n) {
  static constexpr const char* kUnits[] = {"K", "M", "G", "T", "P"};
  if (n < 1024)
    return std::to_string(n) + "B";
  double d = static_cast<double>(n) / 1024;
  size_t u = 0;
  while (d >= 1024 && u + 1 < std::size(kUnits)) {
    d /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f%s", d, kUnits[u]);
  return buf;
}

// 40 hex characters derived from the replica id: a new one for every incarnation of the
// node, as Redis's run_id is new for every start.
std::string HexId(lattice::ReplicaId replica, uint64_t salt) {
  std::string seed(reinterpret_cast<const char*>(&replica), sizeof(replica));
  std::string out;
  char buf[17];
  for (uint64_t i = 0; out.size() < 40; ++i) {
    std::snprintf(buf, sizeof(buf), "%016" PRIx64, lattice::Hash64(seed, salt * 16 + i));
    out += buf;
  }
  out.resize(40);
  return out;
}

std::string GccVersion() {
#ifdef __GNUC__
  return std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
         std::to_string(__GNUC_PATCHLEVEL__);
#else
  return "0.0.0";
#endif
}

void ServerSection(Node& node, const ProcessInfo& p, Section& s) {
  int64_t uptime = (node.NowMs() - node.StartedMs()) / 1000;
  s.Str("redis_version", kRedisCompatVersion);
  s.Str("redis_git_sha1", "00000000");
  s.Str("redis_git_dirty", "0");
  s.Str("redis_build_id", "0");
  s.Str("redis_mode", "standalone");
  s.Str("os", p.os);
  s.Int("arch_bits", sizeof(void*) * 8);
  s.Str("monotonic_clock", "POSIX clock_gettime");
  s.Str("multiplexing_api", "epoll");
  s.Str("atomicvar_api", "c11-builtin");
  s.Str("gcc_version", GccVersion());
  s.Int("process_id", p.pid);
  s.Str("process_supervised", "no");
  s.Str("run_id", HexId(node.replica(), 1));
  s.Int("tcp_port", p.tcp_port);
  s.Int("server_time_usec", node.NowMicros());
  s.Int("uptime_in_seconds", uptime);
  s.Int("uptime_in_days", uptime / 86400);
  s.Int("hz", node.config().hz);
  s.Int("configured_hz", node.config().hz);
  s.Int("lru_clock", (node.NowMs() / 1000) & ((1 << 24) - 1));
  s.Str("executable", p.executable);
  s.Str("config_file", p.config_file);
  s.Str("io_threads_active", "0");
  s.Str("starling_version", kStarlingVersion);
}

void ClientsSection(Node& node, Section& s) {
  size_t max_in = 0, max_out = 0, blocked = 0;
  for (const auto& [id, session] : node.sessions()) {
    max_in = std::max(max_in, session->query_buffer_bytes);
    max_out = std::max(max_out, session->out.size());
    if (session->blocked)
      ++blocked;
  }
  s.Int("connected_clients", static_cast<int64_t>(node.sessions().size()));
  s.Str("cluster_connections", "0");
  s.Int("maxclients", node.config().maxclients);
  s.Int("client_recent_max_input_buffer", static_cast<int64_t>(max_in));
  s.Int("client_recent_max_output_buffer", static_cast<int64_t>(max_out));
  s.Int("blocked_clients", static_cast<int64_t>(blocked));
  s.Str("tracking_clients", "0");
  s.Str("clients_in_timeout_table", "0");
}

void MemorySection(Node& node, const ProcessInfo& p, Section& s) {
  uint64_t used = p.used_memory;
  uint64_t peak = std::max<uint64_t>(node.metrics().peak_memory, used);
  std::string maxmemory = "0", policy = "noeviction";
  for (const auto& [name, value] : node.config().Get("maxmemory*")) {
    if (name == "maxmemory")
      maxmemory = value;
    if (name == "maxmemory-policy")
      policy = value;
  }
  uint64_t maxmem = std::strtoull(maxmemory.c_str(), nullptr, 10);
  s.Int("used_memory", static_cast<int64_t>(used));
  s.Str("used_memory_human", Human(used));
  s.Int("used_memory_rss", static_cast<int64_t>(p.used_memory_rss));
  s.Str("used_memory_rss_human", Human(p.used_memory_rss));
  s.Int("used_memory_peak", static_cast<int64_t>(peak));
  s.Str("used_memory_peak_human", Human(peak));
  s.Fmt("used_memory_peak_perc", "%.2f%%", peak ? 100.0 * static_cast<double>(used) / peak : 0);
  s.Int("total_system_memory", static_cast<int64_t>(p.total_system_memory));
  s.Str("total_system_memory_human", Human(p.total_system_memory));
  s.Int("maxmemory", static_cast<int64_t>(maxmem));
  s.Str("maxmemory_human", Human(maxmem));
  s.Str("maxmemory_policy", policy);
  s.Fmt("mem_fragmentation_ratio", "%.2f",
        used ? static_cast<double>(p.used_memory_rss) / static_cast<double>(used) : 0);
  s.Int("mem_fragmentation_bytes",
        static_cast<int64_t>(p.used_memory_rss) - static_cast<int64_t>(used));
  s.Str("mem_allocator", "libc");
  s.Str("lazyfree_pending_objects", "0");
}

// Starling persists every change as it happens (DESIGN.md section 7): its LevelDB log plays
// the part of Redis's AOF, so aof_enabled is 1 with the leveldb engine, and the aof_* write
// status follows the engine's health (the fields Redis adds when AOF is on, about its
// buffers and rewrites, are left out: starling_disk_bytes gives the size on disk). Nothing forks: the rdb_* save fields report SAVE's
// bookkeeping and Redis's idle values; the rdb_last_load_* fields tell what the start loaded.
void PersistenceSection(Node& node, Section& s) {
  storage::Engine& engine = node.env().engine;
  storage::EngineInfo e = engine.Info();
  bool persistent = e.kind != "memory";
  auto u = [](uint64_t v) { return static_cast<int64_t>(v); };
  const char* write_status = e.healthy ? "ok" : "err";
  s.Str("loading", "0");  // the node listens only once loaded
  s.Str("async_loading", "0");
  s.Int("rdb_changes_since_last_save", static_cast<int64_t>(node.dirty()));
  s.Str("rdb_bgsave_in_progress", "0");
  s.Int("rdb_last_save_time", node.last_save_ms() / 1000);
  s.Str("rdb_last_bgsave_status", write_status);
  s.Str("rdb_last_bgsave_time_sec", "-1");
  s.Str("rdb_current_bgsave_time_sec", "-1");
  s.Str("rdb_saves", "0");
  s.Int("rdb_last_load_keys_expired", u(node.keys_expired_at_load()));
  s.Int("rdb_last_load_keys_loaded", u(node.keys_loaded() - node.keys_expired_at_load()));
  s.Int("aof_enabled", persistent ? 1 : 0);
  s.Str("aof_rewrite_in_progress", "0");
  s.Str("aof_rewrite_scheduled", "0");
  s.Str("aof_last_rewrite_time_sec", "-1");
  s.Str("aof_current_rewrite_time_sec", "-1");
  s.Str("aof_last_bgrewrite_status", "ok");
  s.Str("aof_rewrites", "0");
  s.Str("aof_rewrites_consecutive_failures", "0");
  s.Str("aof_last_write_status", write_status);
  const storage::Durability d = engine.durability();
  s.Str("starling_storage", e.kind);
  s.Str("starling_appendfsync", d == storage::Durability::kAlways ? "always"
                                : d == storage::Durability::kNo   ? "no"
                                                                  : "everysec");
  s.Str("starling_storage_status", write_status);
  s.Int("starling_keys_loaded", u(node.keys_loaded()));
  s.Int("starling_load_time_ms", node.load_time_ms());
  // Every object in memory, tombstones included, has its rows stored (Node writes each
  // change through the engine), so this is the count on disk once the turn is committed.
  s.Int("starling_keys_on_disk", persistent ? u(node.keyspace().entries()) : 0);
  s.Int("starling_disk_bytes", u(e.disk_bytes));
  s.Int("starling_last_sync_time", e.last_sync_unix_ms / 1000);
  s.Int("starling_syncs", u(e.syncs));
  s.Int("starling_sync_errors", u(e.sync_errors));
  s.Int("starling_commits", u(e.commits));
  s.Int("starling_write_errors", u(e.write_errors));
  s.Int("starling_bytes_written", u(e.bytes_written));
  s.Int("starling_quarantined_at_load", u(e.quarantined_rows));
  s.Int("starling_quarantine_rows", u(e.quarantine_stored));
  std::string last_error = e.last_error;  // kept after recovery: the latest one seen
  for (char& c : last_error) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  s.Str("starling_last_storage_error", last_error);
}

void StatsSection(Node& node, Section& s) {
  const NodeStats& st = node.stats();
  const ServerMetrics& m = node.metrics();
  auto u = [](uint64_t v) { return static_cast<int64_t>(v); };
  s.Int("total_connections_received", u(st.total_connections_received));
  s.Int("total_commands_processed", u(st.total_commands_processed));
  s.Int("instantaneous_ops_per_sec", static_cast<int64_t>(m.ops.PerSecond()));
  s.Int("total_net_input_bytes", u(st.total_net_input_bytes));
  s.Int("total_net_output_bytes", u(st.total_net_output_bytes));
  s.Str("total_net_repl_input_bytes", "0");
  s.Str("total_net_repl_output_bytes", "0");
  s.Fmt("instantaneous_input_kbps", "%.2f", m.net_input.PerSecond() / 1024);
  s.Fmt("instantaneous_output_kbps", "%.2f", m.net_output.PerSecond() / 1024);
  s.Str("instantaneous_input_repl_kbps", "0.00");
  s.Str("instantaneous_output_repl_kbps", "0.00");
  s.Int("rejected_connections", u(st.rejected_connections));
  s.Str("sync_full", "0");
  s.Str("sync_partial_ok", "0");
  s.Str("sync_partial_err", "0");
  s.Int("expired_keys", u(st.expired_keys));
  s.Str("expired_stale_perc", "0.00");
  s.Str("expired_time_cap_reached_count", "0");
  s.Str("expire_cycle_cpu_milliseconds", "0");
  s.Str("evicted_keys", "0");
  s.Str("evicted_clients", "0");
  s.Str("total_eviction_exceeded_time", "0");
  s.Str("current_eviction_exceeded_time", "0");
  s.Int("keyspace_hits", u(st.keyspace_hits));
  s.Int("keyspace_misses", u(st.keyspace_misses));
  s.Str("pubsub_channels", "0");
  s.Str("pubsub_patterns", "0");
  s.Str("pubsubshard_channels", "0");
  s.Str("latest_fork_usec", "0");
  s.Str("total_forks", "0");
  s.Str("migrate_cached_sockets", "0");
  s.Str("slave_expires_tracked_keys", "0");
  s.Str("tracking_total_keys", "0");
  s.Str("tracking_total_items", "0");
  s.Str("tracking_total_prefixes", "0");
  s.Str("unexpected_error_replies", "0");
  s.Int("total_error_replies", u(st.total_error_replies));
  s.Str("dump_payload_sanitizations", "0");
}

void ReplicationSection(Node& node, Section& s) {
  s.Str("role", "master");
  s.Str("connected_slaves", "0");
  s.Str("master_failover_state", "no-failover");
  s.Str("master_replid", HexId(node.replica(), 2));
  s.Str("master_replid2", std::string(40, '0'));
  s.Str("master_repl_offset", "0");
  s.Str("second_repl_offset", "-1");
  s.Str("repl_backlog_active", "0");
  s.Str("repl_backlog_size", "1048576");
  s.Str("repl_backlog_first_byte_offset", "0");
  s.Str("repl_backlog_histlen", "0");
  // Starling's own replication: the node's cluster peers (a one-node cluster has none).
  Cluster* c = node.cluster();
  if (c == nullptr) {
    s.Str("starling_cluster_nodes", "1");
    return;
  }
  int64_t now = node.env().clock.MonoMillis();
  gossip::PeerStats total;
  int64_t up = 0, index = 0;
  std::vector<Cluster::PeerView> peers = c->Peers();
  s.Int("starling_cluster_nodes", static_cast<int64_t>(peers.size()));
  s.Str("starling_node_id", c->self());
  for (const Cluster::PeerView& p : peers) {
    if (p.self) continue;
    const gossip::PeerStats& st = p.stats;
    if (p.up) ++up;
    int64_t lag = st.unacked_batches > 0 ? now - st.oldest_unacked_ms : 0;
    s.Str("starling_peer" + std::to_string(index++),
          "id=" + p.id + ",addr=" + p.address + ",state=" + (p.up ? "up" : "down") +
              ",last_contact_ms=" + std::to_string(p.last_contact_ms_ago) +
              ",lag_ms=" + std::to_string(lag) + ",pending_keys=" + std::to_string(st.pending_keys) +
              ",queued_bytes=" + std::to_string(st.queued_bytes));
    total.bytes_sent += st.bytes_sent;
    total.bytes_received += st.bytes_received;
    total.deltas_sent += st.deltas_sent;
    total.deltas_received += st.deltas_received;
    total.batches_sent += st.batches_sent;
    total.batches_resent += st.batches_resent;
    total.batches_received += st.batches_received;
    total.overflows += st.overflows;
    total.cut_dropped += st.cut_dropped;
    total.resend_requests += st.resend_requests;
  }
  auto u = [](uint64_t v) { return static_cast<int64_t>(v); };
  s.Int("starling_peers_up", up);
  s.Int("starling_gossip_bytes_sent", u(total.bytes_sent));
  s.Int("starling_gossip_bytes_received", u(total.bytes_received));
  s.Int("starling_gossip_deltas_sent", u(total.deltas_sent));
  s.Int("starling_gossip_deltas_received", u(total.deltas_received));
  s.Int("starling_gossip_batches_sent", u(total.batches_sent));
  s.Int("starling_gossip_batches_resent", u(total.batches_resent));
  s.Int("starling_gossip_batches_received", u(total.batches_received));
  s.Int("starling_gossip_queue_overflows", u(total.overflows));
  s.Int("starling_gossip_resend_requests", u(total.resend_requests));
  s.Int("starling_gossip_cut_dropped", u(total.cut_dropped));
  s.Int("starling_gossip_malformed_dropped", u(c->malformed_messages()));
  s.Int("starling_fetches", u(c->fetches()));
  s.Int("starling_full_syncs", u(c->full_syncs()));
  s.Int("starling_tombstones_pending_gc", u(c->pending_gc()));
  s.Int("starling_tombstones_dropped", u(c->tombstones_dropped()));
  const AntiEntropy::Stats& ae = c->anti_entropy().stats();
  s.Int("starling_ae_rounds", u(ae.rounds));
  s.Int("starling_ae_rounds_in_sync", u(ae.rounds_in_sync));
  s.Int("starling_ae_rounds_failed", u(ae.rounds_failed));
  s.Int("starling_ae_fallbacks", u(ae.fallbacks));
  s.Int("starling_ae_keys_repaired", u(ae.keys_repaired));
  s.Int("starling_ae_keys_pushed", u(ae.keys_pushed));
  s.Int("starling_ae_keys_pulled", u(ae.keys_pulled));
  s.Int("starling_ae_bytes_sent", u(ae.bytes_sent));
  s.Int("starling_ae_bytes_received", u(ae.bytes_received));
  s.Int("starling_ae_symbols", u(ae.symbols_received));
  s.Int("starling_ae_differences", u(ae.differences));
  s.Fmt("starling_ae_symbols_per_difference", "%.3f",
        ae.differences ? static_cast<double>(ae.symbols_received) / ae.differences : 0.0);
  s.Int("starling_ae_rejected", u(ae.rejected));
}

void CpuSection(const ProcessInfo& p, Section& s) {
  // The node runs on the main thread, so its thread's times are the process's.
  s.Fmt("used_cpu_sys", "%.6f", p.used_cpu_sys);
  s.Fmt("used_cpu_user", "%.6f", p.used_cpu_user);
  s.Fmt("used_cpu_sys_children", "%.6f", p.used_cpu_sys_children);
  s.Fmt("used_cpu_user_children", "%.6f", p.used_cpu_user_children);
  s.Fmt("used_cpu_sys_main_thread", "%.6f", p.used_cpu_sys);
  s.Fmt("used_cpu_user_main_thread", "%.6f", p.used_cpu_user);
}

void CommandStatsSection(Node& node, Section& s) {
  for (const auto& [name, c] : node.stats().commands) {
    if (c.calls == 0 && c.rejected_calls == 0 && c.failed_calls == 0)
      continue;
    char buf[256];
    double per_call = c.calls ? static_cast<double>(c.usec) / static_cast<double>(c.calls) : 0;
    std::snprintf(buf, sizeof(buf),
                  "calls=%" PRIu64 ",usec=%" PRIu64 ",usec_per_call=%.2f,rejected_calls=%" PRIu64
                  ",failed_calls=%" PRIu64,
                  c.calls, c.usec, per_call, c.rejected_calls, c.failed_calls);
    s.Str("cmdstat_" + name, buf);
  }
}

void ErrorStatsSection(Node& node, Section& s) {
  for (const auto& [code, count] : node.stats().errors) {
    s.Str("errorstat_" + code, "count=" + std::to_string(count));
  }
}

void KeyspaceSection(Node& node, Section& s) {
  size_t keys = node.keyspace().live_keys();
  if (keys == 0)
    return;
  s.Str("db0", "keys=" + std::to_string(keys) +
                   ",expires=" + std::to_string(node.keyspace().keys_with_expiry()) + ",avg_ttl=0");
}

constexpr std::string_view kAllSections[] = {
    "server", "clients", "memory",       "persistence", "stats",   "replication",
    "cpu",    "modules", "commandstats", "errorstats",  "cluster", "keyspace"};

}  // namespace

std::string InfoText(Node& node, const std::vector<std::string>& requested) {
  std::set<std::string_view> want;
  auto add_default = [&] {
    for (std::string_view s : kAllSections) {
      if (s != "commandstats")
        want.insert(s);
    }
  };
  if (requested.empty())
    add_default();
  for (const std::string& r : requested) {
    std::string name = ToLower(r);
    if (name == "default") {
      add_default();
    } else if (name == "all" || name == "everything") {
      want.insert(std::begin(kAllSections), std::end(kAllSections));
    } else {
      for (std::string_view s : kAllSections) {
        if (s == name)
          want.insert(s);
      }
    }
  }
  ProcessInfo p;
  if (want.count("server") || want.count("memory") || want.count("cpu")) {
    p = node.ProcessFacts();
  }
  std::string out;
  Section s(&out);
  for (std::string_view name : kAllSections) {
    if (!want.count(name))
      continue;
    if (!out.empty())
      out += "\r\n";
    std::string title(name);
    title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
    if (name == "cpu")
      title = "CPU";
    out += "# " + title + "\r\n";
    if (name == "server")
      ServerSection(node, p, s);
    if (name == "clients")
      ClientsSection(node, s);
    if (name == "memory")
      MemorySection(node, p, s);
    if (name == "persistence")
      PersistenceSection(node, s);
    if (name == "stats")
      StatsSection(node, s);
    if (name == "replication")
      ReplicationSection(node, s);
    if (name == "cpu")
      CpuSection(p, s);
    if (name == "commandstats")
      CommandStatsSection(node, s);
    if (name == "errorstats")
      ErrorStatsSection(node, s);
    if (name == "cluster")
      s.Str("cluster_enabled", "0");
    if (name == "keyspace")
      KeyspaceSection(node, s);
  }
  return out;
}

namespace {

void CmdInfo(CommandContext& ctx) {
  std::vector<std::string> sections(ctx.args.begin() + 1, ctx.args.end());
  ctx.reply().Verbatim(InfoText(ctx.node, sections));
}

constexpr CommandSpec kInfoCommands[] = {
    {"info", -1, kCmdLoading | kCmdStale, 0, 0, 0, CmdInfo, "server", "1.0.0",
     "Returns information and statistics about the server.", "O(1)", "[section...]"},
};

}  // namespace

void RegisterInfoCommand(CommandTable& table) { table.Register(kInfoCommands); }

}  // namespace starling::server
