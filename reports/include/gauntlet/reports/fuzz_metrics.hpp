// What `gauntlet fuzz` measured (DESIGN.md §6 "findings", §8): how many sequences and packets went
// to the broker, how the corpus and the set of response shapes grew over time, the broker's
// resources when the fuzzer spawned it, and every finding with its evidence, its replays, its
// minimisation and its reproducer file.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::reports {

/// One finding of the network fuzzer, after triage (replayed, minimised, deduplicated).
struct FuzzFinding {
  std::string id;    ///< "crash-3f9a01c2": kind and the first 8 hex digits of the signature hash
  std::string kind;  ///< "crash" | "hang" | "resource_growth" | "spec_violation"
  /// What findings are deduplicated by: the sanitizer's top frames ("asan heap-use-after-free |
  /// RetainedAliasTable::release | Qos2Flow::on_pubrel"), the exit status, the statement id, or
  /// the shape of the broker's last responses when there is nothing better.
  std::string signature;
  std::string summary;  ///< one line: "broker aborted (SIGABRT) after PUBREL from client 1"
  /// Several lines: the exit status, the sanitizer report (trimmed), resource figures, the
  /// violated statement's text.
  std::string detail;
  std::string statement;          ///< spec_violation: the normative statement ("MQTT-3.3.4-9")
  double found_at_s = 0;          ///< since the run started
  std::uint64_t sequence = 0;     ///< index of the first sequence that showed it
  std::uint64_t occurrences = 1;  ///< sequences that showed the same signature
  std::uint32_t replays = 0;      ///< confirmation replays attempted
  std::uint32_t reproduced = 0;   ///< of them, how many showed the finding again
  bool confirmed = false;         ///< reproduced >= 1
  /// Minimisation: the sequence before and after (packets sent, bytes sent).
  std::uint64_t packets_before = 0, packets_after = 0;
  std::uint64_t bytes_before = 0, bytes_after = 0;
  /// The reproducer scenario, relative to the report directory ("findings/crash-3f9a01c2.json"),
  /// and whether `gauntlet run` of it failed as the finding predicts when the fuzzer checked it
  /// (nullopt: not checked, e.g. the broker could not be restarted).
  std::string reproducer;
  std::optional<bool> reproducer_verified;

  friend bool operator==(const FuzzFinding&, const FuzzFinding&) = default;
};

/// The state of the campaign at one moment (the time series of report.html's charts).
struct FuzzSample {
  double t_s = 0;  ///< since the run started
  std::uint64_t sequences = 0;
  std::uint64_t packets = 0;
  std::uint64_t corpus = 0;  ///< sequences kept in the corpus
  std::uint64_t shapes = 0;  ///< distinct response shapes seen
  std::uint64_t findings = 0;
  std::uint64_t restarts = 0;
  std::optional<std::uint64_t> broker_rss_kib;  ///< spawned broker only
  std::optional<std::uint64_t> broker_fds;      ///< spawned broker only

  friend bool operator==(const FuzzSample&, const FuzzSample&) = default;
};

/// A response shape: what a packet (type, mutated or not) got back from the broker, in words, e.g.
/// "publish qos2 retain alias -> pubrec 0x00" or "subscribe mutated -> closed".
struct FuzzShape {
  std::string shape;
  double first_seen_s = 0;
  std::uint64_t count = 0;

  friend bool operator==(const FuzzShape&, const FuzzShape&) = default;
};

struct FuzzMetrics {
  std::string mode;           ///< "broker" (black box) | "spawn" (the fuzzer runs the broker)
  std::string spawn_command;  ///< spawn mode: the command as given
  std::uint64_t sequences = 0;
  std::uint64_t packets = 0;         ///< packets sent
  std::uint64_t bytes = 0;           ///< bytes sent
  std::uint64_t mutated = 0;         ///< of the packets, how many were mutated
  double sequences_per_s = 0;        ///< sequences / fuzzing time (triage time excluded)
  double fuzzing_s = 0;              ///< time spent running sequences
  double triage_s = 0;               ///< time spent replaying and minimising findings
  std::uint64_t corpus_initial = 0;  ///< sequences read from --corpus at the start
  std::uint64_t corpus_final = 0;
  std::uint64_t restarts = 0;  ///< spawned broker restarts (after a crash or a hang)
  std::uint64_t probes = 0;    ///< liveness probes
  std::uint64_t probe_failures = 0;
  std::uint64_t sequence_limit = 0;  ///< 0: none
  /// Why the run ended: "duration" | "sequence_limit" | "interrupted" | "broker_lost" (a crashed
  /// broker that could not be restarted, or a black-box broker that stopped answering).
  std::string stop_reason;
  std::vector<FuzzShape> shapes;  ///< in the order they were first seen
  std::vector<FuzzSample> series;
  std::vector<FuzzFinding> findings;

  friend bool operator==(const FuzzMetrics&, const FuzzMetrics&) = default;
};

/// The values report.json allows, in the order the writers list them.
inline constexpr std::string_view fuzz_finding_kinds[] = {"crash", "hang", "resource_growth",
                                                          "spec_violation"};
inline constexpr std::string_view fuzz_modes[] = {"broker", "spawn"};
inline constexpr std::string_view fuzz_stop_reasons[] = {"duration", "sequence_limit",
                                                         "interrupted", "broker_lost"};

namespace detail {
/// report.json's "fuzz" object: every field but the findings, which are the report's top-level
/// "findings" array (DESIGN.md §6), each written by fuzz_finding_to_json. Optional fields are
/// left out when unset or empty.
nlohmann::ordered_json fuzz_metrics_to_json(const FuzzMetrics& metrics);
nlohmann::ordered_json fuzz_finding_to_json(const FuzzFinding& finding);
/// Reads a "fuzz" object (its findings stay empty: from_json reads them from "findings"); nullopt
/// and `error` ("fuzz.series[3].t_s: expected a number >= 0") when `json` is not one.
std::optional<FuzzMetrics> fuzz_metrics_from_json(const nlohmann::ordered_json& json,
                                                  std::string& error);
}  // namespace detail

}  // namespace gauntlet::reports
