// summary.md: a pull-request comment. It leads with the outcome, lists the cases, and shows each
// failure's detail; the full picture (traces, mismatches) is in report.html. A comment has a size
// limit (GitHub: 65,536 characters), so long reports list only the cases that did not pass and
// cut long details.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>

#include "fuzz_text.hpp"
#include "gauntlet/reports/report.hpp"
#include "text.hpp"

namespace gauntlet::reports {

namespace {

constexpr std::size_t all_cases_up_to = 100;    // above this, the table lists non-passing cases
constexpr std::size_t max_table_rows = 150;     // ...and at most this many
constexpr std::size_t max_sections = 25;        // failure sections with a detail block
constexpr std::size_t max_detail_bytes = 2000;  // per detail block
constexpr std::size_t max_listed = 50;          // failing statements, report-level findings
constexpr std::size_t max_title_bytes = 200;    // a title in the table or a section heading
constexpr std::size_t table_budget = 30000;     // bytes of the file when the table stops growing
constexpr std::size_t budget = 60000;  // bytes; failure sections stop before the file exceeds it

// `text` cut to at most `limit` bytes on a character boundary, with "..." when cut.
std::string shorten(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) {
    --cut;
  }
  return std::string(text.substr(0, cut)) + "...";
}

// Inline text: one line, with every character Markdown could read as markup escaped (a backslash
// before ASCII punctuation is always literal in CommonMark). `|` matters most: it splits table
// cells.
std::string inline_text(std::string_view text) {
  std::string out;
  for (const char c : detail::clean_text(text)) {
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
      continue;
    }
    if (std::string_view("\\`*[]<>|~&#").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  // `_` emphasises only at a word's edge (GFM): "out_of_order" stays as it is.
  std::string escaped;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const bool inside_word = i > 0 && i + 1 < out.size() &&
                             std::isalnum(static_cast<unsigned char>(out[i - 1])) != 0 &&
                             std::isalnum(static_cast<unsigned char>(out[i + 1])) != 0;
    if (out[i] == '_' && !inside_word) escaped += '\\';
    escaped += out[i];
  }
  return escaped;
}

std::size_t longest_backtick_run(std::string_view text) {
  std::size_t longest = 0;
  for (std::size_t run = 0; const char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

// A code span that holds any text: its backtick fence is longer than any run inside. In a table
// cell `|` is escaped even there (GitHub splits cells before it parses code spans).
std::string code(std::string_view text, bool in_table = true) {
  std::string clean;
  for (const char c : detail::clean_text(text)) {
    if (c == '\n' || c == '\r' || c == '\t') {
      clean += ' ';
    } else if (c == '|' && in_table) {
      clean += "\\|";
    } else {
      clean += c;
    }
  }
  const std::string fence(longest_backtick_run(clean) + 1, '`');
  const bool pad = !clean.empty() && (clean.front() == '`' || clean.back() == '`');
  return fence + (pad ? " " : "") + clean + (pad ? " " : "") + fence;
}

// A fenced block for multi-line text, cut to `limit` bytes on a character boundary.
std::string code_block(std::string_view text, std::size_t limit) {
  std::string clean = detail::clean_text(text);
  std::string note;
  if (clean.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(clean[cut]) & 0xC0U) == 0x80U) {
      --cut;
    }
    note = fmt::format("(cut: {} more bytes; the whole detail is in report.json)\n",
                       clean.size() - cut);
    clean.resize(cut);
  }
  const std::string fence(std::max<std::size_t>(3, longest_backtick_run(clean) + 1), '`');
  if (!clean.empty() && clean.back() != '\n') clean += '\n';
  return fence + "text\n" + clean + fence + "\n" + note;
}

void headline(std::string& out, const Report& report, const Summary& s) {
  out += fmt::format(
      "## {} · gauntlet {} · {}: {} cases, {} passed, {} failed, {} errors, {} skipped, {} "
      "waived\n\n",
      detail::failed(report, s) ? "FAIL" : "PASS", to_string(report.kind),
      inline_text(report.target_name), s.total, s.passed, s.failed, s.errors, s.skipped, s.waived);
  out += fmt::format("Target {} · started {} · took {} · gauntlet {}", code(report.target_endpoint),
                     to_rfc3339(report.started_at), detail::human_duration(report.duration_s),
                     inline_text(report.tool_version));
  if (report.seed) out += fmt::format(" · seed {}", *report.seed);
  const std::size_t findings =
      report.findings.size() + (report.fuzz ? report.fuzz->findings.size() : 0);
  if (findings > 0) out += fmt::format(" · {} findings", findings);
  out += "\n\n";
  if (!report.complete) {
    out +=
        "> **Warning: incomplete run.** It was interrupted before every case ran; the counts "
        "cover only the cases that ran.\n\n";
  }
}

void case_table(std::string& out, const Report& report, const Summary& s) {
  if (report.cases.empty()) {
    out += "No cases ran.\n\n";
    return;
  }
  const bool only_problems = report.cases.size() > all_cases_up_to;
  const bool protocols = std::any_of(report.cases.begin(), report.cases.end(),
                                     [](const Case& c) { return !c.protocol.empty(); });
  const bool levels = std::any_of(report.cases.begin(), report.cases.end(),
                                  [](const Case& c) { return !c.level.empty(); });
  out += "| verdict | case | title | spec |";
  out += protocols ? " protocol |" : "";
  out += levels ? " level |" : "";
  out += " time |\n|---|---|---|---|";
  out += protocols ? "---|" : "";
  out += levels ? "---|" : "";
  out += "---:|\n";
  std::size_t rows = 0, unlisted = 0;
  for (const Case& c : report.cases) {
    if ((only_problems && c.verdict == Verdict::pass) || rows == max_table_rows ||
        out.size() > table_budget) {
      ++unlisted;
      continue;
    }
    ++rows;
    std::string spec;
    for (const std::string& id : c.spec) {
      spec += (spec.empty() ? "" : ", ") + inline_text(id);
    }
    out += fmt::format("| {} | {} | {} | {} |", detail::label(c.verdict), code(c.id),
                       inline_text(shorten(c.title, max_title_bytes)), spec);
    if (protocols) out += " " + inline_text(c.protocol) + " |";
    if (levels) out += " " + inline_text(c.level) + " |";
    out += " " + detail::human_duration(c.duration_ms / 1000) + " |\n";
  }
  if (unlisted > 0) {
    out += fmt::format(
        "\n{} more cases are not listed ({} passed in all); report.html lists every "
        "case.\n",
        unlisted, s.passed);
  }
  out += "\n";
}

void statements(std::string& out, const Report& report) {
  if (report.kind != Kind::conformance && report.statements.empty()) return;
  out += "### Statements\n\n";
  const auto levels = detail::count_statements(report);
  if (levels.empty()) {
    out += "No statement of any protocol level was in this run.\n\n";
    return;
  }
  out +=
      "| protocol | statements | not applicable | checked | pass | fail | error | waived | skip "
      "| untested |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const detail::StatementCounts& c : levels) {
    out += fmt::format("| {} | {} | {} | {} ({:.0f} %) | {} | {} | {} | {} | {} | {} |\n",
                       inline_text(c.protocol), c.total, c.of("not_applicable"), c.checked(),
                       c.checked_percent(), c.of("pass"), c.of("fail"), c.of("error"),
                       c.of("waived"), c.of("skip"), c.of("untested"));
  }
  out += "\n";
  std::string failing;
  std::size_t listed = 0;
  for (const StatementResult& s : report.statements) {
    if (s.verdict != "fail" && s.verdict != "error") continue;
    if (listed++ == max_listed) {
      failing += ", ...";
      break;
    }
    failing += (failing.empty() ? "" : ", ") + inline_text(s.protocol + " " + s.id);
  }
  if (!failing.empty()) out += "Failing statements: " + failing + "\n\n";
}

