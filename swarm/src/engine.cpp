// The swarm engine. The run has three phases: connect (every client of the shard at its scheduled
// time; subscribers subscribe as soon as they are in), publish (open-loop schedules for the
// publish phase, faults and flapping clients at their times), drain (until every message is
// accounted for or drain_s passes). Each event loop owns a slice of the clients, one timer queue
// for all their scheduled work, and its own measurements; the main thread only starts the phases,
// shows progress from relaxed counters, and adds the loops' measurements together at the end.
#include "gauntlet/swarm/engine.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "gauntlet/scenarios/client_setup.hpp"
#include "gauntlet/swarm/accounting.hpp"
#include "gauntlet/swarm/preflight.hpp"
#include "loop.hpp"

namespace gauntlet::swarm {

bool in_shard(std::uint64_t index, const Shard& shard) noexcept {
  return shard.count <= 1 || index % shard.count == shard.index;
}

namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

double seconds_between(TimePoint from, TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

/// CPU seconds (user + system) of a process from /proc/PID/stat; nullopt when unreadable.
std::optional<double> process_cpu_s(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return std::nullopt;
  // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double utime = 0;
  double stime = 0;
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number == 14) utime = std::stod(field);
    if (number == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// Whether every client of the shard in a group with "client_certificates" can read its own
/// certificate and key, on a TLS endpoint; `error` names the first that cannot.
bool client_certificates_readable(const SwarmRequest& request, const RunContext& context,
                                  const GroupRuntime& runtime, std::string& error) {
  const scenarios::ClientGroup& group = *runtime.group;
  if (!runtime.endpoint.tls()) {
    error = "client group \"" + group.name + "\" has client_certificates, but its endpoint \"" +
            group.endpoint + "\" (" + runtime.endpoint.display() +
            ") is not TLS: certificates need mqtts:// or wss://";
    return false;
  }
  const ClientCertificates& files = *runtime.load->certificates;
  for (std::uint32_t i = 0; i < group.count; ++i) {
    if (!in_shard(i, request.shard)) continue;
    const scenarios::Bindings member = context.member_bindings(runtime, i);
    for (const std::string& path :
         {scenarios::expand(files.cert, member), scenarios::expand(files.key, member)}) {
      if (std::ifstream(path).good()) continue;
      error = "client " + std::to_string(i) + " of group \"" + group.name +
              "\": cannot read its client certificate file " + path;
      return false;
    }
  }
  return true;
}

/// The shard's clients, the fan-out table of the whole run and the per-group settings.
std::vector<GroupRuntime> prepare_groups(const SwarmRequest& request, const RunContext& context,
                                         SubscriptionTable& table, std::string& error) {
  const scenarios::Scenario& scenario = *request.scenario;
  const LoadPlan& plan = *request.plan;
  std::vector<GroupRuntime> groups;
  groups.reserve(scenario.clients.size());
  std::uint64_t publisher_base = 0;
  std::uint64_t subscriber_base = 0;
  scenarios::TlsContexts tls_contexts;
  for (const scenarios::ClientGroup& group : scenario.clients) {
    GroupRuntime runtime;
    runtime.group = &group;
    runtime.load = plan.load_of(group.name);
    runtime.endpoint = request.profile->endpoints.at(group.endpoint);
    if (runtime.load && runtime.load->certificates &&
        !client_certificates_readable(request, context, runtime, error))
      return {};
    if (runtime.endpoint.tls()) {
      runtime.tls_options = scenarios::tls_options(group, *request.profile, context.root);
      if (runtime.load && runtime.load->certificates) {
        // The group's context brings no certificate: each connection presents its own.
        runtime.tls_options.cert_file.clear();
        runtime.tls_options.key_file.clear();
      }
      runtime.tls = tls_contexts.get(runtime.tls_options, error);
      if (!runtime.tls) return {};
    }
    if (runtime.load && runtime.load->publish) {
      runtime.first_publisher = publisher_base;
      publisher_base += group.count;
    }
    runtime.first_subscriber = subscriber_base;
    subscriber_base += group.count;
    if (runtime.load) {
      for (std::uint32_t i = 0; i < group.count && !runtime.load->subscriptions.empty(); ++i) {
        scenarios::Bindings member = context.member_bindings(runtime, i);
        for (const SubscriptionPlan& subscription : runtime.load->subscriptions)
          table.add(runtime.first_subscriber + i, scenarios::expand(subscription.filter, member),
                    subscription.qos, subscription.share);
      }
    }
    groups.push_back(std::move(runtime));
  }
  return groups;
}

}  // namespace

reports::Report run_swarm(const SwarmRequest& request, std::string& error) {
  reports::Report report;
  report.kind = reports::Kind::swarm;
  report.started_at = std::chrono::system_clock::now();
  report.seed = request.seed;
  const scenarios::Scenario& scenario = *request.scenario;
  const LoadPlan& plan = *request.plan;

  RunContext context(request);
  SubscriptionTable table;
  std::vector<GroupRuntime> groups = prepare_groups(request, context, table, error);
  if (groups.empty()) return report;
  context.table = &table;

  // The shard's clients in connect order, dealt to the loops in turn. The groups are interleaved
  // in proportion to their sizes (member i of a group of n connects around fraction i/n of the
  // connect phase), so every group ramps up over the whole phase and clients of groups on
  // different endpoints reach their brokers side by side rather than one broker at a time.
  std::vector<std::pair<std::size_t, std::uint32_t>> members;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (std::uint32_t i = 0; i < groups[g].group->count; ++i) {
      if (in_shard(i, request.shard)) members.emplace_back(g, i);
    }
  }
  const auto position = [&](const std::pair<std::size_t, std::uint32_t>& member) {
    return (member.second + 0.5) / groups[member.first].group->count;
  };
  std::stable_sort(members.begin(), members.end(),
                   [&](const auto& a, const auto& b) { return position(a) < position(b); });

  const std::string& host = groups.front().endpoint.host;
  PreflightResult checked = preflight(members.size(), host, plan.source_addresses);
  if (!checked.errors.empty()) {
    error = "pre-flight: " + checked.errors.front();
    for (std::size_t i = 1; i < checked.errors.size(); ++i)
      error += "\npre-flight: " + checked.errors[i];
    return report;
  }
  context.source_addresses = checked.source_addresses;

  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  const std::uint32_t thread_count = static_cast<std::uint32_t>(
      std::clamp<std::uint64_t>(request.threads != 0 ? request.threads : cores, 1,
                                std::max<std::uint64_t>(1, members.size())));
  std::vector<std::unique_ptr<Loop>> loops;
  for (std::uint32_t t = 0; t < thread_count; ++t)
    loops.push_back(std::make_unique<Loop>(context, groups, t));

  // Connect times follow the shard's share of the connect rate.
  Schedule connects(plan.connect_rate.scaled(1.0 / request.shard.count), 0, context.shard_seed);
  for (std::size_t k = 0; k < members.size(); ++k) {
    const double due = connects.next(1e12).value_or(0);
    loops[k % thread_count]->add_client(members[k].first, members[k].second, due);
  }

  const auto rusage_start = [] {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage;
  }();
  const std::optional<double> broker_cpu_start =
      request.broker_pid ? process_cpu_s(*request.broker_pid) : std::nullopt;

  context.start_clocks();
  for (auto& loop : loops)
    loop->start();

  auto stopped = [&] { return request.stop != nullptr && request.stop->load(); };
  auto sleep_a_little = [] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); };
  std::uint64_t last_progress_second = 0;
  auto show_progress = [&] {
    if (!request.progress) return;
    const auto second = static_cast<std::uint64_t>(seconds_between(context.start, Clock::now()));
    if (second == last_progress_second) return;
    last_progress_second = second;
    Progress progress;
    progress.second = second;
    progress.peak_connections = context.peak_connections.load(std::memory_order_relaxed);
    for (const auto& loop : loops)
      loop->progress_into(progress);
    request.progress(progress);
  };

  // Phase 1: every client has tried to connect (and subscribe) once.
  while (!stopped()) {
    std::uint64_t ready = 0;
    for (const auto& loop : loops)
      ready += loop->ready();
    if (ready >= members.size()) break;
    show_progress();
    sleep_a_little();
  }

  // Phase 2: publishing, at the agreed instant for every shard when one was given.
  const double duration = request.duration_s.value_or(plan.duration_s);
  TimePoint publish_start = Clock::now() + std::chrono::milliseconds(100);
  if (request.publish_at) {
    const auto wait = *request.publish_at - std::chrono::system_clock::now();
    publish_start = Clock::now() + duration_cast<Clock::duration>(wait);
  }
  context.publish_start_us.store(
      duration_cast<microseconds>(publish_start - context.start).count());
  for (auto& loop : loops)
    loop->begin_publishing(publish_start, duration);
  // Broker restarts (the profile's restart command) in their order, each on its own thread so
  // that progress and the loops go on; one restart waits for the one before it to finish.
  std::vector<double> restarts;
  for (const FaultPlan& fault : plan.faults) {
    if (fault.kind == FaultPlan::Kind::restart_broker) restarts.push_back(fault.at_s);
  }
  std::sort(restarts.begin(), restarts.end());
  std::size_t next_restart = 0;
  std::thread restarter;
  int restart_status = 0;
  std::vector<std::string> restart_notes;
  auto finish_restart = [&] {
    if (!restarter.joinable()) return;
    restarter.join();
    if (restart_status != 0)
      restart_notes.push_back("the broker's restart command exited with status " +
                              std::to_string(restart_status) + ": " +
                              request.profile->restart_command);
  };
  const TimePoint publish_end =
      publish_start + duration_cast<Clock::duration>(std::chrono::duration<double>(duration));
  while (!stopped() && Clock::now() < publish_end) {
    if (next_restart < restarts.size() &&
        Clock::now() >=
            publish_start + duration_cast<Clock::duration>(
                                std::chrono::duration<double>(restarts[next_restart]))) {
      ++next_restart;
      finish_restart();
      restarter = std::thread([&restart_status, command = request.profile->restart_command] {
        // The profile's own command (DESIGN.md §5): the operator wrote it for this broker.
        restart_status = std::system(command.c_str());  // NOLINT(cert-env33-c)
      });
    }
    show_progress();
    sleep_a_little();
  }

  // Phase 3: drain until every acknowledgement and every owed copy (when this process sees all
  // publishers and subscribers) has arrived, or drain_s passes.
  const TimePoint drain_end =
      publish_end + duration_cast<Clock::duration>(std::chrono::duration<double>(plan.drain_s));
  while (!stopped() && Clock::now() < drain_end) {
    std::uint64_t inflight = 0;
    std::uint64_t expected = 0;
    std::uint64_t delivered = 0;
    for (const auto& loop : loops)
      loop->balance(inflight, expected, delivered);
    if (inflight == 0 && (request.shard.count > 1 || delivered >= expected)) break;
    show_progress();
    sleep_a_little();
  }
  const bool interrupted = stopped();
  const double measured_s =
      std::max(0.0, seconds_between(publish_start, std::min(Clock::now(), publish_end)));

  for (auto& loop : loops)
    loop->finish();
  for (auto& loop : loops)
    loop->join();
  finish_restart();

  // Add the loops' measurements together.
  reports::SwarmMetrics& metrics = report.metrics.emplace();
  metrics.scenario = scenario.name;
  metrics.measured_s = measured_s;
  metrics.notes = checked.notes;
  std::map<std::string, SharedSink> shared;
  std::uint64_t unstamped = 0;
  for (auto& loop : loops)
    unstamped += loop->collect(metrics, shared);
  if (unstamped > 0)
    metrics.notes.push_back(std::to_string(unstamped) +
                            " messages arrived without a swarm stamp or outside every "
                            "subscription of their client (not counted)");
  for (auto& [name, sink] : shared) {
    reports::SharedReceipts receipts;
    receipts.sink = name;
    receipts.delivery_qos = sink.delivery_qos;
    for (const auto& [publisher, log] : sink.by_publisher)
      receipts.by_publisher[std::to_string(publisher)] = log.ranges();
    metrics.shared.push_back(std::move(receipts));
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto cpu = [](const timeval& a, const timeval& b) {
    return static_cast<double>(b.tv_sec - a.tv_sec) +
           static_cast<double>(b.tv_usec - a.tv_usec) / 1e6;
  };
  metrics.resources.cpu_user_s = cpu(rusage_start.ru_utime, usage.ru_utime);
  metrics.resources.cpu_system_s = cpu(rusage_start.ru_stime, usage.ru_stime);
  metrics.resources.max_rss_kib = static_cast<std::uint64_t>(usage.ru_maxrss);
  metrics.resources.threads = thread_count;
  if (broker_cpu_start) {
    if (auto end = process_cpu_s(*request.broker_pid))
      metrics.resources.broker_cpu_s = *end - *broker_cpu_start;
  }
  metrics.slos = plan.slos;
  metrics.shards.push_back({request.shard.index, request.shard.count, request.seed, !interrupted});
  metrics.plan = context.describe_plan(members.size(), duration);
  metrics.notes.insert(metrics.notes.end(), restart_notes.begin(), restart_notes.end());
  if (const auto window = context.batch.count(); window > 0)
    metrics.notes.push_back("I/O was batched in " + std::to_string(window) +
                            " µs windows (load.batch_us): each latency includes up to " +
                            std::to_string(window) + " µs of waiting for the sender's window and " +
                            "as much for the receiver's");
  if (interrupted)
    metrics.notes.emplace_back("interrupted: the numbers cover the run until it stopped");
  if (metrics.publishing.abandoned > 0 && metrics.lost() > 0)
    metrics.notes.push_back(std::to_string(metrics.publishing.abandoned) +
                            " QoS 1/2 messages were abandoned unacknowledged when their "
                            "publishers' sessions ended; up to that many of the lost messages may "
                            "never have reached the broker");
  reports::evaluate_slos(metrics);
  report.cases = reports::swarm_cases(metrics);
  report.complete = !interrupted;
  report.duration_s = seconds_between(context.start, Clock::now());
  return report;
}

}  // namespace gauntlet::swarm
