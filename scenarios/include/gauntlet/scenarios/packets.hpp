// Scenario JSON (already validated, templates expanded) to codec values: property blocks, the
// messages of publish steps and wills, and the raw packets of send steps with their malformations.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gauntlet/codec/codec.hpp"
#include "gauntlet/scenarios/model.hpp"

namespace gauntlet::scenarios {

/// {"session_expiry_interval": 30, "user_property": [["k", "v"]], ...} in the order written.
codec::PropertyBuilder build_properties(const Json& properties);

/// "payload" (text) or "payload_hex" of a message; empty when neither is given.
std::vector<std::uint8_t> build_payload(const Json& message);

/// The bytes of a send step's argument: {"hex"} as written, or {"packet", "malform"} encoded at
/// `version`. An encoding the codec refuses comes back as an error message in `error`.
std::vector<std::uint8_t> build_raw(const Json& send, codec::ProtocolVersion version,
                                    std::string& error);

}  // namespace gauntlet::scenarios
