#include "storage/leveldb_engine.h"

#include <leveldb/cache.h>
#include <leveldb/write_batch.h>
#include <spdlog/spdlog.h>

#include "lattice/codec.h"
#include "lattice/hash.h"

namespace starling::storage {
namespace {

constexpr char kDataTag = 'K';
constexpr char kOldDataTag = 'D';  // the first layout (key order, not hash order)
constexpr char kMetaTag = 'M';
constexpr char kQuarantineTag = 'Q';
constexpr uint8_t kHeadKind = 0;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Parses 'K' hash64 varint(len) key kind elem. Returns false on a malformed row key (the
// hash must be the key's).
bool ParseRow(std::string_view row, std::string_view* key, uint8_t* kind, std::string_view* elem) {
  if (row.size() < 10 || row[0] != kDataTag) return false;
  uint64_t hash = 0;
  for (size_t j = 1; j <= 8; ++j) hash = hash << 8 | static_cast<uint8_t>(row[j]);
  uint64_t len = 0;
  size_t i = 9;
  for (int shift = 0; i < row.size() && shift < 64; shift += 7) {
    uint8_t b = static_cast<uint8_t>(row[i++]);
    len |= uint64_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) break;
  }
  if (len > row.size() || i + len + 1 > row.size()) return false;
  *key = row.substr(i, len);
  if (lattice::Hash64(*key) != hash) return false;
  *kind = static_cast<uint8_t>(row[i + len]);
  *elem = row.substr(i + len + 1);
  return true;
}

std::string_view View(const leveldb::Slice& s) { return std::string_view(s.data(), s.size()); }

}  // namespace

std::string LevelDbEngine::KeyPrefix(std::string_view key) {
  std::string out(1, kDataTag);
  uint64_t hash = lattice::Hash64(key);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(hash >> shift));
  PutVarint(&out, key.size());
  out.append(key);
  return out;
}

std::string LevelDbEngine::HeadRow(std::string_view key) {
  std::string out = KeyPrefix(key);
  out.push_back(static_cast<char>(kHeadKind));
  return out;
}

std::string LevelDbEngine::ElementRow(std::string_view key, uint8_t kind, std::string_view elem) {
  std::string out = KeyPrefix(key);
  out.push_back(static_cast<char>(kind));
  out.append(elem);
  return out;
}

bool LevelDbEngine::ParseDataRow(std::string_view row, std::string_view* key, uint8_t* kind,
                                 std::string_view* elem) {
  return ParseRow(row, key, kind, elem);
}

LevelDbEngine::LevelDbEngine(const LevelDbOptions& options) : options_(options) {
  durability_ = options.durability;
  info_.kind = "leveldb";
}

LevelDbEngine::~LevelDbEngine() = default;

Result<std::unique_ptr<LevelDbEngine>> LevelDbEngine::Open(const LevelDbOptions& options) {
  std::unique_ptr<LevelDbEngine> e(new LevelDbEngine(options));
  Status st = e->OpenDb();
  if (!st.ok()) return st;
  return e;
}

Status LevelDbEngine::OpenDb() {
  db_.reset();
  leveldb::Env* env = options_.env ? options_.env : leveldb::Env::Default();
  leveldb::Status s = env->CreateDir(options_.dir);  // fine if it exists
  (void)s;
  leveldb::Options opt;
  opt.create_if_missing = true;
  opt.env = env;
  opt.write_buffer_size = options_.write_buffer_bytes;
  if (!cache_) cache_.reset(leveldb::NewLRUCache(options_.block_cache_bytes));
  opt.block_cache = cache_.get();
  opt.paranoid_checks = false;  // a bad block costs that block's keys, not the node
  leveldb::DB* db = nullptr;
  std::string path = options_.dir + "/db";
  leveldb::Status st = leveldb::DB::Open(opt, path, &db);
  if (!st.ok()) {
    std::string msg = st.ToString();
    // LevelDB's POSIX Env names a failed flock "lock <path>" (a path may contain "lock").
    if (msg.find(": lock ") != std::string::npos) {
      return Status::FailedPrecondition("data directory " + path +
                                        " is locked by another process (" + msg + ")");
    }
    return Status::IoError("cannot open data directory " + path + ": " + msg);
  }
  db_.reset(db);
  return Status::Ok();
}

