// `gauntlet report diff BASELINE CURRENT` (the comparison as Markdown; exit 1 on regressions),
// `gauntlet report render REPORT.json --report-dir DIR` (writes the four files again) and
// `gauntlet report merge SHARD.json... --report-dir DIR` (one report from the shards of a swarm
// run; exit 1 when a merged case fails).
#include "report_command.hpp"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string_view>
#include <vector>

#include "exit_codes.hpp"
#include "gauntlet/reports/report.hpp"

namespace gauntlet::cli {
namespace {

std::optional<reports::Report> read_report(const std::string& file) {
  std::string error;
  auto report = reports::read_report_file(file, error);
  if (!report) std::cerr << error << '\n';
  return report;
}

// merge_reports names an input by position ("report 2: ..."); the user knows it by its file.
std::string name_the_file(const std::string& error, const std::vector<std::string>& files) {
  constexpr std::string_view prefix = "report ";
  if (!error.starts_with(prefix)) return error;
  std::size_t end = prefix.size();
  std::size_t number = 0;
  while (end < error.size() && std::isdigit(static_cast<unsigned char>(error[end])) != 0) {
    number = number * 10 + static_cast<std::size_t>(error[end++] - '0');
  }
  if (end == prefix.size() || number == 0 || number > files.size() || error.find(": ", end) != end)
    return error;
  return files[number - 1] + error.substr(end);
}

std::string milliseconds(std::uint64_t microseconds) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(microseconds < 10000 ? 2 : 1)
       << static_cast<double>(microseconds) / 1000.0 << " ms";
  return text.str();
}

// "gauntlet report merge: 2 shard reports of fleet: 6 passed, 0 failed, 0 skipped · 2067 msg/s
// delivered · p99 1.29 ms · QoS 1/2 lost 0 -> DIR"
std::string merge_summary(const reports::Report& report, std::size_t inputs,
                          const std::string& dir) {
  const reports::Summary s = report.summary();
  const reports::SwarmMetrics& m = *report.metrics;
  const double throughput =
      m.measured_s > 0 ? static_cast<double>(m.total().delivered) / m.measured_s : 0.0;
  return "gauntlet report merge: " + std::to_string(inputs) +
         (inputs == 1 ? " shard report of " : " shard reports of ") + m.scenario +
         (report.complete ? "" : " (incomplete: see the notes)") + ": " + std::to_string(s.passed) +
         " passed, " + std::to_string(s.failed) + " failed, " + std::to_string(s.skipped) +
         " skipped · " + std::to_string(std::llround(throughput)) + " msg/s delivered · p99 " +
         milliseconds(m.end_to_end.percentile(99)) + " · QoS 1/2 lost " + std::to_string(m.lost()) +
         " -> " + dir;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("report", "Work with report.json files");
  command->require_subcommand(1);

  auto files = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* diff = command->add_subcommand(
      "diff",
      "Compare two reports; exit 1 when a case or statement that passed in the first fails");
  diff->add_option("baseline", files->first, "The earlier report.json")
      ->required()
      ->check(CLI::ExistingFile);
  diff->add_option("current", files->second, "The later report.json")
      ->required()
      ->check(CLI::ExistingFile);
  diff->callback([files, &exit_code] {
    const auto baseline = read_report(files->first);
    const auto current = read_report(files->second);
    if (!baseline || !current) {
      exit_code = exit_usage;
      return;
    }
    const reports::Comparison comparison = reports::compare(*baseline, *current, files->first);
    std::cout << reports::to_markdown(comparison);
    exit_code = comparison.regressions.empty() ? exit_ok : exit_failed;
  });

  auto render_args = std::make_shared<std::pair<std::string, std::string>>("", "gauntlet-report");
  CLI::App* render = command->add_subcommand(
      "render", "Write junit.xml, summary.md and report.html (and report.json) from a report.json");
  render->add_option("report", render_args->first, "A report.json")
      ->required()
      ->check(CLI::ExistingFile);
  render->add_option("--report-dir", render_args->second, "Where the files go")
      ->capture_default_str();
  render->callback([render_args, &exit_code] {
    const auto report = read_report(render_args->first);
    if (!report) {
      exit_code = exit_usage;
      return;
    }
    if (auto error = reports::write_all(render_args->second, *report)) {
      std::cerr << "gauntlet report render: " << *error << '\n';
      exit_code = exit_infrastructure;
      return;
    }
    exit_code = exit_ok;
  });

  struct MergeArgs {
    std::vector<std::string> files;
    std::string dir = "gauntlet-report";
  };
  auto merge_args = std::make_shared<MergeArgs>();
  CLI::App* merge = command->add_subcommand(
      "merge",
      "Merge the reports of the shards of one swarm run (--shard I/N) into one report; exit 1 "
      "when a merged case fails (an SLO breached, QoS 1/2 messages lost)");
  merge->add_option("reports", merge_args->files, "The shards' report.json files")
      ->required()
      ->check(CLI::ExistingFile);
  merge->add_option("--report-dir", merge_args->dir, "Where the merged files go")
      ->capture_default_str();
  merge->callback([merge_args, &exit_code] {
    std::vector<reports::Report> shards;
    for (const std::string& file : merge_args->files) {
      auto report = read_report(file);
      if (!report) {
        exit_code = exit_usage;
        return;
      }
      shards.push_back(std::move(*report));
    }
    std::string error;
    const auto merged = reports::merge_reports(shards, error);
    if (!merged) {
      std::cerr << "gauntlet report merge: " << name_the_file(error, merge_args->files) << '\n';
      exit_code = exit_usage;
      return;
    }
    if (auto write_error = reports::write_all(merge_args->dir, *merged)) {
      std::cerr << "gauntlet report merge: " << *write_error << '\n';
      exit_code = exit_infrastructure;
      return;
    }
    std::cout << merge_summary(*merged, shards.size(), merge_args->dir) << '\n';
    const reports::Summary s = merged->summary();
    // A verdict first; without one, a merge of only some shards judged nothing about the run.
    if (s.failed + s.errors > 0) {
      exit_code = exit_failed;
    } else {
      exit_code = merged->complete ? exit_ok : exit_infrastructure;
    }
  });
}

}  // namespace gauntlet::cli
