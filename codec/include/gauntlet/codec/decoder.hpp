// Sans-IO decoding: bytes in, one packet (or "need more", or a located violation) out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "gauntlet/codec/bytes.hpp"
#include "gauntlet/codec/error.hpp"
#include "gauntlet/codec/packet.hpp"
#include "gauntlet/codec/types.hpp"

namespace gauntlet::codec {

/// The largest Remaining Length the Variable Byte Integer can express.
inline constexpr std::uint32_t max_remaining_length = 268'435'455;

struct DecodeOptions {
  /// Layout used for every packet except CONNECT, which names its own level.
  ProtocolVersion version = ProtocolVersion::v3_1_1;
  /// Strict reports every rule; lenient stops only at structural rules (see Rule).
  bool strict = true;
  /// Maximum size of a whole packet (fixed header included), checked before the body is read.
  std::size_t max_packet_size = max_remaining_length + 5;
  Sender sender = Sender::unknown;
  /// In lenient mode, non-structural violations are appended here (when set) and decoding goes on.
  std::vector<Error>* violations = nullptr;
};

/// The fixed header, readable as soon as its bytes have arrived.
struct FixedHeader {
  std::uint8_t first_byte = 0;
  std::uint32_t remaining_length = 0;
  std::size_t header_size = 0;  ///< 2 to 5 bytes
  [[nodiscard]] PacketType type() const noexcept {
    return static_cast<PacketType>(first_byte >> 4);
  }
  [[nodiscard]] std::uint8_t flags() const noexcept { return first_byte & 0x0F; }
  [[nodiscard]] std::size_t packet_size() const noexcept { return header_size + remaining_length; }
};

struct NeedMore {
  std::size_t bytes = 1;  ///< at least this many more bytes are needed
};

struct Decoded {
  Packet packet;
  std::size_t consumed = 0;  ///< the size of the packet on the wire
};

class DecodeResult {
 public:
  DecodeResult(NeedMore need) : value_(need) {}                  // NOLINT: implicit by design
  DecodeResult(Decoded decoded) : value_(std::move(decoded)) {}  // NOLINT
  DecodeResult(Error error) : value_(error) {}                   // NOLINT

  [[nodiscard]] bool ok() const noexcept { return std::holds_alternative<Decoded>(value_); }
  [[nodiscard]] bool need_more() const noexcept { return std::holds_alternative<NeedMore>(value_); }
  [[nodiscard]] bool failed() const noexcept { return std::holds_alternative<Error>(value_); }

  [[nodiscard]] const Packet& packet() const { return std::get<Decoded>(value_).packet; }
  [[nodiscard]] Packet& packet() { return std::get<Decoded>(value_).packet; }
  [[nodiscard]] std::size_t consumed() const { return std::get<Decoded>(value_).consumed; }
  [[nodiscard]] const Error& error() const { return std::get<Error>(value_); }
  [[nodiscard]] std::size_t bytes_needed() const { return std::get<NeedMore>(value_).bytes; }

 private:
  std::variant<NeedMore, Decoded, Error> value_;
};

/// Reads the fixed header at the start of `input`: need-more, the header, or an error (reserved
/// packet type is not checked here; an over-long Variable Byte Integer and a size above
/// `max_packet_size` are).
std::variant<NeedMore, FixedHeader, Error> read_fixed_header(ByteView input,
                                                             const DecodeOptions& options) noexcept;

/// Decodes the packet at the start of `input`. Bytes after that packet are left alone.
DecodeResult decode(ByteView input, const DecodeOptions& options);

}  // namespace gauntlet::codec
