// A scenario as the engine runs it: the validated form of a scenario file (docs/scenarios.md,
// scenarios/schema/scenario.schema.json). Structure is typed; the parts the engine only hands on
// to the codec or compares against packets (properties, matchers, raw packets) stay JSON that the
// parser has already checked, with their templates still unexpanded.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gauntlet/codec/types.hpp"

namespace gauntlet::scenarios {

using Json = nlohmann::ordered_json;
using Milliseconds = std::chrono::milliseconds;

/// Where something was written: reported with every error about it.
struct SourcePosition {
  std::string file;
  std::size_t line = 0;    ///< 1-based
  std::size_t column = 0;  ///< 1-based, in bytes

  /// "FILE:LINE:COLUMN", as errors and failure reports name a place.
  [[nodiscard]] std::string to_string() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
};

/// A TLS choice of one client group (defaults come from the profile).
struct ClientTls {
  /// "profile": the profile's CA; "other": the profile's second CA, which signed nothing the
  /// broker uses (wrong-CA tests); "system": the system's trust store.
  std::string ca = "profile";
  /// Present the profile's client certificate (null: only on the mutual-TLS endpoint).
  std::optional<bool> client_certificate;
  std::string server_name;  ///< SNI and the verified name (template; empty: the URL's host)
  bool verify = true;
};

struct ClientGroup {
  std::string name;
  SourcePosition position;
  std::uint32_t count = 1;
  std::string id_template = "gauntlet-{run}-{client}-{i}";
  std::string endpoint = "plain";  ///< a profile endpoint name
  /// A profile credentials name ("valid", "second", "limited", "wrong_password", "unknown_user"),
  /// or empty for none; `username` / `password` below override it.
  std::string credentials;
  std::optional<std::string> username;  ///< template
  std::optional<std::string> password;  ///< template
  codec::ProtocolVersion version = codec::ProtocolVersion::v3_1_1;
  bool clean_start = true;
  std::uint16_t keep_alive_s = 60;
  Json properties = Json::object();  ///< CONNECT properties (5.0), by name
  Json will;  ///< null: no will; else {topic, payload, qos, retain, properties}
  ClientTls tls;
  bool topic_aliases = false;
  bool strict = true;
  bool acknowledge = true;  ///< false: the scenario sends PUBACK/PUBREC/PUBCOMP itself (or not)
};

enum class StepKind {
  connect,
  disconnect,
  drop,
  subscribe,
  unsubscribe,
  publish,
  send,
  auth,
  expect,
  expect_none,
  barrier,
  loop,
  parallel,
};

struct Step {
  StepKind kind = StepKind::expect;
  SourcePosition position;
  std::string path;    ///< JSON pointer of the step in its file, e.g. "/steps/3"
  std::string label;   ///< optional, shown in reports
  std::string client;  ///< the group it acts on (all kinds but barrier, loop, parallel)
  /// Only this member of the group (null: every member, concurrently).
  std::optional<std::uint32_t> member;
  /// The action's arguments as written (connect options, filters, the message, the raw packet,
  /// the matcher of expect / expect_none, the barrier's name).
  Json arguments;
  /// What must follow the action; null: the action's default outcome (docs/scenarios.md).
  Json expect;
  std::optional<Milliseconds> within;  ///< deadline of the wait; default: scenario timeout
  std::uint32_t count = 1;             ///< expect: how many; publish: how many messages
  bool in_order = false;               ///< expect with a list: in that order
  /// loop: the body; parallel: one branch per element (each a sequence).
  std::vector<std::vector<Step>> children;
  std::string loop_variable = "n";  ///< loop: the template name of the iteration (0-based)
  /// expect: template names bound to fields of the event that matched ("pid" -> "packet_id"),
  /// for later steps of the same client ({pid}): a broker's own packet ids are its choice.
  std::vector<std::pair<std::string, std::string>> bind;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string title;
  std::string description;
  std::vector<std::string> spec;  ///< normative statement ids the scenario checks
  std::string level;  ///< "must" | "should" | "may": the strength of those statements (or empty)
  std::string area;   ///< the part of the spec it exercises ("connect", "retain", ...; or empty)
  codec::ProtocolVersion version = codec::ProtocolVersion::v3_1_1;
  /// Capabilities a broker must have for the scenario to make sense (skipped otherwise), in
  /// addition to the endpoints, credentials and protocol levels its clients use.
  std::vector<std::string> requires_capabilities;
  Milliseconds timeout{5000};
  /// User templates ("topic" -> "gauntlet/{run}/t"), in the order written: each may use the
  /// ones before it.
  std::vector<std::pair<std::string, std::string>> variables;
  std::vector<ClientGroup> clients;
  std::vector<Step> steps;
  /// Findings (broker deviations seen by the clients) fail the scenario unless allowed.
  bool allow_findings = false;
  /// The file has a "load" object: a load scenario for `gauntlet swarm` (swarm::parse_load reads
  /// it), with no steps; `gauntlet run` refuses it.
  bool load = false;

  [[nodiscard]] const ClientGroup* group(std::string_view wanted) const noexcept;
};

}  // namespace gauntlet::scenarios
