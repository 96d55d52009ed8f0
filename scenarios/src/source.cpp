#include "gauntlet/scenarios/source.hpp"

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace gauntlet::scenarios {

std::string FileError::to_string() const {
  return position.to_string() + ": error[" + rule + "]: " + message;
}

std::string pointer_append(std::string_view pointer, std::string_view token) {
  std::string out(pointer);
  out += '/';
  for (const char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pointer_append(std::string_view pointer, std::size_t index) {
  return std::string(pointer) + "/" + std::to_string(index);
}

namespace {

// nlohmann::json validates the syntax but tells no positions of values, so this walk over text
// that is already known to be well-formed JSON records where each value and key starts. It also
// finds duplicate keys, which nlohmann silently collapses into the last one.
class PositionIndexer {
 public:
  PositionIndexer(std::string_view text, std::unordered_map<std::string, std::size_t>& values,
                  std::unordered_map<std::string, std::size_t>& keys)
      : text_(text), values_(values), keys_(keys) {}

  /// The offset and pointer of the first duplicate key, if any.
  std::optional<std::pair<std::size_t, std::string>> run() {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;  // a UTF-8 byte order mark, as nlohmann allows
    skip_space();
    value("");
    return duplicate_;
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0)
      ++pos_;
  }

  std::string string_token() {
    // Decoded as nlohmann decodes it, so that pointers and duplicate keys compare the same text.
    std::string out;
    ++pos_;  // opening quote
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] != '\\' || pos_ + 1 >= text_.size()) {
        out += text_[pos_++];
        continue;
      }
      const char escaped = text_[pos_ + 1];
      pos_ += 2;
      switch (escaped) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u':
          append_utf8(unicode_escape(), out);
          break;
        default:
          out += escaped;
      }
    }
    ++pos_;  // closing quote
    return out;
  }

  /// The code point of a \uXXXX escape (pos_ just after the "u"), joining surrogate pairs.
  std::uint32_t unicode_escape() {
    const auto hex4 = [this]() -> std::uint32_t {
      std::uint32_t value = 0;
      for (int i = 0; i < 4 && pos_ < text_.size(); ++i, ++pos_) {
        const char c = text_[pos_];
        value = value * 16 + static_cast<std::uint32_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
      }
      return value;
    };
    std::uint32_t code = hex4();
    if (code >= 0xD800 && code <= 0xDBFF && text_.substr(pos_, 2) == "\\u") {
      pos_ += 2;
      code = 0x10000 + ((code - 0xD800) << 10U) + (hex4() - 0xDC00);
    }
    return code;
  }

  static void append_utf8(std::uint32_t code, std::string& out) {
    const auto byte = [&out](std::uint32_t value) { out += static_cast<char>(value); };
    if (code < 0x80) {
      byte(code);
    } else if (code < 0x800) {
      byte(0xC0 | (code >> 6U));
      byte(0x80 | (code & 0x3FU));
    } else if (code < 0x10000) {
      byte(0xE0 | (code >> 12U));
      byte(0x80 | ((code >> 6U) & 0x3FU));
      byte(0x80 | (code & 0x3FU));
    } else {
      byte(0xF0 | (code >> 18U));
      byte(0x80 | ((code >> 12U) & 0x3FU));
      byte(0x80 | ((code >> 6U) & 0x3FU));
      byte(0x80 | (code & 0x3FU));
    }
  }

  void value(const std::string& pointer) {
    values_.emplace(pointer, pos_);
    if (pos_ >= text_.size()) return;
    const char c = text_[pos_];
    if (c == '{') {
      ++pos_;
      std::set<std::string> seen;
      skip_space();
      while (pos_ < text_.size() && text_[pos_] != '}') {
        const std::size_t key_at = pos_;
        const std::string key = string_token();
        const std::string member = pointer_append(pointer, key);
        if (!seen.insert(key).second && !duplicate_) duplicate_ = {key_at, member};
        keys_.emplace(member, key_at);
        skip_space();
        ++pos_;  // ':'
        skip_space();
        value(member);
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          skip_space();
        }
      }
      ++pos_;
    } else if (c == '[') {
      ++pos_;
      skip_space();
      std::size_t index = 0;
      while (pos_ < text_.size() && text_[pos_] != ']') {
        value(pointer_append(pointer, index++));
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          skip_space();
        }
      }
      ++pos_;
    } else if (c == '"') {
      string_token();
    } else {
      while (pos_ < text_.size() &&
             std::string_view(",]} \t\r\n").find(text_[pos_]) == std::string_view::npos)
        ++pos_;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::unordered_map<std::string, std::size_t>& values_;
  std::unordered_map<std::string, std::size_t>& keys_;
  std::optional<std::pair<std::size_t, std::string>> duplicate_;
};

}  // namespace

