// report.html: one self-contained file to open offline or attach to a CI run. The style and the
// script are inline, and a Content-Security-Policy forbids loading anything else, so the file
// behaves the same on a laptop, in a CI artifact viewer and in a mail attachment. Every string
// from the report is escaped; the script is a constant and reads the page, never report data.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include "charts.hpp"
#include "fuzz_text.hpp"
#include "gauntlet/reports/report.hpp"
#include "text.hpp"

namespace gauntlet::reports {

namespace {

constexpr std::string_view style = R"(
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #59636e; --line: #d1d9e0;
  --pass: #1a7f37; --fail: #cf222e; --skip: #8c959f; --error: #bc4c00; --waived: #8250df;
  --code: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1;
  --line: #3d444d; --code: #151b23; } }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg);
  margin: 0 auto; padding: 1rem 2rem; max-width: 1400px; }
h1 { font-size: 1.5rem; margin: .2rem 0; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.meta, .muted { color: var(--muted); }
.counts { display: flex; gap: 1rem; padding: 0; list-style: none; flex-wrap: wrap; }
.counts li { border: 1px solid var(--line); border-radius: 6px; padding: .3rem .8rem; }
.counts b { font-size: 1.3rem; margin-right: .3rem; }
.warning { border-left: 4px solid var(--error); padding: .5rem 1rem; background: var(--code); }
.v { font-weight: 600; font-size: 12px; }
.v-pass { color: var(--pass); } .v-fail { color: var(--fail); } .v-skip { color: var(--skip); }
.v-error { color: var(--error); } .v-waived { color: var(--waived); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid var(--line); }
td.num, th.num { text-align: right; white-space: nowrap; }
code, pre { font: 12px/1.4 ui-monospace, monospace; background: var(--code); }
pre { padding: .5rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
details > summary { cursor: pointer; }
.filter { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin: .5rem 0; }
.filter input[type=search] { min-width: 20rem; padding: .3rem; }
tr[hidden] { display: none; }
.verdict-line { font-size: 1.05rem; margin: .4rem 0 .8rem; }
.card-groups { display: flex; gap: .4rem 1.5rem; flex-wrap: wrap; }
.card-group h3 { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em;
  color: var(--muted); margin: .3rem 0; }
.cards { display: flex; gap: .6rem; padding: 0; margin: 0; list-style: none; flex-wrap: wrap; }
.cards li { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .8rem; min-width: 6.5rem; }
.cards li.v-fail { border-color: var(--fail); }
.cards b { display: block; font-size: 1.4rem; }
.cards small { display: block; color: var(--muted); font-size: 12px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 1.5rem; }
.charts figure { margin: 0; }
.charts figcaption { color: var(--muted); font-size: 13px; margin: .2rem 0 0 .5rem; }
svg.chart { width: 100%; height: auto; font: 14px system-ui, sans-serif; }
svg.chart text { fill: var(--fg); }
svg.chart .tick text { font-size: 13px; }
svg.chart .hover rect { fill: transparent; pointer-events: all; }
svg.chart .hover rect:hover { fill: var(--line); fill-opacity: .35; }
svg.chart .axis-line, svg.chart .tick line { stroke: var(--muted); }
svg.chart .grid { stroke: var(--line); stroke-dasharray: 2 3; }
svg.chart .axis-label { fill: var(--muted); }
svg.chart .line { fill: none; stroke-width: 1.6; stroke-linejoin: round; }
svg.chart .swatch { stroke-width: 3; }
svg.chart .s0 { stroke: #0969da; } svg.chart .s1 { stroke: #1a7f37; }
svg.chart .s2 { stroke: #cf222e; } svg.chart .s3 { stroke: #8250df; }
svg.chart .no-data { fill: var(--muted); font-size: 14px; }
.fact-tables { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; }
.facts td.num { white-space: normal; overflow-wrap: anywhere; }
.plan-list td { overflow-wrap: break-word; }
#slo-table, #qos-table { width: auto; min-width: 50%; }
.finding { border-left: 4px solid var(--fail); padding: .2rem 1rem; margin: .8rem 0; }
.finding h3 { font-size: 1rem; margin: .3rem 0; }
.finding th { width: 8rem; }
)";

constexpr std::string_view script = R"(
(() => {
  const text = document.getElementById('filter');
  const boxes = Array.from(document.querySelectorAll('input[data-verdict]'));
  const selects = Array.from(document.querySelectorAll('select[data-facet]'));
  const rows = Array.from(document.querySelectorAll('#case-table > tbody > tr'));
  const shown = document.getElementById('shown');
  const apply = () => {
    const words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    const on = new Set(boxes.filter(b => b.checked).map(b => b.dataset.verdict));
    let count = 0;
    for (const row of rows) {
      const haystack = row.dataset.search.toLowerCase();
      const visible = on.has(row.dataset.verdict) && words.every(w => haystack.includes(w)) &&
        selects.every(s => s.value === '' || row.dataset[s.dataset.facet] === s.value);
      row.hidden = !visible;
      if (visible) count++;
    }
    shown.textContent = count + ' of ' + rows.length + ' cases shown';
  };
  text.addEventListener('input', apply);
  for (const box of boxes) box.addEventListener('change', apply);
  for (const select of selects) select.addEventListener('change', apply);
  apply();
})();
)";

std::string html(std::string_view text) {
  return detail::html_text(text);
}

std::string pretty(const Json& json) {
  return html(json.dump(2, ' ', false, Json::error_handler_t::replace));
}

std::string verdict_span(Verdict v) {
  return fmt::format(R"(<span class="v v-{}">{}</span>)", to_string(v), detail::label(v));
}

// The five verdict counts, in the order the page shows them.
std::array<std::pair<std::uint64_t, Verdict>, 5> verdict_counts(const Summary& s) {
  return {{{s.passed, Verdict::pass},
           {s.failed, Verdict::fail},
           {s.errors, Verdict::error},
           {s.skipped, Verdict::skip},
           {s.waived, Verdict::waived}}};
}

// Things a reader must know to trust the numbers (swarm metrics notes), at the top.
void notes(std::string& out, const Report& report) {
  if (!report.metrics) return;
  for (const std::string& note : report.metrics->notes) {
    out += "<p class=\"warning note\"><b>Note.</b> " + html(note) + "</p>\n";
  }
}

void header(std::string& out, const Report& report, const Summary& s) {
  const bool failed = detail::failed(report, s);
  // A run cut short passed nothing: what ran may have passed, the rest was never tried (its exit
  // code is 3, not 0).
  const auto [shade, outcome] = failed             ? std::pair{"fail", "FAIL"}
                                : !report.complete ? std::pair{"error", "INCOMPLETE"}
                                                   : std::pair{"pass", "PASS"};
  out += fmt::format(R"(<header><h1>gauntlet {} <span class="v v-{}">{}</span></h1>)",
                     to_string(report.kind), shade, outcome);
  out += fmt::format("<p>target <b>{}</b> <code>{}</code></p>\n", html(report.target_name),
                     html(report.target_endpoint));
  out += "<ul class=\"counts\">";
  out += fmt::format("<li><b>{}</b>cases</li>", s.total);
  for (const auto& [count, verdict] : verdict_counts(s)) {
    out += fmt::format(R"(<li class="v-{}"><b>{}</b>{}</li>)", to_string(verdict), count,
                       to_string(verdict));
  }
  out += "</ul>\n";
  out += fmt::format("<p class=\"meta\">started {} · took {} · gauntlet {}",
                     to_rfc3339(report.started_at), detail::human_duration(report.duration_s),
                     html(report.tool_version));
  if (report.seed) out += fmt::format(" · seed {}", *report.seed);
  out += "</p>\n";
  notes(out, report);
  if (!report.complete && report.metrics) {
    out += fmt::format(
        "<p class=\"warning incomplete\"><b>Incomplete run.</b> The swarm did not run to its "
        "end: it was interrupted, or shards of it are missing or were interrupted (the notes "
        "above say which). The numbers cover the {} of publishing that was measured, and "
        "copies still in flight when it stopped count as lost.</p>\n",
        detail::human_duration(report.metrics->measured_s));
  } else if (!report.complete && report.fuzz) {
    out += fmt::format(
        "<p class=\"warning incomplete\"><b>Incomplete run.</b> The fuzzer was interrupted "
        "before its end: the numbers and findings cover the {} of fuzzing that ran.</p>\n",
        detail::human_duration(report.fuzz->fuzzing_s));
  } else if (!report.complete) {
    out +=
        "<p class=\"warning incomplete\"><b>Incomplete run.</b> It was interrupted before every "
        "case ran; the counts cover only the cases that ran.</p>\n";
  }
  out += "</header>\n";
}

void statements(std::string& out, const Report& report) {
  if (report.kind != Kind::conformance && report.statements.empty()) return;
  out += "<section id=\"statements\"><h2>Statements</h2>\n";
  const auto levels = detail::count_statements(report);
  if (levels.empty()) {
    out += "<p>No statement of any protocol level was in this run.</p></section>\n";
    return;
  }
  out +=
      "<table><thead><tr><th>protocol</th><th class=\"num\">statements</th>"
      "<th class=\"num\">not applicable</th><th class=\"num\">checked</th>";
  for (const std::string_view verdict : {"pass", "fail", "error", "waived", "skip", "untested"})
    out += fmt::format("<th class=\"num\">{}</th>", verdict);
  out += "</tr></thead><tbody>\n";
  for (const detail::StatementCounts& c : levels) {
    out += fmt::format(
        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{} ({:.0f} %)</td>",
        html(c.protocol), c.total, c.of("not_applicable"), c.checked(), c.checked_percent());
    for (const std::string_view verdict : {"pass", "fail", "error", "waived", "skip", "untested"})
      out += fmt::format("<td class=\"num v-{}\">{}</td>", verdict == "untested" ? "skip" : verdict,
                         c.of(verdict));
    out += "</tr>\n";
  }
  out +=
      "</tbody></table>\n<details><summary>every statement</summary><table><thead><tr>"
      "<th>protocol</th><th>statement</th><th>verdict</th><th>cases</th><th>why</th>"
      "</tr></thead><tbody>\n";
  for (const StatementResult& s : report.statements) {
    std::string cases;
    for (const std::string& id : s.cases)
      cases += (cases.empty() ? "" : " ") + id;
    const std::string_view shade =
        s.verdict == "pass" || s.verdict == "fail" || s.verdict == "error" || s.verdict == "waived"
            ? std::string_view(s.verdict)
            : std::string_view("skip");
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=\"v v-{}\">{}</td><td><code>{}</code></td>"
        "<td>{}</td></tr>\n",
        html(s.protocol), html(s.id), shade, html(s.verdict), html(cases), html(s.reason));
  }
  out += "</tbody></table></details></section>\n";
}

void change_list(std::string& out, std::string_view heading, const std::vector<Change>& list) {
  if (list.empty()) return;
  out += fmt::format("<h3>{} ({})</h3>\n<ul>\n", heading, list.size());
  for (const Change& c : list)
    out += fmt::format("<li>{}: {} &rarr; {}</li>\n", html(c.subject),
                       html(c.before.empty() ? "absent" : c.before),
                       html(c.after.empty() ? "absent" : c.after));
  out += "</ul>\n";
}

void comparison(std::string& out, const Report& report) {
  if (!report.comparison) return;
  const Comparison& c = *report.comparison;
  out += fmt::format("<section id=\"baseline\"><h2>Against the baseline <code>{}</code></h2>\n",
                     html(c.baseline));
  if (c.regressions.empty()) out += "<p class=\"v-pass\">No regression.</p>\n";
  change_list(out, "Regressions", c.regressions);
  change_list(out, "Fixed", c.fixes);
  change_list(out, "Other changes", c.other);
  out += "</section>\n";
}

// --- swarm ---

void card(std::string& out, std::string_view id, const std::string& value, std::string_view what,
          bool bad = false, const std::string& more = {}) {
  out += fmt::format(R"(<li class="card{}" id="card-{}"><b>{}</b>{})", bad ? " v-fail" : "", id,
                     html(value), html(what));
  if (!more.empty()) out += "<small>" + html(more) + "</small>";
  out += "</li>";
}

// Whether the scenario limits `name` and the run broke that limit: the card of the same measure
// is then marked as failing.
bool slo_failed(const SwarmMetrics& m, std::string_view name) {
  return std::any_of(m.slos.begin(), m.slos.end(),
                     [name](const SloResult& s) { return s.name == name && !s.passed; });
}

// A percentile of a histogram for people; "none" when it recorded nothing (0 µs would read as
// a measurement).
std::string latency_of(const Histogram& h, double percent) {
  return h.empty() ? "none" : detail::latency(h.percentile(percent));
}

std::string percent_of(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "";
  const double share = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  // Never round a shortfall up to 100 %.
  const double shown = part < whole ? std::min(std::floor(share * 100) / 100, 99.99) : share;
  return detail::number(shown) + " %";
}

// One sentence with the outcome, for a reader who reads nothing else.
void verdict_line(std::string& out, const SwarmMetrics& m) {
  const DeliveryCounts total = m.total();
  std::vector<std::string> parts;
  if (total.expected == 0) {
    parts.emplace_back("no message was owed to any subscriber");
  } else {
    parts.push_back(fmt::format("{} of {} owed copies delivered ({})",
                                detail::grouped(total.delivered), detail::grouped(total.expected),
                                percent_of(total.delivered, total.expected)));
  }
  parts.push_back(m.lost() == 0 ? std::string("no QoS 1/2 message lost")
                                : detail::grouped(m.lost()) + " QoS 1/2 copies lost");
  if (m.by_qos[0].lost() > 0) {
    parts.push_back(detail::grouped(m.by_qos[0].lost()) + " QoS 0 copies lost (QoS 0 allows it)");
  }
  parts.push_back(total.duplicated == 0 ? std::string("no duplicate")
                                        : detail::grouped(total.duplicated) + " duplicates");
  if (!m.end_to_end.empty()) {
    parts.push_back("p99 latency " + detail::latency(m.end_to_end.percentile(99)));
  }
  if (!m.slos.empty()) {
    const auto met = std::count_if(m.slos.begin(), m.slos.end(),
                                   [](const SloResult& slo) { return slo.passed; });
    parts.push_back(fmt::format("{} of {} SLOs met", met, m.slos.size()));
  }
  parts.push_back(fmt::format("{} of {} connection attempts succeeded",
                              detail::grouped(m.connections.succeeded),
                              detail::grouped(m.connections.attempted)));
  std::string sentence;
  for (const std::string& part : parts)
    sentence += (sentence.empty() ? "" : "; ") + part;
  sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
  out += "<p class=\"verdict-line\" id=\"swarm-verdict\">" + html(sentence) + ".</p>\n";
}

void swarm_cards(std::string& out, const SwarmMetrics& m) {
  using detail::grouped;
  const DeliveryCounts total = m.total();
  const double throughput =
      m.measured_s > 0 ? static_cast<double>(total.delivered) / m.measured_s : 0.0;
  const Histogram& h = m.end_to_end;
  out += "<div class=\"headline\" id=\"headline\">\n";
  verdict_line(out, m);
  out +=
      "<div class=\"card-groups\">\n<div class=\"card-group\"><h3>Messages</h3><ul "
      "class=\"cards\">";
  std::string published_more;
  if (m.measured_s > 0) {
    published_more = detail::rate(static_cast<double>(m.publishing.published) / m.measured_s) +
                     " over " + detail::human_duration(m.measured_s);
  }
  if (m.publishing.behind_schedule > 0)
    published_more += "; " + grouped(m.publishing.behind_schedule) + " behind schedule";
  card(out, "published", grouped(m.publishing.published), "published", false, published_more);
  std::string by_qos;
  for (std::size_t qos = 0; qos < m.by_qos.size(); ++qos) {
    const DeliveryCounts& c = m.by_qos[qos];
    if (c.expected == 0 && c.delivered == 0) continue;
    by_qos += fmt::format("{}QoS {}: {} / {}", by_qos.empty() ? "" : "; ", qos,
                          grouped(c.delivered), grouped(c.expected));
  }
  card(out, "delivered", grouped(total.delivered) + " / " + grouped(total.expected),
       "delivered / owed", m.lost() > 0, by_qos);
  card(out, "throughput", detail::rate(throughput), "delivered per second");
  card(out, "lost", grouped(m.lost()), "QoS 1/2 lost", m.lost() > 0 || slo_failed(m, "loss"));
  card(out, "lost-qos0", grouped(m.by_qos[0].lost()), "QoS 0 lost", slo_failed(m, "loss_qos0"));
  card(out, "duplicates", grouped(total.duplicated), "duplicates",
       m.by_qos[2].duplicated > 0 || slo_failed(m, "duplicates"),
       total.out_of_order > 0 ? grouped(total.out_of_order) + " out of order" : std::string());
  out += "</ul></div>\n<div class=\"card-group\"><h3>End-to-end latency</h3><ul class=\"cards\">";
  card(out, "p50", latency_of(h, 50), "p50 latency", slo_failed(m, "p50_latency_ms"));
  card(out, "p99", latency_of(h, 99), "p99 latency", slo_failed(m, "p99_latency_ms"));
  card(out, "p999", latency_of(h, 99.9), "p99.9 latency", slo_failed(m, "p999_latency_ms"));
  card(out, "max", h.empty() ? "none" : detail::latency(h.max()), "max latency",
       slo_failed(m, "max_latency_ms"));
  out += "</ul></div>\n<div class=\"card-group\"><h3>Clients</h3><ul class=\"cards\">";
  card(out, "connections",
       grouped(m.connections.succeeded) + " / " + grouped(m.connections.attempted), "connected",
       m.connections.failed > 0, "peak " + grouped(m.connections.peak) + " open at once");
  out += "</ul></div>\n";
  if (!m.slos.empty()) {
    const auto met = static_cast<std::size_t>(std::count_if(
        m.slos.begin(), m.slos.end(), [](const SloResult& slo) { return slo.passed; }));
    out += "<div class=\"card-group\"><h3>SLOs</h3><ul class=\"cards\">";
    card(out, "slos", fmt::format("{} / {}", met, m.slos.size()), "met", met < m.slos.size());
    out += "</ul></div>\n";
  }
  out += "</div>\n</div>\n";
}

void slo_table(std::string& out, const SwarmMetrics& m) {
  out += "<h3>SLOs</h3>\n";
  if (m.slos.empty()) {
    out += "<p class=\"muted\">No SLO in the scenario.</p>\n";
    return;
  }
  out +=
      "<table id=\"slo-table\"><thead><tr><th>SLO</th><th class=\"num\">limit</th>"
      "<th class=\"num\">measured</th><th>verdict</th></tr></thead><tbody>\n";
  for (const SloResult& slo : m.slos) {
    out += fmt::format(
        "<tr data-slo=\"{}\"><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td>{}</td></tr>\n",
        html(slo.name), html(detail::slo_label(slo.name)),
        html(detail::slo_value(slo.name, slo.limit)),
        html(detail::slo_value(slo.name, slo.measured)),
        verdict_span(slo.passed ? Verdict::pass : Verdict::fail));
  }
  out += "</tbody></table>\n";
}

void qos_table(std::string& out, const SwarmMetrics& m) {
  out +=
      "<h3>Delivery by QoS</h3>\n<table id=\"qos-table\"><thead><tr><th>QoS</th>"
      "<th class=\"num\">expected</th><th class=\"num\">delivered</th><th class=\"num\">lost</th>"
      "<th class=\"num\">duplicated</th><th class=\"num\">out of order</th></tr></thead><tbody>\n";
  auto row = [&out](std::string_view name, const DeliveryCounts& c) {
    out += fmt::format(
        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
        name, detail::grouped(c.expected), detail::grouped(c.delivered), detail::grouped(c.lost()),
        detail::grouped(c.duplicated), detail::grouped(c.out_of_order));
  };
  row("0", m.by_qos[0]);
  row("1", m.by_qos[1]);
  row("2", m.by_qos[2]);
  row("all", m.total());
  out += "</tbody></table>\n";
}

void charts(std::string& out, const SwarmMetrics& m) {
  out +=
      "<h3>Over time</h3>\n<p class=\"muted\">Second 0 is the first connection; hover over a "
      "chart for the values of each second.</p>\n<div class=\"charts\">\n";
  const std::pair<std::string, std::string_view> figures[] = {
      {detail::throughput_chart(m),
       "Messages published per second, and copies delivered per second over all subscribers: a "
       "message owed to four subscribers is delivered four times."},
      {detail::latency_chart(m),
       "The latency of each second's deliveries, from the time each message was scheduled to be "
       "sent: a publisher or a broker that falls behind shows here. A second without deliveries "
       "is a gap."},
      {detail::connections_chart(m),
       "Connections open at the end of each second (left axis); connections accepted and "
       "failed during each second (right axis)."},
      {detail::distribution_chart(m),
       "The whole run's latency at each percentile: the curve at 99.9 % is the latency that 999 "
       "of every 1000 deliveries stayed under."},
  };
  for (const auto& [chart, caption] : figures) {
    out += "<figure>" + chart + "<figcaption>" + html(caption) + "</figcaption></figure>\n";
  }
  out += "</div>\n";
}

// A two-column table of facts.
void facts(std::string& out, std::string_view id, std::string_view heading,
           const std::vector<std::pair<std::string, std::string>>& rows) {
  if (rows.empty()) return;
  out += fmt::format("<div class=\"facts\" id=\"{}\"><h3>{}</h3><table><tbody>\n", id, heading);
  for (const auto& [name, value] : rows) {
    out += fmt::format("<tr><th>{}</th><td class=\"num\">{}</td></tr>\n", html(name), html(value));
  }
  out += "</tbody></table></div>\n";
}

bool is_list_of_objects(const Json& value) {
  return value.is_array() && !value.empty() &&
         std::all_of(value.begin(), value.end(), [](const Json& v) { return v.is_object(); });
}

// A plan value in one cell: "topic: a/{i}, qos: 1"; lists joined with "; "; empty strings left
// out (an unset option).
std::string compact(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  std::string text;
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      if (child.is_string() && child.get<std::string>().empty()) continue;
      text += (text.empty() ? "" : ", ") + key + ": " + compact(child);
    }
    return text;
  }
  if (value.is_array() && is_list_of_objects(value)) {
    for (const Json& child : value)
      text += (text.empty() ? "" : "; ") + compact(child);
    return text;
  }
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A list of objects from the plan (the client groups) as a table: one row each, a column per
// field in the order the fields first appear.
void plan_list(std::string& out, const std::string& key, const Json& list) {
  std::vector<std::string> columns;
  for (const Json& item : list) {
    for (const auto& [name, value] : item.items()) {
      if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
    }
  }
  out += fmt::format(
      "<div class=\"facts plan-list\" id=\"plan-{0}\"><h3>Plan: {0}</h3><table><thead><tr>",
      html(key));
  for (const std::string& column : columns)
    out += "<th>" + html(column) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (const Json& item : list) {
    out += "<tr>";
    for (const std::string& column : columns) {
      const auto found = item.find(column);
      out += "<td>" + (found == item.end() ? std::string() : html(compact(*found))) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table></div>\n";
}

std::string cpu_text(double seconds, std::uint64_t delivered) {
  std::string text = detail::number(std::round(seconds * 100) / 100) + " s";
  if (delivered > 0) {
    text += " (" +
            detail::number(std::round(seconds * 1e8 / static_cast<double>(delivered)) / 100) +
            " µs per delivered message)";
  }
  return text;
}

void swarm_facts(std::string& out, const SwarmMetrics& m) {
  using detail::grouped;
  const PublishCounts& p = m.publishing;
  const ConnectionCounts& c = m.connections;
  const Resources& r = m.resources;
  const std::uint64_t delivered = m.total().delivered;
  out += "<div class=\"fact-tables\">\n";
  facts(out, "publishing", "Publishing",
        {{"published", grouped(p.published)},
         {"acknowledged", grouped(p.acknowledged)},
         {"refused", grouped(p.refused)},
         {"abandoned", grouped(p.abandoned)},
         {"behind schedule", grouped(p.behind_schedule)}});
  facts(out, "connections", "Connections",
        {{"attempted", grouped(c.attempted)},
         {"succeeded", grouped(c.succeeded)},
         {"failed", grouped(c.failed)},
         {"peak", grouped(c.peak)},
         {"reconnects", grouped(c.reconnects)},
         {"dropped", grouped(c.dropped)},
         {"subscribe failures", grouped(c.subscribe_failed)},
         {"connect p99", latency_of(m.connect, 99)},
         {"subscribe p99", latency_of(m.subscribe, 99)}});
  std::vector<std::pair<std::string, std::string>> resources{
      {"gauntlet CPU", cpu_text(r.cpu_user_s + r.cpu_system_s, delivered)},
      {"peak memory", grouped((r.max_rss_kib + 512) / 1024) + " MiB"},
      {"threads", grouped(r.threads)}};
  if (r.broker_cpu_s) resources.emplace_back("broker CPU", cpu_text(*r.broker_cpu_s, delivered));
  resources.emplace_back("QoS 1 ack p99", latency_of(m.ack_qos1, 99));
  resources.emplace_back("QoS 2 ack p99", latency_of(m.ack_qos2, 99));
  facts(out, "resources", "Resources and acknowledgements", resources);
  std::vector<std::pair<std::string, std::string>> shards;
  for (const ShardInfo& s : m.shards) {
    shards.emplace_back(fmt::format("{}/{}", s.index + 1, s.count),
                        fmt::format("seed {}{}", s.seed, s.complete ? "" : ", interrupted"));
  }
  facts(out, "shards", "Shards", shards);
  Json rest = Json::object();
  for (const auto& [key, value] : m.plan.items()) {
    if (!is_list_of_objects(value)) rest[key] = value;
  }
  facts(out, "plan", "Plan", detail::json_rows(rest));
  out += "</div>\n";
  for (const auto& [key, value] : m.plan.items()) {
    if (is_list_of_objects(value)) plan_list(out, key, value);
  }
}

void swarm(std::string& out, const Report& report) {
  if (!report.metrics) return;
  const SwarmMetrics& m = *report.metrics;
  out += fmt::format("<section id=\"swarm\"><h2>Swarm <code>{}</code> · {} measured</h2>\n",
                     html(m.scenario), detail::human_duration(m.measured_s));
  swarm_cards(out, m);
  slo_table(out, m);
  qos_table(out, m);
  charts(out, m);
  swarm_facts(out, m);
  out += "</section>\n";
}

// --- fuzz ---

// One sentence with the outcome, then the campaign's figures.
void fuzz_verdict_line(std::string& out, const FuzzMetrics& m) {
  using detail::grouped;
  std::vector<std::string> parts{detail::fuzz_outcome(m)};
  if (!m.findings.empty()) {
    const auto confirmed = std::count_if(m.findings.begin(), m.findings.end(),
                                         [](const FuzzFinding& f) { return f.confirmed; });
    parts.push_back(fmt::format("{} of them confirmed by a replay", confirmed));
  }
  parts.push_back(fmt::format("{} sequences per second over {}",
                              detail::fuzz_rate_number(m.sequences_per_s),
                              detail::human_duration(m.fuzzing_s)));
  parts.push_back("corpus " + detail::fuzz_corpus(m));
  parts.push_back(detail::counted(m.shapes.size(), "response shape"));
  if (m.mode == "spawn") {
    parts.push_back(m.restarts == 0 ? std::string("no broker restart")
                                    : detail::counted(m.restarts, "broker restart"));
  }
  parts.push_back("stopped: " + std::string(detail::fuzz_stop_reason(m.stop_reason)));
  std::string sentence;
  for (const std::string& part : parts)
    sentence += (sentence.empty() ? "" : "; ") + part;
  sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
  out += "<p class=\"verdict-line\" id=\"fuzz-verdict\">" + html(sentence) + ".</p>\n";
}

void fuzz_cards(std::string& out, const FuzzMetrics& m) {
  using detail::grouped;
  const auto confirmed = static_cast<std::uint64_t>(std::count_if(
      m.findings.begin(), m.findings.end(), [](const FuzzFinding& f) { return f.confirmed; }));
  out += "<div class=\"headline\" id=\"headline\">\n";
  fuzz_verdict_line(out, m);
  out +=
      "<div class=\"card-groups\">\n<div class=\"card-group\"><h3>Findings</h3><ul "
      "class=\"cards\">";
  card(out, "fuzz-findings", grouped(m.findings.size()), "findings", !m.findings.empty(),
       m.findings.empty() ? std::string() : grouped(confirmed) + " confirmed");
  out += "</ul></div>\n<div class=\"card-group\"><h3>Campaign</h3><ul class=\"cards\">";
  card(out, "fuzz-sequences", grouped(m.sequences), "sequences", false,
       detail::human_duration(m.fuzzing_s) + " of fuzzing");
  card(out, "fuzz-rate", detail::rate(m.sequences_per_s), "sequences per second");
  card(out, "fuzz-packets", grouped(m.packets), "packets sent", false,
       grouped(m.mutated) + " mutated");
  card(out, "fuzz-corpus", grouped(m.corpus_final), "in the corpus", false,
       "from " + grouped(m.corpus_initial));
  card(out, "fuzz-shapes", grouped(m.shapes.size()), "response shapes");
  out += "</ul></div>\n<div class=\"card-group\"><h3>Broker</h3><ul class=\"cards\">";
  card(out, "fuzz-restarts", grouped(m.restarts), "restarts", false,
       std::string(detail::fuzz_mode(m.mode)));
  card(out, "fuzz-probes", grouped(m.probe_failures), "failed probes", m.probe_failures > 0,
       "of " + grouped(m.probes) + " liveness probes");
  card(out, "fuzz-stop", std::string(detail::fuzz_stop_reason(m.stop_reason)), "end",
       m.stop_reason == "broker_lost");
  out += "</ul></div>\n</div>\n</div>\n";
}

void fuzz_findings_table(std::string& out, const FuzzMetrics& m) {
  out += "<h3>Findings</h3>\n";
  if (m.findings.empty()) {
    out += fmt::format(
        "<p id=\"fuzz-no-finding\">No finding in {}: no crash, no hang, no resource growth, no "
        "spec violation.</p>\n",
        html(detail::counted(m.sequences, "sequence")));
    return;
  }
  out +=
      "<table id=\"fuzz-findings\"><thead><tr><th>finding</th><th>kind</th><th>summary</th>"
      "<th>confirmed</th><th>minimised</th><th>reproducer</th></tr></thead><tbody>\n";
  for (const FuzzFinding& f : m.findings) {
    const std::string_view status = detail::fuzz_reproducer_status(f);
    std::string reproducer = html(status);
    if (!f.reproducer.empty()) {
      reproducer = "<code>" + html(f.reproducer) + "</code> (" + reproducer + ")";
    }
    out += fmt::format(
        "<tr data-kind=\"{0}\"><td><a href=\"#finding-{1}\"><code>{1}</code></a></td><td>{2}</td>"
        "<td>{3}</td><td>{4}</td><td>{5}</td><td>{6}</td></tr>\n",
        html(f.kind), html(f.id), html(detail::fuzz_kind(f.kind)), html(f.summary),
        html(detail::fuzz_replays(f)), html(detail::fuzz_minimised(f)), reproducer);
  }
  out += "</tbody></table>\n";
}

void fuzz_finding(std::string& out, const FuzzFinding& f) {
  out +=
      fmt::format("<article class=\"finding\" id=\"finding-{}\"><h3>{} <code>{}</code>: {}</h3>\n",
                  html(f.id), html(detail::fuzz_kind(f.kind)), html(f.id), html(f.summary));
  std::vector<std::pair<std::string, std::string>> rows;
  if (!f.statement.empty()) rows.emplace_back("statement", f.statement);
  rows.emplace_back("signature", f.signature);
  rows.emplace_back("found", "after " + detail::human_duration(f.found_at_s) + ", sequence " +
                                 detail::grouped(f.sequence));
  rows.emplace_back("seen in", detail::counted(f.occurrences, "sequence"));
  rows.emplace_back("replays", detail::fuzz_replays(f));
  rows.emplace_back("minimised", detail::fuzz_minimised(f));
  rows.emplace_back("reproducer", f.reproducer.empty()
                                      ? std::string(detail::fuzz_reproducer_status(f))
                                      : f.reproducer + " (" +
                                            std::string(detail::fuzz_reproducer_status(f)) + ")");
  out += "<table class=\"facts\"><tbody>\n";
  for (const auto& [name, value] : rows) {
    out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", html(name), html(value));
  }
  out += "</tbody></table>\n";
  if (!f.detail.empty()) out += "<pre>" + html(f.detail) + "</pre>\n";
  out += "</article>\n";
}

void fuzz_charts(std::string& out, const FuzzMetrics& m) {
  out +=
      "<h3>Over time</h3>\n<p class=\"muted\">Time 0 is the start of the run; hover over a "
      "chart for the values of each sample.</p>\n<div class=\"charts\">\n";
  std::vector<std::pair<std::string, std::string_view>> figures{
      {detail::fuzz_corpus_chart(m),
       "Sequences kept in the corpus (left axis) and distinct response shapes the broker has "
       "shown (right axis): both flatten when the fuzzer stops finding new behaviour."},
      {detail::fuzz_rate_chart(m),
       "Sequences run per second over each interval between two samples; dips show broker "
       "restarts, slow responses and triage."},
  };
  if (detail::has_broker_resources(m)) {
    figures.emplace_back(detail::fuzz_broker_chart(m),
                         "The spawned broker's resident memory (left axis) and open file "
                         "descriptors (right axis): steady growth is what resource_growth "
                         "findings are made of.");
  }
  for (const auto& [chart, caption] : figures) {
    out += "<figure>" + chart + "<figcaption>" + html(caption) + "</figcaption></figure>\n";
  }
  out += "</div>\n";
}

void fuzz_facts(std::string& out, const FuzzMetrics& m) {
  using detail::grouped;
  std::vector<std::pair<std::string, std::string>> campaign{
      {"mode", std::string(detail::fuzz_mode(m.mode))}};
  if (!m.spawn_command.empty()) campaign.emplace_back("broker command", m.spawn_command);
  campaign.emplace_back("sequences", grouped(m.sequences));
  campaign.emplace_back("sequence limit",
                        m.sequence_limit == 0 ? std::string("none") : grouped(m.sequence_limit));
  campaign.emplace_back("packets", detail::fuzz_packets(m));
  campaign.emplace_back("bytes sent", grouped(m.bytes));
  campaign.emplace_back("fuzzing", detail::human_duration(m.fuzzing_s));
  campaign.emplace_back("triage", detail::human_duration(m.triage_s));
  campaign.emplace_back("corpus", detail::fuzz_corpus(m));
  campaign.emplace_back("restarts", grouped(m.restarts));
  campaign.emplace_back("liveness probes", detail::fuzz_probes(m));
  campaign.emplace_back("stopped", std::string(detail::fuzz_stop_reason(m.stop_reason)));
  out += "<div class=\"fact-tables\">\n";
  facts(out, "fuzz-campaign", "Campaign", campaign);
  out += "</div>\n";
  if (m.shapes.empty()) return;
  out += fmt::format(
      "<details id=\"fuzz-shapes\"><summary>{}, in the order first seen"
      "</summary><table><thead><tr><th>shape</th><th class=\"num\">first seen</th>"
      "<th class=\"num\">count</th></tr></thead><tbody>\n",
      detail::counted(m.shapes.size(), "response shape"));
  for (const FuzzShape& shape : m.shapes) {
    out += fmt::format(
        "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
        html(shape.shape), detail::human_duration(shape.first_seen_s), grouped(shape.count));
  }
  out += "</tbody></table></details>\n";
}

void fuzz(std::string& out, const Report& report) {
  if (!report.fuzz) return;
  const FuzzMetrics& m = *report.fuzz;
  out += fmt::format("<section id=\"fuzz\"><h2>Fuzzing · {} · {}</h2>\n",
                     html(detail::fuzz_mode(m.mode)), detail::human_duration(m.fuzzing_s));
  fuzz_cards(out, m);
  fuzz_findings_table(out, m);
  // The charts before the findings' details: those can be many and long.
  fuzz_charts(out, m);
  if (!m.findings.empty()) out += "<h3>Each finding</h3>\n";
  for (const FuzzFinding& f : m.findings) {
    fuzz_finding(out, f);
  }
  fuzz_facts(out, m);
  out += "</section>\n";
}

void finding_items(std::string& out, const std::vector<Finding>& findings) {
  out += "<ul>\n";
  for (const Finding& f : findings) {
    out += "<li>";
    if (!f.statement.empty()) out += "<b>" + html(f.statement) + "</b> ";
    if (!f.client.empty()) out += "(" + html(f.client) + ") ";
    out += html(f.description);
    if (!f.packet_hex.empty()) out += "<br><code>" + html(f.packet_hex) + "</code>";
    out += "</li>\n";
  }
  out += "</ul>\n";
}

void findings(std::string& out, const Report& report) {
  if (report.findings.empty()) return;
  out += "<section id=\"findings\"><h2>Findings</h2>\n";
  finding_items(out, report.findings);
  out += "</section>\n";
}

// What a case's <details> holds: the detail text, then mismatches, findings and packet traces.
void case_details(std::string& out, const Case& c) {
  const std::string_view summary = detail::first_line(c.detail);
  out +=
      fmt::format("<details><summary>{}</summary>\n", html(summary.empty() ? "detail" : summary));
  if (!c.detail.empty()) out += "<pre>" + html(c.detail) + "</pre>\n";
  if (!c.choices.empty()) {
    out +=
        "<p class=\"muted\">where the spec allows several behaviours, the broker chose</p><ul>\n";
    for (const std::string& choice : c.choices)
      out += "<li>" + html(choice) + "</li>\n";
    out += "</ul>\n";
  }
  for (const Mismatch& m : c.mismatches) {
    out += fmt::format("<h4>{} · {}: {}</h4>\n<p class=\"muted\">expected</p><pre>{}</pre>\n",
                       html(m.step), html(m.client), html(m.reason), pretty(m.expected));
    out += fmt::format("<p class=\"muted\">received ({})</p>\n", m.received.size());
    for (const Json& r : m.received) {
      out += "<pre>" + pretty(r) + "</pre>\n";
    }
  }
  if (!c.findings.empty()) {
    out += "<h4>Findings</h4>\n";
    finding_items(out, c.findings);
  }
  for (const ClientTrace& t : c.traces) {
    out += fmt::format(
        "<h4>Packets of {}</h4>\n<table class=\"trace\"><thead><tr>"
        "<th class=\"num\">ms</th><th></th><th>bytes</th><th>decoded</th>"
        "</tr></thead><tbody>\n",
        html(t.client));
    for (const PacketRecord& p : t.packets) {
      out += fmt::format(
          "<tr><td class=\"num\">{:.3f}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>\n",
          p.at_ms, p.outbound ? "&rarr; out" : "&larr; in", html(p.hex),
          p.decoded.is_null() ? std::string() : "<pre>" + pretty(p.decoded) + "</pre>");
    }
    out += "</tbody></table>\n";
  }
  out += "</details>";
}

void case_row(std::string& out, const Case& c) {
  std::string spec;
  for (const std::string& id : c.spec) {
    spec += (spec.empty() ? "" : " ") + id;
  }
  const std::string search = c.id + " " + c.title + " " + spec + " " + c.protocol + " " + c.level +
                             " " + c.area + " " + c.file + " " + std::string(to_string(c.verdict));
  out += fmt::format(
      R"(<tr data-verdict="{}" data-area="{}" data-protocol="{}" data-search="{}"><td>{}</td>)"
      R"(<td><code>{}</code></td>)",
      to_string(c.verdict), html(c.area), html(c.protocol), html(search), verdict_span(c.verdict),
      html(c.id));
  out += fmt::format(
      "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>",
      html(c.title), html(spec), html(c.area), html(c.protocol), html(c.level),
      detail::human_duration(c.duration_ms / 1000));
  const bool rich = detail::is_problem(c.verdict) || !c.mismatches.empty() || !c.findings.empty() ||
                    !c.traces.empty() || !c.choices.empty() ||
                    c.detail.find('\n') != std::string::npos;
  if (rich) {
    case_details(out, c);
  } else {
    out += html(c.detail);
  }
  out += "</td></tr>\n";
}

// A drop-down that shows only the cases with one value of a field; none when all cases share one.
void facet(std::string& out, const Report& report, std::string_view name,
           std::string Case::*field) {
  std::vector<std::string> values;
  for (const Case& c : report.cases)
    if (!(c.*field).empty() && std::find(values.begin(), values.end(), c.*field) == values.end())
      values.push_back(c.*field);
  if (values.size() < 2) return;
  std::sort(values.begin(), values.end());
  out +=
      fmt::format(R"(<label>{} <select data-facet="{}"><option value="">all</option>)", name, name);
  for (const std::string& value : values)
    out += fmt::format(R"(<option value="{0}">{0}</option>)", html(value));
  out += "</select></label>";
}

void cases(std::string& out, const Report& report, const Summary& s) {
  out += "<section id=\"cases\"><h2>Cases</h2>\n<div class=\"filter\">";
  out += R"(<input id="filter" type="search" placeholder="filter: id, title, statement, file" )"
         R"(aria-label="filter cases">)";
  for (const auto& [count, verdict] : verdict_counts(s)) {
    out +=
        fmt::format(R"(<label><input type="checkbox" data-verdict="{}" checked> {} ({})</label>)",
                    to_string(verdict), verdict_span(verdict), count);
  }
  facet(out, report, "area", &Case::area);
  facet(out, report, "protocol", &Case::protocol);
  out += "<span id=\"shown\" class=\"muted\"></span></div>\n";
  out +=
      "<table id=\"case-table\"><thead><tr><th>verdict</th><th>case</th><th>title</th>"
      "<th>spec</th><th>area</th><th>protocol</th><th>level</th><th class=\"num\">time</th>"
      "<th>detail</th></tr></thead>\n<tbody>\n";
  for (const Case& c : report.cases) {
    case_row(out, c);
  }
  out += "</tbody></table></section>\n";
}

}  // namespace

std::string to_html(const Report& report) {
  const Summary s = report.summary();
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      // Nothing outside this file may load: no fonts, images, scripts or requests.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n";
  out += fmt::format("<title>gauntlet {} · {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                     to_string(report.kind), html(report.target_name), style);
  header(out, report, s);
  out += "<main>\n";
  comparison(out, report);
  swarm(out, report);
  fuzz(out, report);
  statements(out, report);
  findings(out, report);
  cases(out, report, s);
  out += fmt::format("</main>\n<script>{}</script>\n</body>\n</html>\n", script);
  return out;
}

}  // namespace gauntlet::reports
