// Random: the only way randomness reaches the deterministic core (DESIGN.md section 2).
//
// Core code never uses std::random_device, rand() or <random> distributions (their output
// differs between standard libraries). It is handed a Random at construction. Prng is our own
// seeded generator (xoshiro256**, seeded by splitmix64): the same seed gives the same
// sequence on every machine and compiler. Not thread-safe; one owner.
#pragma once

#include <cstdint>
#include <string>

namespace starling {

class Random {
 public:
  virtual ~Random() = default;
  virtual uint64_t Next64() = 0;

  // Uniform in [0, n). REQUIRES: n > 0. Unbiased (Lemire's multiply-and-reject).
  uint64_t Uniform(uint64_t n);
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int64_t Range(int64_t lo, int64_t hi);
  // Uniform in [0, 1), 53 random bits.
  double NextDouble();
  // True with probability p.
  bool Bernoulli(double p) { return NextDouble() < p; }
  // `n` random bytes.
  std::string Bytes(size_t n);
};

class Prng final : public Random {
 public:
  explicit Prng(uint64_t seed);
  uint64_t Next64() override;
  // A generator whose stream is independent of this one's; advances this one.
  Prng Fork();

 private:
  uint64_t s_[4];
};

// splitmix64 step: a good 64-bit mixer, also used to derive seeds.
uint64_t SplitMix64(uint64_t& state);

// A seed from the operating system, for process mains only. The core never calls it.
uint64_t SeedFromOs();

}  // namespace starling
