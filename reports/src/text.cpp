#include "text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace gauntlet::reports::detail {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

bool continuation(std::string_view text, std::size_t at, unsigned char low = 0x80,
                  unsigned char high = 0xBF) {
  if (at >= text.size()) return false;
  const auto byte = static_cast<unsigned char>(text[at]);
  return byte >= low && byte <= high;
}

// The length of the well-formed UTF-8 sequence at `at`, and its code point; 0 when the bytes there
// are not one. This is RFC 3629's table of well-formed sequences: no overlong forms, no surrogates,
// nothing above U+10FFFF.
std::size_t decode(std::string_view text, std::size_t at, char32_t& code_point) {
  const auto lead = static_cast<unsigned char>(text[at]);
  auto byte = [&](std::size_t i) { return static_cast<char32_t>(text[at + i]) & 0x3FU; };
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  if (lead >= 0xC2 && lead <= 0xDF) {
    if (!continuation(text, at + 1)) return 0;
    code_point = ((lead & 0x1FU) << 6U) | byte(1);
    return 2;
  }
  if (lead >= 0xE0 && lead <= 0xEF) {
    const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
    const unsigned char high = lead == 0xED ? 0x9F : 0xBF;
    if (!continuation(text, at + 1, low, high) || !continuation(text, at + 2)) return 0;
    code_point = ((lead & 0x0FU) << 12U) | (byte(1) << 6U) | byte(2);
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
    const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
    if (!continuation(text, at + 1, low, high) || !continuation(text, at + 2) ||
        !continuation(text, at + 3)) {
      return 0;
    }
    code_point = ((lead & 0x07U) << 18U) | (byte(1) << 12U) | (byte(2) << 6U) | byte(3);
    return 4;
  }
  return 0;
}

}  // namespace

std::string clean_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    char32_t code_point = 0;
    const std::size_t length = decode(text, at, code_point);
    if (length == 0) {
      out += replacement;  // one replacement per bad byte: simple, and nothing is lost silently
      ++at;
      continue;
    }
    if (code_point < 0x20 && code_point != '\t' && code_point != '\n' && code_point != '\r') {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(code_point));
    } else if (code_point == 0xFFFE || code_point == 0xFFFF) {
      out += replacement;
    } else {
      out += text.substr(at, length);
    }
    at += length;
  }
  return out;
}

std::string html_text(std::string_view text) {
  std::string out;
  for (const char c : clean_text(text)) {
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

std::string_view first_line(std::string_view text) {
  return text.substr(0, text.find_first_of("\r\n"));
}

std::string_view label(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::pass:
      return "PASS";
    case Verdict::fail:
      return "FAIL";
    case Verdict::skip:
      return "SKIP";
    case Verdict::error:
      return "ERROR";
    case Verdict::waived:
      return "WAIVED";
  }
  return "?";
}

std::string human_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  if (seconds < 0.01) return fmt::format("{:.1f} ms", seconds * 1000);
  if (seconds < 1) return fmt::format("{:.0f} ms", seconds * 1000);
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  const auto whole = static_cast<std::uint64_t>(seconds);
  if (whole < 3600) return fmt::format("{} min {:02} s", whole / 60, whole % 60);
  return fmt::format("{} h {:02} min", whole / 3600, whole / 60 % 60);
}

std::uint64_t StatementCounts::of(std::string_view verdict) const {
  const auto it = by_verdict.find(verdict);
  return it == by_verdict.end() ? 0 : it->second;
}

std::vector<StatementCounts> count_statements(const Report& report) {
  std::vector<StatementCounts> out;
  for (const StatementResult& s : report.statements) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const StatementCounts& c) { return c.protocol == s.protocol; });
    if (it == out.end()) it = out.insert(out.end(), StatementCounts{s.protocol, 0, {}});
    ++it->total;
    ++it->by_verdict[s.verdict];
  }
  return out;
}

namespace {

void add_json_rows(const Json& value, const std::string& name,
                   std::vector<std::pair<std::string, std::string>>& rows) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      std::string child_name = name;
      if (!child_name.empty()) child_name += '.';
      child_name += key;
      add_json_rows(child, child_name, rows);
    }
  } else if (value.is_string()) {
    rows.emplace_back(name, value.get<std::string>());
  } else {
    rows.emplace_back(name, value.dump(-1, ' ', false, Json::error_handler_t::replace));
  }
}

// Fixed decimals with the trailing zeros (and a trailing point) taken off: "4.100" -> "4.1".
std::string trimmed(double value, int decimals) {
  std::string text = fmt::format("{:.{}f}", value, decimals);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0')
      text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text == "-0" ? "0" : text;
}

struct SloText {
  std::string_view name;
  std::string_view label;
};

constexpr SloText slo_texts[] = {
    {"p50_latency_ms", "p50 latency"},
    {"p90_latency_ms", "p90 latency"},
    {"p99_latency_ms", "p99 latency"},
    {"p999_latency_ms", "p99.9 latency"},
    {"max_latency_ms", "max latency"},
    {"connect_p99_ms", "p99 connect time"},
    {"loss", "QoS 1/2 loss"},
    {"loss_qos0", "QoS 0 loss"},
    {"duplicates", "duplicates"},
    {"out_of_order", "out of order"},
    {"connect_failures", "connect failures"},
    {"subscribe_failures", "subscribe failures"},
};

}  // namespace

std::vector<std::pair<std::string, std::string>> json_rows(const Json& object) {
  std::vector<std::pair<std::string, std::string>> rows;
  if (!object.is_null()) add_json_rows(object, "", rows);
  return rows;
}

std::string grouped(std::uint64_t count) {
  std::string digits = std::to_string(count);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string number(double value) {
  if (!std::isfinite(value)) return "?";
  const double whole = std::round(value);
  if (std::abs(value - whole) < 1e-9 && std::abs(whole) < 9e15) {
    const std::string text = grouped(static_cast<std::uint64_t>(std::abs(whole)));
    return whole < 0 ? "-" + text : text;
  }
  return trimmed(value, 3);
}

std::string latency(std::uint64_t microseconds) {
  if (microseconds < 1000) return fmt::format("{} µs", microseconds);
  const double ms = static_cast<double>(microseconds) / 1000.0;
  if (ms < 10) return trimmed(ms, 2) + " ms";
  if (ms < 100) return trimmed(ms, 1) + " ms";
  if (ms < 10000) return trimmed(ms, 0) + " ms";
  return trimmed(ms / 1000.0, 2) + " s";
}

std::string rate(double per_second) {
  if (!std::isfinite(per_second) || per_second <= 0) return "0/s";
  if (per_second >= 100)
    return grouped(static_cast<std::uint64_t>(std::llround(per_second))) + "/s";
  return trimmed(per_second, 1) + "/s";
}

std::string_view slo_label(std::string_view name) {
  for (const SloText& t : slo_texts) {
    if (t.name == name) return t.label;
  }
  return name;
}

std::string slo_value(std::string_view name, double value) {
  return number(value) + (name.ends_with("_ms") ? " ms" : "");
}

}  // namespace gauntlet::reports::detail
