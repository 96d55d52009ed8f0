#include "charts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "text.hpp"

namespace gauntlet::reports::detail {

namespace {

constexpr double width = 720;
constexpr double height = 300;
constexpr double margin_left = 72;
constexpr double margin_right_plain = 36;  // room for the last x label
constexpr double margin_right_axis = 72;
constexpr double margin_top = 36;  // the legend's row
constexpr double margin_bottom = 48;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
// A log axis cannot show 0: values below this (in the axis's unit) sit at its floor.
constexpr double log_floor = 1e-3;

// The value range of an axis: [lo, hi], hi > lo.
struct Range {
  double lo = 0;
  double hi = 1;
};

// Maps values of an axis onto pixels [from, to] (to < from for a y axis: up is smaller).
struct Mapping {
  Range range;
  AxisScale scale = AxisScale::linear;
  double from = 0;
  double to = 1;

  [[nodiscard]] double operator()(double value) const {
    double t = 0;
    if (scale == AxisScale::log) {
      const double v = std::log10(std::max(value, range.lo));
      t = (v - std::log10(range.lo)) / (std::log10(range.hi) - std::log10(range.lo));
    } else {
      t = (value - range.lo) / (range.hi - range.lo);
    }
    return from + std::clamp(t, 0.0, 1.0) * (to - from);
  }
};

// 1, 2 or 5 times a power of ten: about `target` steps over `span`.
double nice_step(double span, double target) {
  const double raw = span / target;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  const double norm = raw / magnitude;
  const double factor = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
  return factor * magnitude;
}

// A tick value for people: "1.5M", "20k", "0.25".
std::string tick_text(double value) {
  const double magnitude = std::abs(value);
  if (magnitude >= 1e6) return number(std::round(value / 1e5) / 10) + "M";
  if (magnitude >= 1e4) return number(std::round(value / 1e2) / 10) + "k";
  return number(std::round(value * 1000) / 1000);
}

// The axis's range from the values it shows.
Range axis_range(const ChartAxis& axis, const std::vector<double>& values) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  for (const double v : values) {
    if (std::isnan(v)) continue;
    if (axis.scale == AxisScale::log && v < log_floor) {
      lo = std::min(lo, log_floor);
      continue;
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  Range r;
  if (axis.scale == AxisScale::log) {
    if (!std::isfinite(lo)) lo = 1;
    if (!std::isfinite(hi)) hi = lo;
    r.lo = std::pow(10, std::floor(std::log10(std::max(axis.min.value_or(lo), log_floor))));
    r.hi = std::pow(10, std::ceil(std::log10(axis.max.value_or(hi))));
    if (r.hi <= r.lo) r.hi = r.lo * 10;
    return r;
  }
  r.lo = axis.min.value_or(std::min(0.0, std::isfinite(lo) ? lo : 0.0));
  const double top = axis.max.value_or(std::isfinite(hi) ? hi : 1.0);
  if (axis.max || !axis.round_up) {
    r.hi = top;
  } else {
    const double step = std::max(nice_step(std::max(top - r.lo, 1e-9), 5), axis.min_step);
    r.hi = r.lo + std::ceil((top - r.lo) / step) * step;
  }
  if (!(r.hi > r.lo)) r.hi = r.lo + 1;
  return r;
}

std::vector<std::pair<double, std::string>> axis_ticks(const ChartAxis& axis, Range r) {
  if (!axis.ticks.empty()) return axis.ticks;
  std::vector<std::pair<double, std::string>> ticks;
  if (axis.scale == AxisScale::log) {
    const auto low = static_cast<int>(std::lround(std::log10(r.lo)));
    const auto high = static_cast<int>(std::lround(std::log10(r.hi)));
    const bool fine = high - low <= 2;  // few decades: 1, 2 and 5 of each
    for (int power = low; power <= high; ++power) {
      for (const double factor : {1.0, 2.0, 5.0}) {
        if (factor != 1.0 && !fine) continue;
        const double value = factor * std::pow(10, power);
        if (value > r.hi * (1 + 1e-9)) break;
        ticks.emplace_back(value, tick_text(value) + axis.unit);
      }
    }
    return ticks;
  }
  const double step = std::max(nice_step(r.hi - r.lo, 5), axis.min_step);
  // Counted, not summed: adding the step up would drift off the round values.
  const auto steps = static_cast<int>(std::floor((r.hi - r.lo) / step + 1e-6));
  for (int i = 0; i <= steps; ++i) {
    const double value = r.lo + step * i;
    ticks.emplace_back(value, tick_text(value) + axis.unit);
  }
  return ticks;
}

std::vector<double> xs_of(const std::vector<ChartSeries>& series) {
  std::vector<double> out;
  for (const ChartSeries& s : series) {
    for (const auto& [x, y] : s.points)
      out.push_back(x);
  }
  return out;
}

std::vector<double> ys_of(const std::vector<ChartSeries>& series, bool right) {
  std::vector<double> out;
  for (const ChartSeries& s : series) {
    if (s.right_axis != right) continue;
    for (const auto& [x, y] : s.points)
      out.push_back(y);
  }
  return out;
}

std::string px(double value) {
  return fmt::format("{:.1f}", value);
}

void x_axis(std::string& out, const ChartAxis& axis, const Mapping& map, double y0, double top) {
  out += fmt::format(
      R"(<g class="axis axis-x"><line class="axis-line" x1="{}" y1="{}" x2="{}" y2="{}"/>)",
      px(map.from), px(y0), px(map.to), px(y0));
  for (const auto& [value, label] : axis_ticks(axis, map.range)) {
    const double x = map(value);
    out += fmt::format(R"(<g class="tick"><line class="grid" x1="{0}" y1="{1}" x2="{0}" y2="{2}"/>)"
                       R"(<text x="{0}" y="{3}" text-anchor="middle">{4}</text></g>)",
                       px(x), px(top), px(y0 + 4), px(y0 + 17), html_text(label));
  }
  out += fmt::format(R"(<text class="axis-label" x="{}" y="{}" text-anchor="middle">{}</text></g>)",
                     px((map.from + map.to) / 2), px(height - 8), html_text(axis.label));
  out += "\n";
}

// A y axis on the left (grid lines across the plot) or on the right (class axis-y2).
void y_axis(std::string& out, const ChartAxis& axis, const Mapping& map, double x0, double x1,
            bool right) {
  out +=
      fmt::format(R"(<g class="axis {}"><line class="axis-line" x1="{}" y1="{}" x2="{}" y2="{}"/>)",
                  right ? "axis-y2" : "axis-y", px(right ? x1 : x0), px(map.from),
                  px(right ? x1 : x0), px(map.to));
  for (const auto& [value, label] : axis_ticks(axis, map.range)) {
    const double y = map(value);
    if (right) {
      out += fmt::format(R"(<g class="tick"><line x1="{0}" y1="{1}" x2="{2}" y2="{1}"/>)"
                         R"(<text x="{3}" y="{4}" text-anchor="start">{5}</text></g>)",
                         px(x1), px(y), px(x1 + 4), px(x1 + 6), px(y + 4), html_text(label));
    } else {
      out +=
          fmt::format(R"(<g class="tick"><line class="grid" x1="{0}" y1="{2}" x2="{1}" y2="{2}"/>)"
                      R"(<text x="{3}" y="{4}" text-anchor="end">{5}</text></g>)",
                      px(x0 - 4), px(x1), px(y), px(x0 - 6), px(y + 4), html_text(label));
    }
  }
  const double middle = (map.from + map.to) / 2;
  const double label_x = right ? width - 10 : 14;
  out += fmt::format(R"svg(<text class="axis-label" x="{0}" y="{1}" text-anchor="middle" )svg"
                     R"svg(transform="rotate(-90 {0} {1})">{2}</text></g>)svg",
                     px(label_x), px(middle), html_text(axis.label));
  out += "\n";
}

// The series as polylines, split where a value is missing.
void lines(std::string& out, const ChartSeries& s, std::size_t index, const Mapping& x,
           const Mapping& y) {
  out += fmt::format(R"(<g class="series series-{}">)", html_text(s.key));
  std::string points;
  auto flush = [&] {
    if (!points.empty()) {
      out += fmt::format(R"(<polyline class="line s{} series-{}" points="{}"/>)", index,
                         html_text(s.key), points);
    }
    points.clear();
  };
  for (const auto& [px_value, py_value] : s.points) {
    if (std::isnan(py_value) || std::isnan(px_value)) {
      flush();
      continue;
    }
    points += (points.empty() ? "" : " ") + px(x(px_value)) + "," + px(y(py_value));
  }
  flush();
  out += "</g>\n";
}

void legend(std::string& out, const std::vector<ChartSeries>& series) {
  out += "<g class=\"legend\">";
  double at = margin_left;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const ChartSeries& s = series[i];
    out += fmt::format(
        R"(<g class="legend-item series-{0}"><line class="swatch s{1}" x1="{2}" y1="16" )"
        R"(x2="{3}" y2="16"/><text x="{4}" y="20">{5}</text></g>)",
        html_text(s.key), i, px(at), px(at + 18), px(at + 23), html_text(s.name));
    // About the width of a character of the chart's font, so the items do not overlap.
    at += 23 + 7.8 * static_cast<double>(s.name.size()) + 22;
  }
  out += "</g>\n";
}

std::string value_text(const ChartSeries& s, double value) {
  return s.format ? s.format(value) : number(value);
}

// What one tooltip band says about one series: its value over [from, to], or its range; the
// series' points before `next` were given to earlier bands (points are sorted by x).
std::string band_value(const ChartSeries& s, std::size_t& next, double from, double to) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (; next < s.points.size() && !(s.points[next].first > to); ++next) {
    const auto [x, y] = s.points[next];
    if (std::isnan(y) || !(x >= from)) continue;
    lo = std::min(lo, y);
    hi = std::max(hi, y);
  }
  if (lo > hi) return "none";  // a gap: no value here
  return hi == lo ? value_text(s, lo) : value_text(s, lo) + " to " + value_text(s, hi);
}

// The tooltips: transparent bands across the plot, one per x value, each with a <title> that a
// browser shows on hover. Past max_hover_bands, neighbouring x values share a band, so a week-long
// series does not make the page huge; its tooltip gives each series' range over the band.
void hover(std::string& out, const LineChart& chart, const Mapping& x, double top, double bottom) {
  if (!chart.x_text) return;
  std::vector<double> xs;
  for (const ChartSeries& s : chart.series) {
    for (const auto& [x_value, y_value] : s.points)
      if (!std::isnan(x_value)) xs.push_back(x_value);
  }
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  if (xs.empty()) return;
  const std::size_t per_band = (xs.size() + max_hover_bands - 1) / max_hover_bands;
  std::vector<std::size_t> next(chart.series.size(), 0);
  out += "<g class=\"hover\">";
  for (std::size_t first = 0; first < xs.size(); first += per_band) {
    const std::size_t last = std::min(first + per_band, xs.size()) - 1;
    const double left = first == 0 ? x.from : (x(xs[first - 1]) + x(xs[first])) / 2;
    const double right = last + 1 == xs.size() ? x.to : (x(xs[last]) + x(xs[last + 1])) / 2;
    std::string text = chart.x_text(xs[first]);
    if (last != first) text += " to " + chart.x_text(xs[last]);
    for (std::size_t i = 0; i < chart.series.size(); ++i) {
      const ChartSeries& s = chart.series[i];
      text += "\n" + s.name + ": " + band_value(s, next[i], xs[first], xs[last]);
    }
    out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>)",
                       px(left), px(top), px(std::max(right - left, 0.0)), px(bottom - top),
                       html_text(text));
  }
  out += "</g>\n";
}

