#include "server/node.h"

#include <spdlog/spdlog.h>

#include "server/cluster.h"
#include "server/errors.h"

#include <algorithm>

namespace starling::server {

Node::Node(Env env, Config config, lattice::ReplicaId replica)
    : env_(std::move(env)),
      config_(std::move(config)),
      hlc_(env_.clock),
      dots_(replica) {
  RegisterAllCommands(commands_);
  ApplyDurability();
  config_.on_change = [this](const std::string& name) {
    if (name == "appendfsync") ApplyDurability();
  };
}

void Node::ApplyDurability() {
  const std::string& m = config_.appendfsync;
  env_.engine.SetDurability(m == "always"  ? storage::Durability::kAlways
                            : m == "no"    ? storage::Durability::kNo
                                           : storage::Durability::kEverysec);
}

Node::~Node() = default;

Status Node::Start() {
  started_ms_ = NowMs();
  last_save_ms_ = started_ms_ / 1000 * 1000;
  size_t loaded = 0;
  int64_t load_start = env_.clock.MonoMillis();
  std::vector<std::string> expired;
  lattice::Hlc max_stamp = 0;
  Status st = env_.engine.Load([&](std::string_view key, lattice::Object obj) {
    lattice::ElemRef ref(key);
    lattice::Object& slot = keyspace_.FindOrCreateInOrder(ref);
    storage::Keyspace::KeyState before = storage::Keyspace::StateOf(&slot);
    slot = std::move(obj);
    keyspace_.Track(ref, before, storage::Keyspace::StateOf(&slot));
    dots_.RaiseFloor(slot.ctx.Max(dots_.replica()));
    for (const auto& [d, tag] : slot.store.tags.entries()) max_stamp = std::max(max_stamp, tag.stamp);
    if (slot.IsExpiredAt(NowMs())) expired.emplace_back(key);
    ++loaded;
  });
  if (!st.ok()) return st;
  // Stamps never go backwards across a restart, even if the wall clock did.
  hlc_.Restore(max_stamp);
  // Keys that expired while the node was down are gone (and removed from disk).
  for (const std::string& key : expired) ExpireKey(key);
  st = env_.engine.Commit();
  if (!st.ok()) return st;
  load_time_ms_ = env_.clock.MonoMillis() - load_start;
  keys_loaded_ = loaded;
  keys_expired_at_load_ = expired.size();
  SPDLOG_INFO("loaded {} keys in {} ms ({} expired while down)", loaded, load_time_ms_,
              expired.size());
  last_sync_ms_ = NowMs();
  return Status::Ok();
}

Session& Node::OpenSession(std::string addr, std::string laddr, int fd) {
  auto s = std::make_unique<Session>();
  s->id = next_session_id_++;
  s->addr = std::move(addr);
  s->laddr = std::move(laddr);
  s->fd = fd;
  s->created_ms = s->last_interaction_ms = NowMs();
  s->authenticated = config_.requirepass.empty();
  ++stats_.total_connections_received;
  Session& ref = *s;
  sessions_.emplace(ref.id, std::move(s));
  return ref;
}

void Node::CloseSession(uint64_t id) {
  if (Session* s = FindSession(id); s && s->blocked) Unblock(*s);
  sessions_.erase(id);
}

void Node::KillSession(uint64_t id) {
  if (Session* s = FindSession(id)) {
    s->close = Session::Close::kNow;
    killed_.push_back(id);
  }
}

Session* Node::FindSession(uint64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

void Node::Execute(Session& s, std::span<const std::string_view> args) {
  if (args.empty()) return;
  s.last_interaction_ms = NowMs();
  Dispatch(s, args);
  if (!ready_keys_.empty()) ServeReadyKeys();
}

void Node::ResumeFetched(uint64_t session_id) {
  Session* s = FindSession(session_id);
  if (!s || !s->fetching) return;
  std::vector<std::string> saved = std::move(*s->fetching);
  s->fetching.reset();
  std::vector<std::string_view> args(saved.begin(), saved.end());
  skip_fetch_ = true;
  Dispatch(*s, args);
  skip_fetch_ = false;
  if (!ready_keys_.empty()) ServeReadyKeys();
  if (!s->Paused()) unblocked_.push_back(session_id);
}

void Node::Block(Session& s, std::span<const std::string_view> args,
                 std::span<const std::string_view> keys, int64_t deadline_ms,
                 bool null_array_on_timeout) {
  // A command run again that waits again keeps its place in every queue and its deadline.
  if (retrying_) {
    retry_blocked_again_ = true;
    return;
  }
  auto b = std::make_unique<Session::Blocked>();
  // The arguments are views into the driver's buffer: keep copies to run the command again.
  b->args.assign(args.begin(), args.end());
  b->deadline_ms = deadline_ms;
  b->null_array_on_timeout = null_array_on_timeout;
  for (std::string_view k : keys) {
    b->keys.emplace_back(k);
    blocked_on_[std::string(k)].push_back(s.id);
  }
  if (b->deadline_ms > 0) blocked_deadlines_.emplace(b->deadline_ms, s.id);
  s.blocked = std::move(b);
}

void Node::Unblock(Session& s) {
  for (const std::string& k : s.blocked->keys) {
    auto it = blocked_on_.find(k);
    if (it == blocked_on_.end()) continue;
    auto& q = it->second;
    q.erase(std::remove(q.begin(), q.end(), s.id), q.end());
    if (q.empty()) blocked_on_.erase(it);
  }
  if (s.blocked->deadline_ms > 0) blocked_deadlines_.erase({s.blocked->deadline_ms, s.id});
  s.blocked.reset();
}

void Node::ServeReadyKeys() {
  while (!ready_keys_.empty()) {
    std::string key = std::move(ready_keys_.back());
    ready_keys_.pop_back();
    auto it = blocked_on_.find(key);
    if (it == blocked_on_.end()) continue;
    std::deque<uint64_t> waiting = it->second;
    for (uint64_t id : waiting) {
      if (!keyspace_.Find(key) || !keyspace_.Find(key)->Exists()) break;
      Session* s = FindSession(id);
      if (!s || !s->blocked) continue;
      // The session stays registered while its command runs again, so that waiting again
      // keeps its place (see Block); it leaves every queue only once served.
      Session::Blocked saved = *s->blocked;
      std::vector<std::string_view> args(saved.args.begin(), saved.args.end());
      retrying_ = &saved;
      retry_blocked_again_ = false;
      Dispatch(*s, args);
      retrying_ = nullptr;
      if (!retry_blocked_again_) {
        Unblock(*s);
        unblocked_.push_back(id);
      }
    }
  }
}

void Node::ExpireBlocked() {
  int64_t now = NowMs();
  while (!blocked_deadlines_.empty() && blocked_deadlines_.begin()->first <= now) {
    uint64_t id = blocked_deadlines_.begin()->second;
    blocked_deadlines_.erase(blocked_deadlines_.begin());
    Session* s = FindSession(id);
    if (!s || !s->blocked) continue;
    bool null_array = s->blocked->null_array_on_timeout;
    s->blocked->deadline_ms = 0;  // already removed from the deadline set
    Unblock(*s);
    if (null_array) {
      s->out.NullArray();
    } else {
      s->out.Null();
    }
    unblocked_.push_back(id);
  }
}

int64_t Node::MsUntilBlockedDeadline() const {
  if (blocked_deadlines_.empty()) return -1;
  return std::max<int64_t>(0, blocked_deadlines_.begin()->first - NowMs());
}

namespace {

bool ArityOk(int arity, size_t argc) {
  return arity >= 0 ? argc == static_cast<size_t>(arity) : argc >= static_cast<size_t>(-arity);
}

// Redis's unknown-command error: up to 128 bytes of the arguments, each quoted; newlines
// become spaces so the reply stays one line.
std::string UnknownCommand(std::span<const std::string_view> args) {
  std::string list;
  for (size_t i = 1; i < args.size() && list.size() < 128; ++i) {
    list += "'";
    list += args[i].substr(0, 128 - list.size());
    list += "' ";
  }
  std::string msg = "ERR unknown command '" + std::string(args[0].substr(0, 128)) +
                    "', with args beginning with: " + list;
  for (char& c : msg) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return msg;
}

}  // namespace

void Node::Dispatch(Session& s, std::span<const std::string_view> args) {
  const CommandSpec* spec = commands_.Find(args[0]);
  if (!spec) return Reject(s, nullptr, UnknownCommand(args));
  std::string fullname = spec->name;
  if (!ArityOk(spec->arity, args.size())) {
    return Reject(s, &stats_.commands[fullname], err::WrongArgs(fullname));
  }
  if (!spec->subcommands.empty() && args.size() >= 2) {
    if (const CommandSpec* sub = CommandTable::FindSub(*spec, args[1])) {
      fullname += "|";
      fullname += sub->name;
      if (!ArityOk(sub->arity, args.size())) {
        return Reject(s, &stats_.commands[fullname], err::WrongArgs(fullname));
      }
      spec = sub;
    } else if (!spec->handler) {
      return Reject(s, nullptr, err::UnknownSubcommand(args[1], args[0]));
    }
  }
  NodeStats::CommandStats& cmd = stats_.commands[fullname];
  if (!s.authenticated && !(spec->flags & kCmdNoAuth)) return Reject(s, &cmd, err::kNoAuth);
  ++stats_.total_commands_processed;
  ++cmd.calls;
  s.last_command = std::move(fullname);
  if ((spec->flags & kCmdWrite) && !env_.engine.Healthy()) return Reject(s, &cmd, err::kMisconf);
  if (cluster_ && !skip_fetch_) {
    // Keys this node does not replicate: fetch their states from a replica first, then run
    // the command here (Cluster: fetch-then-execute).
    std::vector<std::string> remote;
    for (size_t i : KeyIndexes(*spec, args)) {
      if (!cluster_->Replicates(args[i])) remote.emplace_back(args[i]);
    }
    if (!remote.empty()) {
      s.fetching = std::make_unique<std::vector<std::string>>(args.begin(), args.end());
      uint64_t id = s.id;
      cluster_->StartFetch(std::move(remote), [this, id](bool) { ResumeFetched(id); });
      return;
    }
  }
  CommandContext ctx(*this, s, args, *spec);
  size_t reply_start = s.out.size();
  int64_t start_us = env_.clock.MonoMicros();
  spec->handler(ctx);
  if ((spec->flags & kCmdWrite) && env_.engine.durability() == storage::Durability::kAlways) {
    turn_writes_.push_back(TurnWrite{s.id, reply_start, s.out.size()});
  }
  cmd.usec += static_cast<uint64_t>(std::max<int64_t>(0, env_.clock.MonoMicros() - start_us));
  // A reply that starts with an error is a failed call (Redis's failed_calls).
  if (s.out.size() > reply_start && s.out.buffer()[reply_start] == '-') {
    ++cmd.failed_calls;
    CountError(std::string_view(s.out.buffer()).substr(reply_start + 1));
  }
}

void Node::Reject(Session& s, NodeStats::CommandStats* cmd, std::string_view error) {
  if (cmd) ++cmd->rejected_calls;
  s.out.Error(error);
  CountError(error);
}

void Node::CountError(std::string_view error) {
  ++stats_.total_error_replies;
  // The error code is the first word, as Redis's errorstats (at most 128 distinct codes).
  size_t space = error.substr(0, 32).find(' ');
  std::string_view code = space == std::string_view::npos ? "ERR" : error.substr(0, space);
  auto it = stats_.errors.find(code);
  if (it != stats_.errors.end()) {
    ++it->second;
  } else if (stats_.errors.size() < 128) {
    stats_.errors.emplace(std::string(code), 1);
  }
}

const lattice::Object* Node::Lookup(std::string_view key, bool count_stats) {
  lattice::Object* o = keyspace_.Find(key);
  if (!o || !o->Exists()) {
    if (count_stats) ++stats_.keyspace_misses;
    return nullptr;
  }
  if (o->IsExpiredAt(NowMs())) {
    ExpireKey(key);
    if (count_stats) ++stats_.keyspace_misses;
    return nullptr;
  }
  if (count_stats) ++stats_.keyspace_hits;
  return o;
}

bool Node::Delete(std::string_view key) {
  if (!Lookup(key, /*count_stats=*/false)) return false;
  Write(key, [](lattice::Mutation& m) { m.RemoveAll(); });
  return true;
}

void Node::ExpireKey(std::string_view key) {
  Write(key, [](lattice::Mutation& m) { m.RemoveAll(); });
  ++stats_.expired_keys;
}

void Node::FlushAll() {
  if (cluster_) {
    // In a cluster a flush is a removal of every key this node holds, replicated like DEL,
    // so writes the flush did not see survive it.
    std::vector<std::string> keys;
    for (const auto& [k, o] : keyspace_.map()) {
      if (o->Exists()) keys.push_back(k.str);
    }
    for (const std::string& k : keys) Write(k, [](lattice::Mutation& m) { m.RemoveAll(); });
    ++dirty_counter_;
    return;
  }
  keyspace_.Clear();
  ready_keys_.clear();
  Status st = env_.engine.Clear();
  if (!st.ok()) SPDLOG_ERROR("flushing storage failed: {}", st.ToString());
  ++dirty_counter_;
}

const lattice::Object* Node::AfterChange(const lattice::ElemRef& key, lattice::Object& obj,
                                         const storage::Keyspace::KeyState& before,
                                         const lattice::Object& delta) {
  storage::Keyspace::KeyState after = storage::Keyspace::StateOf(&obj);
  keyspace_.Track(key, before, after);
  ++dirty_counter_;
  if (after.exists && !blocked_on_.empty() && blocked_on_.count(std::string(key.str))) {
    ready_keys_.emplace_back(key.str);
  }
  if (cluster_) cluster_->OnLocalChange(key.str, &obj, delta);
  if (after.exists && (!cluster_ || cluster_->SoleReplica(key.str))) {
    // Stable at once: counter runs that no view needs go (bounded memory under SET+INCR).
    obj.CompactRunsTouchedBy(delta);
  }
  // A node that is the only replica of a key has a causally stable view of every removal
  // at once, so tombstones and ghost counter runs go immediately. In a cluster the
  // tombstone stays until the removal is stable (Cluster announces it).
  if (!after.exists) {
    if (!cluster_ || cluster_->SoleReplica(key.str)) {
      obj.DropGhosts();
      if (obj.store.IsBottom()) {
        keyspace_.Erase(key);
        env_.engine.Changed(key.str, nullptr, delta);
        return nullptr;
      }
    }
    env_.engine.Changed(key.str, &obj, delta);
    return nullptr;
  }
  env_.engine.Changed(key.str, &obj, delta);
  return &obj;
}

void Node::ApplyRemote(std::string_view key, const lattice::Object& state) {
  lattice::ElemRef ref(key);
  lattice::Object& obj = keyspace_.FindOrCreate(ref);
  storage::Keyspace::KeyState before = storage::Keyspace::StateOf(&obj);
  obj.Join(state);
  storage::Keyspace::KeyState after = storage::Keyspace::StateOf(&obj);
  keyspace_.Track(ref, before, after);
  ++dirty_counter_;
  if (after.exists && !blocked_on_.empty() && blocked_on_.count(std::string(key))) {
    ready_keys_.emplace_back(key);
  }
  env_.engine.Changed(key, &obj, state);
  if (!ready_keys_.empty()) ServeReadyKeys();
}

void Node::DropKey(std::string_view key) {
  lattice::ElemRef ref(key);
  lattice::Object* obj = keyspace_.Find(ref);
  if (!obj) return;
  keyspace_.Track(ref, storage::Keyspace::StateOf(obj), storage::Keyspace::KeyState{});
  keyspace_.Erase(ref);
  env_.engine.Changed(key, nullptr, lattice::Object());
}

int64_t Node::MsUntilNextWork() const {
  int64_t ms = TimerPeriodMs();
  if (cluster_) ms = std::min<int64_t>(ms, cluster_->config().gossip_period_ms);
  return ms;
}

void Node::EndOfTurn() {
  Status st = env_.engine.Commit();
  if (!st.ok() && env_.engine.durability() == storage::Durability::kAlways) {
    // With appendfsync always a write is acknowledged only once durable: the replies of
    // this turn's writes become MISCONF errors (their effect may still reach the disk when
    // it recovers, like a write whose reply was lost).
    for (auto it = turn_writes_.rbegin(); it != turn_writes_.rend(); ++it) {
      Session* s = FindSession(it->session);
      if (!s || s->out.size() < it->end) continue;
      std::string err_reply = "-" + std::string(err::kMisconf) + "\r\n";
      s->out.buffer().replace(it->start, it->end - it->start, err_reply);
    }
  }
  turn_writes_.clear();
  // Replication after the commit: acknowledgements promise what is stored.
  if (cluster_ && st.ok()) cluster_->AfterCommit();
}

int64_t Node::TimerPeriodMs() const { return std::max<int64_t>(1, 1000 / config_.hz); }

void Node::OnTimer() {
  ActiveExpire();
  SampleMetrics();
  // Storage upkeep: everysec's sync (Engine::Sync writes nothing if all is synced), and
  // after a write error a retry once a second (writes get MISCONF until one succeeds).
  int64_t now = NowMs();
  if (!env_.engine.Healthy()) {
    if (now - last_recover_try_ms_ >= 1000) {
      last_recover_try_ms_ = now;
      if (env_.engine.Recover().ok()) last_sync_ms_ = now;
    }
  } else if (env_.engine.durability() != storage::Durability::kNo &&
             now - last_sync_ms_ >= 1000) {
    // In `always` mode every commit was synced: this only records the time, for INFO.
    last_sync_ms_ = now;
    Status st = env_.engine.Sync(now);
    if (!st.ok()) SPDLOG_ERROR("storage sync failed: {}", st.ToString());
    if (st.ok() && cluster_) cluster_->AfterSync();
  }
}

void Node::SampleMetrics() {
  int64_t now = env_.clock.MonoMicros();
  if (metrics_.last_sample_us >= 0 && now - metrics_.last_sample_us < ServerMetrics::kSamplePeriodUs) {
    return;
  }
  metrics_.last_sample_us = now;
  metrics_.ops.Sample(now, stats_.total_commands_processed);
  metrics_.net_input.Sample(now, stats_.total_net_input_bytes);
  metrics_.net_output.Sample(now, stats_.total_net_output_bytes);
  // Reading process facts costs system calls: once a second is enough for the peak.
  if (metrics_.last_memory_sample_us < 0 || now - metrics_.last_memory_sample_us >= 1'000'000) {
    metrics_.last_memory_sample_us = now;
    ProcessFacts();
  }
}

ProcessInfo Node::ProcessFacts() {
  ProcessInfo p = env_.process_info ? env_.process_info() : ProcessInfo{};
  metrics_.peak_memory = std::max(metrics_.peak_memory, p.used_memory);
  return p;
}

void Node::ResetStats() {
  // Dispatch holds a reference to the running command's entry across CONFIG RESETSTAT:
  // entries are zeroed and moved, never freed (map nodes keep their address).
  std::map<std::string, NodeStats::CommandStats> commands = std::move(stats_.commands);
  for (auto& [name, c] : commands) c = {};
  stats_ = NodeStats{};
  stats_.commands = std::move(commands);
  metrics_.Reset();
}

Status Node::Save() {
  // Commits the pending batch; syncing to disk follows the engine's durability mode.
  STARLING_RETURN_IF_ERROR(env_.engine.Commit());
  last_save_ms_ = NowMs();
  dirty_counter_ = 0;
  return Status::Ok();
}

void Node::ActiveExpire() {
  // Deterministic: the earliest-expiring keys first, a bounded number per tick.
  constexpr size_t kPerTick = 10000;
  for (const std::string& key : keyspace_.DueForExpiry(NowMs(), kPerTick)) {
    lattice::Object* o = keyspace_.Find(key);
    if (o && o->IsExpiredAt(NowMs())) ExpireKey(key);
  }
}

}  // namespace starling::server
