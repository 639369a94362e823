// riblt_bench: RIBLT against the Merkle exchange on one range of N = 1,000,000 keys (issue 8).
//
// For each d (differing items): bytes on the wire, round trips and CPU time of both methods,
// and RIBLT's coded symbols per difference, in one run. Run by hand on a Release build:
//   build/bench/riblt_bench [--n N]
// CPU times are this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so other load on the
// machine inflates them less than wall time. Seeds are fixed; the output is reproducible but
// for the times.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/random.h"
#include "gossip/riblt/coded_symbol.h"
#include "gossip/riblt/decoder.h"
#include "gossip/riblt/encoder.h"
#include "gossip/riblt/item.h"
#include "gossip/riblt/key_diff.h"
#include "gossip/riblt/merkle.h"
#include "gossip/riblt/sketch.h"

namespace starling::riblt {
namespace {

const ItemHasher kHasher("bench-secret");
using ItemDecoder = Decoder<Item, ItemHasher>;

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// The remote replica differs from the local one (`base`) by d items: keys deleted remotely
// (1 item each), keys added remotely (1) and keys whose state changed remotely (2).
struct Planted {
  std::vector<Item> remote;
  std::vector<Item> erased, added;
  std::vector<Item> changed;  // the new items; same keys as in base
  size_t keys = 0;
};

Planted Plant(const std::vector<Item>& base, size_t d, uint64_t seed) {
  Prng rng(seed);
  Planted p;
  std::vector<char> touched(base.size(), 0);
  std::vector<Item> remote = base;
  size_t elements = 0;
  while (elements < d) {
    const uint64_t kind = d - elements >= 2 ? rng.Uniform(3) : rng.Uniform(2);
    if (kind == 1) {
      const Item it{rng.Next64(), rng.Next64()};
      p.added.push_back(it);
      remote.push_back(it);
      elements += 1;
      p.keys += 1;
      continue;
    }
    const size_t i = rng.Uniform(base.size());
    if (touched[i]) {
      continue;
    }
    touched[i] = kind == 0 ? 1 : 2;
    if (kind == 0) {
      p.erased.push_back(base[i]);
      elements += 1;
    } else {
      remote[i].state_hash = rng.Next64();
      p.changed.push_back(remote[i]);
      elements += 2;
    }
    p.keys += 1;
  }
  for (size_t i = 0; i < base.size(); ++i) {
    if (touched[i] != 1) {
      p.remote.push_back(remote[i]);
    }
  }
  p.remote.insert(p.remote.end(), remote.begin() + static_cast<std::ptrdiff_t>(base.size()),
                  remote.end());
  return p;
}

// The sender streams batches of growing size (1, 1, 1, ..., then a sixteenth of what it has
// sent so far, at most 1024) until the receiver says it has decoded everything. Modelled: the
// sender learns of the STOP at the end of the batch in which the decode completed, so the
// bytes include up to 1/16 of overshoot; on a real network add the symbols in flight for one
// round-trip time.
size_t NextBatch(size_t sent) { return std::clamp<size_t>(sent / 16, 1, 1024); }

struct RibltResult {
  size_t needed = 0, sent = 0, batches = 0;
  uint64_t bytes = 0;
  double encode_s = 0, decode_s = 0;
  bool ok = false;
};

RibltResult RunRiblt(const std::vector<Item>& local, const Planted& p,
                     const MerkleTree* side_info) {
  RibltResult r;
  double t0 = CpuSeconds();
  Encoder<Item> le, re;
  for (const Item& it : local) {
    le.Add(kHasher.Hashed(it));
  }
  for (const Item& it : p.remote) {
    re.Add(kHasher.Hashed(it));
  }
  r.encode_s += CpuSeconds() - t0;
  const size_t cap = 4 * (p.remote.size() + local.size()) + 1024;
  // With side_info, the decoder knows the local item of a key decoded at the remote side.
  ItemDecoder::Companion companion;
  if (side_info != nullptr) {
    companion = [side_info](const HashedItem<Item>& r) -> std::optional<HashedItem<Item>> {
      const std::optional<Item> mine = side_info->Find(r.item.key_hash);
      if (!mine || mine->state_hash == r.item.state_hash) {
        return std::nullopt;
      }
      return kHasher.Hashed(*mine);
    };
  }
  ItemDecoder dec(kHasher, cap);
  dec.set_companion(companion);
  std::vector<CodedSymbol<Item>> ls, rs, all;
  std::vector<size_t> batch_ends;
  r.bytes = 8;  // the request
  while (!dec.done()) {
    const size_t b = NextBatch(r.sent);
    ls.clear();
    rs.clear();
    t0 = CpuSeconds();
    le.Produce(b, &ls);
    re.Produce(b, &rs);
    r.encode_s += CpuSeconds() - t0;
    for (size_t i = 0; i < b; ++i) {
      all.push_back(Subtract(rs[i], ls[i]));
    }
    // One at a time, to learn the exact number of symbols needed.
    for (size_t i = all.size() - b; i < all.size(); ++i) {
      if (dec.Add(all[i]) != DecodeState::kNeedMore) {
        break;
      }
    }
    r.sent += b;
    r.batches += 1;
    batch_ends.push_back(all.size());
    r.bytes += 8 + kItemSymbolWireBytes * b;
    if (dec.state() == DecodeState::kCapExceeded || dec.state() == DecodeState::kCorrupt) {
      return r;
    }
  }
  // Decoding time: the same batches again, fed as they would arrive, repeated for precision.
  const int reps = static_cast<int>(std::clamp<size_t>(400000 / all.size(), 1, 2000));
  t0 = CpuSeconds();
  for (int rep = 0; rep < reps; ++rep) {
    ItemDecoder again(kHasher, cap);
    again.set_companion(companion);
    size_t begin = 0;
    for (size_t end : batch_ends) {
      again.AddBatch(std::span<const CodedSymbol<Item>>(all.data() + begin, end - begin));
      begin = end;
    }
    if (!again.done()) {
      std::abort();
    }
  }
  r.decode_s = (CpuSeconds() - t0) / reps;
  r.bytes += 8;  // STOP
  r.needed = dec.symbols();
  // Check the answer against what was planted.
  const std::vector<KeyDiff> got = MakeKeyDiffs(dec.local_only(), dec.remote_only());
  r.ok = got.size() == p.keys;
  size_t both = 0, local_only = 0, remote_only = 0;
  for (const KeyDiff& k : got) {
    both += k.has_local && k.has_remote;
    local_only += k.has_local && !k.has_remote;
    remote_only += !k.has_local && k.has_remote;
  }
  r.ok = r.ok && both == p.changed.size() && local_only == p.erased.size() &&
         remote_only == p.added.size();
  return r;
}

struct MerkleResult {
  uint64_t bytes = 0;
  int messages = 0;
  double cpu_s = 0;
  bool ok = false;
};

MerkleResult RunMerkle(const MerkleTree& local, const MerkleTree& remote, const Planted& p) {
  MerkleResult r;
  const MerkleTree* side[2] = {&local, &remote};
  const double t0 = CpuSeconds();
  MerkleLevel msg = local.Start();
  r.bytes = WireBytes(msg, local.fanout());
  r.messages = 1;
  for (int turn = 1;; turn ^= 1) {
    Result<MerkleReply> reply = side[turn]->Answer(msg);
    if (!reply.ok() || reply->kind == MerkleReply::Kind::kInSync) {
      break;
    }
    r.messages += 1;
    if (reply->kind == MerkleReply::Kind::kLeaves) {
      r.bytes += WireBytes(reply->leaves);
      Result<std::vector<KeyDiff>> d = side[turn ^ 1]->DiffLeaves(reply->leaves);
      r.ok = d.ok() && d->size() == p.keys;
      break;
    }
    msg = std::move(reply->level);
    r.bytes += WireBytes(msg, local.fanout());
  }
  r.cpu_s = CpuSeconds() - t0;
  return r;
}

MerkleTree Apply(const MerkleTree& base, const Planted& p) {
  MerkleTree t = base;
  for (const Item& it : p.erased) {
    t.Erase(it.key_hash);
  }
  for (const Item& it : p.added) {
    t.Upsert(it);
  }
  for (const Item& it : p.changed) {
    t.Upsert(it);
  }
  return t;
}

// Mean coded symbols per difference over `trials` random differences of d items (the count
// depends on the difference only, so no million-key sets are needed).
double MeanSymbolsPerDifference(size_t d, int trials, uint64_t seed) {
  Prng rng(seed);
  double total = 0;
  for (int t = 0; t < trials; ++t) {
    Encoder<Item> le, re;
    for (size_t i = 0; i < d; ++i) {
      const HashedItem<Item> h = kHasher.Hashed({rng.Next64(), rng.Next64()});
      (rng.Bernoulli(0.5) ? le : re).Add(h);
    }
    ItemDecoder dec(kHasher, 10 * d + 1000);
    while (dec.state() == DecodeState::kNeedMore) {
      dec.Add(Subtract(re.Next(), le.Next()));
    }
    total += double(dec.symbols()) / double(d);
  }
  return total / trials;
}

// Builds a Sketch of m symbols over the items from scratch, checksums included.
double SketchBuildSeconds(const std::vector<Item>& items, size_t m) {
  const double t0 = CpuSeconds();
  Sketch<Item> s(m);
  std::vector<HashedItem<Item>> chunk;
  for (size_t base = 0; base < items.size(); base += 4096) {
    chunk.clear();
    for (size_t i = base; i < std::min(items.size(), base + 4096); ++i) {
      chunk.push_back(kHasher.Hashed(items[i]));
    }
    s.AddAll(chunk);
  }
  const double t = CpuSeconds() - t0;
  if (s[0].count != static_cast<int64_t>(items.size())) {
    std::abort();
  }
  return t;
}

struct Row {
  size_t d = 0, keys = 0;
  RibltResult plain, side;
  double mean = 0;
  int trials = 0;
  MerkleResult merkle;
  uint64_t best_merkle_bytes = 0;
};

unsigned long long U(uint64_t x) { return static_cast<unsigned long long>(x); }

int Main(int argc, char** argv) {
  size_t n = 1000000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--n") == 0) {
      n = std::strtoull(argv[i + 1], nullptr, 10);
    }
  }
  Prng rng(20261207);
  std::vector<Item> local(n);
  for (Item& it : local) {
    it = Item{rng.Next64(), rng.Next64()};
  }
  const MerkleOptions shape{4, 4};  // 65,536 leaves: about 15 keys a leaf at N = 1M
  double t0 = CpuSeconds();
  MerkleTree local_tree(kHasher, shape);
  for (const Item& it : local) {
    local_tree.Upsert(it);
  }
  const double tree_build_s = CpuSeconds() - t0;

