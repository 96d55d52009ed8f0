// SourceDocument: positions of values and keys by JSON pointer, JSON syntax errors and duplicate
// keys with their positions, FileError's text, and JSON pointer escaping.
#include "gauntlet/scenarios/source.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "test_support.hpp"

namespace gauntlet::scenarios {
namespace {

using testing::data_path;
using testing::document;
using testing::is_error;
using testing::parse_document;

/// line:column of a position, for compact assertions.
std::string at(const SourcePosition& position) {
  return std::to_string(position.line) + ":" + std::to_string(position.column);
}

// Columns, for reference:
//            1         2         3         4
//   123456789012345678901234567890123456789012
// 1 {
// 2   "name": "pos",
// 3   "list": [1, [2, {"deep": "x\"y"}], "z"],
// 4   "a\"b": {"c~d/e": true},
// 5   "after": null
// 6 }
constexpr std::string_view positions_text =
    "{\n"
    "  \"name\": \"pos\",\n"
    "  \"list\": [1, [2, {\"deep\": \"x\\\"y\"}], \"z\"],\n"
    "  \"a\\\"b\": {\"c~d/e\": true},\n"
    "  \"after\": null\n"
    "}\n";

std::string with_crlf(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

TEST(SourceDocument, KeepsTheParsedJsonAndTheFileName) {
  const SourceDocument doc = document(positions_text);
  EXPECT_EQ(doc.file(), "test.json");
  EXPECT_EQ(doc.root()["name"], "pos");
  EXPECT_EQ(doc.root()["list"][1][1]["deep"], "x\"y");
  EXPECT_EQ(doc.root()["a\"b"]["c~d/e"], true);
}

TEST(SourceDocument, PositionsOfValuesAreOneBased) {
  const SourceDocument doc = document(positions_text);
  EXPECT_EQ(at(doc.position("")), "1:1");
  EXPECT_EQ(at(doc.position("/name")), "2:11");
  EXPECT_EQ(at(doc.position("/after")), "5:12");
  EXPECT_EQ(doc.position("/name").file, "test.json");
}

TEST(SourceDocument, PositionsInsideNestedArrays) {
  const SourceDocument doc = document(positions_text);
  EXPECT_EQ(at(doc.position("/list")), "3:11");
  EXPECT_EQ(at(doc.position("/list/0")), "3:12");
  EXPECT_EQ(at(doc.position("/list/1")), "3:15");
  EXPECT_EQ(at(doc.position("/list/1/0")), "3:16");
  EXPECT_EQ(at(doc.position("/list/1/1")), "3:19");
  EXPECT_EQ(at(doc.position_of_key("/list/1/1/deep")), "3:20");
  EXPECT_EQ(at(doc.position("/list/1/1/deep")), "3:28");
  // After a string holding an escaped quote, the walk is still in step.
  EXPECT_EQ(at(doc.position("/list/2")), "3:38");
}

TEST(SourceDocument, PositionsOfKeys) {
  const SourceDocument doc = document(positions_text);
  EXPECT_EQ(at(doc.position_of_key("/name")), "2:3");
  EXPECT_EQ(at(doc.position_of_key("/list")), "3:3");
  EXPECT_EQ(at(doc.position_of_key("/after")), "5:3");
}

TEST(SourceDocument, KeysWithEscapedQuotesAndPointerCharacters) {
  const SourceDocument doc = document(positions_text);
  // The key a"b, and inside it the key c~d/e, escaped in the pointer as c~0d~1e.
  EXPECT_EQ(at(doc.position_of_key("/a\"b")), "4:3");
  EXPECT_EQ(at(doc.position("/a\"b")), "4:11");
  EXPECT_EQ(at(doc.position_of_key("/a\"b/c~0d~1e")), "4:12");
  EXPECT_EQ(at(doc.position("/a\"b/c~0d~1e")), "4:21");
  EXPECT_EQ(pointer_append(pointer_append("", "a\"b"), "c~d/e"), "/a\"b/c~0d~1e");
}

TEST(SourceDocument, KeyAfterAnEscapedBackslash) {
  // "p\\" is the key p\ : the quote after the escaped backslash closes it.
  const SourceDocument doc = document(R"({"p\\": 1, "q": 2})");
  EXPECT_EQ(at(doc.position_of_key("/p\\")), "1:2");
  EXPECT_EQ(at(doc.position_of_key("/q")), "1:12");
  EXPECT_EQ(at(doc.position("/q")), "1:17");
}

TEST(SourceDocument, ArrayElementsHaveNoKeyPosition) {
  const SourceDocument doc = document(positions_text);
  EXPECT_EQ(at(doc.position_of_key("/list/0")), "3:12");
}

TEST(SourceDocument, UnknownPointersFallBackToTheNearestEnclosingValue) {
  const SourceDocument doc = document(positions_text);
  EXPECT_EQ(at(doc.position("/list/1/1/missing")), "3:19");
  EXPECT_EQ(at(doc.position("/list/1/7/deeper")), "3:15");
  EXPECT_EQ(at(doc.position("/nothing/here")), "1:1");
  EXPECT_EQ(at(doc.position_of_key("/list/1/1/missing")), "3:19");
}

TEST(SourceDocument, PointerWithoutALeadingSlashFallsBackToTheRoot) {
  const SourceDocument doc = document(positions_text);
  EXPECT_EQ(at(doc.position("name")), "1:1");
  EXPECT_EQ(at(doc.position_of_key("name")), "1:1");
}

TEST(SourceDocument, CrlfLineEndingsGiveTheSamePositions) {
  const SourceDocument doc = document(with_crlf(positions_text));
  EXPECT_EQ(at(doc.position("/name")), "2:11");
  EXPECT_EQ(at(doc.position("/list/1/1/deep")), "3:28");
  EXPECT_EQ(at(doc.position("/list/2")), "3:38");
  EXPECT_EQ(at(doc.position_of_key("/a\"b/c~0d~1e")), "4:12");
  EXPECT_EQ(at(doc.position_of_key("/after")), "5:3");
  EXPECT_EQ(at(doc.position("/after")), "5:12");
}

TEST(SourceDocument, TabsAndMultiByteCharactersCountAsBytes) {
  // The column is in bytes: "é" takes two, a tab one.
  const SourceDocument doc = document("{\"\xC3\xA9\": 1, \"k\":\t2}");
  EXPECT_EQ(at(doc.position_of_key("/k")), "1:11");
  EXPECT_EQ(at(doc.position("/k")), "1:16");
}

TEST(SourceDocument, PositionsAfterAByteOrderMark) {
  // nlohmann::json accepts a UTF-8 byte order mark (editors on Windows write one); the positions
  // of what follows it must still be found.
  const SourceDocument doc = document("\xEF\xBB\xBF{\n  \"a\": 1,\n  \"b\": [true]\n}\n");
  EXPECT_EQ(at(doc.position_of_key("/b")), "3:3");
  EXPECT_EQ(at(doc.position("/b/0")), "3:9");
}

TEST(SourceDocument, ErrorUsesTheValuePosition) {
  const SourceDocument doc = document(positions_text);
  const FileError error = doc.error("/list/1/0", "bad-value", "two is too many");
  EXPECT_EQ(error.rule, "bad-value");
  EXPECT_EQ(error.message, "two is too many");
  EXPECT_EQ(error.to_string(), "test.json:3:16: error[bad-value]: two is too many");
}

// --- JSON syntax errors -------------------------------------------------------------------------

TEST(SourceDocumentSyntax, MissingCommaIsReportedAtTheUnexpectedKey) {
  const auto result = parse_document(
      "{\n"
      "  \"name\": \"t\"\n"
      "  \"clients\": {}\n"
      "}\n");
  // The key "clients" on line 3 starts at column 3: that is where a comma was wanted.
  EXPECT_TRUE(is_error(result, "json-syntax", 3, 3));
}

TEST(SourceDocumentSyntax, MissingCommaInAnArray) {
  EXPECT_TRUE(is_error(parse_document(R"({"a": [1 2]})"), "json-syntax", 1, 10));
}

// A number too large for a double is not a syntax error to nlohmann (it throws out_of_range):
// still a clear error, never a crash.
TEST(SourceDocumentSyntax, NumberOutOfRangeIsAnErrorNotACrash) {
  EXPECT_TRUE(is_error(parse_document(R"({"a": 1e400})"), "json-syntax", 1, 1));
}

TEST(SourceDocumentSyntax, TrailingComma) {
  EXPECT_TRUE(is_error(parse_document(R"({"a": 1,})"), "json-syntax", 1, 9));
}

TEST(SourceDocumentSyntax, WrongClosingBracketOnLaterLine) {
  const auto result = parse_document(
      "{\n"
      "  \"a\": 1,\n"
      "  \"b\": [\n"
      "    true}\n");
  EXPECT_TRUE(is_error(result, "json-syntax", 4, 9));
}

TEST(SourceDocumentSyntax, LineNumbersWithCrlf) {
  EXPECT_TRUE(is_error(parse_document("{\r\n  \"a\": [1\r\n  2]\r\n}\r\n"), "json-syntax", 3, 3));
}

TEST(SourceDocumentSyntax, EmptyText) {
  EXPECT_TRUE(is_error(parse_document(""), "json-syntax", 1, 1));
}

TEST(SourceDocumentSyntax, MessageKeepsNlohmannsExplanationWithoutItsPrefix) {
  const auto result = parse_document(R"({"a": [1 2]})");
  const auto* error = std::get_if<FileError>(&result);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->message.find("[json.exception"), std::string::npos) << error->message;
  EXPECT_NE(error->message.find("expected ']'"), std::string::npos) << error->message;
  EXPECT_EQ(error->position.file, "test.json");
}

// --- duplicate keys -----------------------------------------------------------------------------

TEST(SourceDocumentDuplicates, TopLevelDuplicateAtTheSecondKey) {
  EXPECT_TRUE(is_error(parse_document(R"({"a": 1, "a": 2})"), "duplicate-key", 1, 10));
}

TEST(SourceDocumentDuplicates, NestedDuplicateNamesKeyAndPointer) {
  const auto result = parse_document(
      "{\n"
      "  \"x\": {\"a\": 1,\n"
      "        \"a\": 2}\n"
      "}\n");
  ASSERT_TRUE(is_error(result, "duplicate-key", 3, 9));
  const auto& error = std::get<FileError>(result);
  EXPECT_NE(error.message.find("\"a\""), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("/x/a"), std::string::npos) << error.message;
}

TEST(SourceDocumentDuplicates, DuplicateInsideAnArrayElement) {
  const auto result = parse_document("[{\"k\": 1},\n {\"k\": 1, \"k\": 2}]");
  EXPECT_TRUE(is_error(result, "duplicate-key", 2, 11));
}

TEST(SourceDocumentDuplicates, TheSameKeyInDifferentObjectsIsFine) {
  const auto result =
      parse_document(R"({"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 3}, {"k": 4}]})");
  EXPECT_TRUE(std::holds_alternative<SourceDocument>(result));
}

