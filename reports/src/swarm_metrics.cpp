// Swarm metrics (swarm_metrics.hpp): the derived numbers, the SLO evaluation, report.json's
// "metrics" object both ways, and the exact merge of shards.
#include "gauntlet/reports/swarm_metrics.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include "metrics_read.hpp"

namespace gauntlet::reports {

DeliveryCounts SwarmMetrics::total() const noexcept {
  DeliveryCounts sum;
  for (const DeliveryCounts& c : by_qos) {
    sum.expected += c.expected;
    sum.delivered += c.delivered;
    sum.duplicated += c.duplicated;
    sum.out_of_order += c.out_of_order;
  }
  return sum;
}

std::uint64_t SwarmMetrics::lost() const noexcept {
  return by_qos[1].lost() + by_qos[2].lost();
}

// --- SLOs --------------------------------------------------------------------------------------

namespace {

double ms(std::uint64_t microseconds) {
  return static_cast<double>(microseconds) / 1000.0;
}

double as_double(std::uint64_t count) {
  return static_cast<double>(count);
}

// The value an SLO limits, in the SLO's unit; nullopt for a name that is not in slo_names.
std::optional<double> measure(const SwarmMetrics& m, std::string_view name) {
  if (name == "p50_latency_ms") return ms(m.end_to_end.percentile(50));
  if (name == "p90_latency_ms") return ms(m.end_to_end.percentile(90));
  if (name == "p99_latency_ms") return ms(m.end_to_end.percentile(99));
  if (name == "p999_latency_ms") return ms(m.end_to_end.percentile(99.9));
  if (name == "max_latency_ms") return ms(m.end_to_end.max());
  if (name == "connect_p99_ms") return ms(m.connect.percentile(99));
  if (name == "loss") return as_double(m.lost());
  if (name == "loss_qos0") return as_double(m.by_qos[0].lost());
  if (name == "duplicates") return as_double(m.total().duplicated);
  if (name == "out_of_order") return as_double(m.total().out_of_order);
  if (name == "connect_failures") return as_double(m.connections.failed);
  if (name == "subscribe_failures") return as_double(m.connections.subscribe_failed);
  return std::nullopt;
}

}  // namespace

void evaluate_slos(SwarmMetrics& metrics) {
  for (SloResult& slo : metrics.slos) {
    const std::optional<double> measured = measure(metrics, slo.name);
    // An SLO gauntlet cannot measure is not met: a typo must not pass silently.
    slo.measured = measured.value_or(0);
    slo.passed = measured && *measured <= slo.limit;
  }
}

// --- to JSON -------------------------------------------------------------------------------------

namespace {

using detail::Json;
using detail::non_negative;

Json percentiles_json(const Histogram& h) {
  return Json{{"p50", h.percentile(50)},    {"p90", h.percentile(90)}, {"p99", h.percentile(99)},
              {"p999", h.percentile(99.9)}, {"max", h.max()},          {"mean", h.mean()}};
}

// The histogram with its percentiles first (derived, for readers that do not decode buckets).
Json histogram_json(const Histogram& h) {
  Json out{{"p50", h.percentile(50)},
           {"p90", h.percentile(90)},
           {"p99", h.percentile(99)},
           {"p999", h.percentile(99.9)},
           {"mean", h.mean()}};
  const Json sparse = h.to_json();  // a named object: items() refers into it
  for (const auto& [key, value] : sparse.items()) {
    out[key] = value;
  }
  return out;
}

Json delivery_json(const DeliveryCounts& c) {
  return Json{{"expected", c.expected},
              {"delivered", c.delivered},
              {"lost", c.lost()},
              {"duplicated", c.duplicated},
              {"out_of_order", c.out_of_order}};
}

Json second_json(const SecondSample& s) {
  return Json{{"second", s.second},
              {"connections", s.connections},
              {"connects", s.connects},
              {"connect_failures", s.connect_failures},
              {"published", s.published},
              {"delivered", s.delivered},
              {"acknowledged", s.acknowledged},
              {"inflight", s.inflight},
              {"latency_us",
               {{"p50", s.latency.percentile(50)},
                {"p99", s.latency.percentile(99)},
                {"max", s.latency.max()}}},
              {"histogram", s.latency.to_json()}};
}

Json shared_json(const SharedReceipts& r) {
  Json by_publisher = Json::object();
  for (const auto& [publisher, ranges] : r.by_publisher) {
    Json list = Json::array();
    for (const auto& [first, last] : ranges) {
      list.push_back(Json::array({first, last}));
    }
    by_publisher[publisher] = std::move(list);
  }
  return Json{{"sink", r.sink},
              {"delivery_qos", r.delivery_qos},
              {"by_publisher", std::move(by_publisher)}};
}

// CPU time per delivered message in µs: what a delivery costs (derived; absent without any).
double per_delivered_us(double cpu_s, std::uint64_t delivered) {
  return non_negative(cpu_s) * 1e6 / static_cast<double>(delivered);
}

Json resources_json(const Resources& r, std::uint64_t delivered) {
  Json out{{"cpu_user_s", non_negative(r.cpu_user_s)},
           {"cpu_system_s", non_negative(r.cpu_system_s)},
           {"max_rss_kib", r.max_rss_kib},
           {"threads", r.threads}};
  if (r.broker_cpu_s) out["broker_cpu_s"] = non_negative(*r.broker_cpu_s);
  if (delivered > 0) {
    out["cpu_us_per_delivered"] =
        per_delivered_us(non_negative(r.cpu_user_s) + non_negative(r.cpu_system_s), delivered);
    if (r.broker_cpu_s) {
      out["broker_cpu_us_per_delivered"] = per_delivered_us(*r.broker_cpu_s, delivered);
    }
  }
  return out;
}

}  // namespace

nlohmann::ordered_json to_json(const SwarmMetrics& m) {
  const DeliveryCounts total = m.total();
  const ConnectionCounts& c = m.connections;
  Json out{{"published", m.publishing.published},
           {"delivered", total.delivered},
           {"expected", total.expected},
           {"lost", m.lost()},
           {"duplicated", total.duplicated},
           {"out_of_order", total.out_of_order},
           {"latency_us", percentiles_json(m.end_to_end)},
           {"connections",
            {{"attempted", c.attempted},
             {"succeeded", c.succeeded},
             {"failed", c.failed},
             {"peak", c.peak},
             {"reconnects", c.reconnects},
             {"dropped", c.dropped},
             {"subscribe_failed", c.subscribe_failed}}}};
  out["lost_qos0"] = m.by_qos[0].lost();
  out["scenario"] = m.scenario;
  const double measured = non_negative(m.measured_s);
  out["measured_s"] = measured;
  out["throughput_per_s"] = measured > 0 ? static_cast<double>(total.delivered) / measured : 0.0;
  const PublishCounts& p = m.publishing;
  out["publishing"] = Json{{"published", p.published},
                           {"acknowledged", p.acknowledged},
                           {"refused", p.refused},
                           {"abandoned", p.abandoned},
                           {"behind_schedule", p.behind_schedule}};
  out["by_qos"] = Json{{"0", delivery_json(m.by_qos[0])},
                       {"1", delivery_json(m.by_qos[1])},
                       {"2", delivery_json(m.by_qos[2])}};
  out["histograms"] = Json{{"end_to_end", histogram_json(m.end_to_end)},
                           {"connect", histogram_json(m.connect)},
                           {"subscribe", histogram_json(m.subscribe)},
                           {"ack_qos1", histogram_json(m.ack_qos1)},
                           {"ack_qos2", histogram_json(m.ack_qos2)}};
  Json& series = out["series"] = Json::array();
  for (const SecondSample& s : m.series) {
    series.push_back(second_json(s));
  }
  Json& slos = out["slos"] = Json::array();
  for (const SloResult& s : m.slos) {
    slos.push_back(Json{{"name", s.name},
                        {"limit", non_negative(s.limit)},
                        {"measured", non_negative(s.measured)},
                        {"passed", s.passed}});
  }
  if (!m.shared.empty()) {
    Json& shared = out["shared"] = Json::array();
    for (const SharedReceipts& r : m.shared) {
      shared.push_back(shared_json(r));
    }
  }
  out["resources"] = resources_json(m.resources, total.delivered);
  Json& shards = out["shards"] = Json::array();
  for (const ShardInfo& s : m.shards) {
    shards.push_back(
        Json{{"index", s.index}, {"count", s.count}, {"seed", s.seed}, {"complete", s.complete}});
  }
  if (m.plan.is_object() && !m.plan.empty()) out["plan"] = m.plan;
  if (!m.notes.empty()) out["notes"] = m.notes;
  return out;
}

// --- from JSON -----------------------------------------------------------------------------------

namespace detail {

namespace {

DeliveryCounts read_delivery(const Json& value, const std::string& path) {
  as_object(value, path);
  DeliveryCounts c;
  c.expected = count_field(value, "expected", path);
  c.delivered = count_field(value, "delivered", path);
  c.duplicated = count_field(value, "duplicated", path);
  c.out_of_order = count_field(value, "out_of_order", path);
  return c;  // "lost" is derived
}

PublishCounts read_publishing(const Json& value, const std::string& path) {
  as_object(value, path);
  PublishCounts p;
  p.published = count_field(value, "published", path);
  p.acknowledged = count_field(value, "acknowledged", path);
  p.refused = count_field(value, "refused", path);
  p.abandoned = count_field(value, "abandoned", path);
  p.behind_schedule = count_field(value, "behind_schedule", path);
  return p;
}

ConnectionCounts read_connections(const Json& value, const std::string& path) {
  as_object(value, path);
  ConnectionCounts c;
  c.attempted = count_field(value, "attempted", path);
  c.succeeded = count_field(value, "succeeded", path);
  c.failed = count_field(value, "failed", path);
  c.peak = count_field(value, "peak", path);
  c.reconnects = count_field(value, "reconnects", path);
  c.dropped = count_field(value, "dropped", path);
  c.subscribe_failed = count_field(value, "subscribe_failed", path);
  return c;
}

SecondSample read_second(const Json& value, const std::string& path) {
  as_object(value, path);
  SecondSample s;
  s.second = count_field(value, "second", path);
  s.connections = count_field(value, "connections", path);
  s.connects = count_field(value, "connects", path);
  s.connect_failures = count_field(value, "connect_failures", path);
  s.published = count_field(value, "published", path);
  s.delivered = count_field(value, "delivered", path);
  s.acknowledged = count_field(value, "acknowledged", path);
  s.inflight = count_field(value, "inflight", path);
  s.latency = read_histogram(require(value, "histogram", path), member(path, "histogram"));
  return s;  // "latency_us" is derived
}

SloResult read_slo(const Json& value, const std::string& path) {
  as_object(value, path);
  SloResult s;
  const std::string name_path = member(path, "name");
  s.name = as_string(require(value, "name", path), name_path);
  if (std::find(std::begin(slo_names), std::end(slo_names), s.name) == std::end(slo_names)) {
    std::string list;
    for (const std::string_view known : slo_names) {
      list += (list.empty() ? "" : ", ") + std::string(known);
    }
    fail(name_path, "expected one of " + list + "; got \"" + s.name + "\"");
  }
  s.limit = as_duration(require(value, "limit", path), member(path, "limit"));
  return s;  // "measured" and "passed" are derived: evaluate_slos
}

using Ranges = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

Ranges read_ranges(const Json& value, const std::string& path) {
  as_array(value, path);
  Ranges out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string at = element(path, i);
    const Json& pair = value[i];
    if (!pair.is_array() || pair.size() != 2) fail(at, "expected [first, last)");
    const std::uint64_t first = as_count(pair[0], element(at, 0));
    const std::uint64_t last = as_count(pair[1], element(at, 1));
    if (first >= last) fail(at, "an empty range: first must be below last (half-open)");
    if (!out.empty() && first < out.back().second) {
      fail(at, "ranges must be sorted and disjoint: " + std::to_string(first) +
                   " starts before the previous range ends (" + std::to_string(out.back().second) +
                   ")");
    }
    out.emplace_back(first, last);
  }
  return out;
}

SharedReceipts read_shared(const Json& value, const std::string& path) {
  as_object(value, path);
  SharedReceipts r;
  r.sink = as_string(require(value, "sink", path), member(path, "sink"));
  const std::uint64_t qos = count_field(value, "delivery_qos", path);
  if (qos > 2) fail(member(path, "delivery_qos"), "expected 0, 1 or 2");
  r.delivery_qos = static_cast<unsigned>(qos);
  const std::string publishers_path = member(path, "by_publisher");
  for (const auto& [publisher, ranges] :
       as_object(require(value, "by_publisher", path), publishers_path).items()) {
    r.by_publisher[publisher] = read_ranges(ranges, member(publishers_path, publisher));
  }
  return r;
}

Resources read_resources(const Json& value, const std::string& path) {
  as_object(value, path);
  Resources r;
  r.cpu_user_s = as_duration(require(value, "cpu_user_s", path), member(path, "cpu_user_s"));
  r.cpu_system_s = as_duration(require(value, "cpu_system_s", path), member(path, "cpu_system_s"));
  r.max_rss_kib = count_field(value, "max_rss_kib", path);
  r.threads = count_field(value, "threads", path);
  if (const Json* broker = find(value, "broker_cpu_s")) {
    r.broker_cpu_s = as_duration(*broker, member(path, "broker_cpu_s"));
  }
  return r;  // the per-delivered costs are derived
}

std::uint32_t as_uint32(const Json& object, std::string_view key, const std::string& path) {
  const std::uint64_t value = count_field(object, key, path);
  if (value > std::numeric_limits<std::uint32_t>::max()) {
    fail(member(path, key), "expected an integer below 2^32");
  }
  return static_cast<std::uint32_t>(value);
}

ShardInfo read_shard(const Json& value, const std::string& path) {
  as_object(value, path);
  ShardInfo s;
  s.index = as_uint32(value, "index", path);
  s.count = as_uint32(value, "count", path);
  if (s.count == 0) fail(member(path, "count"), "expected at least 1");
  if (s.index >= s.count) {
    fail(member(path, "index"), "expected an index below count (" + std::to_string(s.count) + ")");
  }
  s.seed = count_field(value, "seed", path);
  s.complete = as_bool(require(value, "complete", path), member(path, "complete"));
  return s;
}

}  // namespace

SwarmMetrics read_swarm_metrics(const Json& json, const std::string& path) {
  as_object(json, path);
  SwarmMetrics m;
  m.scenario = as_string(require(json, "scenario", path), member(path, "scenario"));
  m.measured_s = as_duration(require(json, "measured_s", path), member(path, "measured_s"));
  m.publishing = read_publishing(require(json, "publishing", path), member(path, "publishing"));

  const std::string qos_path = member(path, "by_qos");
  const Json& by_qos = as_object(require(json, "by_qos", path), qos_path);
  for (const auto& [key, value] : by_qos.items()) {
    if (key != "0" && key != "1" && key != "2")
      fail(member(qos_path, key), "expected QoS 0, 1 or 2");
  }
  for (std::size_t qos = 0; qos < m.by_qos.size(); ++qos) {
    const std::string key = std::to_string(qos);
    m.by_qos[qos] = read_delivery(require(by_qos, key, qos_path), member(qos_path, key));
  }
  m.connections = read_connections(require(json, "connections", path), member(path, "connections"));

  const std::string histograms_path = member(path, "histograms");
  const Json& histograms = as_object(require(json, "histograms", path), histograms_path);
  const std::pair<std::string_view, Histogram SwarmMetrics::*> named[] = {
      {"end_to_end", &SwarmMetrics::end_to_end},
      {"connect", &SwarmMetrics::connect},
      {"subscribe", &SwarmMetrics::subscribe},
      {"ack_qos1", &SwarmMetrics::ack_qos1},
      {"ack_qos2", &SwarmMetrics::ack_qos2}};
  for (const auto& [name, field] : named) {
    m.*field =
        read_histogram(require(histograms, name, histograms_path), member(histograms_path, name));
  }

  read_array(json, "series", path, m.series, read_second);
  for (std::size_t i = 1; i < m.series.size(); ++i) {
    if (m.series[i].second <= m.series[i - 1].second) {
      fail(member(element(member(path, "series"), i), "second"),
           "seconds must increase: " + std::to_string(m.series[i].second) + " after " +
               std::to_string(m.series[i - 1].second));
    }
  }
  read_array(json, "slos", path, m.slos, read_slo);
  for (std::size_t i = 0; i < m.slos.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (m.slos[j].name == m.slos[i].name) {
        fail(member(element(member(path, "slos"), i), "name"),
             "\"" + m.slos[i].name + "\" appears twice");
      }
    }
  }
  read_optional_array(json, "shared", path, m.shared, read_shared);
  m.resources = read_resources(require(json, "resources", path), member(path, "resources"));
  read_array(json, "shards", path, m.shards, read_shard);
  for (std::size_t i = 0; i < m.shards.size(); ++i) {
    const std::string at = element(member(path, "shards"), i);
    if (m.shards[i].count != m.shards.front().count) {
      fail(member(at, "count"), "the shards of one run share their count");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (m.shards[j].index == m.shards[i].index) fail(member(at, "index"), "appears twice");
    }
  }
  if (const Json* plan = find(json, "plan")) m.plan = as_object(*plan, member(path, "plan"));
  read_optional_array(json, "notes", path, m.notes, as_string);
  evaluate_slos(m);
  return m;
}

}  // namespace detail

