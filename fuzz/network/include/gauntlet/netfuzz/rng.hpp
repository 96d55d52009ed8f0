// A seeded pseudo-random generator whose output is the same with every compiler and standard
// library: xoshiro256** seeded through splitmix64, with its own bounded draws (the standard
// distributions differ between libstdc++ and libc++, which would make a fuzzing seed useless on
// another machine).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace gauntlet::netfuzz {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept {
    for (std::uint64_t& word : state_) {
      seed += 0x9E3779B97F4A7C15ULL;  // splitmix64: spreads any seed, even 0, over all 256 bits
      std::uint64_t z = seed;
      z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
      word = z ^ (z >> 31U);
    }
  }

  /// The next 64 random bits (xoshiro256**).
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17U;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// Uniform in [0, bound); 0 when bound is 0. Unbiased: draws below 2^64 mod bound are redrawn.
  std::uint64_t below(std::uint64_t bound) noexcept {
    if (bound == 0) return 0;
    const std::uint64_t threshold = (0 - bound) % bound;
    while (true) {
      const std::uint64_t r = next();
      if (r >= threshold) return r % bound;
    }
  }

  /// Uniform in [low, high] (both included); low when high < low.
  std::uint64_t range(std::uint64_t low, std::uint64_t high) noexcept {
    if (high <= low) return low;
    if (high - low == UINT64_MAX) return next();
    return low + below(high - low + 1);
  }

  /// True with probability percent / 100.
  bool chance(unsigned percent) noexcept { return below(100) < percent; }

  /// A uniformly chosen element (the span must not be empty).
  template <typename T>
  const T& pick(std::span<const T> items) noexcept {
    return items[static_cast<std::size_t>(below(items.size()))];
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, unsigned k) noexcept {
    return (x << k) | (x >> (64U - k));
  }
  std::array<std::uint64_t, 4> state_{};
};

}  // namespace gauntlet::netfuzz