  struct Trials {
    size_t d;
    int trials;
  };
  const Trials runs[] = {{1, 2000}, {10, 2000}, {100, 1000}, {1000, 100}, {10000, 8}, {100000, 3}};
  std::vector<Row> rows;
  std::vector<Planted> planted;
  bool all_ok = true;
  for (const Trials& run : runs) {
    Row row;
    row.d = run.d;
    planted.push_back(Plant(local, run.d, 1000 + run.d));
    const Planted& p = planted.back();
    row.keys = p.keys;
    row.plain = RunRiblt(local, p, nullptr);
    row.side = RunRiblt(local, p, &local_tree);
    row.merkle = RunMerkle(local_tree, Apply(local_tree, p), p);
    row.mean = MeanSymbolsPerDifference(run.d, run.trials, 77 + run.d);
    row.trials = run.trials;
    all_ok = all_ok && row.plain.ok && row.side.ok && row.merkle.ok;
    rows.push_back(row);
  }

  // Other tree shapes: bytes and round trips of the Merkle exchange on the same differences.
  const MerkleOptions shapes[] = {{1, 16}, {2, 8}, {4, 4}, {1, 20}, {2, 10}, {4, 5}, {3, 6}};
  std::string shape_table = "| fanout, depth, leaves |";
  for (const Row& row : rows) {
    shape_table += " d = " + std::to_string(row.d) + " |";
  }
  shape_table += "\n|---|---|---|---|---|---|---|\n";
  for (const MerkleOptions& o : shapes) {
    MerkleTree base(kHasher, o);
    for (const Item& it : local) {
      base.Upsert(it);
    }
    char buf[128];
    std::snprintf(buf, sizeof(buf), "| %u, %u, %llu |", base.fanout(), base.depth(),
                  U(base.node_count(base.depth())));
    shape_table += buf;
    for (size_t k = 0; k < rows.size(); ++k) {
      const MerkleResult mr = RunMerkle(base, Apply(base, planted[k]), planted[k]);
      all_ok = all_ok && mr.ok;
      if (rows[k].best_merkle_bytes == 0 || mr.bytes < rows[k].best_merkle_bytes) {
        rows[k].best_merkle_bytes = mr.bytes;
      }
      std::snprintf(buf, sizeof(buf), " %llu (%d) |", U(mr.bytes), (mr.messages + 1) / 2);
      shape_table += buf;
    }
    shape_table += "\n";
  }

