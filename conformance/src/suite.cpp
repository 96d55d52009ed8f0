#include "gauntlet/conformance/suite.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "builtin.hpp"
#include "gauntlet/scenarios/parse.hpp"
#include "gauntlet/scenarios/source.hpp"

namespace gauntlet::conformance {

namespace {

using scenarios::FileError;
using scenarios::Json;
using scenarios::SourceDocument;

std::vector<Statement> parse_statement_list(std::string_view protocol) {
  std::vector<Statement> out;
  const std::string_view text = builtin_statement_list(protocol);
  if (text.empty()) return out;
  // Built from spec/ at build time: a broken list is a build defect, and parse() would throw.
  const Json list = Json::parse(text);  // kept: a range-for over a temporary's member dangles
  for (const Json& entry : list.at("statements")) {
    out.push_back(Statement{std::string(protocol), entry["id"].get<std::string>(),
                            entry["section"].get<std::string>(),
                            entry["applies_to"].get<std::string>()});
  }
  return out;
}

bool known_statement(std::string_view protocol, std::string_view id) {
  const auto& list = statements(protocol);
  return std::ranges::any_of(list, [&](const Statement& s) { return s.id == id; });
}

/// The folder a case sits in: its area ("conformance/cases/connect/x.json" -> "connect").
std::string folder_of(const std::string& path) {
  return std::filesystem::path(path).parent_path().filename().string();
}

bool is_judgement_file(const std::string& path) {
  return folder_of(path) == "not-applicable";
}

class SuiteLoader {
 public:
  void add(const SourceFile& file) {
    auto parsed = SourceDocument::parse(file.path, file.text);
    if (auto* error = std::get_if<FileError>(&parsed)) {
      errors_.push_back(error->to_string());
      return;
    }
    const auto& document = std::get<SourceDocument>(parsed);
    if (is_judgement_file(file.path)) {
      add_judgements(document);
    } else {
      add_case(document);
    }
  }

  std::variant<Suite, std::vector<std::string>> finish() {
    for (auto& [key, error] : judged_at_) {
      const auto checked = checked_by_.find(key);
      if (checked == checked_by_.end()) continue;
      error.message = key.second + " (" + key.first + ") is judged not applicable, but " +
                      checked->second + " checks it: drop one of the two";
      errors_.push_back(error.to_string());
    }
    if (!errors_.empty()) return errors_;
    return std::move(suite_);
  }

 private:
  void fail(const SourceDocument& document, std::string_view pointer, std::string rule,
            std::string message) {
    errors_.push_back(document.error(pointer, std::move(rule), std::move(message)).to_string());
  }

  // For a member whose key is the problem (an unknown statement id or protocol level).
  void fail_at_key(const SourceDocument& document, std::string_view pointer, std::string rule,
                   std::string message) {
    errors_.push_back(
        FileError{document.position_of_key(pointer), std::move(rule), std::move(message)}
            .to_string());
  }

  void add_case(const SourceDocument& document) {
    auto parsed = scenarios::parse_scenario(document);
    if (auto* error = std::get_if<FileError>(&parsed)) {
      errors_.push_back(error->to_string());
      return;
    }
    auto scenario = std::get<scenarios::Scenario>(std::move(parsed));
    const Json& root = document.root();
    if (scenario.load) {
      fail_at_key(document, "/load", "bad-value", "a conformance case has steps, not \"load\"");
      return;
    }
    const std::string protocol(codec::to_string(scenario.version));
    bool usable = true;
    for (const char* field : {"spec", "level", "area", "protocol"}) {
      if (!root.contains(field)) {
        fail(document, "", "missing-field",
             std::string("a conformance case needs \"") + field +
                 "\": the statements it checks, their level (must/should/may), its area and "
                 "its protocol level");
        usable = false;
      }
    }
    if (!usable) return;
    if (protocol != "3.1.1" && protocol != "5") {
      fail(document, "/protocol", "bad-value",
           "the suite covers protocol levels \"3.1.1\" and \"5\"");
      return;
    }
    if (scenario.spec.empty()) {
      fail(document, "/spec", "bad-value", "a conformance case checks at least one statement");
      return;
    }
    if (scenario.area != folder_of(document.file())) {
      fail(document, "/area", "area-folder",
           "the area \"" + scenario.area + "\" is not the case's folder \"" +
               folder_of(document.file()) + "\"");
    }
    for (std::size_t i = 0; i < scenario.spec.size(); ++i) {
      if (!known_statement(protocol, scenario.spec[i])) {
        fail(document, scenarios::pointer_append("/spec", i), "unknown-statement",
             scenario.spec[i] + " is not a statement of MQTT " + protocol);
      } else {
        checked_by_.emplace(StatementKey{protocol, scenario.spec[i]}, scenario.name);
      }
    }
    for (const auto& other : suite_.cases) {
      if (other.name == scenario.name) {
        fail(document, "/name", "duplicate-name",
             "the case id \"" + scenario.name + "\" is also the id of " + other.file);
        return;
      }
    }
    suite_.cases.push_back(std::move(scenario));
  }

