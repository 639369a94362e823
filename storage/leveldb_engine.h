// LevelDbEngine: the keyspace persisted in LevelDB under the data directory (DESIGN.md
// section 7). The embedded default: nothing to install or start.
//
// Layout (LevelDB keys, bytes; H = Hash64(key), 8 bytes big-endian):
//   'K' H varint(len(key)) key 0x00          -> head row: lattice::EncodeHead(object)
//   'K' H varint(len(key)) key kind elem     -> element row (kind 1..4 = set, hash, zset,
//                                               list; elem = member, field or position)
//   'M' name                                 -> node metadata (replica id, incarnation...)
//   'Q' original-row-key                     -> a row that failed to decode, moved aside
// All rows of one key are contiguous with the head first, so loading is one ordered scan,
// and keys come in the keyspace's own order (hash first), so the in-memory map is built by
// appending. (A directory with rows of the first layout, 'D' without the hash, is refused.)
// A change writes the head and only the element rows its delta touched; a full-state
// change (DEL, a type change) rewrites the key's rows.
//
// Writes of one turn collect in an ordered map of pending row writes and go to LevelDB as
// one WriteBatch at Commit() (group commit), synced in `always` mode. A failed write keeps
// the batch; LevelDB stops accepting writes after an I/O error, so Recover() reopens the
// database and writes the kept batch again. While the database is closed (a reopen failed),
// keys deleted are remembered, and their stored rows are deleted once it opens again.
// Sync() writes only if something was committed unsynced since the last one.
//
// Single-threaded (the node's thread). LevelDB's Env (file system) can be replaced for
// tests: an in-memory Env, or a fault-injecting one that drops unsynced data.
#pragma once

#include <leveldb/db.h>
#include <leveldb/env.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/engine.h"

namespace starling::storage {

struct LevelDbOptions {
  std::string dir;                  // the data directory; LevelDB lives in dir/db
  leveldb::Env* env = nullptr;      // null: the real file system
  Durability durability = Durability::kEverysec;
  size_t write_buffer_bytes = 16 << 20;
  size_t block_cache_bytes = 32 << 20;
};

class LevelDbEngine final : public Engine {
 public:
  // Opens (creating if needed) the database. A directory locked by another process or not
  // writable is an error naming the path.
  static Result<std::unique_ptr<LevelDbEngine>> Open(const LevelDbOptions& options);
  ~LevelDbEngine() override;

  Status Load(const std::function<void(std::string_view, lattice::Object)>& fn) override;
  void Changed(std::string_view key, const lattice::Object* state,
               const lattice::Object& delta) override;
  Status Commit() override;
  Status Sync(int64_t now_unix_ms) override;
  Status Clear() override;
  bool Healthy() const override { return healthy_; }
  Status Recover() override;
  EngineInfo Info() const override;

  // Node metadata. Put is synced.
  Result<std::optional<std::string>> GetMeta(std::string_view name);
  Status PutMeta(std::string_view name, std::string_view value);

  // Row keys (exposed for tests that corrupt rows on purpose).
  static std::string KeyPrefix(std::string_view key);
  static std::string HeadRow(std::string_view key);
  static std::string ElementRow(std::string_view key, uint8_t kind, std::string_view elem);
  // Splits a data row key into the user key, the row kind (0: head) and the element; false
  // for a row that is not a well-formed data row. The views point into `row`.
  static bool ParseDataRow(std::string_view row, std::string_view* key, uint8_t* kind,
                           std::string_view* elem);

  // Rows currently stored (a full scan; for tests and INFO on demand).
  uint64_t CountStoredKeys();

 private:
  explicit LevelDbEngine(const LevelDbOptions& options);
  Status OpenDb();
  // Queues deletion of every row of key: stored ones and pending ones.
  void DeleteAllRows(std::string_view key);
  // Queues deletion of the stored rows of key that no pending write replaces.
  void DeleteStoredRows(std::string_view key);
  void Quarantine(const std::string& row, const std::string& value, const std::string& why);

  LevelDbOptions options_;
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<leveldb::DB> db_;
  // Row key -> new value (nullopt: delete), for the batch of the current turn.
  std::map<std::string, std::optional<std::string>> pending_;
  // Keys deleted while db_ was closed (their stored rows could not be listed).
  std::vector<std::string> deleted_while_closed_;
  bool healthy_ = true;
  bool unsynced_ = false;  // committed without sync since the last sync
  EngineInfo info_;
};

}  // namespace starling::storage
