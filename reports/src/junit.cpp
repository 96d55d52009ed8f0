// junit.xml: the format every CI system reads (Jenkins, GitLab, GitHub test reporters). One
// <testsuite> per report; each case is a <testcase> named by its id, which stays stable across
// runs so CI can track a case's history (the title goes into a property, since titles change).
// Skips and waived cases are both <skipped>: to CI, neither is a failure.
#include <fmt/format.h>

#include "gauntlet/reports/report.hpp"
#include "text.hpp"

namespace gauntlet::reports {

namespace {

// XML 1.0 text: clean_text removes what XML forbids; markup characters become references (quotes
// only inside attributes). Inside attributes, tab and line breaks become references too, or a
// parser would normalise them away.
std::string xml(std::string_view text, bool attribute = false) {
  const std::string clean = detail::clean_text(text);
  std::string out;
  out.reserve(clean.size());
  for (const char c : clean) {
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
        out += attribute ? "&quot;" : "\"";
        break;
      case '\'':
        out += attribute ? "&apos;" : "'";
        break;
      case '\r':
        out += "&#13;";  // kept even in text: parsers turn a bare CR into LF
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string seconds(double value) {
  return fmt::format("{:.3f}", value > 0 ? value : 0.0);
}

std::string compact(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The findings and packet traces of a case, as plain text for <system-out>.
std::string findings_text(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    out += "finding";
    if (!f.statement.empty()) out += " [" + f.statement + "]";
    if (!f.client.empty()) out += " (" + f.client + ")";
    out += ": " + f.description + "\n";
    if (!f.packet_hex.empty()) out += "  packet: " + f.packet_hex + "\n";
  }
  return out;
}

std::string fuzz_finding_text(const FuzzFinding& f) {
  std::string out = "finding " + f.id + " [" + f.kind + "]: " + f.summary + "\n";
  if (!f.statement.empty()) out += "  statement: " + f.statement + "\n";
  out += fmt::format("  replays: {} of {} reproduced it; minimised to {} packets, {} bytes\n",
                     f.reproduced, f.replays, f.packets_after, f.bytes_after);
  if (!f.reproducer.empty()) {
    out += "  reproducer: " + f.reproducer +
           (!f.reproducer_verified   ? " (not checked)"
            : *f.reproducer_verified ? " (verified)"
                                     : " (not reproduced by gauntlet run)") +
           "\n";
  }
  return out;
}

// The fuzz engine makes one case per oracle, "fuzz-crash", "fuzz-resource-growth", ...: the case
// of a finding's kind, whose <system-out> lists it.
std::string fuzz_case_id(std::string_view kind) {
  std::string id = "fuzz-" + std::string(kind);
  for (char& c : id) {
    if (c == '_') c = '-';
  }
  return id;
}

bool has_case(const Report& report, const std::string& id) {
  for (const Case& c : report.cases) {
    if (c.id == id) return true;
  }
  return false;
}

// A fuzz report's findings of the case's kind (all of them, for the suite, when `c` is null: those
// whose kind has no case).
std::string fuzz_findings_text(const Report& report, const Case* c) {
  std::string out;
  if (report.kind != Kind::fuzz || !report.fuzz) return out;
  for (const FuzzFinding& f : report.fuzz->findings) {
    const std::string id = fuzz_case_id(f.kind);
    if (c != nullptr ? c->id == id : !has_case(report, id)) out += fuzz_finding_text(f);
  }
  return out;
}

std::string traces_text(const std::vector<ClientTrace>& traces) {
  std::string out;
  for (const ClientTrace& t : traces) {
    out += "trace " + t.client + ":\n";
    for (const PacketRecord& p : t.packets) {
      out += fmt::format("  {:>10.3f} ms {} {}\n", p.at_ms, p.outbound ? "out" : "in ", p.hex);
      if (!p.decoded.is_null()) out += "                 " + compact(p.decoded) + "\n";
    }
  }
  return out;
}

void property(std::string& out, std::string_view indent, std::string_view name,
              std::string_view value) {
  out += fmt::format("{}<property name=\"{}\" value=\"{}\"/>\n", indent, xml(name, true),
                     xml(value, true));
}

std::string classname(const Report& report, const Case& c) {
  std::string name = "gauntlet." + std::string(to_string(report.kind));
  if (!c.protocol.empty()) {
    // Dots separate packages in CI tree views: "3.1.1" would become three levels.
    name += ".mqtt";
    for (const char ch : c.protocol) {
      if (ch != '.') name += ch;
    }
  }
  return name;
}

void testcase(std::string& out, const Report& report, const Case& c) {
  out +=
      fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"",
                  xml(classname(report, c), true), xml(c.id, true), seconds(c.duration_ms / 1000));
  if (!c.file.empty()) out += fmt::format(" file=\"{}\"", xml(c.file, true));
  out += ">\n";

  out += "      <properties>\n";
  property(out, "        ", "title", c.title);
  if (!c.spec.empty()) {
    std::string ids;
    for (const std::string& id : c.spec) {
      ids += (ids.empty() ? "" : " ") + id;
    }
    property(out, "        ", "spec", ids);
  }
  if (!c.level.empty()) property(out, "        ", "level", c.level);
  out += "      </properties>\n";

  const std::string_view reason = detail::first_line(c.detail);
  switch (c.verdict) {
    case Verdict::pass:
      break;
    case Verdict::fail:
      out += fmt::format("      <failure message=\"{}\" type=\"fail\">{}</failure>\n",
                         xml(reason.empty() ? "failed" : reason, true), xml(c.detail));
      break;
    case Verdict::error:
      out += fmt::format("      <error message=\"{}\" type=\"error\">{}</error>\n",
                         xml(reason.empty() ? "error" : reason, true), xml(c.detail));
      break;
    case Verdict::skip:
      out += fmt::format("      <skipped message=\"{}\"/>\n", xml(reason, true));
      break;
    case Verdict::waived:
      out += fmt::format("      <skipped message=\"waived: {}\"/>\n", xml(reason, true));
      break;
  }

  const std::string system_out =
      findings_text(c.findings) + fuzz_findings_text(report, &c) + traces_text(c.traces);
  if (!system_out.empty()) out += "      <system-out>" + xml(system_out) + "</system-out>\n";
  out += "    </testcase>\n";
}

}  // namespace

std::string to_junit_xml(const Report& report) {
  const Summary s = report.summary();
  const std::string counts = fmt::format(R"(tests="{}" failures="{}" errors="{}" skipped="{}")",
                                         s.total, s.failed, s.errors, s.skipped + s.waived);
  const std::string time = seconds(report.duration_s);

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"gauntlet\" {} time=\"{}\">\n", counts, time);
  // JUnit's timestamp has no zone; it is UTC, like started_at.
  out += fmt::format("  <testsuite name=\"gauntlet {}\" {} time=\"{}\" timestamp=\"{}\">\n",
                     to_string(report.kind), counts, time,
                     to_rfc3339(report.started_at).substr(0, 19));

  out += "    <properties>\n";
  property(out, "      ", "gauntlet.version", report.tool_version);
  property(out, "      ", "target.name", report.target_name);
  property(out, "      ", "target.endpoint", report.target_endpoint);
  property(out, "      ", "started_at", to_rfc3339(report.started_at));
  property(out, "      ", "complete", report.complete ? "true" : "false");
  if (report.seed) property(out, "      ", "seed", std::to_string(*report.seed));
  out += "    </properties>\n";

  for (const Case& c : report.cases) {
    testcase(out, report, c);
  }

  std::string system_out;
  if (!report.complete) system_out += "incomplete run: interrupted before every case ran\n";
  if (report.metrics) {
    for (const std::string& note : report.metrics->notes) {
      system_out += "note: " + note + "\n";
    }
  }
  system_out += findings_text(report.findings);
  system_out += fuzz_findings_text(report, nullptr);
  if (!system_out.empty()) out += "    <system-out>" + xml(system_out) + "</system-out>\n";

  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace gauntlet::reports
