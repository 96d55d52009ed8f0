// Minimises a failing sequence (DESIGN.md §8: packets first, then bytes): steps are removed in
// halving chunks while the failure still holds (delta debugging), then each packet is made smaller
// — a property, a will, a payload, a subscription removed through the codec's model, or the tail
// of a packet that no longer decodes cut with its Remaining Length repaired — while it still holds.
// The predicate replays the candidate against the broker, so every trial is bounded by a budget.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "gauntlet/fuzzer/sequence.hpp"

namespace gauntlet::fuzzer {

/// Smaller variants of one packet, smallest first; none of them is `bytes` itself.
std::vector<Bytes> smaller_packets(const Bytes& bytes, codec::ProtocolVersion version);

/// Removes the client slots that have no step left and renumbers the others.
void drop_unused_clients(Sequence& sequence);

class Shrinker {
 public:
  using Predicate = std::function<bool(const Sequence&)>;
  Shrinker(Sequence start, Predicate holds) : best_(std::move(start)), holds_(std::move(holds)) {}

  /// At most `max_trials` calls of the predicate; returns the smallest sequence that held.
  Sequence run(std::size_t max_trials);
  [[nodiscard]] std::size_t trials() const noexcept { return trials_; }

 private:
  bool attempt(const Sequence& candidate);
  void remove_steps();
  void shrink_packets();

  Sequence best_;
  Predicate holds_;
  std::size_t trials_ = 0;
  std::size_t budget_ = 0;
};

}  // namespace gauntlet::fuzzer