bool has_data(const std::vector<ChartSeries>& series) {
  return std::any_of(series.begin(), series.end(), [](const ChartSeries& s) {
    return std::any_of(s.points.begin(), s.points.end(),
                       [](const auto& p) { return !std::isnan(p.second); });
  });
}

}  // namespace

std::string svg_line_chart(const LineChart& chart) {
  const double right = width - (chart.y2 ? margin_right_axis : margin_right_plain);
  const double bottom = height - margin_bottom;
  const Mapping x{axis_range(chart.x, xs_of(chart.series)), chart.x.scale, margin_left, right};
  const Mapping y{axis_range(chart.y, ys_of(chart.series, false)), chart.y.scale, bottom,
                  margin_top};

  std::string out = fmt::format(
      R"(<svg id="{0}" class="chart" viewBox="0 0 {1} {2}" role="img" aria-labelledby="{0}-title">)"
      "\n<title id=\"{0}-title\">{3}</title>\n",
      html_text(chart.id), width, height, html_text(chart.title));
  legend(out, chart.series);
  x_axis(out, chart.x, x, bottom, margin_top);
  y_axis(out, chart.y, y, margin_left, right, false);
  std::optional<Mapping> y2;
  if (chart.y2) {
    y2 = Mapping{axis_range(*chart.y2, ys_of(chart.series, true)), chart.y2->scale, bottom,
                 margin_top};
    y_axis(out, *chart.y2, *y2, margin_left, right, true);
  }
  out += "<g class=\"plot\">";
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const ChartSeries& s = chart.series[i];
    lines(out, s, i, x, s.right_axis && y2 ? *y2 : y);
  }
  out += "</g>\n";
  hover(out, chart, x, margin_top, bottom);
  if (!has_data(chart.series)) {
    out += fmt::format(R"(<text class="no-data" x="{}" y="{}" text-anchor="middle">no data</text>)",
                       px((margin_left + right) / 2), px((margin_top + bottom) / 2));
  }
  out += "</svg>\n";
  return out;
}

