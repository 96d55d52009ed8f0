// Hexadecimal text <-> bytes, for captures, test vectors and the CLI.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gauntlet/codec/bytes.hpp"

namespace gauntlet::codec {

/// Lower-case hex; `separator` goes between bytes ("30 0a 00 03" with " ").
std::string to_hex(ByteView bytes, std::string_view separator = {});

struct HexError {
  std::size_t offset;  ///< character offset of the problem in the text
  std::string_view reason;
};

/// Parses hex digits, ignoring white space, ':' and '-' between bytes and an optional "0x" prefix
/// on each group. On failure returns nullopt and fills `error`.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text, HexError* error = nullptr);

}  // namespace gauntlet::codec
