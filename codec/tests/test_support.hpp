// Small helpers shared by the codec unit tests: byte vectors, hex dumps, encode/decode shortcuts.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "gauntlet/codec/codec.hpp"

namespace gauntlet::codec::test {

using Bytes = std::vector<std::uint8_t>;

/// "30 0a 00 03 ..." for failure messages.
inline std::string hex(ByteView bytes) {
  return to_hex(bytes, " ");
}

/// Encodes a packet that must encode; fails the current test otherwise.
inline Bytes encode_ok(const Packet& packet, ProtocolVersion version,
                       const Malformation* malformation = nullptr) {
  Bytes out;
  const auto error = encode(packet, version, out, malformation);
  EXPECT_FALSE(error.has_value()) << "encode failed: " << (error ? error->field : "") << ": "
                                  << (error ? error->reason : "");
  return out;
}

inline DecodeOptions options_for(ProtocolVersion version, bool strict = true,
                                 Sender sender = Sender::unknown) {
  DecodeOptions options;
  options.version = version;
  options.strict = strict;
  options.sender = sender;
  return options;
}

/// Decodes in strict mode at `version`.
inline DecodeResult decode_at(ByteView bytes, ProtocolVersion version,
                              Sender sender = Sender::unknown) {
  return decode(bytes, options_for(version, true, sender));
}

/// The error of a decode that must fail, or a default Error (with a test failure) otherwise.
inline Error decode_error(ByteView bytes, ProtocolVersion version,
                          Sender sender = Sender::unknown) {
  const DecodeResult result = decode_at(bytes, version, sender);
  EXPECT_TRUE(result.failed()) << "expected an error decoding " << hex(bytes);
  return result.failed() ? result.error() : Error{};
}

inline std::string describe(const DecodeResult& result) {
  if (result.ok()) return "packet of " + std::to_string(result.consumed()) + " bytes";
  if (result.need_more()) return "need_more(" + std::to_string(result.bytes_needed()) + ")";
  return result.error().to_string();
}

inline constexpr ProtocolVersion all_versions[] = {ProtocolVersion::v3_1, ProtocolVersion::v3_1_1,
                                                   ProtocolVersion::v5};

}  // namespace gauntlet::codec::test

namespace gauntlet::codec {
// Readable names in GoogleTest failure messages.
inline void PrintTo(Rule rule, std::ostream* os) {
  *os << rule_name(rule);
}
inline void PrintTo(ProtocolVersion version, std::ostream* os) {
  *os << to_string(version);
}
inline void PrintTo(PacketType type, std::ostream* os) {
  *os << to_string(type);
}
inline void PrintTo(const TopicIssue& issue, std::ostream* os) {
  *os << rule_name(issue.rule) << " at " << issue.offset;
}
inline void PrintTo(const Utf8Issue& issue, std::ostream* os) {
  *os << rule_name(issue.rule) << " at " << issue.offset;
}
inline void PrintTo(const Error& error, std::ostream* os) {
  *os << error.to_string();
}
}  // namespace gauntlet::codec