SourcePosition SourceDocument::at(std::size_t offset) const {
  SourcePosition position{file_, 1, 1};
  for (std::size_t i = 0; i < offset && i < text_.size(); ++i) {
    if (text_[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else {
      ++position.column;
    }
  }
  return position;
}

std::variant<SourceDocument, FileError> SourceDocument::parse(std::string file,
                                                              std::string_view text) {
  SourceDocument document;
  document.file_ = std::move(file);
  document.text_ = std::string(text);
  try {
    document.root_ = Json::parse(document.text_);
  } catch (const Json::parse_error& error) {
    // nlohmann's byte is 1-based and points at the last character it read: for a string token,
    // its closing quote. Point at where the token starts instead.
    std::size_t offset = error.byte > 0 ? error.byte - 1 : 0;
    if (offset < document.text_.size() && document.text_[offset] == '"' && offset > 0) {
      std::size_t open = offset - 1;
      while (open > 0 && (document.text_[open] != '"' || document.text_[open - 1] == '\\'))
        --open;
      offset = open;
    }
    std::string message = error.what();
    // "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error while
    // parsing object key - ..." -> keep what follows the position.
    if (const auto colon = message.find(": ", message.find("column")); colon != std::string::npos)
      message = message.substr(colon + 2);
    return FileError{document.at(offset), "json-syntax", message};
  } catch (const Json::exception& error) {
    // Not a syntax error but a value nlohmann cannot hold (a number such as 1e400 overflows a
    // double: out_of_range.406). It names no position; the file's start is the honest one.
    std::string message = error.what();
    if (const auto bracket = message.find("] "); bracket != std::string::npos)
      message = message.substr(bracket + 2);
    return FileError{document.at(0), "json-syntax", message};
  }
  PositionIndexer indexer(document.text_, document.value_offsets_, document.key_offsets_);
  if (const auto duplicate = indexer.run()) {
    return FileError{document.at(duplicate->first), "duplicate-key",
                     "the key \"" + duplicate->second.substr(duplicate->second.rfind('/') + 1) +
                         "\" appears twice in one object (" + duplicate->second + ")"};
  }
  return document;
}

std::variant<SourceDocument, FileError> SourceDocument::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    // Built step by step: GCC 12 at -O3 sees a nested aggregate temporary here as maybe
    // uninitialized (a false positive).
    FileError error;
    error.position.file = path;
    error.rule = "unreadable";
    error.message = "cannot open the file";
    return error;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse(path, text.str());
}

SourcePosition SourceDocument::position(std::string_view pointer) const {
  std::string current(pointer);
  while (true) {
    if (const auto it = value_offsets_.find(current); it != value_offsets_.end())
      return at(it->second);
    const std::size_t slash = current.rfind('/');
    if (current.empty() || slash == std::string::npos) return {file_, 1, 1};
    current.erase(slash);
  }
}

SourcePosition SourceDocument::position_of_key(std::string_view pointer) const {
  if (const auto it = key_offsets_.find(std::string(pointer)); it != key_offsets_.end())
    return at(it->second);
  return position(pointer);
}

FileError SourceDocument::error(std::string_view pointer, std::string rule,
                                std::string message) const {
  return FileError{position(pointer), std::move(rule), std::move(message)};
}

}  // namespace gauntlet::scenarios
