// The generator's only source of randomness: xoshiro256** seeded through splitmix64, with the
// few draws the model needs written out here. No <random> distributions and no libm, so the
// bytes depend only on the flags, not on the compiler or standard library.
//
// Every draw advances one shared stream, so the order of calls is part of the output: moving a
// draw before or after another changes every byte after it. Not thread-safe; one per Generator.

#pragma once

#include <cstddef>
#include <cstdint>

namespace gen {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& w : s_) w = splitmix64(x);
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n), multiply-shift on the top 32 bits (n < 2^32).
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(((next() >> 32) * n) >> 32); }
  // Uniform in [lo, hi].
  uint32_t between(uint32_t lo, uint32_t hi) { return lo + below(hi - lo + 1); }
  bool percent(uint32_t p) { return below(100) < p; }
  bool per_million(uint32_t p) { return below(1000000) < p; }
  // Uniform in [0, 1) with 53 bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // An index into `w`, drawn with probability w[i] / sum(w).
  template <size_t N>
  size_t weighted(const uint16_t (&w)[N]) {
    uint32_t total = 0;
    for (uint16_t x : w) total += x;
    uint32_t r = below(total);
    for (size_t i = 0; i < N; ++i) {
      if (r < w[i]) return i;
      r -= w[i];
    }
    return N - 1;
  }

  // Also used on its own to stretch one draw into several (the JWT signature).
  static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace gen
