// Reading a JSON file while keeping where every value was written, so that errors in scenario
// and profile files name FILE:LINE:COLUMN and the rule (DESIGN.md §4, exit code 2).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "gauntlet/scenarios/model.hpp"

namespace gauntlet::scenarios {

/// An error in an input file: where, which rule, and what is wrong.
struct FileError {
  SourcePosition position;
  std::string rule;  ///< "unknown-field", "wrong-type", ... (docs/scenarios.md lists them)
  std::string message;

  /// "FILE:LINE:COLUMN: error[RULE]: message"
  [[nodiscard]] std::string to_string() const;
};

/// A parsed JSON document and the position of each of its values, by JSON pointer.
class SourceDocument {
 public:
  /// Parses `text`; a syntax error or a duplicate key comes back as a FileError.
  static std::variant<SourceDocument, FileError> parse(std::string file, std::string_view text);
  /// Reads and parses a file.
  static std::variant<SourceDocument, FileError> load(const std::string& path);

  [[nodiscard]] const Json& root() const noexcept { return root_; }
  [[nodiscard]] const std::string& file() const noexcept { return file_; }
  /// Where the value at `pointer` starts ("/steps/3/client"); for an object member, where its
  /// key starts is at position_of_key(). Falls back to the nearest enclosing value.
  [[nodiscard]] SourcePosition position(std::string_view pointer) const;
  [[nodiscard]] SourcePosition position_of_key(std::string_view pointer) const;
  [[nodiscard]] FileError error(std::string_view pointer, std::string rule,
                                std::string message) const;

 private:
  std::string file_;
  Json root_;
  std::unordered_map<std::string, std::size_t> value_offsets_;
  std::unordered_map<std::string, std::size_t> key_offsets_;
  std::string text_;
  [[nodiscard]] SourcePosition at(std::size_t offset) const;
};

/// Appends a JSON pointer token, escaping "~" and "/" (RFC 6901).
std::string pointer_append(std::string_view pointer, std::string_view token);
std::string pointer_append(std::string_view pointer, std::size_t index);

}  // namespace gauntlet::scenarios
