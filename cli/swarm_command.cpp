#include "swarm_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <regex>

#include "exit_codes.hpp"
#include "gauntlet/scenarios/engine.hpp"
#include "gauntlet/swarm/engine.hpp"
#include "run_options.hpp"

namespace gauntlet::cli {
namespace {

struct SwarmArgs {
  RunOptions options;
  std::string scenario;
  double duration_s = 0;
  CLI::Option* duration_option = nullptr;
  std::string shard = "1/1";
  std::uint32_t threads = 0;
  std::uint32_t batch_us = 0;
  CLI::Option* batch_option = nullptr;
  std::string publish_at;
  int broker_pid = 0;
};

std::optional<swarm::Shard> parse_shard(const std::string& text) {
  static const std::regex form(R"(([0-9]{1,6})/([0-9]{1,6}))");
  std::smatch parts;
  if (!std::regex_match(text, parts, form)) return std::nullopt;
  const auto index = static_cast<std::uint32_t>(std::stoul(parts[1]));
  const auto count = static_cast<std::uint32_t>(std::stoul(parts[2]));
  if (count == 0 || index == 0 || index > count) return std::nullopt;
  return swarm::Shard{index - 1, count};
}

void print_progress(const swarm::Progress& progress) {
  // On a terminal every second; in a log (CI) every tenth second, so logs stay short.
  static const bool terminal = isatty(STDOUT_FILENO) != 0;
  if (!terminal && progress.second % 10 != 0) return;
  std::cout << "t=" << progress.second << "s  connections " << progress.connections << " (peak "
            << progress.peak_connections << ")  published " << progress.published << "  delivered "
            << progress.delivered << " of " << progress.expected << " owed  in flight "
            << progress.inflight << '\n';
  std::cout.flush();
}

int run(const SwarmArgs& args) {
  auto loaded = swarm::load_load_scenario(args.scenario);
  if (auto* error = std::get_if<scenarios::FileError>(&loaded)) {
    std::cerr << error->to_string() << '\n';
    return exit_usage;
  }
  const auto& load = std::get<swarm::LoadScenario>(loaded);
  const auto shard = parse_shard(args.shard);
  if (!shard) {
    std::cerr << "gauntlet swarm: --shard " << args.shard
              << ": expected I/N with 1 <= I <= N (shard I of N)\n";
    return exit_usage;
  }
  scenarios::RunRequest run = make_run_request(args.options);
  auto target = scenarios::resolve_target(run);
  if (auto* error = std::get_if<std::string>(&target)) {
    std::cerr << "gauntlet swarm: " << *error << '\n';
    return exit_usage;
  }
  const auto& profile = std::get<scenarios::Profile>(target);
  if (auto unmet = scenarios::unmet_requirement(load.scenario, profile)) {
    std::cerr << "gauntlet swarm: " << args.scenario << ": " << *unmet << '\n';
    return exit_usage;
  }
  for (const swarm::FaultPlan& fault : load.plan.faults) {
    if (fault.kind == swarm::FaultPlan::Kind::restart_broker && profile.restart_command.empty()) {
      std::cerr << "gauntlet swarm: " << args.scenario
                << ": the scenario restarts the broker, but the profile has no restart command "
                   "(docs/profiles.md, \"lifecycle\")\n";
      return exit_usage;
    }
  }

  swarm::SwarmRequest request;
  request.scenario = &load.scenario;
  request.plan = &load.plan;
  request.profile = &profile;
  request.shard = *shard;
  request.seed = run.seed.value_or(1);
  if (args.duration_option->count() > 0) request.duration_s = args.duration_s;
  request.threads = args.threads;
  if (args.batch_option->count() > 0) request.batch_us = args.batch_us;
  if (!args.publish_at.empty()) {
    const auto at = reports::parse_rfc3339(args.publish_at);
    if (!at) {
      std::cerr << "gauntlet swarm: --publish-at " << args.publish_at
                << ": expected an RFC 3339 time (2026-11-21T10:00:00Z)\n";
      return exit_usage;
    }
    request.publish_at = *at;
  }
  if (args.broker_pid > 0) request.broker_pid = args.broker_pid;
  request.stop = run.interrupted;
  request.progress = print_progress;

  std::string error;
  reports::Report report = swarm::run_swarm(request, error);
  if (!error.empty()) {
    std::cerr << "gauntlet swarm: " << error << '\n';
    return exit_infrastructure;
  }
  report.tool_version = GAUNTLET_VERSION;
  report.target_name = profile.name;
  // unmet_requirement() has checked that the profile has every endpoint the clients use.
  report.target_endpoint = profile.endpoints.at(load.scenario.clients.front().endpoint).display();
  const reports::SwarmMetrics& metrics = *report.metrics;
  const reports::DeliveryCounts total = metrics.total();
  std::cout << "gauntlet swarm: " << metrics.publishing.published << " published, "
            << total.delivered << " of " << total.expected << " owed copies delivered, "
            << metrics.lost() << " lost (QoS 1/2), " << metrics.by_qos[0].lost()
            << " lost (QoS 0), " << total.duplicated << " duplicates; p99 "
            << static_cast<double>(metrics.end_to_end.percentile(99)) / 1000.0 << " ms; "
            << metrics.connections.peak << " connections at peak\n";
  if (request.shard.count > 1) {
    std::cout << "gauntlet swarm: shard " << request.shard.index + 1 << "/" << request.shard.count
              << " counts only its own subscribers' copies: loss and percentiles are judged on "
                 "the merged report (gauntlet report merge)\n";
  }
  return finish_run("swarm", args.options, report);
}

}  // namespace

void add_swarm_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SwarmArgs>();
  CLI::App* command =
      app.add_subcommand("swarm", "Run a load scenario (docs/swarm.md) and measure the broker");
  command->add_option("scenario", args->scenario, "A scenario file with \"load\"")
      ->required()
      ->check(CLI::ExistingFile);
  add_target_options(*command, args->options);
  args->duration_option = command
                              ->add_option("--duration", args->duration_s,
                                           "Seconds of publishing (overrides the scenario)")
                              ->check(CLI::Range(0.001, 7.0 * 24 * 3600));
  command
      ->add_option("--shard", args->shard,
                   "Run shard I of N: every N-th client of each group, from the I-th")
      ->capture_default_str();
  command->add_option("--threads", args->threads, "Event loops (default: one per core)")
      ->check(CLI::Range(1U, 1024U));
  args->batch_option =
      command
          ->add_option("--batch-us", args->batch_us,
                       "I/O batching window in µs, 0 for none (overrides the scenario's "
                       "load.batch_us): less CPU per message, up to one window of added latency "
                       "on each side")
          ->check(CLI::Range(0U, swarm::max_batch_us));
  command->add_option("--publish-at", args->publish_at,
                      "RFC 3339 time to begin publishing (the same for every shard)");
  command->add_option("--broker-pid", args->broker_pid,
                      "The broker's pid on this machine: its CPU time is reported beside ours");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace gauntlet::cli
