// What `gauntlet swarm` measured (DESIGN.md §6 "metrics", §7): exact message accounting by QoS,
// connection counts, latency histograms, a per-second time series, resource use and the SLO
// verdicts. Everything here merges exactly across shards (`gauntlet report merge`): counts add,
// histograms merge bucket by bucket, the series adds second by second, and shared-subscription
// receipts are united so a message delivered to two members in different shards still counts as a
// duplicate. Derived numbers (lost, percentiles, SLO verdicts) are recomputed after a merge.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gauntlet/reports/histogram.hpp"

namespace gauntlet::reports {

/// The accounting of one delivery class: the QoS a message is owed with, min(publish QoS, the
/// subscription's QoS). QoS 0 loss is reported; QoS 1/2 loss is a failure.
struct DeliveryCounts {
  /// Σ over published messages of the sinks owed a copy (a non-shared subscription is one sink per
  /// subscribed client; a shared subscription group is one sink).
  std::uint64_t expected = 0;
  std::uint64_t delivered = 0;     ///< distinct (message, sink) pairs received
  std::uint64_t duplicated = 0;    ///< copies beyond the first of a (message, sink) pair
  std::uint64_t out_of_order = 0;  ///< first copies with a lower sequence than one seen before
  /// expected − delivered (never negative): derived, recomputed after merging.
  [[nodiscard]] std::uint64_t lost() const noexcept {
    return expected > delivered ? expected - delivered : 0;
  }

  friend bool operator==(const DeliveryCounts&, const DeliveryCounts&) = default;
};

struct PublishCounts {
  std::uint64_t published = 0;     ///< messages sent (first sends; resends are not new messages)
  std::uint64_t acknowledged = 0;  ///< QoS 1/2: PUBACK / PUBCOMP with a success code
  std::uint64_t refused = 0;       ///< QoS 1/2: acknowledged with an error code
  std::uint64_t abandoned = 0;     ///< QoS 1/2: the session ended before the acknowledgement
  /// Scheduled sends that were not made because the run ended first (the open loop fell behind).
  std::uint64_t behind_schedule = 0;

  friend bool operator==(const PublishCounts&, const PublishCounts&) = default;
};

struct ConnectionCounts {
  std::uint64_t attempted = 0;
  std::uint64_t succeeded = 0;   ///< CONNACK accepted
  std::uint64_t failed = 0;      ///< refused, timed out or unreachable
  std::uint64_t peak = 0;        ///< most connections open at once (a merge adds the shards' peaks)
  std::uint64_t reconnects = 0;  ///< connection attempts after a client's first
  std::uint64_t dropped = 0;     ///< connections that ended without the client asking
  std::uint64_t subscribe_failed = 0;  ///< SUBACK failure codes and unanswered SUBSCRIBEs

  friend bool operator==(const ConnectionCounts&, const ConnectionCounts&) = default;
};

/// One second of the run (second 0 starts when the first client connects).
struct SecondSample {
  std::uint64_t second = 0;
  std::uint64_t connections = 0;  ///< open at the end of the second
  std::uint64_t connects = 0;     ///< CONNACKs accepted during the second
  std::uint64_t connect_failures = 0;
  std::uint64_t published = 0;
  std::uint64_t delivered = 0;  ///< first copies
  std::uint64_t acknowledged = 0;
  std::uint64_t inflight = 0;  ///< QoS 1/2 messages unacknowledged at the end of the second
  Histogram latency;           ///< end-to-end latency of the deliveries of this second

  friend bool operator==(const SecondSample&, const SecondSample&) = default;
};

/// A limit from the scenario's "slo" object, and how the run measured against it.
struct SloResult {
  /// One of slo_names: which measurement the limit applies to.
  std::string name;
  double limit = 0;
  double measured = 0;  ///< recomputed by evaluate_slos()
  bool passed = true;   ///< measured <= limit

  friend bool operator==(const SloResult&, const SloResult&) = default;
};

/// The SLO names a scenario may use: latency limits in milliseconds (end-to-end percentiles and
/// connect p99), and counts (QoS 1/2 loss, QoS 0 loss, duplicates, out of order, connect
/// failures, subscribe failures).
inline constexpr std::string_view slo_names[] = {"p50_latency_ms",
                                                 "p90_latency_ms",
                                                 "p99_latency_ms",
                                                 "p999_latency_ms",
                                                 "max_latency_ms",
                                                 "connect_p99_ms",
                                                 "loss",
                                                 "loss_qos0",
                                                 "duplicates",
                                                 "out_of_order",
                                                 "connect_failures",
                                                 "subscribe_failures"};

/// Shared-subscription receipts of one sink for exact cross-shard de-duplication: for each
/// publisher, the sequence numbers received as sorted, disjoint half-open ranges [first, last).
struct SharedReceipts {
  std::string sink;  ///< "$share/g/fleet/+ (qos 1)"
  unsigned delivery_qos = 0;
  std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>> by_publisher;

