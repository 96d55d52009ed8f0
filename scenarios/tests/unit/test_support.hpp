// Helpers shared by the scenario unit tests: documents from strings, the FileError a text must
// produce (rule and exact line:column), and hex.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gauntlet/codec/hex.hpp"
#include "gauntlet/scenarios/parse.hpp"
#include "gauntlet/scenarios/source.hpp"

namespace gauntlet::scenarios::testing {

/// The folder of the test data files (scenarios/tests/unit/data).
inline std::string data_path(std::string_view name) {
  return std::string(SCENARIO_TEST_DATA) + "/" + std::string(name);
}

/// Bytes from hex text ("30 02 00 05"); an empty vector (and a test failure) when it is not hex.
inline std::vector<std::uint8_t> bytes(std::string_view hex) {
  auto parsed = codec::from_hex(hex);
  if (!parsed) {
    ADD_FAILURE() << "not hex: " << hex;
    return {};
  }
  return *parsed;
}

/// Spaced lower-case hex of some bytes, for readable comparisons.
inline std::string hex(const std::vector<std::uint8_t>& data) {
  return codec::to_hex(codec::ByteView(data), " ");
}

/// The result of parsing `text` as the file "test.json".
inline std::variant<SourceDocument, FileError> parse_document(std::string_view text) {
  return SourceDocument::parse("test.json", text);
}

/// The document of a text that must be valid JSON.
inline SourceDocument document(std::string_view text) {
  auto parsed = parse_document(text);
  if (const auto* error = std::get_if<FileError>(&parsed)) {
    ADD_FAILURE() << "unexpected error: " << error->to_string();
    return {};
  }
  return std::get<SourceDocument>(std::move(parsed));
}

/// parse_scenario of a text (a JSON error comes back as the scenario's error too).
inline std::variant<Scenario, FileError> parse_text(std::string_view text) {
  auto parsed = parse_document(text);
  if (auto* error = std::get_if<FileError>(&parsed)) return *error;
  return parse_scenario(std::get<SourceDocument>(parsed));
}

/// The scenario of a text that must be valid.
inline Scenario scenario(std::string_view text) {
  auto parsed = parse_text(text);
  if (const auto* error = std::get_if<FileError>(&parsed)) {
    ADD_FAILURE() << "unexpected error: " << error->to_string();
    return {};
  }
  return std::get<Scenario>(std::move(parsed));
}

/// Whether `result` is a FileError of `rule` at test.json:line:column.
template <typename Result>
::testing::AssertionResult is_error(const Result& result, std::string_view rule, std::size_t line,
                                    std::size_t column) {
  const auto* error = std::get_if<FileError>(&result);
  if (error == nullptr) return ::testing::AssertionFailure() << "accepted, expected " << rule;
  const std::string wanted = "test.json:" + std::to_string(line) + ":" + std::to_string(column) +
                             ": error[" + std::string(rule) + "]";
  const std::string got = error->to_string();
  if (got.rfind(wanted, 0) != 0)
    return ::testing::AssertionFailure() << "expected " << wanted << "..., got " << got;
  return ::testing::AssertionSuccess() << got;
}

/// Whether the scenario `text` is refused with `rule` at test.json:line:column.
inline ::testing::AssertionResult refused(std::string_view text, std::string_view rule,
                                          std::size_t line, std::size_t column) {
  return is_error(parse_text(text), rule, line, column);
}

/// Whether the scenario `text` is accepted.
inline ::testing::AssertionResult accepted(std::string_view text) {
  const auto result = parse_text(text);
  if (const auto* error = std::get_if<FileError>(&result))
    return ::testing::AssertionFailure() << "refused: " << error->to_string();
  return ::testing::AssertionSuccess();
}

/// A scenario with clients "c" (one member, 3.1.1), "g" (three members) and "v5" (protocol 5),
/// a connect step, and `step` as the second step, on line 6 from column 3:
///   line 1  {"name": "t",
///   line 2   "vars": {"topic": "t/{run}"},
///   line 3   "clients": {"c": {}, "g": {"count": 3}, "v5": {"protocol": "5"}},
///   line 4   "steps": [
///   line 5   {"client": "c", "connect": {}},
///   line 6    STEP
///   line 7  ]}
/// so that a token at offset k of `step` is at 6:(k + 3).
inline std::string with_step(std::string_view step) {
  return std::string(
             "{\"name\": \"t\",\n"
             " \"vars\": {\"topic\": \"t/{run}\"},\n"
             " \"clients\": {\"c\": {}, \"g\": {\"count\": 3}, \"v5\": {\"protocol\": \"5\"}},\n"
             " \"steps\": [\n"
             "  {\"client\": \"c\", \"connect\": {}},\n"
             "  ") +
         std::string(step) + "\n]}";
}

}  // namespace gauntlet::scenarios::testing
