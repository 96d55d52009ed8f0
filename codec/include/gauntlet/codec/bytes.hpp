// Byte views used throughout the codec. Decoded packets never own their strings or payloads: they
// are views into the buffer that was decoded, so decoding a PUBLISH allocates nothing.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace gauntlet::codec {

/// A read-only view of bytes that compares by content (std::span compares by nothing at all).
class ByteView : public std::span<const std::uint8_t> {
 public:
  using std::span<const std::uint8_t>::span;
  constexpr ByteView() noexcept = default;
  constexpr ByteView(std::span<const std::uint8_t> bytes) noexcept  // NOLINT: implicit by design
      : std::span<const std::uint8_t>(bytes) {}

  /// The bytes of a string, e.g. a payload given as text.
  static ByteView of(std::string_view text) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};  // NOLINT
  }
  /// The same bytes seen as characters (MQTT strings are length-prefixed bytes).
  [[nodiscard]] std::string_view as_chars() const noexcept {
    return {reinterpret_cast<const char*>(data()), size()};  // NOLINT
  }

  friend bool operator==(ByteView a, ByteView b) noexcept { return std::ranges::equal(a, b); }
};

}  // namespace gauntlet::codec