// --- the swarm charts ----------------------------------------------------------------------------

namespace {

ChartAxis seconds_axis() {
  ChartAxis axis;
  axis.label = "time since the first connection (s)";
  axis.round_up = false;
  axis.min_step = 1;  // the series has one sample per whole second
  return axis;
}

ChartAxis latency_axis() {
  ChartAxis axis;
  axis.label = "end-to-end latency (log scale)";
  axis.scale = AxisScale::log;
  axis.unit = " ms";
  return axis;
}

double as_double(std::uint64_t value) {
  return static_cast<double>(value);
}

std::string second_text(double second) {
  return "second " + number(second);
}

std::string per_second_text(double value) {
  return rate(value);
}

std::string count_text(double value) {
  return number(value);
}

// A latency given in ms, as the cards and tables write it ("850 µs", "4.1 ms").
std::string ms_text(double ms) {
  return latency(static_cast<std::uint64_t>(std::llround(std::max(ms, 0.0) * 1000.0)));
}

// A percentile from the distribution chart's "nines" x: 1 -> "p90", 2.3 -> "p99.5", 3 -> "p99.9".
std::string percentile_text(double nines) {
  const double percent = 100.0 * (1.0 - std::pow(10, -nines));
  const double tail = 100.0 - percent;
  const int decimals = tail >= 10 ? 0 : static_cast<int>(1 - std::floor(std::log10(tail)));
  std::string text = fmt::format("{:.{}f}", percent, std::clamp(decimals, 0, 6));
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0')
      text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return "p" + text;
}

// One series of the per-second samples.
template <typename Value>
ChartSeries per_second(const SwarmMetrics& m, std::string name, std::string key, Value value) {
  ChartSeries s{std::move(name), std::move(key), {}, false, per_second_text};
  s.points.reserve(m.series.size());
  for (const SecondSample& second : m.series) {
    s.points.emplace_back(as_double(second.second), value(second));
  }
  return s;
}

// A latency of a second in ms; a gap for a second without deliveries.
template <typename Pick>
auto latency_of(Pick pick) {
  return [pick](const SecondSample& s) {
    return s.latency.empty() ? nan : as_double(pick(s.latency)) / 1000.0;
  };
}

}  // namespace