std::optional<SwarmMetrics> swarm_metrics_from_json(const nlohmann::ordered_json& json,
                                                    std::string& error) {
  try {
    return detail::read_swarm_metrics(json, "metrics");
  } catch (const detail::ReadError& e) {
    error = e.message;
    return std::nullopt;
  }
}

// --- merging -------------------------------------------------------------------------------------

namespace {

using Ranges = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

// How many numbers two sorted lists of disjoint half-open ranges have in common.
std::uint64_t overlap(const Ranges& a, const Ranges& b) {
  std::uint64_t common = 0;
  for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    const std::uint64_t from = std::max(a[i].first, b[j].first);
    const std::uint64_t to = std::min(a[i].second, b[j].second);
    if (from < to) common += to - from;
    if (a[i].second < b[j].second) {
      ++i;
    } else {
      ++j;
    }
  }
  return common;
}

// The union of two sorted lists of disjoint ranges, sorted, with touching ranges joined.
Ranges unite(const Ranges& a, const Ranges& b) {
  Ranges all;
  all.reserve(a.size() + b.size());
  std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(all));
  Ranges out;
  for (const auto& range : all) {
    if (!out.empty() && range.first <= out.back().second) {
      out.back().second = std::max(out.back().second, range.second);
    } else {
      out.push_back(range);
    }
  }
  return out;
}