TEST(SourceDocumentDuplicates, FirstDuplicateIsTheOneReported) {
  const auto result = parse_document("{\"a\": 1, \"b\": 2,\n \"b\": 3, \"a\": 4}");
  EXPECT_TRUE(is_error(result, "duplicate-key", 2, 2));
}

TEST(SourceDocumentDuplicates, DuplicateAfterAByteOrderMark) {
  const auto result = parse_document("\xEF\xBB\xBF{\"a\": 1,\n \"a\": 2}");
  EXPECT_TRUE(is_error(result, "duplicate-key", 2, 2));
}

TEST(SourceDocumentDuplicates, DuplicateSpelledWithAUnicodeEscape) {
  // "\u0061" is "a": nlohmann keeps only one of them, so this is a duplicate key too.
  const auto result = parse_document("{\"a\": 1,\n \"\\u0061\": 2}");
  EXPECT_TRUE(is_error(result, "duplicate-key", 2, 2));
}

// --- files and FileError ------------------------------------------------------------------------

TEST(FileError, ToStringFormat) {
  const FileError error{{"dir/f.json", 3, 7}, "unknown-field", "unknown field \"x\""};
  EXPECT_EQ(error.to_string(), "dir/f.json:3:7: error[unknown-field]: unknown field \"x\"");
}

