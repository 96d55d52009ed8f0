#include "run_options.hpp"

#include <atomic>
#include <csignal>
#include <iostream>

#include "exit_codes.hpp"

namespace gauntlet::cli {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int /*signal*/) {
  interrupted.store(true);
}

void print_progress(const reports::Case& result) {
  std::cout << std::string(reports::to_string(result.verdict)) << "  " << result.id << "  ("
            << static_cast<long long>(result.duration_ms) << " ms)";
  if (result.verdict == reports::Verdict::skip) std::cout << "  " << result.detail;
  std::cout << '\n';
  if (result.verdict == reports::Verdict::fail || result.verdict == reports::Verdict::error) {
    std::cout << result.detail << '\n';
  }
  std::cout.flush();
}

}  // namespace

void add_target_options(CLI::App& command, RunOptions& options) {
  auto* profile = command.add_option("--profile", options.profile,
                                     "Profile of the broker under test (docs/profiles.md)");
  auto* broker = command.add_option("--broker", options.broker,
                                    "Broker URL: mqtt://[user[:pass]@]host[:port], mqtts://, "
                                    "ws://host:port/path, wss://");
  profile->excludes(broker);
  command
      .add_option("--ca-file", options.ca_file, "With --broker: CA file for mqtts:// and wss://")
      ->check(CLI::ExistingFile);
  command
      .add_option("--report-dir", options.report_dir,
                  "Where report.json, junit.xml, summary.md and report.html go")
      ->capture_default_str();
  options.seed_option =
      command.add_option("--seed", options.seed, "Seed of {run} and of random choices");
}

void add_run_options(CLI::App& command, RunOptions& options, unsigned default_jobs) {
  options.jobs = default_jobs;
  add_target_options(command, options);
  command.add_option("--jobs,-j", options.jobs, "Scenarios run at once")
      ->check(CLI::Range(1U, 256U))
      ->capture_default_str();
  command.add_option("--pcap", options.pcap_dir,
                     "Write each client's traffic as DIR/<scenario>/<client>-<i>.pcap");
}

scenarios::RunRequest make_run_request(const RunOptions& options) {
  scenarios::RunRequest request;
  if (!options.profile.empty()) request.profile_file = options.profile;
  if (!options.broker.empty()) request.broker_url = options.broker;
  request.ca_file = options.ca_file;
  if (options.seed_option != nullptr && options.seed_option->count() > 0)
    request.seed = options.seed;
  request.jobs = options.jobs;
  if (!options.pcap_dir.empty()) request.pcap_dir = options.pcap_dir;
  request.interrupted = &interrupted;
  request.tool_version = GAUNTLET_VERSION;
  request.on_case = print_progress;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  return request;
}

int finish_run(std::string_view command, const RunOptions& options, const reports::Report& report) {
  if (auto error = reports::write_all(options.report_dir, report)) {
    std::cerr << "gauntlet " << command << ": " << *error << '\n';
    return exit_infrastructure;
  }
  const reports::Summary summary = report.summary();
  std::cout << "gauntlet " << command << ": " << summary.passed << " passed, " << summary.failed
            << " failed, " << summary.skipped << " skipped, " << summary.errors << " errors";
  if (summary.waived > 0) std::cout << ", " << summary.waived << " waived";
  if (report.comparison)
    std::cout << "; " << report.comparison->regressions.size() << " regressions against "
              << report.comparison->baseline;
  std::cout << (report.complete ? "" : " (interrupted)") << "; seed " << report.seed.value_or(0)
            << "; report in " << options.report_dir << '\n';
  if (report.comparison) {
    if (!report.comparison->regressions.empty()) return exit_failed;
  } else if (summary.failed > 0) {
    return exit_failed;
  }
  if (summary.errors > 0 || !report.complete) return exit_infrastructure;
  return exit_ok;
}

}  // namespace gauntlet::cli
