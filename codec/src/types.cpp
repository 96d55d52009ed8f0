#include "gauntlet/codec/types.hpp"

#include <array>

namespace gauntlet::codec {

std::string_view to_string(ProtocolVersion version) noexcept {
  switch (version) {
    case ProtocolVersion::v3_1:
      return "3.1";
    case ProtocolVersion::v3_1_1:
      return "3.1.1";
    case ProtocolVersion::v5:
      return "5";
  }
  return "unknown";
}

std::optional<ProtocolVersion> parse_protocol_version(std::string_view text) noexcept {
  if (text == "3.1" || text == "3") return ProtocolVersion::v3_1;
  if (text == "3.1.1" || text == "4") return ProtocolVersion::v3_1_1;
  if (text == "5" || text == "5.0") return ProtocolVersion::v5;
  return std::nullopt;
}

namespace {
constexpr std::array<std::string_view, 16> packet_names = {
    "RESERVED", "CONNECT",  "CONNACK",    "PUBLISH", "PUBACK",      "PUBREC",
    "PUBREL",   "PUBCOMP",  "SUBSCRIBE",  "SUBACK",  "UNSUBSCRIBE", "UNSUBACK",
    "PINGREQ",  "PINGRESP", "DISCONNECT", "AUTH"};
}  // namespace

std::string_view to_string(PacketType type) noexcept {
  return packet_names[static_cast<std::size_t>(type) & 0x0FU];
}

std::optional<PacketType> parse_packet_type(std::string_view name) noexcept {
  for (std::size_t i = 1; i < packet_names.size(); ++i) {
    if (packet_names[i] == name) return static_cast<PacketType>(i);
  }
  return std::nullopt;
}

std::string_view to_string(Sender sender) noexcept {
  switch (sender) {
    case Sender::client:
      return "client";
    case Sender::server:
      return "server";
    case Sender::unknown:
      break;
  }
  return "unknown";
}

}  // namespace gauntlet::codec
