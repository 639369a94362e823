// The LevelDB engine on LevelDB's in-memory Env, under a fault-injecting Env that fails
// writes on demand and drops unsynced data (power loss).
#include "storage/leveldb_engine.h"

#include <gtest/gtest.h>
#include <leveldb/helpers/memenv.h>
#include <rapidcheck/gtest.h>

#include <filesystem>
#include <map>
#include <vector>

#include "lattice/codec.h"
#include "lattice/object_gen.h"
#include "lattice/set_ops.h"
#include "lattice/string_ops.h"
#include "storage/fault_env.h"

namespace starling::storage {
namespace {

using lattice::Object;

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : mem_(leveldb::NewMemEnv(leveldb::Env::Default())), fault_(mem_.get()) {}

  std::unique_ptr<LevelDbEngine> Open(Durability d = Durability::kEverysec) {
    LevelDbOptions o;
    o.dir = "/data";
    o.env = &fault_;
    o.durability = d;
    auto e = LevelDbEngine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return std::move(*e);
  }

  std::map<std::string, Object> LoadAll(LevelDbEngine& e) {
    std::map<std::string, Object> out;
    Status st = e.Load([&](std::string_view k, Object o) { out[std::string(k)] = std::move(o); });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  // A string object written by a replica.
  Object StringObj(const std::string& v) {
    Object o;
    lattice::Mutation m(o, dots_, ++hlc_);
    lattice::WriteString(m, v, false);
    m.Apply(o);
    return o;
  }

  std::unique_ptr<leveldb::Env> mem_;
  FaultEnv fault_;
  lattice::DotSource dots_{7};
  lattice::Hlc hlc_ = 1000;
};

TEST_F(EngineTest, StatesRoundTripThroughReopen) {
  std::map<std::string, Object> want;
  {
    auto e = Open();
    for (uint64_t seed = 1; seed <= 30; ++seed) {
      lattice::testing::ObjectHistory h(seed);
      h.Run(50);
      std::string key = "key" + std::to_string(seed);
      const Object& o = h.state(0);
      e->Changed(key, &o, o);  // a full-state change writes every row
      want[key] = o;
    }
    ASSERT_TRUE(e->Commit().ok());
  }
  auto e = Open();
  auto got = LoadAll(*e);
  ASSERT_EQ(got.size(), want.size());
  for (auto& [k, o] : want) EXPECT_TRUE(got[k] == o) << k;
  EXPECT_EQ(e->Info().keys_loaded, want.size());
}

TEST_F(EngineTest, DeltasWriteOnlyTouchedElementsAndStayExact) {
  auto e = Open();
  Object set;
  std::vector<std::string> members;
  members.reserve(2000);
  for (int i = 0; i < 2000; ++i) members.push_back("member-" + std::to_string(i));
  {
    lattice::Mutation m(set, dots_, ++hlc_);
    lattice::AddSetMembers(m, members);
    Object d = m.Apply(set);
    e->Changed("s", &set, d);
    ASSERT_TRUE(e->Commit().ok());
  }
  uint64_t before = e->Info().bytes_written;
  std::vector<std::string> one{"member-5"};
  lattice::Mutation m(set, dots_, ++hlc_);
  lattice::RemoveSetMembers(m, one);
  Object d = m.Apply(set);
  e->Changed("s", &set, d);
  ASSERT_TRUE(e->Commit().ok());
  // One head row and one deleted element row, not 2000 rows.
  EXPECT_LT(e->Info().bytes_written - before, 200u);
  e.reset();
  auto got = LoadAll(*Open());
  EXPECT_TRUE(got["s"] == set);
  EXPECT_EQ(lattice::SetCard(got["s"]), 1999u);
}

TEST_F(EngineTest, DeletedKeyLeavesNoRowsEvenIfWrittenInTheSameBatch) {
  auto e = Open();
  Object set;
  std::vector<std::string> members{"a", "b", "c"};
  lattice::Mutation m(set, dots_, ++hlc_);
  lattice::AddSetMembers(m, members);
  Object d = m.Apply(set);
  e->Changed("s", &set, d);
  e->Changed("s", nullptr, Object());  // deleted before the commit
  ASSERT_TRUE(e->Commit().ok());
  EXPECT_EQ(e->CountStoredKeys(), 0u);
  EXPECT_TRUE(LoadAll(*e).empty());
}

TEST_F(EngineTest, AlwaysModeSurvivesPowerLoss) {
  {
    auto e = Open(Durability::kAlways);
    for (int i = 0; i < 50; ++i) {
      Object o = StringObj("v" + std::to_string(i));
      e->Changed("k" + std::to_string(i), &o, o);
      ASSERT_TRUE(e->Commit().ok());  // acknowledged
    }
  }
  ASSERT_TRUE(fault_.DropUnsyncedData().ok());
  EXPECT_EQ(LoadAll(*Open()).size(), 50u);
}

TEST_F(EngineTest, EverysecLosesAtMostWhatCameAfterTheLastSync) {
  {
    auto e = Open(Durability::kEverysec);
    for (int i = 0; i < 20; ++i) {
      Object o = StringObj("v");
      e->Changed("before" + std::to_string(i), &o, o);
      ASSERT_TRUE(e->Commit().ok());
    }
    ASSERT_TRUE(e->Sync(1).ok());  // the once-a-second sync
    for (int i = 0; i < 20; ++i) {
      Object o = StringObj("v");
      e->Changed("after" + std::to_string(i), &o, o);
      ASSERT_TRUE(e->Commit().ok());
    }
  }
  ASSERT_TRUE(fault_.DropUnsyncedData().ok());
  auto got = LoadAll(*Open());
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(got.count("before" + std::to_string(i)));
  size_t after = 0;
  for (int i = 0; i < 20; ++i) after += got.count("after" + std::to_string(i));
  EXPECT_LT(after, 20u);  // the unsynced tail is gone (this Env drops all of it)
}

TEST_F(EngineTest, WriteErrorKeepsTheBatchAndRecovers) {
  auto e = Open(Durability::kAlways);
  fault_.SetWriteError(true);
  Object o = StringObj("v");
  e->Changed("k", &o, o);
  EXPECT_FALSE(e->Commit().ok());
  EXPECT_FALSE(e->Healthy());
  EXPECT_FALSE(e->Recover().ok());  // the disk is still full
  fault_.SetWriteError(false);
  ASSERT_TRUE(e->Recover().ok());
  EXPECT_TRUE(e->Healthy());
  e.reset();
  ASSERT_TRUE(fault_.DropUnsyncedData().ok());
  EXPECT_EQ(LoadAll(*Open()).size(), 1u);
}

TEST_F(EngineTest, KeyDeletedWhileTheDatabaseIsClosedIsGoneAfterRecovery) {
  auto e = Open(Durability::kAlways);
  Object o = StringObj("v");
  e->Changed("gone", &o, o);
  e->Changed("kept", &o, o);
  ASSERT_TRUE(e->Commit().ok());
  fault_.SetWriteError(true);
  Object o2 = StringObj("w");
  e->Changed("kept", &o2, o2);
  EXPECT_FALSE(e->Commit().ok());
  EXPECT_FALSE(e->Recover().ok());  // the reopen fails: the database stays closed
  e->Changed("gone", nullptr, Object());  // e.g. expired meanwhile
  EXPECT_FALSE(e->Commit().ok());
  EXPECT_FALSE(e->Sync(1).ok());
  fault_.SetWriteError(false);
  ASSERT_TRUE(e->Recover().ok());
  e.reset();
  auto got = LoadAll(*Open());
  EXPECT_FALSE(got.count("gone"));
  ASSERT_TRUE(got.count("kept"));
  EXPECT_TRUE(got["kept"] == o2);
}

TEST_F(EngineTest, SyncWithNothingUnsyncedWritesNothing) {
  auto e = Open(Durability::kEverysec);
  Object o = StringObj("v");
  e->Changed("k", &o, o);
  ASSERT_TRUE(e->Commit().ok());
  ASSERT_TRUE(e->Sync(10).ok());
  uint64_t syncs = e->Info().syncs;
  ASSERT_TRUE(e->Sync(20).ok());
  EXPECT_EQ(e->Info().syncs, syncs);
  EXPECT_EQ(e->Info().last_sync_unix_ms, 20);
}

TEST_F(EngineTest, CorruptRowsAreQuarantinedAndTheRestLoads) {
  {
    auto e = Open();
    for (int i = 0; i < 3; ++i) {
      Object o = StringObj("v");
      e->Changed("k" + std::to_string(i), &o, o);
    }
    ASSERT_TRUE(e->Commit().ok());
  }
  {
    // Garbage written straight into LevelDB under k1's head row.
    leveldb::Options opt;
    opt.env = &fault_;
    leveldb::DB* raw = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(opt, "/data/db", &raw).ok());
    ASSERT_TRUE(raw->Put(leveldb::WriteOptions(), LevelDbEngine::HeadRow("k1"), "\x01garbage").ok());
    delete raw;
  }
  auto e = Open();
  auto got = LoadAll(*e);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_FALSE(got.count("k1"));
  EXPECT_EQ(e->Info().quarantined_rows, 1u);
  e.reset();
  auto e2 = Open();
  EXPECT_EQ(LoadAll(*e2).size(), 2u);  // moved aside: not reported again
  EXPECT_EQ(e2->Info().quarantined_rows, 0u);
  EXPECT_EQ(e2->Info().quarantine_stored, 1u);
}

TEST_F(EngineTest, LoadsKeysInTheKeyspaceOrder) {
  {
    auto e = Open();
    for (int i = 0; i < 300; ++i) {
      Object o = StringObj("v");
      e->Changed("key:" + std::to_string(i), &o, o);
    }
    ASSERT_TRUE(e->Commit().ok());
  }
  std::vector<std::string> order;
  auto e = Open();
  ASSERT_TRUE(e->Load([&](std::string_view k, const Object&) { order.emplace_back(k); }).ok());
  ASSERT_EQ(order.size(), 300u);
  for (size_t i = 1; i < order.size(); ++i) {
    EXPECT_TRUE(lattice::ElemLess()(lattice::ElemRef(order[i - 1]), lattice::ElemRef(order[i])));
  }
}

TEST_F(EngineTest, RowsOfTheOlderLayoutAreRefused) {
  {
    leveldb::Options opt;
    opt.env = &fault_;
    opt.create_if_missing = true;
    leveldb::DB* raw = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(opt, "/data/db", &raw).ok());
    ASSERT_TRUE(raw->Put(leveldb::WriteOptions(), std::string("D\x01k\x00", 4), "x").ok());
    delete raw;
  }
  auto e = Open();
  Status st = e->Load([](std::string_view, const Object&) {});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("older storage layout"), std::string::npos) << st.ToString();
}