std::string throughput_chart(const SwarmMetrics& m) {
  LineChart chart;
  chart.id = "chart-throughput";
  chart.title = "Throughput: messages published and delivered per second";
  chart.x = seconds_axis();
  chart.x_text = second_text;
  chart.y.label = "messages per second";
  chart.series.push_back(per_second(m, "published/s", "published",
                                    [](const SecondSample& s) { return as_double(s.published); }));
  chart.series.push_back(per_second(m, "delivered/s (copies)", "delivered",
                                    [](const SecondSample& s) { return as_double(s.delivered); }));
  return svg_line_chart(chart);
}

std::string latency_chart(const SwarmMetrics& m) {
  LineChart chart;
  chart.id = "chart-latency";
  chart.title = "End-to-end latency per second: p50, p99 and max";
  chart.x = seconds_axis();
  chart.x_text = second_text;
  chart.y = latency_axis();
  chart.series.push_back(
      per_second(m, "p50", "p50", latency_of([](const Histogram& h) { return h.percentile(50); })));
  chart.series.push_back(
      per_second(m, "p99", "p99", latency_of([](const Histogram& h) { return h.percentile(99); })));
  chart.series.push_back(
      per_second(m, "max", "max", latency_of([](const Histogram& h) { return h.max(); })));
  for (ChartSeries& s : chart.series)
    s.format = ms_text;
  return svg_line_chart(chart);
}