Status LevelDbEngine::Load(const std::function<void(std::string_view, lattice::Object)>& fn) {
  uint64_t loaded = 0;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  std::string cur_key;
  std::optional<lattice::Object> cur;  // the object being assembled
  auto finish = [&]() {
    if (cur) {
      lattice::FinishAssembly(*cur);
      fn(cur_key, std::move(*cur));
      ++loaded;
    }
    cur.reset();
  };
  std::string old_prefix(1, kOldDataTag);
  it->Seek(old_prefix);
  if (it->Valid() && it->key().starts_with(old_prefix)) {
    return Status::FailedPrecondition(
        "data directory " + options_.dir +
        " holds rows of an older storage layout; move it aside and start empty");
  }
  std::string prefix(1, kDataTag);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string row(View(it->key()));
    std::string_view key, elem;
    uint8_t kind;
    if (!ParseRow(row, &key, &kind, &elem)) {
      Quarantine(row, std::string(View(it->value())), "malformed row key");
      continue;
    }
    if (kind == kHeadKind) {
      finish();
      cur_key.assign(key);
      Result<lattice::Object> head = lattice::DecodeHead(View(it->value()));
      if (!head.ok()) {
        Quarantine(row, std::string(View(it->value())), head.status().message());
        continue;  // its element rows follow and are quarantined as orphans
      }
      cur = std::move(*head);
      continue;
    }
    if (!cur || key != cur_key || kind > 4) {
      Quarantine(row, std::string(View(it->value())), "element row without a head");
      continue;
    }
    Status st = lattice::DecodeElementInto(*cur, static_cast<lattice::ElemKind>(kind), elem,
                                           View(it->value()));
    if (!st.ok()) Quarantine(row, std::string(View(it->value())), st.message());
  }
  finish();
  info_.keys_loaded = loaded;
  std::string qprefix(1, kQuarantineTag);
  uint64_t stored_q = 0;
  for (it->Seek(qprefix); it->Valid() && it->key().starts_with(qprefix); it->Next()) ++stored_q;
  // The moves queued above are not stored yet: count them too.
  info_.quarantine_stored = stored_q + info_.quarantined_rows;
  if (!it->status().ok()) return Status::IoError("reading data: " + it->status().ToString());
  // Quarantine moves happened in pending_; store them now.
  return Commit();
}

void LevelDbEngine::Quarantine(const std::string& row, const std::string& value,
                               const std::string& why) {
  std::string_view key, elem;
  uint8_t kind = 0;
  std::string printable = ParseRow(row, &key, &kind, &elem) ? std::string(key) : row;
  for (char& c : printable) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  SPDLOG_ERROR("corrupt stored value for key '{}' (row kind {}): {}; moved to quarantine",
               printable, kind, why);
  ++info_.quarantined_rows;
  pending_[std::string(1, kQuarantineTag) + row] = value;
  pending_[row] = std::nullopt;
}

void LevelDbEngine::DeleteAllRows(std::string_view key) {
  std::string prefix = KeyPrefix(key);
  for (auto p = pending_.lower_bound(prefix);
       p != pending_.end() && std::string_view(p->first).starts_with(prefix); ++p) {
    p->second = std::nullopt;
  }
  DeleteStoredRows(key);
}

void LevelDbEngine::DeleteStoredRows(std::string_view key) {
  if (!db_) {
    deleted_while_closed_.emplace_back(key);
    return;
  }
  std::string prefix = KeyPrefix(key);
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string row(View(it->key()));
    std::string_view k, elem;
    uint8_t kind;
    // The prefix of key "ab" also starts the rows of longer keys only if the length byte
    // matched, so a parsed key equal to `key` is exact.
    if (ParseRow(row, &k, &kind, &elem) && k == key) pending_.try_emplace(row, std::nullopt);
  }
}

void LevelDbEngine::Changed(std::string_view key, const lattice::Object* state,
                            const lattice::Object& delta) {
  if (!state) {
    DeleteAllRows(key);
    return;
  }
  std::string head;
  lattice::EncodeHead(*state, &head);
  pending_[HeadRow(key)] = std::move(head);
  auto write_elem = [&](lattice::ElemKind kind, std::string_view elem) {
    std::string row = ElementRow(key, static_cast<uint8_t>(kind), elem);
    std::string value;
    if (lattice::EncodeElement(*state, kind, elem, &value)) {
      pending_[row] = std::move(value);
    } else {
      pending_[row] = std::nullopt;
    }
  };
  if (delta.is_delta) {
    lattice::ForEachTouchedElement(delta, write_elem);
    return;
  }
  // A full-state change: every element row is rewritten.
  std::string head_row = HeadRow(key);
  std::string head_value = std::move(*pending_[head_row]);
  DeleteAllRows(key);
  pending_[head_row] = std::move(head_value);
  lattice::ForEachElement(*state, write_elem);
}

Status LevelDbEngine::Commit() {
  if (pending_.empty()) return healthy_ ? Status::Ok() : Status::IoError(info_.last_error);
  if (!db_) return Status::IoError("database is closed: " + info_.last_error);
  leveldb::WriteBatch batch;
  size_t bytes = 0;
  for (const auto& [row, value] : pending_) {
    if (value) {
      batch.Put(row, *value);
      bytes += row.size() + value->size();
    } else {
      batch.Delete(row);
    }
  }
  leveldb::WriteOptions wo;
  wo.sync = durability_ == Durability::kAlways;
  leveldb::Status st = db_->Write(wo, &batch);
  if (!st.ok()) {
    if (healthy_) SPDLOG_ERROR("storage write failed: {}", st.ToString());
    healthy_ = false;
    ++info_.write_errors;
    info_.last_error = st.ToString();
    info_.healthy = false;
    return Status::IoError(st.ToString());
  }
  pending_.clear();
  ++info_.commits;
  info_.bytes_written += bytes;
  if (wo.sync) {
    ++info_.syncs;
    unsynced_ = false;
  } else {
    unsynced_ = true;
  }
  return Status::Ok();
}

