#include "routing/ring.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "base/random.h"
#include "lattice/hash.h"

namespace starling::routing {
namespace {

std::vector<std::string> Ids(int n) {
  std::vector<std::string> ids;
  for (int i = 1; i <= n; ++i) {
    ids.push_back("n" + std::to_string(i));
  }
  return ids;
}

// Key hashes of `count` random keys (seeded, so every run measures the same keys).
std::vector<uint64_t> KeyHashes(size_t count, uint64_t seed) {
  Prng rng(seed);
  std::vector<uint64_t> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    out.push_back(lattice::Hash64("key:" + std::to_string(rng.Next64())));
  }
  return out;
}

// Largest relative distance from the mean of a node's share of keys: as first replica
// (rf = 1), or counting every replica (the storage load) for a larger rf.
double MaxDeviation(const Ring& ring, const std::vector<uint64_t>& keys, int rf = 1) {
  std::map<std::string, size_t> owned;
  size_t total = 0;
  for (uint64_t h : keys) {
    for (const std::string& id : ring.ReplicasOfHash(h, rf)) {
      ++owned[id];
      ++total;
    }
  }
  const double mean = static_cast<double>(total) / ring.nodes().size();
  double worst = 0;
  for (const std::string& id : ring.nodes()) {
    worst = std::max(worst, std::abs(static_cast<double>(owned[id]) - mean) / mean);
  }
  return worst;
}

TEST(RingTest, BalanceOverOneMillionKeys) {
  const std::vector<uint64_t> keys = KeyHashes(1'000'000, 42);
  for (int n : {3, 5, 7}) {
    const Ring ring(Ids(n), 64);
    const double first = MaxDeviation(ring, keys);
    const double load = MaxDeviation(ring, keys, 2);
    std::printf(
        "nodes=%d, 64 vnodes: worst node's share off the mean by %.2f%% as first replica, "
        "%.2f%% of rf=2 load\n",
        n, 100 * first, 100 * load);
    // The bar: 1M keys within 10% across nodes at the default of 64 vnodes.
    EXPECT_LT(first, 0.10) << "nodes=" << n;
    EXPECT_LT(load, 0.10) << "nodes=" << n;
  }
}

TEST(RingTest, JoinMovesOnlyKeysThatGainTheNewNode) {
  const std::vector<uint64_t> keys = KeyHashes(200'000, 7);
  struct Case {
    int n, rf, vnodes;
    double tolerance;  // relative, around rf/(n+1)
  };
  // The fraction that moves is the new node's share of replicas: rf/(n+1) within a few %.
  for (Case c : {Case{3, 1, 64, 0.05}, Case{3, 2, 64, 0.05}, Case{3, 3, 64, 0.05},
                 Case{5, 3, 64, 0.05}, Case{6, 2, 64, 0.05}}) {
    const Ring before(Ids(c.n), c.vnodes);
    const Ring after(Ids(c.n + 1), c.vnodes);
    const std::string joined = "n" + std::to_string(c.n + 1);
    size_t changed = 0;
    size_t on_new = 0;
    for (uint64_t h : keys) {
      std::vector<std::string> b = before.ReplicasOfHash(h, c.rf);
      std::vector<std::string> a = after.ReplicasOfHash(h, c.rf);
      std::sort(b.begin(), b.end());
      std::sort(a.begin(), a.end());
      const bool has_new = std::binary_search(a.begin(), a.end(), joined);
      on_new += has_new;
      if (a == b) {
        continue;
      }
      ++changed;
      // The only change a join makes: the new node takes the place of exactly one old one.
      std::vector<std::string> gained, lost;
      std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(gained));
      std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(lost));
      ASSERT_EQ(gained, std::vector<std::string>{joined});
      ASSERT_EQ(lost.size(), 1u);
    }
    // Minimal movement: exactly the keys the new node now replicates change.
    EXPECT_EQ(changed, on_new);
    const double fraction = static_cast<double>(changed) / keys.size();
    const double expected = static_cast<double>(c.rf) / (c.n + 1);
    std::printf("join %d -> %d nodes, rf=%d, %d vnodes: %.4f of keys change (rf/(n+1) = %.4f)\n",
                c.n, c.n + 1, c.rf, c.vnodes, fraction, expected);
    EXPECT_NEAR(fraction, expected, c.tolerance * expected)
        << "n=" << c.n << " rf=" << c.rf << " vnodes=" << c.vnodes;
  }
}

TEST(RingTest, ReplicaSetsAreDistinctAndCapped) {
  Ring ring(Ids(5), 64);
  for (int i = 0; i < 2000; ++i) {
    std::string key = "k" + std::to_string(i);
    for (int rf = 1; rf <= 7; ++rf) {
      std::vector<std::string> r = ring.Replicas(key, rf);
      ASSERT_EQ(r.size(), static_cast<size_t>(std::min(rf, 5)));
      ASSERT_EQ(std::set<std::string>(r.begin(), r.end()).size(), r.size());
      // A smaller rf is a prefix of a larger one: raising rf only adds replicas.
      std::vector<std::string> one_less = ring.Replicas(key, rf - 1);
      ASSERT_TRUE(std::equal(one_less.begin(), one_less.end(), r.begin()));
    }
  }
}

