// Scenario files to the validated model (docs/scenarios.md). Every rule of the language is checked
// here, before anything connects, and a broken rule comes back as a FileError with its position.
#pragma once

#include <string>
#include <variant>

#include "gauntlet/scenarios/model.hpp"
#include "gauntlet/scenarios/source.hpp"

namespace gauntlet::scenarios {

std::variant<Scenario, FileError> parse_scenario(const SourceDocument& document);
std::variant<Scenario, FileError> load_scenario(const std::string& path);

/// The packet type a scenario names in lower case ("connack", "pubrec", ...).
std::optional<codec::PacketType> packet_kind(std::string_view name);

/// Reason codes as scenario files write them: 135, "0x87" or a name ("not_authorized"). The
/// name is looked up for `packet` at 5.0 and at 3.1.1 (CONNACK return codes).
std::optional<std::uint8_t> parse_reason_code(const Json& value, codec::PacketType packet);

}  // namespace gauntlet::scenarios