std::string connections_chart(const SwarmMetrics& m) {
  LineChart chart;
  chart.id = "chart-connections";
  chart.title = "Connections: open, and connects per second";
  chart.x = seconds_axis();
  chart.x_text = second_text;
  chart.y.label = "open connections";
  chart.y2 = ChartAxis{};
  chart.y2->label = "connects per second";
  chart.series.push_back(
      per_second(m, "open connections", "connections",
                 [](const SecondSample& s) { return as_double(s.connections); }));
  chart.series.back().format = count_text;
  ChartSeries connects = per_second(m, "connects/s (right)", "connects",
                                    [](const SecondSample& s) { return as_double(s.connects); });
  connects.right_axis = true;
  chart.series.push_back(std::move(connects));
  ChartSeries failures =
      per_second(m, "connect failures/s (right)", "connect-failures",
                 [](const SecondSample& s) { return as_double(s.connect_failures); });
  failures.right_axis = true;
  chart.series.push_back(std::move(failures));
  return svg_line_chart(chart);
}

std::string distribution_chart(const SwarmMetrics& m) {
  LineChart chart;
  chart.id = "chart-distribution";
  chart.title = "End-to-end latency by percentile";
  chart.x.label = "percentile";
  chart.x.min = 0;
  chart.x.max = 5;
  // "Nines": x = -log10(1 - p/100), so 90 %, 99 %, 99.9 % ... are evenly apart.
  chart.x.ticks = {{0, "0%"}, {1, "90%"}, {2, "99%"}, {3, "99.9%"}, {4, "99.99%"}, {5, "99.999%"}};
  chart.x_text = percentile_text;
  chart.y = latency_axis();
  ChartSeries curve{"end-to-end latency (whole run)", "end-to-end", {}, false, ms_text};
  if (!m.end_to_end.empty()) {
    constexpr int steps = 200;
    for (int i = 0; i <= steps; ++i) {
      const double nines = 5.0 * i / steps;
      const double percent = 100.0 * (1.0 - std::pow(10, -nines));
      curve.points.emplace_back(nines, as_double(m.end_to_end.percentile(percent)) / 1000.0);
    }
  }
  chart.series.push_back(std::move(curve));
  return svg_line_chart(chart);
}

// --- the fuzz charts -----------------------------------------------------------------------------

