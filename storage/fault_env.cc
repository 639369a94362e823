#include "storage/fault_env.h"

#include <memory>

namespace starling::storage {
namespace {

class FaultFile : public leveldb::WritableFile {
 public:
  FaultFile(FaultEnv* env, std::string name, leveldb::WritableFile* base)
      : env_(env), name_(std::move(name)), base_(base) {}
  leveldb::Status Append(const leveldb::Slice& data) override {
    if (env_->write_error()) return leveldb::Status::IOError(name_, "No space left on device");
    leveldb::Status st = base_->Append(data);
    if (st.ok()) env_->Appended(name_, data.size());
    return st;
  }
  leveldb::Status Close() override { return base_->Close(); }
  leveldb::Status Flush() override { return base_->Flush(); }
  leveldb::Status Sync() override {
    if (env_->write_error()) return leveldb::Status::IOError(name_, "No space left on device");
    leveldb::Status st = base_->Sync();
    if (st.ok()) env_->Synced(name_);
    return st;
  }

 private:
  FaultEnv* env_;
  std::string name_;
  std::unique_ptr<leveldb::WritableFile> base_;
};

}  // namespace

leveldb::Status FaultEnv::NewWritableFile(const std::string& f, leveldb::WritableFile** r) {
  if (write_error()) return leveldb::Status::IOError(f, "No space left on device");
  leveldb::WritableFile* base = nullptr;
  leveldb::Status st = target()->NewWritableFile(f, &base);
  if (!st.ok()) return st;
  {
    absl::MutexLock lock(&mu_);
    files_[f] = FileState{};
  }
  *r = new FaultFile(this, f, base);
  return st;
}

leveldb::Status FaultEnv::NewAppendableFile(const std::string& f, leveldb::WritableFile** r) {
  if (write_error()) return leveldb::Status::IOError(f, "No space left on device");
  uint64_t size = 0;
  if (!target()->GetFileSize(f, &size).ok()) size = 0;
  leveldb::WritableFile* base = nullptr;
  leveldb::Status st = target()->NewAppendableFile(f, &base);
  if (!st.ok()) return st;
  {
    absl::MutexLock lock(&mu_);
    auto [it, fresh] = files_.try_emplace(f, FileState{size, size});
    if (!fresh) it->second.pos = size;
  }
  *r = new FaultFile(this, f, base);
  return st;
}

leveldb::Status FaultEnv::RenameFile(const std::string& from, const std::string& to) {
  leveldb::Status st = target()->RenameFile(from, to);
  if (st.ok()) {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(from);
    if (it != files_.end()) {
      files_[to] = it->second;
      files_.erase(it);
    } else {
      files_.erase(to);
    }
  }
  return st;
}

leveldb::Status FaultEnv::RemoveFile(const std::string& f) {
  leveldb::Status st = target()->RemoveFile(f);
  absl::MutexLock lock(&mu_);
  files_.erase(f);
  return st;
}

void FaultEnv::Appended(const std::string& f, size_t n) {
  absl::MutexLock lock(&mu_);
  files_[f].pos += n;
}

void FaultEnv::Synced(const std::string& f) {
  absl::MutexLock lock(&mu_);
  FileState& s = files_[f];
  s.synced = s.pos;
}

leveldb::Status FaultEnv::DropUnsyncedData() {
  absl::MutexLock lock(&mu_);
  for (auto& [name, state] : files_) {
    if (state.synced >= state.pos) continue;
    // Keep the synced prefix: read it and write the file again with only that.
    std::string keep;
    leveldb::SequentialFile* in = nullptr;
    leveldb::Status st = target()->NewSequentialFile(name, &in);
    if (!st.ok()) continue;
    std::unique_ptr<leveldb::SequentialFile> guard(in);
    std::string scratch(state.synced, '\0');
    leveldb::Slice got;
    st = in->Read(state.synced, &got, scratch.data());
    if (!st.ok()) return st;
    keep.assign(got.data(), got.size());
    leveldb::WritableFile* out = nullptr;
    st = target()->NewWritableFile(name, &out);
    if (!st.ok()) return st;
    std::unique_ptr<leveldb::WritableFile> oguard(out);
    st = out->Append(keep);
    if (st.ok()) st = out->Close();
    if (!st.ok()) return st;
    state.pos = state.synced;
  }
  return leveldb::Status::OK();
}

}  // namespace starling::storage
