// `gauntlet run SCENARIO... [--profile FILE | --broker URL]`: flags and wiring; the work is
// gauntlet::scenarios::run_files().
#include "run_command.hpp"

#include <iostream>
#include <memory>

#include "exit_codes.hpp"
#include "run_options.hpp"

namespace gauntlet::cli {

void add_run_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::vector<std::string> files;
    RunOptions options;
  };
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand("run", "Run scenario files against a broker");
  command->add_option("scenario", args->files, "Scenario files (docs/scenarios.md)")->required();
  add_run_options(*command, args->options, 1);
  command->callback([args, &exit_code] {
    scenarios::RunRequest request = make_run_request(args->options);
    request.files = args->files;
    const scenarios::RunOutcome outcome = scenarios::run_files(request);
    if (outcome.status == scenarios::RunOutcome::Status::bad_input) {
      for (const std::string& error : outcome.errors)
        std::cerr << error << '\n';
      exit_code = exit_usage;
      return;
    }
    exit_code = finish_run("run", args->options, outcome.report);
  });
}

}  // namespace gauntlet::cli