  std::printf("N = %zu keys, one range. d = differing items (a key whose state differs is two);\n",
              n);
  std::printf("a third each: keys deleted, added, changed at the remote side. Merkle: fanout %u,\n",
              local_tree.fanout());
  std::printf("depth %u (built from scratch in %.2f s). RIBLT symbol = %llu bytes on the wire.\n\n",
              local_tree.depth(), tree_build_s, U(kItemSymbolWireBytes));
  std::printf("Bytes and round trips:\n\n");
  std::printf(
      "| d | keys | RIBLT symbols | sym/diff | mean sym/diff (trials) | sym/diff, side info |"
      " RIBLT bytes | RIBLT bytes, side info | Merkle bytes | RIBLT/Merkle | side info/Merkle |"
      " RIBLT/best-shape Merkle | RIBLT RT | Merkle RT |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const Row& r : rows) {
    std::printf(
        "| %zu | %zu | %zu | %.3f | %.3f (%d) | %.3f | %llu | %llu | %llu | %.3f | %.3f | %.3f |"
        " 1 | %d |\n",
        r.d, r.keys, r.plain.needed, double(r.plain.needed) / double(r.d), r.mean, r.trials,
        double(r.side.needed) / double(r.d), U(r.plain.bytes), U(r.side.bytes), U(r.merkle.bytes),
        double(r.plain.bytes) / double(r.merkle.bytes),
        double(r.side.bytes) / double(r.merkle.bytes),
        double(r.plain.bytes) / double(r.best_merkle_bytes), (r.merkle.messages + 1) / 2);
  }
  std::printf("\nCPU time (this thread):\n\n");
  std::printf(
      "| d | RIBLT encode, both sides from scratch, ms | RIBLT decode ms | decoded diffs/s |"
      " decode with side info ms | Merkle exchange ms |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (const Row& r : rows) {
    std::printf("| %zu | %.1f | %.3f | %.2fM | %.3f | %.3f |\n", r.d, r.plain.encode_s * 1e3,
                r.plain.decode_s * 1e3, double(r.d) / r.plain.decode_s / 1e6, r.side.decode_s * 1e3,
                r.merkle.cpu_s * 1e3);
  }
  std::printf("\nMerkle exchange bytes (round trips) by tree shape:\n\n%s", shape_table.c_str());
  std::printf("\nSketch of M symbols built from scratch over %zu items (checksums included):\n\n",
              n);
  std::printf("| M | CPU s |\n|---|---|\n");
  for (size_t m :
       {size_t{1}, size_t{1024}, size_t{1400}, size_t{4096}, size_t{16384}, size_t{140000}}) {
    std::printf("| %zu | %.3f |\n", m, SketchBuildSeconds(local, m));
  }
  if (!all_ok) {
    std::printf("\nWRONG: some exchange did not find exactly the planted keys\n");
  }
  return all_ok ? 0 : 1;
}

}  // namespace
}  // namespace starling::riblt

int main(int argc, char** argv) { return starling::riblt::Main(argc, argv); }
