// What `gauntlet run` and `gauntlet conformance` share: the broker flags, seed, jobs, capture
// and report folder; the progress lines; the Ctrl-C handling; the reports and the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "gauntlet/reports/report.hpp"
#include "gauntlet/scenarios/runner.hpp"

namespace gauntlet::cli {

struct RunOptions {
  std::string profile;
  std::string broker;
  std::string ca_file;
  std::string report_dir = "gauntlet-report";
  std::string pcap_dir;
  std::uint64_t seed = 0;
  CLI::Option* seed_option = nullptr;
  unsigned jobs = 1;
};

/// Adds --profile, --broker, --ca-file, --report-dir and --seed.
void add_target_options(CLI::App& command, RunOptions& options);
/// Adds the target options, --jobs and --pcap.
void add_run_options(CLI::App& command, RunOptions& options, unsigned default_jobs);

/// The request those flags describe; progress lines go to standard output as cases end, and
/// SIGINT / SIGTERM stop the run (the report is still written, marked incomplete).
scenarios::RunRequest make_run_request(const RunOptions& options);

/// Writes the reports and prints the closing line; returns the exit code (DESIGN.md §4): against
/// a baseline, 1 only on a regression; otherwise 1 when a case failed; 3 when a case erred or
/// the run was interrupted.
int finish_run(std::string_view command, const RunOptions& options, const reports::Report& report);

}  // namespace gauntlet::cli
