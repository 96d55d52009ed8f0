// Fuzz metrics (fuzz_metrics.hpp): report.json's "fuzz" object and a fuzz report's "findings"
// array, both ways, and the wording for people that summary.md and report.html share. The writers
// put the fields in the struct's order and leave out unset optional ones; the readers take back
// everything the writers put, and name the first field they cannot accept.
#include "gauntlet/reports/fuzz_metrics.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstddef>
#include <limits>

#include "fuzz_read.hpp"
#include "fuzz_text.hpp"
#include "text.hpp"

namespace gauntlet::reports::detail {

// --- to JSON -------------------------------------------------------------------------------------

namespace {

Json shape_json(const FuzzShape& s) {
  return Json{
      {"shape", s.shape}, {"first_seen_s", non_negative(s.first_seen_s)}, {"count", s.count}};
}

Json sample_json(const FuzzSample& s) {
  Json out{{"t_s", non_negative(s.t_s)}, {"sequences", s.sequences}, {"packets", s.packets},
           {"corpus", s.corpus},         {"shapes", s.shapes},       {"findings", s.findings},
           {"restarts", s.restarts}};
  if (s.broker_rss_kib) out["broker_rss_kib"] = *s.broker_rss_kib;
  if (s.broker_fds) out["broker_fds"] = *s.broker_fds;
  return out;
}

}  // namespace

Json fuzz_finding_to_json(const FuzzFinding& f) {
  Json out{{"id", f.id},
           {"kind", f.kind},
           {"signature", f.signature},
           {"summary", f.summary},
           {"detail", f.detail}};
  if (!f.statement.empty()) out["statement"] = f.statement;
  out["found_at_s"] = non_negative(f.found_at_s);
  out["sequence"] = f.sequence;
  out["occurrences"] = f.occurrences;
  out["replays"] = f.replays;
  out["reproduced"] = f.reproduced;
  out["confirmed"] = f.confirmed;
  out["packets_before"] = f.packets_before;
  out["packets_after"] = f.packets_after;
  out["bytes_before"] = f.bytes_before;
  out["bytes_after"] = f.bytes_after;
  if (!f.reproducer.empty()) out["reproducer"] = f.reproducer;
  if (f.reproducer_verified) out["reproducer_verified"] = *f.reproducer_verified;
  return out;
}

Json fuzz_metrics_to_json(const FuzzMetrics& m) {
  Json out{{"mode", m.mode}};
  if (!m.spawn_command.empty()) out["spawn_command"] = m.spawn_command;
  out["sequences"] = m.sequences;
  out["packets"] = m.packets;
  out["bytes"] = m.bytes;
  out["mutated"] = m.mutated;
  out["sequences_per_s"] = non_negative(m.sequences_per_s);
  out["fuzzing_s"] = non_negative(m.fuzzing_s);
  out["triage_s"] = non_negative(m.triage_s);
  out["corpus_initial"] = m.corpus_initial;
  out["corpus_final"] = m.corpus_final;
  out["restarts"] = m.restarts;
  out["probes"] = m.probes;
  out["probe_failures"] = m.probe_failures;
  out["sequence_limit"] = m.sequence_limit;
  out["stop_reason"] = m.stop_reason;
  Json& shapes = out["shapes"] = Json::array();
  for (const FuzzShape& s : m.shapes) {
    shapes.push_back(shape_json(s));
  }
  Json& series = out["series"] = Json::array();
  for (const FuzzSample& s : m.series) {
    series.push_back(sample_json(s));
  }
  return out;
}

// --- from JSON -----------------------------------------------------------------------------------

namespace {

// One of the values a fuzz_metrics.hpp list allows ("expected one of crash, hang, ...; got ...").
template <std::size_t N>
std::string one_of_list(const Json& value, const std::string& path,
                        const std::string_view (&allowed)[N]) {
  std::string text = as_string(value, path);
  std::string list;
  for (const std::string_view a : allowed) {
    if (a == text) return text;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  fail(path, "expected one of " + list + "; got \"" + text + "\"");
}

std::string non_empty_string(const Json& object, std::string_view key, const std::string& path) {
  std::string text = as_string(require(object, key, path), member(path, key));
  if (text.empty()) fail(member(path, key), "expected a non-empty string");
  return text;
}

std::uint32_t as_uint32(const Json& object, std::string_view key, const std::string& path) {
  const std::uint64_t value = count_field(object, key, path);
  if (value > std::numeric_limits<std::uint32_t>::max()) {
    fail(member(path, key), "expected an integer below 2^32");
  }
  return static_cast<std::uint32_t>(value);
}

std::optional<std::uint64_t> optional_count(const Json& object, std::string_view key,
                                            const std::string& path) {
  const Json* value = find(object, key);
  if (value == nullptr) return std::nullopt;
  return as_count(*value, member(path, key));
}

FuzzShape read_shape(const Json& value, const std::string& path) {
  as_object(value, path);
  FuzzShape s;
  s.shape = non_empty_string(value, "shape", path);
  s.first_seen_s = as_duration(require(value, "first_seen_s", path), member(path, "first_seen_s"));
  s.count = count_field(value, "count", path);
  return s;
}

FuzzSample read_sample(const Json& value, const std::string& path) {
  as_object(value, path);
  FuzzSample s;
  s.t_s = as_duration(require(value, "t_s", path), member(path, "t_s"));
  s.sequences = count_field(value, "sequences", path);
  s.packets = count_field(value, "packets", path);
  s.corpus = count_field(value, "corpus", path);
  s.shapes = count_field(value, "shapes", path);
  s.findings = count_field(value, "findings", path);
  s.restarts = count_field(value, "restarts", path);
  s.broker_rss_kib = optional_count(value, "broker_rss_kib", path);
  s.broker_fds = optional_count(value, "broker_fds", path);
  return s;
}

FuzzFinding read_finding(const Json& value, const std::string& path) {
  as_object(value, path);
  FuzzFinding f;
  f.id = non_empty_string(value, "id", path);
  f.kind = one_of_list(require(value, "kind", path), member(path, "kind"), fuzz_finding_kinds);
  f.signature = as_string(require(value, "signature", path), member(path, "signature"));
  f.summary = as_string(require(value, "summary", path), member(path, "summary"));
  f.detail = as_string(require(value, "detail", path), member(path, "detail"));
  f.statement = optional_string(value, "statement", path);
  f.found_at_s = as_duration(require(value, "found_at_s", path), member(path, "found_at_s"));
  f.sequence = count_field(value, "sequence", path);
  f.occurrences = count_field(value, "occurrences", path);
  f.replays = as_uint32(value, "replays", path);
  f.reproduced = as_uint32(value, "reproduced", path);
  if (f.reproduced > f.replays) {
    fail(member(path, "reproduced"),
         "expected at most the replays (" + std::to_string(f.replays) + ")");
  }
  f.confirmed = as_bool(require(value, "confirmed", path), member(path, "confirmed"));
  // fuzz_metrics.hpp defines it so: a finding is confirmed when a replay showed it again.
  if (f.confirmed != (f.reproduced >= 1)) {
    fail(member(path, "confirmed"), f.confirmed ? "expected false: no replay reproduced it"
                                                : "expected true: a replay reproduced it");
  }
  f.packets_before = count_field(value, "packets_before", path);
  f.packets_after = count_field(value, "packets_after", path);
  f.bytes_before = count_field(value, "bytes_before", path);
  f.bytes_after = count_field(value, "bytes_after", path);
  f.reproducer = optional_string(value, "reproducer", path);
  if (const Json* verified = find(value, "reproducer_verified")) {
    f.reproducer_verified = as_bool(*verified, member(path, "reproducer_verified"));
  }
  return f;
}

}  // namespace

FuzzMetrics read_fuzz_metrics(const Json& json, const std::string& path) {
  as_object(json, path);
  FuzzMetrics m;
  m.mode = one_of_list(require(json, "mode", path), member(path, "mode"), fuzz_modes);
  m.spawn_command = optional_string(json, "spawn_command", path);
  m.sequences = count_field(json, "sequences", path);
  m.packets = count_field(json, "packets", path);
  m.bytes = count_field(json, "bytes", path);
  m.mutated = count_field(json, "mutated", path);
  m.sequences_per_s =
      as_duration(require(json, "sequences_per_s", path), member(path, "sequences_per_s"));
  m.fuzzing_s = as_duration(require(json, "fuzzing_s", path), member(path, "fuzzing_s"));
  m.triage_s = as_duration(require(json, "triage_s", path), member(path, "triage_s"));
  m.corpus_initial = count_field(json, "corpus_initial", path);
  m.corpus_final = count_field(json, "corpus_final", path);
  m.restarts = count_field(json, "restarts", path);
  m.probes = count_field(json, "probes", path);
  m.probe_failures = count_field(json, "probe_failures", path);
  m.sequence_limit = count_field(json, "sequence_limit", path);
  m.stop_reason = one_of_list(require(json, "stop_reason", path), member(path, "stop_reason"),
                              fuzz_stop_reasons);

  read_array(json, "shapes", path, m.shapes, read_shape);
  for (std::size_t i = 0; i < m.shapes.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (m.shapes[j].shape == m.shapes[i].shape) {
        fail(member(element(member(path, "shapes"), i), "shape"),
             "\"" + m.shapes[i].shape + "\" appears twice");
      }
    }
  }
  read_array(json, "series", path, m.series, read_sample);
  for (std::size_t i = 1; i < m.series.size(); ++i) {
    if (m.series[i].t_s < m.series[i - 1].t_s) {
      fail(member(element(member(path, "series"), i), "t_s"),
           "time must not go back: " + std::to_string(m.series[i].t_s) + " after " +
               std::to_string(m.series[i - 1].t_s));
    }
  }
  return m;
}

std::vector<FuzzFinding> read_fuzz_findings(const Json& json, const std::string& path) {
  as_array(json, path);
  std::vector<FuzzFinding> out;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const std::string at = element(path, i);
    out.push_back(read_finding(json[i], at));
    for (std::size_t j = 0; j + 1 < out.size(); ++j) {
      if (out[j].id == out.back().id) {
        fail(member(at, "id"),
             "\"" + out.back().id + "\" appears twice: findings are deduplicated");
      }
    }
  }
  return out;
}

