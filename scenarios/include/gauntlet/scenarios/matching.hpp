// What a virtual client saw, as values the scenario's matchers compare against, and the matching
// itself (docs/scenarios.md, "Matchers").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gauntlet/client/events.hpp"
#include "gauntlet/codec/types.hpp"
#include "gauntlet/scenarios/model.hpp"

namespace gauntlet::scenarios {

/// One event in a client's inbox.
struct Observation {
  /// The matcher name ("connack", "publish", "closed", ...) or an internal one for command
  /// outcomes: "published" (a QoS 1/2 publish finished), "refused" (the session refused a command).
  std::string kind;
  Json event;  ///< decoded as `gauntlet decode` prints it, or {"type": "CLOSED", "cause": ...}
  std::vector<std::uint8_t> raw;  ///< the packet's bytes, when it was one
  double at_ms = 0;               ///< since the scenario started
};

/// The observation for a session event, if it is one a scenario can wait for (findings are kept
/// apart; PacketReceived of PUBLISH is covered by MessageReceived).
std::optional<Observation> observe(const client::Event& event, codec::ProtocolVersion version,
                                   double at_ms);

/// Whether `observation` satisfies `matcher` (templates already expanded). On a mismatch of the
/// right kind, `why` names the first field that differs. For any_of, `chosen` is the alternative
/// that matched.
bool matches(const Json& matcher, const Observation& observation, std::string& why,
             Json* chosen = nullptr);

/// The kinds a matcher can match ("any_of" lists its alternatives' kinds).
std::vector<std::string> matcher_kinds(const Json& matcher);

}  // namespace gauntlet::scenarios
