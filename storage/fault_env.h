// FaultEnv: a LevelDB Env for tests (after LevelDB's own fault-injection test). It wraps
// another Env (usually the in-memory one from libmemenv) and
//  - remembers, per file, how much of it was synced, so DropUnsyncedData() can model a power
//    loss: every file keeps only its synced prefix (files never synced become empty);
//  - fails writes and syncs on demand (SetWriteError), as a full disk does, or while a
//    trigger file exists (SetTriggerFile: how starling-server's --debug-disk-full-file lets
//    a black-box test fill the disk and free it again).
// LevelDB calls it from its background thread as well as the caller's, so its state is
// guarded by a mutex.
#pragma once

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>
#include <leveldb/env.h>

#include <atomic>
#include <map>
#include <string>

namespace starling::storage {

class FaultEnv : public leveldb::EnvWrapper {
 public:
  explicit FaultEnv(leveldb::Env* base) : leveldb::EnvWrapper(base) {}

  leveldb::Status NewWritableFile(const std::string& f, leveldb::WritableFile** r) override;
  leveldb::Status NewAppendableFile(const std::string& f, leveldb::WritableFile** r) override;
  leveldb::Status RenameFile(const std::string& from, const std::string& to) override;
  leveldb::Status RemoveFile(const std::string& f) override;

  // While true, appends and syncs fail with "No space left on device".
  void SetWriteError(bool fail) { fail_writes_ = fail; }
  // REQUIRES: called before the Env is used.
  void SetTriggerFile(std::string path) { trigger_file_ = std::move(path); }
  bool write_error() {
    return fail_writes_ || (!trigger_file_.empty() && target()->FileExists(trigger_file_));
  }

  // Power loss. REQUIRES: no database is open on this Env.
  leveldb::Status DropUnsyncedData();

  // Called by the wrapped files.
  void Appended(const std::string& f, size_t n);
  void Synced(const std::string& f);

 private:
  struct FileState {
    uint64_t pos = 0;
    uint64_t synced = 0;
  };
  absl::Mutex mu_;
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> fail_writes_{false};
  std::string trigger_file_;  // set once before use, then only read
};

}  // namespace starling::storage