std::optional<FuzzMetrics> fuzz_metrics_from_json(const nlohmann::ordered_json& json,
                                                  std::string& error) {
  try {
    return read_fuzz_metrics(json, "fuzz");
  } catch (const ReadError& e) {
    error = e.message;
    return std::nullopt;
  }
}

// --- for people ----------------------------------------------------------------------------------

std::string counted(std::uint64_t count, std::string_view what) {
  return grouped(count) + " " + std::string(what) + (count == 1 ? "" : "s");
}

std::string fuzz_rate_number(double per_second) {
  if (!std::isfinite(per_second) || per_second <= 0) return "0";
  if (per_second >= 100) return grouped(static_cast<std::uint64_t>(std::llround(per_second)));
  return number(std::round(per_second * 10) / 10);
}

std::string fuzz_outcome(const FuzzMetrics& m) {
  const std::size_t n = m.findings.size();
  const std::string in = " in " + counted(m.sequences, "sequence");
  if (n == 0) return "no finding" + in;
  return grouped(n) + (n == 1 ? " finding" : " findings") + in;
}

std::string fuzz_packets(const FuzzMetrics& m) {
  return fmt::format("{} ({} mutated)", grouped(m.packets), grouped(m.mutated));
}

std::string fuzz_corpus(const FuzzMetrics& m) {
  const std::string change = m.corpus_final >= m.corpus_initial
                                 ? "+" + grouped(m.corpus_final - m.corpus_initial)
                                 : "-" + grouped(m.corpus_initial - m.corpus_final);
  return fmt::format("{} → {} ({})", grouped(m.corpus_initial), grouped(m.corpus_final), change);
}