void comparison(std::string& out, const Report& report) {
  if (report.comparison) out += to_markdown(*report.comparison) + "\n";
}

// --- swarm ---

void notes(std::string& out, const Report& report) {
  if (!report.metrics) return;
  for (const std::string& note : report.metrics->notes) {
    out += "> **Note:** " + inline_text(note) + "\n";
  }
  if (!report.metrics->notes.empty()) out += "\n";
}

std::string connections_text(const ConnectionCounts& c) {
  return fmt::format("{} of {} ({} failed, peak {})", detail::grouped(c.succeeded),
                     detail::grouped(c.attempted), detail::grouped(c.failed),
                     detail::grouped(c.peak));
}

// One line an operator reads first: the load, the latency, what went missing.
void swarm_headline(std::string& out, const SwarmMetrics& m) {
  const DeliveryCounts total = m.total();
  const double throughput =
      m.measured_s > 0 ? static_cast<double>(total.delivered) / m.measured_s : 0.0;
  out += fmt::format("### Swarm {}: {} delivered over {}\n\n", code(m.scenario, false),
                     detail::rate(throughput), detail::human_duration(m.measured_s));
  out +=
      "| throughput | p50 | p99 | p99.9 | max | QoS 1/2 lost | QoS 0 lost | duplicates | "
      "connections |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  const Histogram& h = m.end_to_end;
  out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n\n", detail::rate(throughput),
                     detail::latency(h.percentile(50)), detail::latency(h.percentile(99)),
                     detail::latency(h.percentile(99.9)), detail::latency(h.max()),
                     detail::grouped(m.lost()), detail::grouped(m.by_qos[0].lost()),
                     detail::grouped(total.duplicated), connections_text(m.connections));
}

