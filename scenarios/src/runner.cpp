#include "gauntlet/scenarios/runner.hpp"

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include "gauntlet/scenarios/engine.hpp"
#include "gauntlet/scenarios/parse.hpp"
#include "gauntlet/scenarios/profile.hpp"

namespace gauntlet::scenarios {

std::string run_id(std::uint64_t seed, std::string_view scenario_name) {
  // FNV-1a of the name mixed into the seed (splitmix64): short, stable and well spread.
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : scenario_name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  std::uint64_t z = seed + hash + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  z ^= z >> 31U;
  char text[17];
  std::snprintf(text, sizeof text, "%012llx",
                static_cast<unsigned long long>(z & 0xFFFFFFFFFFFFULL));
  return text;
}

std::variant<Profile, std::string> resolve_target(const RunRequest& request) {
  if (request.profile_file) {
    auto loaded = load_profile(*request.profile_file);
    if (auto* error = std::get_if<FileError>(&loaded)) return error->to_string();
    return std::get<Profile>(std::move(loaded));
  }
  if (request.broker_url) {
    auto made = profile_from_url(*request.broker_url, request.ca_file);
    if (auto* error = std::get_if<std::string>(&made)) return "--broker: " + *error;
    return std::get<Profile>(std::move(made));
  }
  return std::string("give the broker under test: --profile FILE or --broker URL");
}

RunOutcome run_files(const RunRequest& request) {
  RunOutcome outcome;
  outcome.report.kind = reports::Kind::run;
  // Everything the user gave is checked before anything connects.
  auto target = resolve_target(request);
  if (auto* error = std::get_if<std::string>(&target)) outcome.errors.push_back(*error);
  std::vector<Scenario> scenarios;
  for (const std::string& file : request.files) {
    auto loaded = load_scenario(file);
    if (auto* error = std::get_if<FileError>(&loaded)) {
      outcome.errors.push_back(error->to_string());
    } else if (std::get<Scenario>(loaded).load) {
      outcome.errors.push_back(file +
                               ":1:1: error[load-scenario]: a load scenario (with \"load\") "
                               "runs with `gauntlet swarm`");
    } else {
      scenarios.push_back(std::get<Scenario>(std::move(loaded)));
    }
  }
  for (std::string& error : duplicate_names(scenarios))
    outcome.errors.push_back(std::move(error));
  if (!outcome.errors.empty()) {
    outcome.status = RunOutcome::Status::bad_input;
    return outcome;
  }
  run_scenarios(scenarios, std::get<Profile>(target), request, outcome.report);
  return outcome;
}

std::vector<std::string> duplicate_names(const std::vector<Scenario>& scenarios) {
  std::vector<std::string> errors;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (scenarios[i].name == scenarios[j].name) {
        errors.push_back(scenarios[i].file + ":1:1: error[duplicate-name]: the name \"" +
                         scenarios[i].name + "\" is also the name of " + scenarios[j].file +
                         " (case ids must be unique)");
      }
    }
  }
  return errors;
}

void run_scenarios(const std::vector<Scenario>& scenarios, const Profile& profile,
                   const RunRequest& request, reports::Report& report) {
  report.tool_version = request.tool_version;
  report.started_at = std::chrono::system_clock::now();
  report.target_name = profile.name;
  if (!profile.endpoints.empty()) {
    const auto plain = profile.endpoints.find("plain");
    report.target_endpoint =
        (plain != profile.endpoints.end() ? plain->second : profile.endpoints.begin()->second)
            .display();
  }
  const std::uint64_t seed = request.seed.value_or(std::random_device{}());
  report.seed = seed;

  // Workers take the next scenario; results are reported in file order as they complete.
  std::vector<std::optional<reports::Case>> results(scenarios.size());
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t next = 0;
  const auto worker = [&] {
    while (true) {
      std::size_t index = 0;
      {
        const std::lock_guard lock(mutex);
        if (next == scenarios.size()) return;
        if (request.interrupted != nullptr && request.interrupted->load()) return;
        index = next++;
      }
      RunOptions options;
      options.run_id = run_id(seed, scenarios[index].name);
      options.pcap_dir = request.pcap_dir;
      options.interrupted = request.interrupted;
      reports::Case result = run_scenario(scenarios[index], profile, options);
      {
        const std::lock_guard lock(mutex);
        results[index] = std::move(result);
      }
      changed.notify_all();
    }
  };
  const unsigned jobs =
      std::max(1U, std::min<unsigned>(request.jobs, static_cast<unsigned>(scenarios.size())));
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < jobs; ++i)
    threads.emplace_back(worker);
  std::thread own(worker);
  std::size_t reported = 0;
  {
    std::unique_lock lock(mutex);
    while (reported < scenarios.size()) {
      changed.wait_for(lock, std::chrono::milliseconds(100));
      while (reported < scenarios.size() && results[reported]) {
        if (request.on_case) request.on_case(*results[reported]);
        ++reported;
      }
      if (request.interrupted != nullptr && request.interrupted->load() && next == reported) break;
    }
  }
  own.join();
  for (std::thread& thread : threads)
    thread.join();
  for (std::size_t i = reported; i < results.size(); ++i)
    if (results[i] && request.on_case) request.on_case(*results[i]);

  for (auto& result : results) {
    if (result) {
      report.cases.push_back(std::move(*result));
    } else {
      report.complete = false;  // interrupted before this scenario ran
    }
  }
  if (request.interrupted != nullptr && request.interrupted->load()) report.complete = false;
  report.duration_s =
      std::chrono::duration<double>(std::chrono::system_clock::now() - report.started_at).count();
}

}  // namespace gauntlet::scenarios
