#include "gauntlet/codec/hex.hpp"

namespace gauntlet::codec {
namespace {

int digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool separator(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':' || c == '-' || c == ',';
}

}  // namespace

std::string to_hex(ByteView bytes, std::string_view separator) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * (2 + separator.size()));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i != 0) text.append(separator);
    text.push_back(digits[bytes[i] >> 4U]);
    text.push_back(digits[bytes[i] & 0x0FU]);
  }
  return text;
}

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text, HexError* error) {
  std::vector<std::uint8_t> bytes;
  bytes.reserve(text.size() / 2);
  std::size_t i = 0;
  auto fail = [&](std::size_t at, std::string_view reason) {
    if (error != nullptr) *error = HexError{at, reason};
    return std::nullopt;
  };
  while (i < text.size()) {
    if (separator(text[i])) {
      ++i;
      continue;
    }
    if (text[i] == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
      i += 2;
      continue;
    }
    const int high = digit(text[i]);
    if (high < 0) return fail(i, "not a hex digit");
    if (i + 1 >= text.size() || separator(text[i + 1])) return fail(i, "odd number of hex digits");
    const int low = digit(text[i + 1]);
    if (low < 0) return fail(i + 1, "not a hex digit");
    bytes.push_back(static_cast<std::uint8_t>((high << 4) | low));
    i += 2;
  }
  return bytes;
}

}  // namespace gauntlet::codec
