#include "fuzz_command.hpp"

#include <unistd.h>

#include <iostream>
#include <memory>

#include "exit_codes.hpp"
#include "gauntlet/client/connection.hpp"
#include "gauntlet/fuzzer/campaign.hpp"
#include "run_options.hpp"

namespace gauntlet::cli {
namespace {

struct FuzzArgs {
  RunOptions options;
  std::string spawn;
  double duration_s = 60;
  std::uint64_t max_sequences = 0;
  std::string corpus;
  std::uint32_t lanes = 16;
  std::uint32_t probe_ms = 1000;
  std::uint32_t mutate_percent = 10;
  std::string protocol = "all";
  std::string endpoint;
};

/// The endpoint the fuzzer's clients use: the one asked for, else the first of plain, ws, tls,
/// wss, mtls that the profile has.
std::optional<std::string> choose_endpoint(const scenarios::Profile& profile,
                                           const std::string& wanted) {
  if (!wanted.empty()) {
    if (profile.endpoints.contains(wanted)) return wanted;
    return std::nullopt;
  }
  for (const char* name : {"plain", "ws", "tls", "wss", "mtls"}) {
    if (profile.endpoints.contains(name)) return std::string(name);
  }
  if (!profile.endpoints.empty()) return profile.endpoints.begin()->first;
  return std::nullopt;
}

void print_progress(const reports::FuzzSample& sample) {
  // Every second on a terminal; every tenth second in a log (CI).
  static const bool terminal = isatty(STDOUT_FILENO) != 0;
  static std::uint64_t calls = 0;
  if (!terminal && calls++ % 10 != 0) return;
  std::cout << "t=" << static_cast<long long>(sample.t_s) << "s  sequences " << sample.sequences
            << "  packets " << sample.packets << "  corpus " << sample.corpus << "  shapes "
            << sample.shapes << "  findings " << sample.findings << "  restarts "
            << sample.restarts;
  if (sample.broker_rss_kib) std::cout << "  broker RSS " << *sample.broker_rss_kib << " KiB";
  if (sample.broker_fds) std::cout << "  fds " << *sample.broker_fds;
  std::cout << '\n';
  std::cout.flush();
}

void print_finding(const reports::FuzzFinding& finding) {
  std::cout << "finding " << finding.id << " (" << finding.kind << "): " << finding.summary
            << "\n  confirmed " << finding.reproduced << "/" << finding.replays
            << ", minimised from " << finding.packets_before << " to " << finding.packets_after
            << " packets (" << finding.bytes_before << " -> " << finding.bytes_after
            << " bytes), reproducer " << (finding.reproducer.empty() ? "none" : finding.reproducer);
  if (finding.reproducer_verified) {
    std::cout << (*finding.reproducer_verified ? " (gauntlet run replays it)"
                                               : " (gauntlet run did NOT replay it)");
  }
  std::cout << '\n';
  std::cout.flush();
}

int run(const FuzzArgs& args) {
  RunOptions options = args.options;
  if (options.profile.empty() && options.broker.empty()) {
    if (args.spawn.empty()) {
      std::cerr << "gauntlet fuzz: give the broker with --profile, --broker or --spawn\n";
      return exit_usage;
    }
    options.broker = "mqtt://127.0.0.1:1883";  // where a spawned broker listens by default
  }
  scenarios::RunRequest replay = make_run_request(options);
  auto resolved = scenarios::resolve_target(replay);
  if (auto* error = std::get_if<std::string>(&resolved)) {
    std::cerr << "gauntlet fuzz: " << *error << '\n';
    return exit_usage;
  }
  const auto& profile = std::get<scenarios::Profile>(resolved);
  const auto endpoint_name = choose_endpoint(profile, args.endpoint);
  if (!endpoint_name) {
    std::cerr << "gauntlet fuzz: the profile has no endpoint"
              << (args.endpoint.empty() ? "" : " named \"" + args.endpoint + "\"") << '\n';
    return exit_usage;
  }

  fuzzer::CampaignConfig config;
  config.endpoint_name = *endpoint_name;
  config.target.endpoint = profile.endpoints.at(*endpoint_name);
  if (config.target.endpoint.tls()) {
    config.target.tls_options.ca_file = profile.ca_file;
    if (*endpoint_name == "mtls") {
      config.target.tls_options.cert_file = profile.client_cert_file;
      config.target.tls_options.key_file = profile.client_key_file;
    }
    std::string error;
    config.target.tls = client::make_tls_context(config.target.tls_options, error);
    if (!config.target.tls) {
      std::cerr << "gauntlet fuzz: " << error << '\n';
      return exit_usage;
    }
  }
  if (!args.spawn.empty()) config.spawn_command = args.spawn;
  config.restart_command = profile.restart_command;
  config.seed = replay.seed.value_or(1);
  config.duration_s = args.duration_s;
  config.max_sequences = args.max_sequences;
  config.lanes = args.lanes;
  config.probe_deadline = fuzzer::Milliseconds(args.probe_ms);
  config.generator.mutate_percent = args.mutate_percent;
  config.generator.protocols.clear();
  for (const codec::ProtocolVersion version : profile.protocols) {
    const bool wanted = args.protocol == "all" || args.protocol == codec::to_string(version);
    if (wanted && version != codec::ProtocolVersion::v3_1)
      config.generator.protocols.insert(version);
  }
  if (config.generator.protocols.empty()) {
    std::cerr << "gauntlet fuzz: --protocol " << args.protocol
              << ": the profile's broker speaks none of it\n";
    return exit_usage;
  }
  config.report_dir = options.report_dir;
  if (!args.corpus.empty()) config.corpus_dir = args.corpus;
  replay.on_case = nullptr;
  config.replay_request = replay;
  config.interrupted = replay.interrupted;
  config.tool_version = GAUNTLET_VERSION;
  config.target_name = profile.name;
  config.target_display = config.target.endpoint.display();
  config.on_progress = print_progress;
  config.on_finding = print_finding;

  std::cout << "gauntlet fuzz: " << config.target_display
            << (config.spawn_command ? " (spawning: " + *config.spawn_command + ")" : "")
            << ", seed " << config.seed << ", up to " << config.duration_s << " s"
            << (config.max_sequences > 0
                    ? " or " + std::to_string(config.max_sequences) + " sequences"
                    : std::string())
            << '\n';
  const fuzzer::CampaignResult result = fuzzer::run_campaign(config);
  if (result.status == fuzzer::CampaignResult::Status::infrastructure) {
    std::cerr << "gauntlet fuzz: " << result.error << '\n';
    return exit_infrastructure;
  }
  const reports::FuzzMetrics& metrics = *result.report.fuzz;
  std::cout << "gauntlet fuzz: " << metrics.sequences << " sequences (" << metrics.packets
            << " packets, " << metrics.mutated << " mutated) at "
            << static_cast<long long>(metrics.sequences_per_s) << " sequences/s; corpus "
            << metrics.corpus_initial << " -> " << metrics.corpus_final << "; "
            << metrics.shapes.size() << " response shapes; " << metrics.findings.size()
            << " findings; stopped by " << metrics.stop_reason << '\n';
  return finish_run("fuzz", options, result.report);
}

}  // namespace

void add_fuzz_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<FuzzArgs>();
  CLI::App* command = app.add_subcommand(
      "fuzz", "Fuzz a broker with stateful multi-client sequences (docs/fuzzing.md)");
  add_target_options(*command, args->options);
  command->add_option("--spawn", args->spawn,
                      "Start the broker with this command (through /bin/sh), restart it after a "
                      "crash, watch its exit status, sanitizer output, RSS and descriptors");
  command->add_option("--duration", args->duration_s, "Seconds of fuzzing")
      ->check(CLI::Range(0.1, 30.0 * 24 * 3600))
      ->capture_default_str();
  command->add_option("--max-sequences", args->max_sequences,
                      "Stop after this many sequences (0: no limit)");
  command->add_option("--corpus", args->corpus,
                      "Corpus folder: scenario files to start from; new entries are written there");
  command->add_option("--lanes", args->lanes, "Sequences run side by side")
      ->check(CLI::Range(1U, 64U))
      ->capture_default_str();
  command
      ->add_option("--probe-timeout-ms", args->probe_ms,
                   "How long the liveness probe waits for a CONNACK (the hang oracle)")
      ->check(CLI::Range(50U, 600000U))
      ->capture_default_str();
  command->add_option("--mutate-percent", args->mutate_percent, "Chance that a packet is mutated")
      ->check(CLI::Range(0U, 100U))
      ->capture_default_str();
  command->add_option("--protocol", args->protocol, "Protocol levels the clients speak")
      ->check(CLI::IsMember({"3.1.1", "5", "all"}))
      ->capture_default_str();
  command->add_option("--endpoint", args->endpoint,
                      "The profile endpoint to fuzz (default: plain, else ws, tls, wss, mtls)");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace gauntlet::cli
