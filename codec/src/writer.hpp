// Internal: appends big-endian integers and length-prefixed strings to a byte vector.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "gauntlet/codec/bytes.hpp"

namespace gauntlet::codec::detail {

class Writer {
 public:
  explicit Writer(std::vector<std::uint8_t>& out) noexcept : out_(out) {}
  void u8(std::uint8_t value) { out_.push_back(value); }
  void u16(std::uint16_t value) {
    out_.push_back(static_cast<std::uint8_t>(value >> 8U));
    out_.push_back(static_cast<std::uint8_t>(value));
  }
  void u32(std::uint32_t value) {
    for (unsigned shift = 24;; shift -= 8) {
      out_.push_back(static_cast<std::uint8_t>(value >> shift));
      if (shift == 0) break;
    }
  }
  void raw(ByteView bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }
  /// Two-byte length (truncated to 16 bits: callers check lengths first), then the bytes.
  void prefixed(std::string_view text) { prefixed(text, static_cast<std::uint16_t>(text.size())); }
  void prefixed(std::string_view text, std::uint16_t length) {
    u16(length);
    raw(ByteView::of(text));
  }

 private:
  std::vector<std::uint8_t>& out_;
};

}  // namespace gauntlet::codec::detail