TEST(RingTest, StableAcrossRebuilds) {
  Ring a(Ids(7), 64);
  Ring b(Ids(7), 64);
  for (uint64_t h : KeyHashes(20'000, 3)) {
    ASSERT_EQ(a.ReplicasOfHash(h, 3), b.ReplicasOfHash(h, 3));
  }
}

TEST(RingTest, IndependentOfNodeListOrder) {
  const std::vector<uint64_t> keys = KeyHashes(20'000, 5);
  Ring sorted(Ids(7), 64);
  Prng rng(11);
  for (int round = 0; round < 10; ++round) {
    std::vector<std::string> ids = Ids(7);
    // Fisher-Yates with our own generator (std::shuffle differs between libraries).
    for (size_t i = ids.size() - 1; i > 0; --i) {
      std::swap(ids[i], ids[rng.Uniform(i + 1)]);
    }
    Ring permuted(ids, 64);
    EXPECT_EQ(permuted.nodes(), sorted.nodes());
    for (uint64_t h : keys) {
      ASSERT_EQ(permuted.ReplicasOfHash(h, 3), sorted.ReplicasOfHash(h, 3));
    }
  }
}

TEST(RingTest, IsReplicaAgreesWithReplicas) {
  Ring ring(Ids(5), 16);
  for (int i = 0; i < 5000; ++i) {
    std::string key = "key-" + std::to_string(i);
    for (int rf : {1, 2, 3, 5}) {
      std::vector<std::string> r = ring.Replicas(key, rf);
      for (const std::string& id : ring.nodes()) {
        ASSERT_EQ(ring.IsReplica(id, key, rf), std::find(r.begin(), r.end(), id) != r.end());
      }
    }
    EXPECT_FALSE(ring.IsReplica("n9", key, 5));
  }
}

TEST(RingTest, PartitionsAreContiguousHashRanges) {
  Ring ring(Ids(5), 64);
  for (uint64_t p : {uint64_t{0}, uint64_t{1}, Ring::kPartitions / 2, Ring::kPartitions - 1}) {
    uint64_t start = Ring::PartitionStart(p);
    uint64_t last = p + 1 == Ring::kPartitions ? UINT64_MAX : Ring::PartitionStart(p + 1) - 1;
    EXPECT_EQ(Ring::PartitionOf(start), p);
    EXPECT_EQ(Ring::PartitionOf(last), p);
    // Every hash of a range has the range's replicas.
    EXPECT_EQ(ring.ReplicasOfHash(start, 3), ring.ReplicasOfHash(last, 3));
    EXPECT_EQ(ring.ReplicasOfHash(start, 3), ring.ReplicasOfPartition(p, 3));
  }
}

TEST(RingTest, Replicas_MatchesReplicasOfHash) {
  Ring ring(Ids(4), 64);
  EXPECT_EQ(ring.Replicas("user:1", 2), ring.ReplicasOfHash(lattice::Hash64("user:1"), 2));
}

TEST(RingTest, EdgeCases) {
  Ring empty({}, 64);
  EXPECT_TRUE(empty.Replicas("k", 3).empty());
  EXPECT_FALSE(empty.IsReplica("n1", "k", 3));

  Ring one({"solo"}, 64);
  EXPECT_EQ(one.Replicas("k", 3), std::vector<std::string>{"solo"});
  EXPECT_TRUE(one.Replicas("k", 0).empty());
  EXPECT_TRUE(one.Replicas("k", -1).empty());

  Ring dup({"a", "b", "a"}, 8);
  EXPECT_EQ(dup.nodes(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(dup.Replicas("k", 3).size(), 2u);

  Ring clamped({"a", "b"}, 0);
  EXPECT_EQ(clamped.vnodes(), 1);
  EXPECT_EQ(clamped.Replicas("k", 2).size(), 2u);
}

// Placement is part of the cluster's wire contract: nodes built by different compilers, or
// different Starling versions, must agree. These values pin the partitioning (top 14 bits of
// XXH3) and the rendezvous order (XXH3 of the node id, seeded with the partition).
TEST(RingTest, GoldenPlacements) {
  Ring ring(Ids(5), 64);
  EXPECT_EQ(Ring::PartitionOf(lattice::Hash64("foo")), lattice::Hash64("foo") >> 50);
  const uint64_t p = Ring::PartitionOf(lattice::Hash64("foo"));
  std::vector<std::pair<uint64_t, std::string>> scores;
  for (const std::string& id : Ids(5)) scores.push_back({lattice::Hash64(id, p), id});
  std::sort(scores.rbegin(), scores.rend());
  EXPECT_EQ(ring.Replicas("foo", 3),
            (std::vector<std::string>{scores[0].second, scores[1].second, scores[2].second}));
  EXPECT_EQ(ring.Replicas("user:1000", 3), (std::vector<std::string>{"n2", "n1", "n3"}));
  EXPECT_EQ(ring.Replicas("", 2), (std::vector<std::string>{"n5", "n1"}));
}

}  // namespace
}  // namespace starling::routing