  friend bool operator==(const SharedReceipts&, const SharedReceipts&) = default;
};

struct Resources {
  double cpu_user_s = 0;  ///< gauntlet's own CPU time (a merge adds them)
  double cpu_system_s = 0;
  std::uint64_t max_rss_kib = 0;       ///< peak resident memory (a merge adds the processes')
  std::uint64_t threads = 0;           ///< event loops (a merge adds them)
  std::optional<double> broker_cpu_s;  ///< the broker's CPU time during the run, when measured

  friend bool operator==(const Resources&, const Resources&) = default;
};

struct ShardInfo {
  std::uint32_t index = 0;  ///< 0-based
  std::uint32_t count = 1;
  std::uint64_t seed = 0;
  bool complete = true;

  friend bool operator==(const ShardInfo&, const ShardInfo&) = default;
};

struct SwarmMetrics {
  std::string scenario;   ///< the scenario's name: only shards of one scenario merge
  double measured_s = 0;  ///< length of the publish phase (throughput = delivered / measured_s)
  PublishCounts publishing;
  std::array<DeliveryCounts, 3> by_qos{};  ///< index: delivery QoS
  ConnectionCounts connections;
  Histogram end_to_end;  ///< µs from the scheduled send time to delivery (first copies)
  Histogram connect;     ///< µs from the scheduled connect time to CONNACK
  Histogram subscribe;   ///< µs from SUBSCRIBE to SUBACK
  Histogram ack_qos1;    ///< µs from PUBLISH to PUBACK
  Histogram ack_qos2;    ///< µs from PUBLISH to PUBCOMP
  std::vector<SecondSample> series;
  std::vector<SloResult> slos;
  std::vector<SharedReceipts> shared;
  Resources resources;
  std::vector<ShardInfo> shards;  ///< one for a single run; every merged shard after a merge
  /// Operator-facing facts about the load (groups, counts, rates), shown by the writers as given.
  nlohmann::ordered_json plan = nlohmann::ordered_json::object();
  /// Things a reader must know to trust the numbers (a clock concern, a pre-flight warning,
  /// a missing shard). Shown at the top of every writer's output.
  std::vector<std::string> notes;

  [[nodiscard]] DeliveryCounts total() const noexcept;  ///< all three classes added
  [[nodiscard]] std::uint64_t lost() const noexcept;    ///< QoS 1 and 2 loss (a failure)

  friend bool operator==(const SwarmMetrics&, const SwarmMetrics&) = default;
};

/// Recomputes each SLO's measured value and verdict from the metrics.
void evaluate_slos(SwarmMetrics& metrics);

/// report.json's "metrics" object: DESIGN.md §6's fields first (published, delivered, expected,
/// lost, duplicated, out_of_order, latency_us, connections), then everything above.
/// Derived values (lost, percentiles, throughput, CPU per message, SLO verdicts) are written for
/// readers; swarm_metrics_from_json ignores them and recomputes them (evaluate_slos included).
/// Its errors name the field from report.json's root ("metrics.by_qos.1.expected: ...").
[[nodiscard]] nlohmann::ordered_json to_json(const SwarmMetrics& metrics);
[[nodiscard]] std::optional<SwarmMetrics> swarm_metrics_from_json(
    const nlohmann::ordered_json& json, std::string& error);

/// Adds `shard` into `total` exactly (see the file comment); `error` and false when they cannot
/// be merged (another scenario, the same shard twice, a different shard count, a shard without
/// "shards"), and then `total` is unchanged. A default-constructed `total` takes the shard as it
/// is. Ends with evaluate_slos(total); the SLO limits and the plan stay those of `total`.
bool merge_into(SwarmMetrics& total, const SwarmMetrics& shard, std::string& error);

/// Adds the counts of one part of a run (an event loop, a shard) into the total. Peaks add too:
/// the parts' clients are disjoint, so the sum bounds the peak from above.
void add(DeliveryCounts& total, const DeliveryCounts& part);
void add(PublishCounts& total, const PublishCounts& part);
void add(ConnectionCounts& total, const ConnectionCounts& part);
/// Adds the counts of one second and merges its latency histogram.
void add(SecondSample& total, const SecondSample& part);
/// Two series, each sorted by second, added second by second.
[[nodiscard]] std::vector<SecondSample> merge_series(const std::vector<SecondSample>& a,
                                                     const std::vector<SecondSample>& b);

}  // namespace gauntlet::reports