namespace {

ChartAxis run_time_axis() {
  ChartAxis axis;
  axis.label = "time since the start (s)";
  axis.round_up = false;
  return axis;
}

std::string time_text(double t_s) {
  return "at " + number(std::round(t_s * 10) / 10) + " s";
}

// One series of the fuzz samples; `value` gives NaN for a gap.
template <typename Value>
ChartSeries per_sample(const FuzzMetrics& m, std::string name, std::string key, Value value) {
  ChartSeries s{std::move(name), std::move(key), {}, false, count_text};
  s.points.reserve(m.series.size());
  for (const FuzzSample& sample : m.series) {
    s.points.emplace_back(sample.t_s, value(sample));
  }
  return s;
}

}  // namespace

std::string fuzz_corpus_chart(const FuzzMetrics& m) {
  LineChart chart;
  chart.id = "chart-fuzz-corpus";
  chart.title = "Corpus and response shapes over time";
  chart.x = run_time_axis();
  chart.x_text = time_text;
  chart.y.label = "sequences in the corpus";
  chart.y2 = ChartAxis{};
  chart.y2->label = "distinct response shapes";
  chart.series.push_back(
      per_sample(m, "corpus", "corpus", [](const FuzzSample& s) { return as_double(s.corpus); }));
  ChartSeries shapes = per_sample(m, "response shapes (right)", "shapes",
                                  [](const FuzzSample& s) { return as_double(s.shapes); });
  shapes.right_axis = true;
  chart.series.push_back(std::move(shapes));
  return svg_line_chart(chart);
}

std::string fuzz_rate_chart(const FuzzMetrics& m) {
  LineChart chart;
  chart.id = "chart-fuzz-rate";
  chart.title = "Sequences per second";
  chart.x = run_time_axis();
  chart.x_text = time_text;
  chart.y.label = "sequences per second";
  ChartSeries rate_series{"sequences/s", "sequences", {}, false, per_second_text};
  // The counters start at 0 when the run does: the first interval runs from there.
  double t_before = 0;
  std::uint64_t before = 0;
  for (const FuzzSample& s : m.series) {
    const double dt = s.t_s - t_before;
    if (dt <= 0) continue;  // a sample at the same moment adds no interval
    // Counters only grow; if one went back, the interval has no meaningful rate: a gap.
    const double y = s.sequences >= before ? as_double(s.sequences - before) / dt : nan;
    rate_series.points.emplace_back(s.t_s, y);
    t_before = s.t_s;
    before = s.sequences;
  }
  chart.series.push_back(std::move(rate_series));
  return svg_line_chart(chart);
}

bool has_broker_resources(const FuzzMetrics& m) {
  return std::any_of(m.series.begin(), m.series.end(), [](const FuzzSample& s) {
    return s.broker_rss_kib.has_value() || s.broker_fds.has_value();
  });
}

std::string fuzz_broker_chart(const FuzzMetrics& m) {
  LineChart chart;
  chart.id = "chart-fuzz-broker";
  chart.title = "Broker RSS and descriptors";
  chart.x = run_time_axis();
  chart.x_text = time_text;
  chart.y.label = "broker resident memory (MiB)";
  chart.y2 = ChartAxis{};
  chart.y2->label = "broker open descriptors";
  ChartSeries rss = per_sample(m, "RSS (MiB)", "rss", [](const FuzzSample& s) {
    return s.broker_rss_kib ? as_double(*s.broker_rss_kib) / 1024.0 : nan;
  });
  rss.format = [](double mib) { return number(std::round(mib * 10) / 10) + " MiB"; };
  chart.series.push_back(std::move(rss));
  ChartSeries fds = per_sample(m, "descriptors (right)", "fds", [](const FuzzSample& s) {
    return s.broker_fds ? as_double(*s.broker_fds) : nan;
  });
  fds.right_axis = true;
  chart.series.push_back(std::move(fds));
  return svg_line_chart(chart);
}

}  // namespace gauntlet::reports::detail
