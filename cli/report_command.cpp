// `gauntlet report diff BASELINE CURRENT` (the comparison as Markdown; exit 1 on regressions) and
// `gauntlet report render REPORT.json --report-dir DIR` (writes the four files again).
#include "report_command.hpp"

#include <iostream>
#include <memory>

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
}

}  // namespace gauntlet::cli
