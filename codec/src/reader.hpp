// Internal: a bounds-checked reader over one block of bytes. Every length-prefixed block is read
// through its own sub-reader, so a length that lies is caught at the block's own boundary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "gauntlet/codec/bytes.hpp"

namespace gauntlet::codec::detail {

/// Result of reading a Variable Byte Integer.
struct VariableInt {
  std::uint32_t value = 0;
  std::uint8_t size = 0;  ///< bytes used
  bool minimal = true;    ///< false for an over-long encoding (e.g. 0x80 0x00 for 0)
};

/// Bytes a Variable Byte Integer needs for `value` (1 to 4).
constexpr std::size_t minimal_variable_int_size(std::uint32_t value) noexcept {
  return value < 128U ? 1 : value < 16'384U ? 2 : value < 2'097'152U ? 3 : 4;
}

enum class VariableIntStatus { ok, need_more, too_long };

/// Decodes a Variable Byte Integer of at most four bytes from the start of `bytes`.
inline VariableIntStatus read_variable_int(ByteView bytes, VariableInt& out) noexcept {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (i >= bytes.size()) return VariableIntStatus::need_more;
    const std::uint8_t byte = bytes[i];
    value |= static_cast<std::uint32_t>(byte & 0x7FU) << (7U * i);
    if ((byte & 0x80U) == 0) {
      out.value = value;
      out.size = static_cast<std::uint8_t>(i + 1);
      // The last byte of a minimal encoding is non-zero unless the value is a single 0 byte.
      out.minimal = (i == 0) || byte != 0;
      return VariableIntStatus::ok;
    }
  }
  return VariableIntStatus::too_long;
}

class Reader {
 public:
  /// `base` is the offset of bytes[0] inside the packet, for error positions.
  Reader(ByteView bytes, std::size_t base) noexcept : bytes_(bytes), base_(base) {}

  [[nodiscard]] std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
  [[nodiscard]] bool at_end() const noexcept { return pos_ == bytes_.size(); }
  /// Offset of the next byte inside the packet.
  [[nodiscard]] std::size_t offset() const noexcept { return base_ + pos_; }

  bool u8(std::uint8_t& out) noexcept {
    if (remaining() < 1) return false;
    out = bytes_[pos_++];
    return true;
  }
  bool u16(std::uint16_t& out) noexcept {
    if (remaining() < 2) return false;
    out = static_cast<std::uint16_t>((bytes_[pos_] << 8U) | bytes_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u32(std::uint32_t& out) noexcept {
    if (remaining() < 4) return false;
    out = (static_cast<std::uint32_t>(bytes_[pos_]) << 24U) |
          (static_cast<std::uint32_t>(bytes_[pos_ + 1]) << 16U) |
          (static_cast<std::uint32_t>(bytes_[pos_ + 2]) << 8U) | bytes_[pos_ + 3];
    pos_ += 4;
    return true;
  }
  VariableIntStatus variable_int(VariableInt& out) noexcept {
    const VariableIntStatus status = read_variable_int(bytes_.subspan(pos_), out);
    if (status == VariableIntStatus::ok) pos_ += out.size;
    return status;
  }
  /// A block of `size` bytes as a view.
  bool bytes(std::size_t size, ByteView& out) noexcept {
    if (remaining() < size) return false;
    out = bytes_.subspan(pos_, size);
    pos_ += size;
    return true;
  }
  /// Two-byte length prefix, then that many bytes.
  bool prefixed(ByteView& out) noexcept {
    std::uint16_t length = 0;
    const std::size_t start = pos_;
    if (!u16(length) || !bytes(length, out)) {
      pos_ = start;
      return false;
    }
    return true;
  }
  /// The rest of the block.
  ByteView rest() noexcept {
    ByteView out = bytes_.subspan(pos_);
    pos_ = bytes_.size();
    return out;
  }

 private:
  ByteView bytes_;
  std::size_t base_;
  std::size_t pos_ = 0;
};

}  // namespace gauntlet::codec::detail