// Unites the shard's shared-subscription receipts with the total's: a sequence number both hold
// was delivered to the group twice (once in each shard), so it moves from delivered to duplicated.
void merge_shared(SwarmMetrics& total, const SwarmMetrics& shard) {
  for (const SharedReceipts& receipts : shard.shared) {
    auto same =
        std::find_if(total.shared.begin(), total.shared.end(), [&](const SharedReceipts& r) {
          return r.sink == receipts.sink && r.delivery_qos == receipts.delivery_qos;
        });
    if (same == total.shared.end()) {
      total.shared.push_back(receipts);
      continue;
    }
    DeliveryCounts& counts = total.by_qos.at(receipts.delivery_qos);
    for (const auto& [publisher, ranges] : receipts.by_publisher) {
      Ranges& mine = same->by_publisher[publisher];
      const std::uint64_t twice = overlap(mine, ranges);
      counts.duplicated += twice;
      counts.delivered -= std::min(counts.delivered, twice);
      mine = unite(mine, ranges);
    }
  }
}
// Shards are named as --shard names them: 1-based.
std::string shard_name(const ShardInfo& s) {
  return std::to_string(s.index + 1) + "/" + std::to_string(s.count);
}

// Whether the two can be merged; `error` says why not.
bool compatible(const SwarmMetrics& total, const SwarmMetrics& shard, std::string& error) {
  if (shard.shards.empty()) {
    error = "the metrics name no shard (\"shards\" is empty)";
    return false;
  }
  if (shard.scenario != total.scenario) {
    error = "another scenario: \"" + shard.scenario + "\", not \"" + total.scenario + "\"";
    return false;
  }
  const std::uint32_t count = total.shards.front().count;
  for (const ShardInfo& s : shard.shards) {
    if (s.count != count) {
      error = "shard " + shard_name(s) + " is of a run split " + std::to_string(s.count) +
              " ways, not " + std::to_string(count);
      return false;
    }
    const auto same_index = [&](const ShardInfo& t) { return t.index == s.index; };
    const bool seen = std::any_of(total.shards.begin(), total.shards.end(), same_index) ||
                      std::count_if(shard.shards.begin(), shard.shards.end(), same_index) > 1;
    if (seen) {
      error = "shard " + shard_name(s) + " is there twice";
      return false;
    }
  }
  return true;
}

}  // namespace

