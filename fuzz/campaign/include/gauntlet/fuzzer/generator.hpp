// Makes fuzzing sequences (DESIGN.md §8): fresh ones from a model of the protocol's state — clients
// that connect before they act, QoS 2 flows that get their PUBREL, subscriptions that wildcards and
// shared groups match, retained messages, wills, topic aliases, Receive Maximum, session takeover
// and resume, AUTH — and new ones from corpus entries (a packet mutated again, steps removed,
// repeated or spliced from another entry). Every packet may be mutated by gauntlet::netfuzz.
// Deterministic: the same seed and calls give the same sequences.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "gauntlet/codec/types.hpp"
#include "gauntlet/fuzzer/sequence.hpp"
#include "gauntlet/netfuzz/mutator.hpp"

namespace gauntlet::fuzzer {

struct GeneratorConfig {
  /// Protocol levels the clients speak (the profile's); at least one.
  std::set<codec::ProtocolVersion> protocols = {codec::ProtocolVersion::v3_1_1,
                                                codec::ProtocolVersion::v5};
  std::uint32_t max_clients = 3;
  std::uint32_t min_steps = 4;  ///< steps after the first CONNECT
  std::uint32_t max_steps = 16;
  /// Chance (percent) that a packet other than CONNECT is mutated; CONNECT gets a fifth of it (a
  /// broken CONNECT ends the connection, and everything after it with it).
  std::uint32_t mutate_percent = 10;
  netfuzz::MutationBudget budget{};
};

/// The lane token in client ids and topics ("gf/L07/a", "gfL07a"): sequences that run side by side
/// use different lanes, so they never share a session or a topic.
std::string lane_token(std::uint32_t lane);
/// Rewrites every lane token of `sequence` to `lane` (tokens have one length, so no length field
/// changes).
void move_to_lane(Sequence& sequence, std::uint32_t lane);

class Generator {
 public:
  Generator(std::uint64_t seed, GeneratorConfig config);

  /// A fresh sequence for `lane`, from the protocol model.
  Sequence generate(std::uint32_t lane);
  /// A variation of `parent` (a corpus entry), possibly spliced with `other`, for `lane`.
  Sequence evolve(const Sequence& parent, const Sequence& other, std::uint32_t lane);

  netfuzz::Rng& rng() noexcept { return mutator_.rng(); }

 private:
  struct Builder;
  GeneratorConfig config_;
  netfuzz::Mutator mutator_;
};

}  // namespace gauntlet::fuzzer
