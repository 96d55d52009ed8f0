// Inline SVG charts for report.html (internal to gauntlet::reports): drawn here in C++, with no
// script and nothing loaded, so the page still opens offline and under its
// Content-Security-Policy. One line-chart function draws every chart from a description; the four
// swarm charts and the three fuzz charts only say what to plot.
//
// What a headless browser (or a test) can rely on: each chart is an <svg class="chart"> with its
// id, a <title>, <g class="axis axis-x|axis-y|axis-y2"> with <g class="tick"> labels, a
// <g class="legend"> with one <g class="legend-item"> per series, one or more
// <polyline class="line series-KEY"> per series (a gap in the data splits the line), and a
// <g class="hover"> of transparent bands over the plot, one per x value (or per run of them), whose
// <title> is the tooltip: the x, then each series' value there.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gauntlet/reports/fuzz_metrics.hpp"
#include "gauntlet/reports/swarm_metrics.hpp"

namespace gauntlet::reports::detail {

enum class AxisScale { linear, log };

struct ChartAxis {
  std::string label;  ///< "messages per second"
  AxisScale scale = AxisScale::linear;
  std::string unit;  ///< appended to tick labels: " ms"
  /// Fixed ticks (value, label); empty: ticks chosen from the data range.
  std::vector<std::pair<double, std::string>> ticks;
  std::optional<double> min;  ///< fixed lower end (a linear axis starts at 0 by default)
  std::optional<double> max;  ///< fixed upper end
  /// A linear axis without a fixed max ends at the next tick above the data (true) or at the
  /// data's end (false: a time axis ends when the run did).
  bool round_up = true;
  /// A linear axis's ticks are at least this far apart (1: whole seconds); 0 for no minimum.
  double min_step = 0;
};

struct ChartSeries {
  std::string name;                               ///< legend text
  std::string key;                                ///< class name suffix: "series-<key>"
  std::vector<std::pair<double, double>> points;  ///< (x, y) by increasing x; a NaN y: a gap
  bool right_axis = false;                        ///< plotted against the chart's y2 axis
  /// A value for the tooltips, with its unit ("1,200/s", "4.1 ms"); unset: a plain number.
  std::function<std::string(double)> format;
};

struct LineChart {
  std::string id;  ///< the <svg>'s id: "chart-throughput"
  std::string title;
  ChartAxis x;
  ChartAxis y;
  std::optional<ChartAxis> y2;  ///< a second y axis on the right, for series with right_axis
  std::vector<ChartSeries> series;
  /// The x of a tooltip ("second 12", "p99.9"); unset: no tooltips.
  std::function<std::string(double)> x_text;
};

/// At most this many tooltip bands per chart: a longer series shares a band between neighbouring
/// x values, and the tooltip gives each series' range over them.
inline constexpr std::size_t max_hover_bands = 600;

/// The chart as an <svg> element (escaped; ready to put into the page).
[[nodiscard]] std::string svg_line_chart(const LineChart& chart);

/// published/s and delivered/s, second by second.
[[nodiscard]] std::string throughput_chart(const SwarmMetrics& metrics);
/// End-to-end latency p50, p99 and max of each second (log scale, ms).
[[nodiscard]] std::string latency_chart(const SwarmMetrics& metrics);
/// Open connections (left axis), connects/s and connect failures/s (right axis).
[[nodiscard]] std::string connections_chart(const SwarmMetrics& metrics);
/// The end-to-end latency at each percentile, 0 to 99.999 on a "nines" scale.
[[nodiscard]] std::string distribution_chart(const SwarmMetrics& metrics);

/// Sequences in the corpus (left axis) and distinct response shapes seen (right axis) over time.
[[nodiscard]] std::string fuzz_corpus_chart(const FuzzMetrics& metrics);
/// Sequences per second over each interval between two samples (the first from the start).
[[nodiscard]] std::string fuzz_rate_chart(const FuzzMetrics& metrics);
/// Whether any sample has the spawned broker's memory or descriptors (for fuzz_broker_chart).
[[nodiscard]] bool has_broker_resources(const FuzzMetrics& metrics);
/// The spawned broker's resident memory in MiB (left axis) and open descriptors (right axis); a
/// sample without the figure is a gap.
[[nodiscard]] std::string fuzz_broker_chart(const FuzzMetrics& metrics);

}  // namespace gauntlet::reports::detail