Status LevelDbEngine::Sync(int64_t now_unix_ms) {
  if (!db_ || !healthy_) return Status::IoError("storage unhealthy: " + info_.last_error);
  if (!unsynced_) {
    info_.last_sync_unix_ms = now_unix_ms;  // everything committed is on disk
    return Status::Ok();
  }
  leveldb::WriteOptions wo;
  wo.sync = true;
  // An empty batch still appends a log record, and syncing it syncs everything before.
  leveldb::WriteBatch empty;
  leveldb::Status st = db_->Write(wo, &empty);
  if (!st.ok()) {
    ++info_.sync_errors;
    healthy_ = false;
    info_.healthy = false;
    info_.last_error = st.ToString();
    return Status::IoError(st.ToString());
  }
  ++info_.syncs;
  unsynced_ = false;
  info_.last_sync_unix_ms = now_unix_ms;
  return Status::Ok();
}

Status LevelDbEngine::Recover() {
  if (healthy_) return Status::Ok();
  // LevelDB refuses every write after an I/O error until it is reopened.
  if (Status st = OpenDb(); !st.ok()) {
    info_.last_error = st.message();
    return st;
  }
  healthy_ = true;
  for (const std::string& key : deleted_while_closed_) DeleteStoredRows(key);
  deleted_while_closed_.clear();
  Status st = Commit();
  if (st.ok()) {
    leveldb::WriteOptions wo;
    wo.sync = true;
    leveldb::WriteBatch empty;
    leveldb::Status s = db_->Write(wo, &empty);
    if (!s.ok()) {
      healthy_ = false;
      info_.last_error = s.ToString();
      return Status::IoError(s.ToString());
    }
    unsynced_ = false;
    SPDLOG_INFO("storage writes resumed");
    info_.healthy = true;
  }
  return st;
}

Status LevelDbEngine::Clear() {
  pending_.clear();
  deleted_while_closed_.clear();
  if (!db_) return Status::IoError("database is closed: " + info_.last_error);
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  std::string prefix(1, kDataTag);
  leveldb::WriteBatch batch;
  size_t n = 0;
  leveldb::WriteOptions wo;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    batch.Delete(it->key());
    if (++n % 10000 == 0) {
      leveldb::Status st = db_->Write(wo, &batch);
      if (!st.ok()) return Status::IoError(st.ToString());
      batch.Clear();
    }
  }
  wo.sync = durability_ != Durability::kNo;
  leveldb::Status st = db_->Write(wo, &batch);
  if (!st.ok()) return Status::IoError(st.ToString());
  return Status::Ok();
}

Result<std::optional<std::string>> LevelDbEngine::GetMeta(std::string_view name) {
  if (!db_) return Status::IoError("database is closed: " + info_.last_error);
  std::string value;
  leveldb::Status st =
      db_->Get(leveldb::ReadOptions(), std::string(1, kMetaTag) + std::string(name), &value);
  if (st.IsNotFound()) return std::optional<std::string>();
  if (!st.ok()) return Status::IoError(st.ToString());
  return std::optional<std::string>(std::move(value));
}

Status LevelDbEngine::PutMeta(std::string_view name, std::string_view value) {
  if (!db_) return Status::IoError("database is closed: " + info_.last_error);
  leveldb::WriteOptions wo;
  wo.sync = true;
  leveldb::Status st = db_->Put(wo, std::string(1, kMetaTag) + std::string(name),
                                leveldb::Slice(value.data(), value.size()));
  if (!st.ok()) return Status::IoError(st.ToString());
  return Status::Ok();
}

uint64_t LevelDbEngine::CountStoredKeys() {
  uint64_t n = 0;
  if (!db_) return 0;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  std::string prefix(1, kDataTag);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view key, elem;
    uint8_t kind;
    if (ParseRow(View(it->key()), &key, &kind, &elem) && kind == kHeadKind) ++n;
  }
  return n;
}

EngineInfo LevelDbEngine::Info() const {
  EngineInfo out = info_;
  // Listing a few dozen files: cheap enough for INFO.
  leveldb::Env* env = options_.env ? options_.env : leveldb::Env::Default();
  std::string path = options_.dir + "/db";
  std::vector<std::string> files;
  if (env->GetChildren(path, &files).ok()) {
    for (const std::string& f : files) {
      uint64_t size = 0;
      if (env->GetFileSize(path + "/" + f, &size).ok()) out.disk_bytes += size;
    }
  }
  return out;
}

}  // namespace starling::storage