void slo_table(std::string& out, const SwarmMetrics& m) {
  if (m.slos.empty()) {
    out += "No SLO in the scenario.\n\n";
    return;
  }
  out += "| SLO | limit | measured | verdict |\n|---|---:|---:|---|\n";
  for (const SloResult& slo : m.slos) {
    out += fmt::format("| {} | {} | {} | {} |\n", inline_text(detail::slo_label(slo.name)),
                       detail::slo_value(slo.name, slo.limit),
                       detail::slo_value(slo.name, slo.measured), slo.passed ? "PASS" : "FAIL");
  }
  out += "\n";
}

void qos_table(std::string& out, const SwarmMetrics& m) {
  out +=
      "| QoS | expected | delivered | lost | duplicated | out of order |\n"
      "|---|---:|---:|---:|---:|---:|\n";
  auto row = [&out](std::string_view name, const DeliveryCounts& c) {
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", name, detail::grouped(c.expected),
                       detail::grouped(c.delivered), detail::grouped(c.lost()),
                       detail::grouped(c.duplicated), detail::grouped(c.out_of_order));
  };
  row("0", m.by_qos[0]);
  row("1", m.by_qos[1]);
  row("2", m.by_qos[2]);
  row("all", m.total());
  out += "\n";
}

std::string cpu_text(double seconds, std::uint64_t delivered) {
  std::string text = fmt::format("{} s", detail::number(std::round(seconds * 100) / 100));
  if (delivered > 0) {
    text += fmt::format(
        " ({} µs per delivered message)",
        detail::number(std::round(seconds * 1e8 / static_cast<double>(delivered)) / 100));
  }
  return text;
}

void swarm_facts(std::string& out, const SwarmMetrics& m) {
  const PublishCounts& p = m.publishing;
  out += fmt::format(
      "Publishing: {} published · {} acknowledged · {} refused · {} abandoned · {} behind "
      "schedule  \n",
      detail::grouped(p.published), detail::grouped(p.acknowledged), detail::grouped(p.refused),
      detail::grouped(p.abandoned), detail::grouped(p.behind_schedule));
  const ConnectionCounts& c = m.connections;
  out += fmt::format(
      "Connections: {} attempted · {} succeeded · {} failed · peak {} · {} reconnects · {} "
      "dropped · {} subscribe failures  \n",
      detail::grouped(c.attempted), detail::grouped(c.succeeded), detail::grouped(c.failed),
      detail::grouped(c.peak), detail::grouped(c.reconnects), detail::grouped(c.dropped),
      detail::grouped(c.subscribe_failed));
  const Resources& r = m.resources;
  const std::uint64_t delivered = m.total().delivered;
  out += fmt::format("Resources: gauntlet CPU {} · peak memory {} MiB · {} threads",
                     cpu_text(r.cpu_user_s + r.cpu_system_s, delivered),
                     detail::grouped((r.max_rss_kib + 512) / 1024), detail::grouped(r.threads));
  if (r.broker_cpu_s) out += " · broker CPU " + cpu_text(*r.broker_cpu_s, delivered);
  out += "  \n";
  std::string shards;
  for (const ShardInfo& s : m.shards) {
    shards += fmt::format("{}{}/{} (seed {}{})", shards.empty() ? "" : ", ", s.index + 1, s.count,
                          s.seed, s.complete ? "" : ", interrupted");
  }
  if (!shards.empty()) out += "Shards: " + shards + "\n";
  out += "\n";
}

