#include "gauntlet/codec/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace gauntlet::codec {

// Hand-written because no Debian C++ library offers a non-throwing, allocation-free validator that
// also reports the offset and tells U+0000 apart; this is RFC 3629's table 3-7 as code.
std::optional<Utf8Issue> check_utf8(std::string_view text) noexcept {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());  // NOLINT
  const std::size_t size = text.size();
  std::size_t i = 0;
  while (i < size) {
    // ASCII fast path, eight bytes at a time where possible.
    while (i + 8 <= size) {
      std::uint64_t word = 0;
      std::memcpy(&word, bytes + i, 8);  // one load; the tests below do not depend on byte order
      // Stop on a high bit (non-ASCII) or a zero byte.
      const bool has_high = (word & 0x8080808080808080ULL) != 0;
      const bool has_zero = ((word - 0x0101010101010101ULL) & ~word & 0x8080808080808080ULL) != 0;
      if (has_high || has_zero) break;
      i += 8;
    }
    if (i >= size) break;
    const std::uint8_t lead = bytes[i];
    if (lead == 0) return Utf8Issue{Rule::utf8_null_character, i};
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint8_t low = 0x80;
    std::uint8_t high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead == 0xE0) {
      length = 3;
      low = 0xA0;  // no overlong three-byte forms
    } else if (lead == 0xED) {
      length = 3;
      high = 0x9F;  // no surrogates U+D800..U+DFFF
    } else if (lead >= 0xE1 && lead <= 0xEF) {
      length = 3;
    } else if (lead == 0xF0) {
      length = 4;
      low = 0x90;  // no overlong four-byte forms
    } else if (lead >= 0xF1 && lead <= 0xF3) {
      length = 4;
    } else if (lead == 0xF4) {
      length = 4;
      high = 0x8F;  // nothing above U+10FFFF
    } else {
      return Utf8Issue{Rule::utf8_ill_formed, i};  // 0x80-0xC1, 0xF5-0xFF
    }
    if (i + length > size) return Utf8Issue{Rule::utf8_ill_formed, i};
    if (bytes[i + 1] < low || bytes[i + 1] > high) return Utf8Issue{Rule::utf8_ill_formed, i};
    for (std::size_t k = 2; k < length; ++k) {
      if ((bytes[i + k] & 0xC0U) != 0x80U) return Utf8Issue{Rule::utf8_ill_formed, i};
    }
    i += length;
  }
  return std::nullopt;
}

}  // namespace gauntlet::codec
