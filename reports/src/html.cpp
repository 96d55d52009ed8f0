// report.html: one self-contained file to open offline or attach to a CI run. The style and the
// script are inline, and a Content-Security-Policy forbids loading anything else, so the file
// behaves the same on a laptop, in a CI artifact viewer and in a mail attachment. Every string
// from the report is escaped; the script is a constant and reads the page, never report data.
#include <fmt/format.h>

#include <algorithm>
#include <array>

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

// Text and attribute values alike: after clean_text, the five characters HTML gives meaning to.
std::string html(std::string_view text) {
  std::string out;
  for (const char c : detail::clean_text(text)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
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

void header(std::string& out, const Report& report, const Summary& s) {
  const bool failed = detail::failed(report, s);
  out += fmt::format(R"(<header><h1>gauntlet {} <span class="v v-{}">{}</span></h1>)",
                     to_string(report.kind), failed ? "fail" : "pass", failed ? "FAIL" : "PASS");
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
  if (!report.complete) {
    out +=
        "<p class=\"warning\"><b>Incomplete run.</b> It was interrupted before every case ran; "
        "the counts cover only the cases that ran.</p>\n";
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

void metrics(std::string& out, const Report& report) {
  const auto rows = detail::metric_rows(report.metrics);
  if (rows.empty()) return;
  out += "<section id=\"metrics\"><h2>Metrics</h2>\n<table><tbody>\n";
  for (const auto& [name, value] : rows) {
    out += fmt::format("<tr><th>{}</th><td class=\"num\">{}</td></tr>\n", html(name), html(value));
  }
  out += "</tbody></table></section>\n";
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
  statements(out, report);
  metrics(out, report);
  findings(out, report);
  cases(out, report, s);
  out += fmt::format("</main>\n<script>{}</script>\n</body>\n</html>\n", script);
  return out;
}

}  // namespace gauntlet::reports