void plan(std::string& out, const SwarmMetrics& m) {
  const auto rows = detail::json_rows(m.plan);
  if (rows.empty()) return;
  out += "<details><summary>Plan</summary>\n\n| | |\n|---|---|\n";
  for (const auto& [name, value] : rows) {
    out += fmt::format("| {} | {} |\n", inline_text(name), inline_text(shorten(value, 200)));
  }
  out += "\n</details>\n\n";
}

void swarm(std::string& out, const Report& report) {
  if (!report.metrics) return;
  const SwarmMetrics& m = *report.metrics;
  swarm_headline(out, m);
  slo_table(out, m);
  qos_table(out, m);
  swarm_facts(out, m);
  plan(out, m);
}

// --- fuzz ---

void fuzz_headline(std::string& out, const FuzzMetrics& m) {
  out += fmt::format("### Fuzzing: {}\n\n", detail::fuzz_outcome(m));
  out +=
      "| mode | sequences | sequences/s | packets | corpus | response shapes | restarts | probes | "
      "stopped |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n";
  out += fmt::format(
      "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n\n", inline_text(detail::fuzz_mode(m.mode)),
      detail::grouped(m.sequences), detail::rate(m.sequences_per_s), detail::fuzz_packets(m),
      detail::fuzz_corpus(m), detail::grouped(m.shapes.size()), detail::grouped(m.restarts),
      detail::fuzz_probes(m), inline_text(detail::fuzz_stop_reason(m.stop_reason)));
  std::string facts =
      fmt::format("Fuzzing {} · triage {} · {} bytes sent", detail::human_duration(m.fuzzing_s),
                  detail::human_duration(m.triage_s), detail::grouped(m.bytes));
  if (m.sequence_limit > 0) facts += " · sequence limit " + detail::grouped(m.sequence_limit);
  if (!m.spawn_command.empty()) facts += " · broker command " + code(m.spawn_command, false);
  out += facts + "\n\n";
}

std::string reproducer_cell(const FuzzFinding& f) {
  const std::string_view status = detail::fuzz_reproducer_status(f);
  if (f.reproducer.empty()) return std::string(status);
  return code(f.reproducer) + " (" + std::string(status) + ")";
}

void fuzz_findings_table(std::string& out, const FuzzMetrics& m) {
  if (m.findings.empty()) {
    out += fmt::format(
        "No finding in {}: no crash, no hang, no resource growth, no spec violation.\n\n",
        detail::counted(m.sequences, "sequence"));
    return;
  }
  out +=
      "| finding | kind | summary | confirmed | minimised | reproducer |\n"
      "|---|---|---|---|---|---|\n";
  std::size_t rows = 0;
  for (const FuzzFinding& f : m.findings) {
    if (rows++ == max_listed) {
      out += fmt::format("\n{} more findings are not listed; report.html lists them all.\n",
                         m.findings.size() - max_listed);
      break;
    }
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", code(f.id),
                       inline_text(detail::fuzz_kind(f.kind)),
                       inline_text(shorten(f.summary, max_title_bytes)), detail::fuzz_replays(f),
                       detail::fuzz_minimised(f), reproducer_cell(f));
  }
  out += "\n";
}

std::string fuzz_finding_section(const FuzzFinding& f) {
  std::string out =
      fmt::format("#### {} {}", inline_text(detail::fuzz_kind(f.kind)), code(f.id, false));
  if (!f.summary.empty()) out += ": " + inline_text(shorten(f.summary, max_title_bytes));
  out += "\n\n";
  std::string facts;
  if (!f.statement.empty()) facts += inline_text(f.statement) + " · ";
  facts += fmt::format("found after {} at sequence {} · seen in {}",
                       detail::human_duration(f.found_at_s), detail::grouped(f.sequence),
                       detail::counted(f.occurrences, "sequence"));
  if (!f.signature.empty()) facts += " · signature " + code(shorten(f.signature, 300), false);
  out += facts + "\n\n";
  out += f.detail.empty() ? std::string("(no detail)\n") : code_block(f.detail, max_detail_bytes);
  return out + "\n";
}

void fuzz(std::string& out, const Report& report) {
  if (!report.fuzz) return;
  const FuzzMetrics& m = *report.fuzz;
  fuzz_headline(out, m);
  fuzz_findings_table(out, m);
  std::size_t shown = 0;
  for (const FuzzFinding& f : m.findings) {
    const std::string section = fuzz_finding_section(f);
    // Half the budget at most: the failing cases' sections come after these.
    if (shown == max_sections || out.size() + section.size() > budget / 2) break;
    out += section;
    ++shown;
  }
  if (shown < m.findings.size()) {
    out += fmt::format("The details of {} more findings are in report.html.\n\n",
                       m.findings.size() - shown);
  }
}

