// `gauntlet run SCENARIO... [--profile FILE | --broker URL]`: flags, progress lines and the exit
// code; the work is gauntlet::scenarios::run_files().
#include "run_command.hpp"

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>

#include "exit_codes.hpp"
#include "gauntlet/reports/report.hpp"
#include "gauntlet/scenarios/runner.hpp"

namespace gauntlet::cli {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int /*signal*/) {
  interrupted.store(true);
}

struct RunArgs {
  std::vector<std::string> files;
  std::string profile;
  std::string broker;
  std::string ca_file;
  std::string report_dir = "gauntlet-report";
  std::string pcap_dir;
  std::uint64_t seed = 0;
  bool seed_given = false;
  unsigned jobs = 1;
};

int run(const RunArgs& args) {
  scenarios::RunRequest request;
  request.files = args.files;
  if (!args.profile.empty()) request.profile_file = args.profile;
  if (!args.broker.empty()) request.broker_url = args.broker;
  request.ca_file = args.ca_file;
  if (args.seed_given) request.seed = args.seed;
  request.jobs = args.jobs;
  if (!args.pcap_dir.empty()) request.pcap_dir = args.pcap_dir;
  request.interrupted = &interrupted;
  request.tool_version = GAUNTLET_VERSION;
  request.on_case = [](const reports::Case& result) {
    std::cout << std::string(reports::to_string(result.verdict)) << "  " << result.id << "  ("
              << static_cast<long long>(result.duration_ms) << " ms)";
    if (result.verdict == reports::Verdict::skip) std::cout << "  " << result.detail;
    std::cout << '\n';
    if (result.verdict == reports::Verdict::fail || result.verdict == reports::Verdict::error) {
      std::cout << result.detail << '\n';
    }
    std::cout.flush();
  };
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const scenarios::RunOutcome outcome = scenarios::run_files(request);
  if (outcome.status == scenarios::RunOutcome::Status::bad_input) {
    for (const std::string& error : outcome.errors)
      std::cerr << error << '\n';
    return exit_usage;
  }
  if (auto error = reports::write_all(args.report_dir, outcome.report)) {
    std::cerr << "gauntlet run: " << *error << '\n';
    return exit_infrastructure;
  }
  const reports::Summary summary = outcome.report.summary();
  std::cout << "gauntlet run: " << summary.passed << " passed, " << summary.failed << " failed, "
            << summary.skipped << " skipped, " << summary.errors << " errors"
            << (outcome.report.complete ? "" : " (interrupted)") << "; seed "
            << outcome.report.seed.value_or(0) << "; report in " << args.report_dir << '\n';
  if (summary.failed > 0) return exit_failed;
  if (summary.errors > 0 || !outcome.report.complete) return exit_infrastructure;
  return exit_ok;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* command = app.add_subcommand("run", "Run scenario files against a broker");
  command->add_option("scenario", args->files, "Scenario files (docs/scenarios.md)")->required();
  auto* profile = command->add_option("--profile", args->profile,
                                      "Profile of the broker under test (docs/profiles.md)");
  auto* broker = command->add_option("--broker", args->broker,
                                     "Broker URL: mqtt://[user[:pass]@]host[:port], mqtts://, "
                                     "ws://host:port/path, wss://");
  profile->excludes(broker);
  command->add_option("--ca-file", args->ca_file, "With --broker: CA file for mqtts:// and wss://")
      ->check(CLI::ExistingFile);
  command
      ->add_option("--report-dir", args->report_dir,
                   "Where report.json, junit.xml, summary.md and report.html go")
      ->capture_default_str();
  auto* seed = command->add_option("--seed", args->seed, "Seed of {run} and of random choices");
  command->add_option("--jobs,-j", args->jobs, "Scenarios run at once")
      ->check(CLI::Range(1U, 256U))
      ->capture_default_str();
  command->add_option("--pcap", args->pcap_dir,
                      "Write each client's traffic as DIR/<scenario>/<client>-<i>.pcap");
  command->callback([args, seed, &exit_code] {
    args->seed_given = seed->count() > 0;
    exit_code = run(*args);
  });
}

}  // namespace gauntlet::cli
