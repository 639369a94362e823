#include "base/random.h"

#include <fcntl.h>
#include <unistd.h>

namespace starling {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Random::Uniform(uint64_t n) {
  // Lemire, "Fast Random Integer Generation in an Interval" (2019).
  uint64_t x = Next64();
  __uint128_t m = static_cast<__uint128_t>(x) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    uint64_t threshold = -n % n;
    while (low < threshold) {
      x = Next64();
      m = static_cast<__uint128_t>(x) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

int64_t Random::Range(int64_t lo, int64_t hi) {
  uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<int64_t>(Next64());
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + Uniform(span + 1));
}

double Random::NextDouble() { return static_cast<double>(Next64() >> 11) * 0x1.0p-53; }

std::string Random::Bytes(size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = Next64();
    for (size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<char>(v >> (8 * j));
  }
  return out;
}

Prng::Prng(uint64_t seed) {
  uint64_t st = seed;
  for (auto& s : s_) s = SplitMix64(st);
}

static inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t Prng::Next64() {
  // xoshiro256** (Blackman and Vigna).
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

Prng Prng::Fork() { return Prng(Next64() ^ 0x5851f42d4c957f2dULL); }

uint64_t SeedFromOs() {
  uint64_t seed = 0;
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = ::read(fd, &seed, sizeof(seed));
    ::close(fd);
    if (n == sizeof(seed)) return seed;
  }
  // /dev/urandom is missing only in broken sandboxes; the address of a local is better
  // than a constant there.
  return reinterpret_cast<uintptr_t>(&seed) * 0x9e3779b97f4a7c15ULL;
}

}  // namespace starling