void add(DeliveryCounts& total, const DeliveryCounts& shard) {
  total.expected += shard.expected;
  total.delivered += shard.delivered;
  total.duplicated += shard.duplicated;
  total.out_of_order += shard.out_of_order;
}

void add(PublishCounts& total, const PublishCounts& shard) {
  total.published += shard.published;
  total.acknowledged += shard.acknowledged;
  total.refused += shard.refused;
  total.abandoned += shard.abandoned;
  total.behind_schedule += shard.behind_schedule;
}

void add(ConnectionCounts& total, const ConnectionCounts& shard) {
  total.attempted += shard.attempted;
  total.succeeded += shard.succeeded;
  total.failed += shard.failed;
  total.peak += shard.peak;  // the shards' clients are disjoint: their peaks add (an upper bound)
  total.reconnects += shard.reconnects;
  total.dropped += shard.dropped;
  total.subscribe_failed += shard.subscribe_failed;
}

void add(SecondSample& total, const SecondSample& shard) {
  total.connections += shard.connections;
  total.connects += shard.connects;
  total.connect_failures += shard.connect_failures;
  total.published += shard.published;
  total.delivered += shard.delivered;
  total.acknowledged += shard.acknowledged;
  total.inflight += shard.inflight;
  total.latency.merge(shard.latency);
}