TEST_F(EngineTest, MetadataIsDurable) {
  {
    auto e = Open();
    ASSERT_TRUE(e->PutMeta("incarnation", "3").ok());
    EXPECT_FALSE(e->GetMeta("missing")->has_value());
  }
  ASSERT_TRUE(fault_.DropUnsyncedData().ok());
  auto e = Open();
  EXPECT_EQ(e->GetMeta("incarnation")->value_or(""), "3");
}

TEST_F(EngineTest, ClearRemovesEveryKey) {
  auto e = Open();
  for (int i = 0; i < 100; ++i) {
    Object o = StringObj("v");
    e->Changed("k" + std::to_string(i), &o, o);
  }
  ASSERT_TRUE(e->Commit().ok());
  ASSERT_TRUE(e->Clear().ok());
  EXPECT_EQ(e->CountStoredKeys(), 0u);
}

TEST(EngineFileTest, LockedDirectoryIsAClearError) {
  std::string dir = ::testing::TempDir() + "/starling-lock-test";
  std::filesystem::remove_all(dir);
  LevelDbOptions o;
  o.dir = dir;
  auto first = LevelDbEngine::Open(o);
  ASSERT_TRUE(first.ok());
  auto second = LevelDbEngine::Open(o);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("locked"), std::string::npos)
      << second.status().ToString();
  first->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace starling::storage
