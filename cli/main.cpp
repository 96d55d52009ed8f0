// gauntlet: test harness for MQTT brokers. This file only wires the subcommands together.
#include <CLI/CLI.hpp>
#include <iostream>

#include "conformance_command.hpp"
#include "decode_command.hpp"
#include "exit_codes.hpp"
#include "fuzz_command.hpp"
#include "report_command.hpp"
#include "run_command.hpp"
#include "swarm_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"gauntlet " GAUNTLET_VERSION " - test harness for MQTT brokers"};
  app.set_version_flag("--version", std::string("gauntlet ") + GAUNTLET_VERSION);
  app.require_subcommand(1);
  int exit_code = gauntlet::cli::exit_ok;
  gauntlet::cli::add_decode_command(app, exit_code);
  gauntlet::cli::add_run_command(app, exit_code);
  gauntlet::cli::add_conformance_command(app, exit_code);
  gauntlet::cli::add_swarm_command(app, exit_code);
  gauntlet::cli::add_fuzz_command(app, exit_code);
  gauntlet::cli::add_report_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    // --help and --version exit 0; every other parse problem is bad usage.
    return code == 0 ? gauntlet::cli::exit_ok : gauntlet::cli::exit_usage;
  }
  return exit_code;
}
