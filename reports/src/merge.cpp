// The verdicts of a swarm run as cases (swarm_cases), and the merge of the reports of the shards of
// one swarm run (merge_reports, `gauntlet report merge`).
#include <fmt/format.h>

#include <algorithm>

#include "gauntlet/reports/report.hpp"
#include "text.hpp"

namespace gauntlet::reports {

namespace {

Case swarm_case(std::string id, std::string title) {
  Case c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.area = "swarm";
  return c;
}

std::string accounting_line(unsigned qos, const DeliveryCounts& c) {
  return fmt::format("QoS {}: expected {}, delivered {}, lost {}", qos, detail::grouped(c.expected),
                     detail::grouped(c.delivered), detail::grouped(c.lost()));
}

Case delivery_case(const SwarmMetrics& m) {
  Case c = swarm_case("delivery-qos1-2", "every QoS 1 and QoS 2 message reaches every subscriber");
  const std::uint64_t owed = m.by_qos[1].expected + m.by_qos[2].expected;
  if (owed == 0 && m.lost() == 0) {
    c.verdict = Verdict::skip;
    c.detail = "no QoS 1 or QoS 2 delivery was owed in this run";
    return c;
  }
  c.verdict = m.lost() > 0 ? Verdict::fail : Verdict::pass;
  c.detail = fmt::format("{} QoS 1/2 messages lost\n{}\n{}", detail::grouped(m.lost()),
                         accounting_line(1, m.by_qos[1]), accounting_line(2, m.by_qos[2]));
  return c;
}

Case duplicates_case(const SwarmMetrics& m) {
  Case c = swarm_case("duplicates-qos2", "no QoS 2 message arrives twice");
  const DeliveryCounts& q2 = m.by_qos[2];
  if (q2.expected == 0 && q2.duplicated == 0) {
    c.verdict = Verdict::skip;
    c.detail = "no QoS 2 delivery was owed in this run";
    return c;
  }
  c.verdict = q2.duplicated > 0 ? Verdict::fail : Verdict::pass;
  c.detail = fmt::format("QoS 2: {} duplicates among {} delivered messages",
                         detail::grouped(q2.duplicated), detail::grouped(q2.delivered));
  return c;
}

Case slo_case(const SloResult& slo) {
  const std::string_view label = detail::slo_label(slo.name);
  Case c = swarm_case("slo-" + slo.name, fmt::format("SLO: {} at most {}", label,
                                                     detail::slo_value(slo.name, slo.limit)));
  c.verdict = slo.passed ? Verdict::pass : Verdict::fail;
  c.detail = fmt::format("{} {} {} {}", label, detail::slo_value(slo.name, slo.measured),
                         slo.passed ? "<=" : ">", detail::slo_value(slo.name, slo.limit));
  return c;
}

// Whether these metrics cover only some shards of a run. A shard sees its own publishers'
// fan-out but only its own subscribers' receipts (the others' copies are delivered elsewhere), so
// its loss and its percentiles are not the run's.
bool some_shards_only(const SwarmMetrics& m) {
  return !m.shards.empty() && m.shards.size() < m.shards.front().count;
}

// What can only grow when shards merge (failure counts, duplicates and reorderings seen by a
// subscriber, the largest latency): a shard over the limit means the run is too, so a shard may
// judge it. The rest is judged by the merged report.
bool judged_in_a_shard(std::string_view slo) {
  return slo == "max_latency_ms" || slo == "connect_failures" || slo == "subscribe_failures" ||
         slo == "duplicates" || slo == "out_of_order";
}

Case left_to_the_merge(Case c, const SwarmMetrics& m) {
  c.verdict = Verdict::skip;
  c.detail = fmt::format(
      "judged on the whole run: these metrics cover {} of {} shards (a shard counts only its own "
      "subscribers' receipts); merge the shards' reports with `gauntlet report merge`",
      m.shards.size(), m.shards.front().count);
  return c;
}

}  // namespace

std::vector<Case> swarm_cases(const SwarmMetrics& metrics) {
  const bool partial = some_shards_only(metrics);
  std::vector<Case> cases;
  cases.push_back(partial ? left_to_the_merge(delivery_case(metrics), metrics)
                          : delivery_case(metrics));
  cases.push_back(duplicates_case(metrics));
  for (const SloResult& slo : metrics.slos) {
    Case c = slo_case(slo);
    cases.push_back(partial && !judged_in_a_shard(slo.name) ? left_to_the_merge(c, metrics) : c);
  }
  return cases;
}

namespace {

std::string input_name(std::size_t i) {
  return "report " + std::to_string(i + 1);
}

// The metrics of one input, with its shards marked incomplete when the report is.
std::optional<SwarmMetrics> shard_metrics(const Report& report, std::size_t i, std::string& error) {
  if (report.kind != Kind::swarm) {
    error = fmt::format("{}: not a swarm report (kind {})", input_name(i), to_string(report.kind));
    return std::nullopt;
  }
  if (!report.metrics) {
    error = input_name(i) + ": a swarm report without metrics";
    return std::nullopt;
  }
  SwarmMetrics m = *report.metrics;
  if (!report.complete) {
    for (ShardInfo& s : m.shards) {
      s.complete = false;
    }
  }
  return m;
}

// Notes for what the merged numbers do not cover: missing and interrupted shards.
void note_gaps(SwarmMetrics& m, bool& complete) {
  if (m.shards.empty()) return;
  const std::uint32_t count = m.shards.front().count;
  std::string missing;
  std::uint32_t absent = 0;
  for (std::uint32_t index = 0; index < count; ++index) {
    const bool present = std::any_of(m.shards.begin(), m.shards.end(),
                                     [&](const ShardInfo& s) { return s.index == index; });
    if (present) continue;
    ++absent;
    if (absent <= 20)
      missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", index + 1, count);
  }
  if (absent > 20) missing += fmt::format(" and {} more", absent - 20);
  if (absent > 0) {
    complete = false;
    m.notes.push_back(fmt::format(
        "{} of {} shards missing ({}): the numbers cover only the shards that were merged", absent,
        count, missing));
  }
  for (const ShardInfo& s : m.shards) {
    if (s.complete) continue;
    complete = false;
    const std::string note = fmt::format(
        "shard {}/{} was interrupted: it measured less than the full run", s.index + 1, s.count);
    if (std::find(m.notes.begin(), m.notes.end(), note) == m.notes.end()) m.notes.push_back(note);
  }
}

}  // namespace

std::optional<Report> merge_reports(const std::vector<Report>& shards, std::string& error) {
  if (shards.empty()) {
    error = "no report to merge";
    return std::nullopt;
  }
  // Each shard counts its seconds from its own start: on the merged time axis a shard that started
  // later begins that many (whole) seconds later.
  const auto first_start =
      std::min_element(shards.begin(), shards.end(), [](const Report& a, const Report& b) {
        return a.started_at < b.started_at;
      })->started_at;
  SwarmMetrics merged;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    std::optional<SwarmMetrics> metrics = shard_metrics(shards[i], i, error);
    if (!metrics) return std::nullopt;
    const auto late = std::chrono::round<std::chrono::seconds>(shards[i].started_at - first_start);
    for (SecondSample& sample : metrics->series)
      sample.second += static_cast<std::uint64_t>(late.count());
    std::string why;
    if (!merge_into(merged, *metrics, why)) {
      error = input_name(i) + ": " + why;
      return std::nullopt;
    }
  }

  const Report& first = shards.front();
  Report out;
  out.kind = Kind::swarm;
  out.tool_version = first.tool_version;
  out.target_name = first.target_name;
  out.target_endpoint = first.target_endpoint;
  out.started_at = first.started_at;
  out.complete = true;
  for (const Report& r : shards) {
    out.started_at = std::min(out.started_at, r.started_at);
    out.duration_s = std::max(out.duration_s, r.duration_s);
    out.complete = out.complete && r.complete;
    out.findings.insert(out.findings.end(), r.findings.begin(), r.findings.end());
    if (r.target_endpoint != first.target_endpoint) {
      const std::string note = fmt::format("the shards measured different targets: {} and {}",
                                           first.target_endpoint, r.target_endpoint);
      if (std::find(merged.notes.begin(), merged.notes.end(), note) == merged.notes.end()) {
        merged.notes.push_back(note);
      }
    }
  }
  note_gaps(merged, out.complete);
  evaluate_slos(merged);
  out.cases = swarm_cases(merged);
  out.metrics = std::move(merged);
  return out;
}

}  // namespace gauntlet::reports
