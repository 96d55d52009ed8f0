// The conformance suite as data: the normative statements of MQTT 3.1.1 and 5.0 (ids only, from
// spec/), the cases (scenario files tagged with the statements they check, a level and an area)
// and the statements judged not applicable to a broker, with the reason. The suite is built into
// gauntlet; `--cases DIR` reads another one of the same layout.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "gauntlet/scenarios/model.hpp"

namespace gauntlet::conformance {

/// One normative statement of one protocol level.
struct Statement {
  std::string protocol;    ///< "3.1.1" | "5"
  std::string id;          ///< "MQTT-3.1.2-3"
  std::string section;     ///< "3.1.2"
  std::string applies_to;  ///< "server" | "client" | "both" | "unknown" (from the spec lists)
};

/// The protocol levels the suite covers, in report order.
inline constexpr std::string_view suite_protocols[] = {"3.1.1", "5"};

/// The statements of a protocol level in the spec's order; empty for a level without a list.
const std::vector<Statement>& statements(std::string_view protocol);

/// One file of a suite: its path (shown in messages) and its text.
struct SourceFile {
  std::string path;
  std::string text;
};

/// The files built into gauntlet: conformance/cases/<area>/*.json and
/// conformance/not-applicable/*.json, with their paths in the source tree.
const std::vector<SourceFile>& builtin_files();

/// The same layout read from a folder: DIR/cases/**/*.json and DIR/not-applicable/*.json.
/// An error message when the folder cannot be read or holds no case.
std::variant<std::vector<SourceFile>, std::string> read_suite_folder(const std::string& folder);

using StatementKey = std::pair<std::string, std::string>;  ///< (protocol, id)

struct Suite {
  std::vector<scenarios::Scenario> cases;
  std::map<StatementKey, std::string> not_applicable;  ///< -> why a broker cannot break it
};

/// Parses every file and checks the suite as a whole: each case names a protocol level (3.1.1
/// or 5), a level, an area (its folder) and statements that exist in that level's list; case ids
/// are unique; a statement is judged not applicable at most once and then checked by no case.
/// Errors read "FILE:LINE:COLUMN: error[RULE]: message".
std::variant<Suite, std::vector<std::string>> load_suite(const std::vector<SourceFile>& files);

}  // namespace gauntlet::conformance
