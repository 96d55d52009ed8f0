// `gauntlet conformance [--profile FILE | --broker URL] [--protocol 3.1.1|5|all] [--filter GLOB]
// [--baseline REPORT.json] [--jobs N] [--report-dir DIR]`, plus --list and --coverage, which
// describe the suite without a broker. The work is gauntlet::conformance.
#include "conformance_command.hpp"

#include <iostream>
#include <memory>

#include "exit_codes.hpp"
#include "gauntlet/conformance/conformance.hpp"
#include "gauntlet/conformance/coverage.hpp"
#include "run_options.hpp"

namespace gauntlet::cli {
namespace {

struct ConformanceArgs {
  RunOptions options;
  std::string protocol = "all";
  std::vector<std::string> filters;
  std::string baseline;
  std::string cases;
  bool list = false;
  std::string coverage;  ///< "-": standard output
  CLI::Option* coverage_option = nullptr;
};

std::vector<std::string> protocol_levels(const std::string& protocol) {
  if (protocol == "all") return {"3.1.1", "5"};
  return {protocol};
}

// --list and --coverage read the suite only.
int describe_suite(const ConformanceArgs& args) {
  std::vector<conformance::SourceFile> files = conformance::builtin_files();
  if (!args.cases.empty()) {
    auto read = conformance::read_suite_folder(args.cases);
    if (auto* error = std::get_if<std::string>(&read)) {
      std::cerr << *error << '\n';
      return exit_usage;
    }
    files = std::get<std::vector<conformance::SourceFile>>(std::move(read));
  }
  auto loaded = conformance::load_suite(files);
  if (auto* errors = std::get_if<std::vector<std::string>>(&loaded)) {
    for (const std::string& error : *errors)
      std::cerr << error << '\n';
    return exit_usage;
  }
  const auto& suite = std::get<conformance::Suite>(loaded);
  if (args.list) {
    for (const auto& c :
         conformance::select_cases(suite, protocol_levels(args.protocol), args.filters)) {
      std::string spec;
      for (const std::string& id : c.spec)
        spec += (spec.empty() ? "" : ",") + id;
      std::cout << c.name << '\t' << codec::to_string(c.version) << '\t' << c.level << '\t'
                << c.area << '\t' << spec << '\t' << c.title << '\n';
    }
    return exit_ok;
  }
  const std::string table = conformance::coverage_markdown(suite);
  if (args.coverage == "-") {
    std::cout << table;
  } else if (auto error = reports::write_atomically(args.coverage, table)) {
    std::cerr << "gauntlet conformance: " << *error << '\n';
    return exit_usage;
  }
  return exit_ok;
}

int run(const ConformanceArgs& args) {
  if (args.list || args.coverage_option->count() > 0) return describe_suite(args);
  conformance::ConformanceRequest request;
  request.run = make_run_request(args.options);
  request.protocols = protocol_levels(args.protocol);
  request.filters = args.filters;
  if (!args.baseline.empty()) request.baseline_file = args.baseline;
  if (!args.cases.empty()) request.cases_folder = args.cases;
  const conformance::ConformanceOutcome outcome = conformance::run_conformance(request);
  if (outcome.status == conformance::ConformanceOutcome::Status::bad_input) {
    for (const std::string& error : outcome.errors)
      std::cerr << error << '\n';
    return exit_usage;
  }
  return finish_run("conformance", args.options, outcome.report);
}

}  // namespace

void add_conformance_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ConformanceArgs>();
  CLI::App* command = app.add_subcommand(
      "conformance", "Run the conformance suite against a broker (docs/conformance.md)");
  add_run_options(*command, args->options, 8);
  command->add_option("--protocol", args->protocol, "Protocol levels to check")
      ->check(CLI::IsMember({"3.1.1", "5", "all"}))
      ->capture_default_str();
  command->add_option("--filter", args->filters,
                      "Only the cases whose id matches this glob (repeatable: any of them)");
  command
      ->add_option("--baseline", args->baseline,
                   "A report.json to compare with: exit 1 only on regressions")
      ->check(CLI::ExistingFile);
  command
      ->add_option("--cases", args->cases,
                   "Another suite folder (cases/<area>/*.json, not-applicable/*.json)")
      ->check(CLI::ExistingDirectory);
  command->add_flag("--list", args->list, "List the selected cases (tab-separated) and exit");
  args->coverage_option = command->add_option(
      "--coverage", args->coverage,
      "Write the suite's coverage table (Markdown) to FILE, or - for standard output, and exit");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace gauntlet::cli