std::vector<SecondSample> merge_series(const std::vector<SecondSample>& a,
                                       const std::vector<SecondSample>& b) {
  std::vector<SecondSample> out;
  out.reserve(std::max(a.size(), b.size()));
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].second < b[j].second)) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j].second < a[i].second) {
      out.push_back(b[j++]);
    } else {
      out.push_back(a[i++]);
      add(out.back(), b[j++]);
    }
  }
  return out;
}

bool merge_into(SwarmMetrics& total, const SwarmMetrics& shard, std::string& error) {
  if (total.shards.empty()) {
    if (total != SwarmMetrics{}) {
      error = "the metrics to merge into name no shard (\"shards\" is empty)";
      return false;
    }
    if (shard.shards.empty()) {
      error = "the metrics name no shard (\"shards\" is empty)";
      return false;
    }
    total = shard;  // merging into nothing: the first shard as it is
    evaluate_slos(total);
    return true;
  }
  if (!compatible(total, shard, error)) return false;

  add(total.publishing, shard.publishing);
  for (std::size_t qos = 0; qos < total.by_qos.size(); ++qos) {
    add(total.by_qos[qos], shard.by_qos[qos]);
  }
  add(total.connections, shard.connections);
  total.end_to_end.merge(shard.end_to_end);
  total.connect.merge(shard.connect);
  total.subscribe.merge(shard.subscribe);
  total.ack_qos1.merge(shard.ack_qos1);
  total.ack_qos2.merge(shard.ack_qos2);
  total.series = merge_series(total.series, shard.series);
  merge_shared(total, shard);

  Resources& r = total.resources;
  r.cpu_user_s += shard.resources.cpu_user_s;
  r.cpu_system_s += shard.resources.cpu_system_s;
  r.max_rss_kib += shard.resources.max_rss_kib;  // separate processes
  r.threads += shard.resources.threads;
  if (shard.resources.broker_cpu_s) {
    // Every shard measured the same broker over (nearly) the same time: the longest measurement.
    r.broker_cpu_s = std::max(r.broker_cpu_s.value_or(0), *shard.resources.broker_cpu_s);
  }

  total.shards.insert(total.shards.end(), shard.shards.begin(), shard.shards.end());
  std::sort(total.shards.begin(), total.shards.end(),
            [](const ShardInfo& a, const ShardInfo& b) { return a.index < b.index; });
  total.measured_s = std::max(total.measured_s, shard.measured_s);
  for (const std::string& note : shard.notes) {
    if (std::find(total.notes.begin(), total.notes.end(), note) == total.notes.end()) {
      total.notes.push_back(note);
    }
  }
  evaluate_slos(total);
  return true;
}

}  // namespace gauntlet::reports