std::string finding_line(const Finding& f) {
  std::string line = "- ";
  if (!f.statement.empty()) line += "**" + inline_text(f.statement) + "** ";
  if (!f.client.empty()) line += "(" + inline_text(f.client) + ") ";
  line += inline_text(f.description);
  if (!f.packet_hex.empty()) line += ": " + code(f.packet_hex, false);
  return line + "\n";
}

void findings(std::string& out, const Report& report) {
  if (report.findings.empty()) return;
  out += "### Findings\n\n";
  for (std::size_t i = 0; i < report.findings.size() && i < max_listed; ++i) {
    out += finding_line(report.findings[i]);
  }
  if (report.findings.size() > max_listed) {
    out += fmt::format("- and {} more: report.html lists them all\n",
                       report.findings.size() - max_listed);
  }
  out += "\n";
}

std::string failure_section(const Case& c) {
  std::string out = fmt::format("#### {} {}", detail::label(c.verdict), code(c.id, false));
  if (!c.title.empty()) out += ": " + inline_text(shorten(c.title, max_title_bytes));
  out += "\n\n";
  std::string facts;
  auto fact = [&facts](const std::string& text) { facts += (facts.empty() ? "" : " · ") + text; };
  for (const std::string& id : c.spec) {
    fact(inline_text(id));
  }
  if (!c.protocol.empty()) fact("MQTT " + inline_text(c.protocol));
  if (!c.level.empty()) fact(inline_text(c.level));
  if (!c.file.empty()) fact("file " + code(c.file, false));
  if (!c.traces.empty()) fact("packet traces in report.html");
  if (!facts.empty()) out += facts + "\n\n";
  out += c.detail.empty() ? std::string("(no detail)\n") : code_block(c.detail, max_detail_bytes);
  out += "\n";
  for (const Finding& f : c.findings) {
    out += finding_line(f);
  }
  if (!c.findings.empty()) out += "\n";
  return out;
}

void failures(std::string& out, const Report& report, const Summary& s) {
  if (s.failed + s.errors == 0) return;
  out += "### Failures\n\n";
  std::uint64_t shown = 0;
  for (const Case& c : report.cases) {
    if (!detail::is_problem(c.verdict)) continue;
    const std::string section = failure_section(c);
    if (shown == max_sections || out.size() + section.size() > budget) break;
    out += section;
    ++shown;
  }
  if (shown < s.failed + s.errors) {
    out += fmt::format("{} more failures are not shown here; report.html has them all.\n\n",
                       s.failed + s.errors - shown);
  }
}

void changes(std::string& out, std::string_view heading, const std::vector<Change>& list) {
  if (list.empty()) return;
  out += fmt::format("{} ({}):\n\n", heading, list.size());
  std::size_t listed = 0;
  for (const Change& c : list) {
    if (listed++ == max_listed) {
      out +=
          fmt::format("- ... and {} more (report.json has them all)\n", list.size() - max_listed);
      break;
    }
    out += fmt::format("- {}: {} → {}\n", inline_text(c.subject),
                       c.before.empty() ? "absent" : inline_text(c.before),
                       c.after.empty() ? "absent" : inline_text(c.after));
  }
  out += "\n";
}

}  // namespace

std::string to_markdown(const Comparison& comparison) {
  std::string out = fmt::format("### Against the baseline {}\n\n", code(comparison.baseline));
  if (comparison.regressions.empty()) {
    out += "No regression: no case that passed there fails here, and no statement either.\n\n";
  }
  changes(out, "**Regressions**", comparison.regressions);
  changes(out, "Fixed", comparison.fixes);
  changes(out, "Other changes", comparison.other);
  while (out.ends_with("\n\n"))
    out.pop_back();
  return out + "\n";
}

std::string to_markdown(const Report& report) {
  const Summary s = report.summary();
  std::string out;
  headline(out, report, s);
  notes(out, report);
  comparison(out, report);
  swarm(out, report);
  fuzz(out, report);
  case_table(out, report, s);
  statements(out, report);
  findings(out, report);
  failures(out, report, s);
  while (out.ends_with("\n\n")) {
    out.pop_back();  // one newline at the end
  }
  return out;
}

}  // namespace gauntlet::reports
