// UTF-8 validation as MQTT requires it (RFC 3629 well-formedness, no surrogates, no U+0000).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "gauntlet/codec/error.hpp"

namespace gauntlet::codec {

struct Utf8Issue {
  Rule rule;           ///< utf8_ill_formed or utf8_null_character
  std::size_t offset;  ///< offset of the first offending byte inside the string
  friend bool operator==(const Utf8Issue&, const Utf8Issue&) = default;
};

/// Checks a whole string. U+FEFF (EF BB BF) is an ordinary character and is accepted.
std::optional<Utf8Issue> check_utf8(std::string_view text) noexcept;

}  // namespace gauntlet::codec