TEST(SourceDocumentLoad, ReadsAFile) {
  const auto loaded = SourceDocument::load(data_path("positions.json"));
  ASSERT_TRUE(std::holds_alternative<SourceDocument>(loaded))
      << std::get<FileError>(loaded).to_string();
  const auto& doc = std::get<SourceDocument>(loaded);
  EXPECT_EQ(doc.file(), data_path("positions.json"));
  EXPECT_EQ(at(doc.position_of_key("/steps")), "3:3");
  EXPECT_EQ(at(doc.position("/steps/1")), "5:5");
}

TEST(SourceDocumentLoad, MissingFile) {
  const auto loaded = SourceDocument::load(data_path("no-such-file.json"));
  const auto* error = std::get_if<FileError>(&loaded);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->rule, "unreadable");
  EXPECT_EQ(error->position.file, data_path("no-such-file.json"));
}

// --- JSON pointers ------------------------------------------------------------------------------

TEST(PointerAppend, EscapesTildeAndSlash) {
  EXPECT_EQ(pointer_append("", "a"), "/a");
  EXPECT_EQ(pointer_append("/x", "a/b"), "/x/a~1b");
  EXPECT_EQ(pointer_append("/x", "~"), "/x/~0");
  // The tilde is escaped first: a literal "~1" becomes "~01", not "~1" (which would mean "/").
  EXPECT_EQ(pointer_append("/x", "~1"), "/x/~01");
  EXPECT_EQ(pointer_append("/x", "~/"), "/x/~0~1");
  EXPECT_EQ(pointer_append("", ""), "/");
}

TEST(PointerAppend, Indexes) {
  EXPECT_EQ(pointer_append("/steps", std::size_t{0}), "/steps/0");
  EXPECT_EQ(pointer_append("/steps/3/loop/steps", std::size_t{12}), "/steps/3/loop/steps/12");
}

TEST(PointerAppend, AgreesWithNlohmannsPointers) {
  const Json value = Json::parse(R"({"a/b": {"~c": [10, 20]}})");
  const std::string pointer =
      pointer_append(pointer_append(pointer_append("", "a/b"), "~c"), std::size_t{1});
  EXPECT_EQ(value.at(Json::json_pointer(pointer)), 20);
}

}  // namespace
}  // namespace gauntlet::scenarios