  // {"3.1.1": {"MQTT-...": "reason"}, "5": {...}}
  void add_judgements(const SourceDocument& document) {
    const Json& root = document.root();
    if (!root.is_object()) {
      fail(document, "", "wrong-type",
           "a not-applicable file is an object of protocol levels (\"3.1.1\", \"5\")");
      return;
    }
    for (auto level = root.begin(); level != root.end(); ++level) {
      const std::string& protocol = level.key();
      const std::string level_pointer = scenarios::pointer_append("", protocol);
      if (protocol == "$schema" || protocol == "$comment") continue;
      if (protocol != "3.1.1" && protocol != "5") {
        fail_at_key(document, level_pointer, "bad-value",
                    "\"" + protocol + "\" is not a protocol level of the suite (\"3.1.1\", \"5\")");
        continue;
      }
      if (!level.value().is_object()) {
        fail(document, level_pointer, "wrong-type", "expected an object: statement id -> reason");
        continue;
      }
      for (auto entry = level.value().begin(); entry != level.value().end(); ++entry) {
        const std::string pointer = scenarios::pointer_append(level_pointer, entry.key());
        if (!known_statement(protocol, entry.key())) {
          fail_at_key(document, pointer, "unknown-statement",
                      entry.key() + " is not a statement of MQTT " + protocol);
          continue;
        }
        if (!entry.value().is_string() || entry.value().get<std::string>().empty()) {
          fail(document, pointer, "wrong-type", "the reason is a non-empty string");
          continue;
        }
        const StatementKey key{protocol, entry.key()};
        if (suite_.not_applicable.contains(key)) {
          fail(document, pointer, "duplicate-statement",
               entry.key() + " (" + protocol + ") is judged not applicable twice");
          continue;
        }
        suite_.not_applicable.emplace(key, entry.value().get<std::string>());
        judged_at_.emplace(
            key, FileError{document.position_of_key(pointer), "checked-not-applicable", ""});
      }
    }
  }

  Suite suite_;
  std::vector<std::string> errors_;
  std::map<StatementKey, std::string> checked_by_;  // -> the first case that checks it
  std::map<StatementKey, FileError> judged_at_;     // the error to give if a case checks it
};

}  // namespace

const std::vector<Statement>& statements(std::string_view protocol) {
  static const std::vector<Statement> v311 = parse_statement_list("3.1.1");
  static const std::vector<Statement> v5 = parse_statement_list("5");
  static const std::vector<Statement> none;
  if (protocol == "3.1.1") return v311;
  if (protocol == "5") return v5;
  return none;
}

std::variant<std::vector<SourceFile>, std::string> read_suite_folder(const std::string& folder) {
  namespace fs = std::filesystem;
  std::vector<SourceFile> files;
  std::error_code error;
  if (!fs::is_directory(fs::path(folder) / "cases", error))
    return "--cases " + folder + ": no cases/ folder in it";
  const auto read = [&](const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    files.push_back({path.string(), text.str()});
    return static_cast<bool>(in);
  };
  std::vector<fs::path> paths;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(folder) / "cases", error))
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      paths.push_back(entry.path());
  if (error) return "--cases " + folder + ": " + error.message();
  if (paths.empty()) return "--cases " + folder + ": no case (cases/**/*.json) in it";
  const fs::path judged = fs::path(folder) / "not-applicable";
  if (fs::is_directory(judged, error))
    for (const auto& entry : fs::directory_iterator(judged, error))
      if (entry.is_regular_file() && entry.path().extension() == ".json")
        paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  for (const fs::path& path : paths)
    if (!read(path)) return path.string() + ": cannot be read";
  return files;
}

std::variant<Suite, std::vector<std::string>> load_suite(const std::vector<SourceFile>& files) {
  SuiteLoader loader;
  for (const SourceFile& file : files)
    loader.add(file);
  return loader.finish();
}

}  // namespace gauntlet::conformance
