// Encoding of every packet at every protocol level, plus deliberate malformations for tests and
// fuzzing (DESIGN.md §3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "gauntlet/codec/error.hpp"
#include "gauntlet/codec/packet.hpp"
#include "gauntlet/codec/types.hpp"

namespace gauntlet::codec {

/// Overrides that make the encoder write a packet that breaks the rules on purpose. Every member
/// left empty keeps the correct encoding.
struct Malformation {
  /// Write this Remaining Length instead of the real one (the body is written unchanged).
  std::optional<std::uint32_t> remaining_length;
  /// Write the Remaining Length in this many bytes (1-5), padding with continuation bytes: an
  /// over-long (non-minimal) encoding, or with 5 a form no receiver may accept.
  std::optional<std::uint8_t> remaining_length_width;
  /// Low nibble of the first byte.
  std::optional<std::uint8_t> fixed_header_flags;
  /// High nibble of the first byte (e.g. 0 or 15 for reserved types).
  std::optional<std::uint8_t> packet_type;
  /// CONNECT: the Protocol Level byte written instead of Connect::version.
  std::optional<std::uint8_t> protocol_level;
  /// CONNECT: the whole Connect Flags byte. CONNACK: the whole Acknowledge Flags byte.
  std::optional<std::uint8_t> flags_byte;
  /// SUBSCRIBE: bits OR-ed into every subscription options byte (reserved bits 6-7, or 2-7
  /// below 5.0).
  std::optional<std::uint8_t> subscription_options_bits;
  /// The packet's own Property Length (5.0), written instead of the real one.
  std::optional<std::uint32_t> property_length;
  /// Length prefixes written instead of the real lengths, by field name (the names used in
  /// Error::field, e.g. "connect.client_id", "publish.topic", "subscribe.filter").
  struct StringLength {
    std::string_view field;
    std::uint16_t length;
  };
  std::vector<StringLength> string_lengths;
  /// Bytes appended after the body (counted in the Remaining Length unless it is overridden).
  std::vector<std::uint8_t> trailing;
  /// Cut the encoded packet to this many bytes (after everything else).
  std::optional<std::size_t> truncate_to;

  [[nodiscard]] bool empty() const noexcept;
};

/// What went wrong when a packet cannot be encoded (a string above 65,535 bytes, a packet above the
/// largest Remaining Length, a 3.1/3.1.1 packet type given for 5.0 only, ...).
struct EncodeError {
  std::string_view field;
  std::string_view reason;
};

/// Appends the encoding of `packet` for `version` to `out`. On error `out` is left as it was.
/// The encoder writes fields as given — a topic with a wildcard, a QoS of 3 — and refuses only
/// what cannot be put on the wire at all (lengths above 16 bits, sizes above the largest Remaining
/// Length, AUTH below 5.0). A CONNECT is always laid out for its own Connect::version.
std::optional<EncodeError> encode(const Packet& packet, ProtocolVersion version,
                                  std::vector<std::uint8_t>& out,
                                  const Malformation* malformation = nullptr);

/// The size of the correct encoding (no malformation), or nullopt where encode() would fail.
std::optional<std::size_t> encoded_size(const Packet& packet, ProtocolVersion version);

/// Writes a Variable Byte Integer in `width` bytes (0 = minimal; a width below the minimum is
/// raised to it; up to 5 bytes, which no receiver may accept). Returns the bytes written.
std::size_t write_variable_int(std::uint32_t value, std::vector<std::uint8_t>& out,
                               std::uint8_t width = 0);

}  // namespace gauntlet::codec
