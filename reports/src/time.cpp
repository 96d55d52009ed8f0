// RFC 3339 timestamps for report.json's started_at. Written in one fixed form (UTC, milliseconds)
// so that reports sort and diff as text; read in any RFC 3339 form so that reports edited or
// produced by other tools still load.
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>

#include "gauntlet/reports/report.hpp"

namespace gauntlet::reports {

std::string to_rfc3339(std::chrono::system_clock::time_point at) {
  using namespace std::chrono;
  // floor, not duration_cast: before 1970 the latter rounds toward zero, into the wrong day.
  const auto millis = floor<milliseconds>(at);
  const auto day = floor<days>(millis);
  const year_month_day date{day};
  const hh_mm_ss time{millis - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count(),
                     time.subseconds().count());
}

namespace {

// A cursor over the text that reads fixed-width decimal fields.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool digits(std::size_t width, int& value) {
    if (text_.size() - at_ < width) return false;
    value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      const char c = text_[at_ + i];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    at_ += width;
    return true;
  }
  bool literal(std::string_view choices) {
    if (at_ >= text_.size() || choices.find(text_[at_]) == std::string_view::npos) return false;
    ++at_;
    return true;
  }
  [[nodiscard]] char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  [[nodiscard]] bool done() const { return at_ == text_.size(); }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  Scanner in(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!in.digits(4, y) || !in.literal("-") || !in.digits(2, mo) || !in.literal("-") ||
      !in.digits(2, d) || !in.literal("Tt") || !in.digits(2, h) || !in.literal(":") ||
      !in.digits(2, mi) || !in.literal(":") || !in.digits(2, s)) {
    return std::nullopt;
  }
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  // Second 60 is a leap second; the system clock has none, so it reads as the next second.
  if (!date.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;

  nanoseconds fraction{0};
  if (in.literal(".")) {
    int digits = 0;
    std::int64_t scale = 100'000'000;
    for (int digit = 0; in.digits(1, digit); ++digits) {
      fraction += nanoseconds{digit * scale};  // digits beyond nanoseconds add 0
      scale /= 10;
    }
    if (digits == 0) return std::nullopt;
  }

  minutes offset{0};
  if (!in.literal("Zz")) {
    const char sign = in.peek();
    int oh = 0, om = 0;
    if (!in.literal("+-") || !in.digits(2, oh) || !in.literal(":") || !in.digits(2, om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = hours{oh} + minutes{om};
    if (sign == '-') offset = -offset;
  }
  if (!in.done()) return std::nullopt;

  const auto local = sys_days{date} + hours{h} + minutes{mi} + seconds{s} + fraction;
  return time_point_cast<system_clock::duration>(local - offset);
}

}  // namespace gauntlet::reports