std::string fuzz_probes(const FuzzMetrics& m) {
  if (m.probes == 0) return "none";
  return fmt::format("{} ({} failed)", grouped(m.probes), grouped(m.probe_failures));
}

std::string_view fuzz_stop_reason(std::string_view reason) {
  if (reason == "duration") return "duration reached";
  if (reason == "sequence_limit") return "sequence limit reached";
  if (reason == "interrupted") return "interrupted";
  if (reason == "broker_lost") return "broker lost";
  return reason;
}

std::string_view fuzz_mode(std::string_view mode) {
  if (mode == "broker") return "black box";
  if (mode == "spawn") return "spawned broker";
  return mode;
}

std::string fuzz_kind(std::string_view kind) {
  std::string text(kind);
  for (char& c : text) {
    if (c == '_') c = ' ';
  }
  return text;
}

std::string fuzz_replays(const FuzzFinding& f) {
  if (f.replays == 0) return "not replayed";
  return fmt::format("{}, {} of {} {}", f.confirmed ? "yes" : "no", f.reproduced, f.replays,
                     f.replays == 1 ? "replay" : "replays");
}

std::string fuzz_minimised(const FuzzFinding& f) {
  return fmt::format("{} → {} packets, {} → {} bytes", grouped(f.packets_before),
                     grouped(f.packets_after), grouped(f.bytes_before), grouped(f.bytes_after));
}

std::string_view fuzz_reproducer_status(const FuzzFinding& f) {
  if (f.reproducer.empty()) return "no reproducer";
  if (!f.reproducer_verified) return "not checked";
  return *f.reproducer_verified ? "verified" : "not reproduced by gauntlet run";
}

}  // namespace gauntlet::reports::detail
