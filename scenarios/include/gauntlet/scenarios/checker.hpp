// The checks that scenario and profile files share: each takes the JSON pointer of the value it
// checks, and a broken rule is thrown as a FileError with that value's position. The parsers
// build on this class and catch the FileError at their entry point (check_document): exceptions
// never leave them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "gauntlet/scenarios/source.hpp"

namespace gauntlet::scenarios {

class DocumentChecker {
 public:
  explicit DocumentChecker(const SourceDocument& document) : doc_(document) {}

  [[noreturn]] void fail(std::string_view pointer, std::string rule, std::string message) const;
  /// Like fail(), at the position of the member's key rather than its value.
  [[noreturn]] void fail_at_key(std::string_view pointer, std::string rule,
                                std::string message) const;
  [[noreturn]] void wrong_type(std::string_view pointer, const Json& value,
                               std::string_view wanted) const;

  void object(std::string_view pointer, const Json& value) const;
  void array(std::string_view pointer, const Json& value) const;
  /// Every member of the object is one of `allowed` ("$schema" is allowed and never listed).
  void keys(std::string_view pointer, const Json& value,
            std::initializer_list<std::string_view> allowed) const;
  std::string string(std::string_view pointer, const Json& value) const;
  bool boolean(std::string_view pointer, const Json& value) const;
  std::uint64_t integer(std::string_view pointer, const Json& value, std::uint64_t min,
                        std::uint64_t max) const;

  [[nodiscard]] const SourceDocument& document() const noexcept { return doc_; }

 protected:
  const SourceDocument& doc_;  // NOLINT(*-non-private-member-variables-in-classes)
};

/// Runs a parser built on DocumentChecker, turning its FileError into the result.
template <typename Result, typename Parse>
std::variant<Result, FileError> check_document(Parse&& parse) {
  try {
    return std::forward<Parse>(parse)();
  } catch (const FileError& error) {
    return error;
  }
}

/// Reads `path` and runs `parse(document)` on it.
template <typename Result, typename Parse>
std::variant<Result, FileError> load_document(const std::string& path, Parse&& parse) {
  auto document = SourceDocument::load(path);
  if (auto* error = std::get_if<FileError>(&document)) return *error;
  return std::forward<Parse>(parse)(std::get<SourceDocument>(document));
}

}  // namespace gauntlet::scenarios
