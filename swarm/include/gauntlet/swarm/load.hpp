// The "load" part of a scenario file (docs/swarm.md): what `gauntlet swarm` does with the
// scenario's client groups — connect rate, subscriptions, publish rates and limits, flapping
// clients, faults and SLOs. The scenario parser checks the rest of the file; parse_load() checks
// this part with the same positions and rules (file:line:col and a rule name).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gauntlet/reports/swarm_metrics.hpp"
#include "gauntlet/scenarios/model.hpp"
#include "gauntlet/scenarios/source.hpp"
#include "gauntlet/swarm/schedule.hpp"

namespace gauntlet::swarm {

struct SubscriptionPlan {
  /// Template: {i}, {group} (= {client}), {id}, {run} and the scenario's vars.
  std::string filter;
  unsigned qos = 0;
  std::string share;  ///< non-empty: subscribe to "$share/<share>/<filter>"
};

struct PublishPlan {
  std::string topic;  ///< template as above, plus {random} (8 hex digits, new for every message)
  unsigned qos = 0;
  bool retain = false;
  std::uint32_t payload_size = 64;  ///< bytes, at least stamp_size
  /// Per client (a per_group rate is already divided by the group's count), messages per second
  /// since start_s; `rate.poisson` says the arrivals.
  RateCurve rate;
  std::uint64_t messages = 0;  ///< per client; 0: until the publish phase ends
  double start_s = 0;          ///< after the publish phase begins
};

/// A group whose clients go away and come back while the run goes on (reconnect storms,
/// flapping subscribers). Exact accounting needs a persistent session for a flapping subscriber.
struct FlapPlan {
  double every_s = 10;    ///< each flapping client drops its connection this often
  double down_s = 1;      ///< and reconnects after this long
  double fraction = 1;    ///< of the group's clients
  bool graceful = false;  ///< DISCONNECT first (true) or just close the socket (false)
};

/// A client's own username and password, from the group's "credentials_file".
struct Credential {
  std::string username;
  std::string password;
};

/// Each client's own certificate and key (mutual TLS), as templates expanded per member: {i},
/// {id}, {group}, {run} and the scenario's vars. Relative paths are from the scenario's folder.
struct ClientCertificates {
  std::string cert;
  std::string key;
};

/// What one client group does. A group without an entry in "load.groups" connects and idles (the
/// connection-count benchmark); so does an entry with neither subscribe, publish nor flap.
struct GroupLoad {
  std::string group;                   ///< a client group of the scenario
  scenarios::SourcePosition position;  ///< of its key in "load.groups"
  std::vector<SubscriptionPlan> subscriptions;
  std::optional<PublishPlan> publish;
  std::optional<FlapPlan> flap;
  /// Member i connects as credentials[i] (instead of the profile's credentials), when given.
  std::vector<Credential> credentials;
  std::optional<ClientCertificates> certificates;
};

struct FaultPlan {
  enum class Kind { drop, restart_broker };
  Kind kind = Kind::drop;
  double at_s = 0;      ///< since the publish phase began (before its end)
  std::string group;    ///< drop: whose connections (empty: every group)
  double fraction = 1;  ///< drop: of that group's clients
};

/// The widest I/O batching window, µs (LoadPlan::batch_us, `gauntlet swarm --batch-us`).
inline constexpr std::uint32_t max_batch_us = 100'000;

struct LoadPlan {
  /// Connections per second over all groups (a shard opens its share); the groups' clients
  /// are interleaved in proportion to the groups' sizes, each group in index order.
  RateCurve connect_rate = RateCurve::constant(2000);
  double duration_s = 60;  ///< the publish phase (`--duration` overrides)
  double drain_s = 5;      ///< after the publish phase: time for in-flight messages to arrive
  std::vector<GroupLoad> groups;  ///< in the order written in "load.groups"
  std::vector<FaultPlan> faults;
  std::vector<reports::SloResult> slos;  ///< limits only; measured later
  /// Local addresses to spread connections over when the broker is on loopback (127.0.0.1 ..
  /// 127.0.0.N, N ≤ 254): each address has its own ~28k ephemeral ports. 0: as many as the
  /// count needs.
  std::uint32_t source_addresses = 0;
  double reconnect_min_s = 0.1;  ///< backoff after a dropped connection, doubling to max
  double reconnect_max_s = 5;
  /// I/O batching window in µs (0: none, at most max_batch_us). Sends due within one window leave
  /// together at its end (a publisher's messages in one write) and a connection that has read
  /// rests until the next boundary: far fewer system calls and TCP segments per message, for up to
  /// one window of waiting on each side, which the latencies (from the scheduled send time)
  /// include.
  std::uint32_t batch_us = 0;

  /// The entry of a client group; nullptr for a group that only connects.
  [[nodiscard]] const GroupLoad* load_of(std::string_view group) const noexcept;
};

/// Checks `document`'s "load" object against `scenario` (already parsed from the same document):
/// groups must exist, rates be positive, payloads hold a stamp, shared subscriptions need 5.0
/// clients... A scenario without "load" is an error here (it runs with `gauntlet run`). Errors
/// name the position and one of the rules of docs/swarm.md ("Load scenarios").
std::variant<LoadPlan, scenarios::FileError> parse_load(const scenarios::SourceDocument& document,
                                                        const scenarios::Scenario& scenario);

/// Reads the file, parses the scenario (scenarios::parse_scenario) and its load.
struct LoadScenario {
  scenarios::Scenario scenario;
  LoadPlan plan;
};
std::variant<LoadScenario, scenarios::FileError> load_load_scenario(const std::string& path);

}  // namespace gauntlet::swarm
