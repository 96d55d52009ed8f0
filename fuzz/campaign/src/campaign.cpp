#include "gauntlet/fuzzer/campaign.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <thread>
#include <utility>

#include "gauntlet/codec/hex.hpp"
#include "gauntlet/fuzzer/broker_process.hpp"
#include "gauntlet/fuzzer/shrink.hpp"

namespace gauntlet::fuzzer {
namespace {

using Clock = std::chrono::steady_clock;
using reports::FuzzFinding;

double seconds_since(Clock::time_point from) {
  return std::chrono::duration<double>(Clock::now() - from).count();
}

/// FNV-1a: a short, stable id for a signature (the same finding gets the same id in every run).
std::string signature_hash(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return std::string(out, 8);
}

/// What an oracle saw, the evidence a finding keeps.
struct Failure {
  std::string kind;  ///< crash | hang | resource_growth | spec_violation
  std::string signature;
  std::string summary;
  std::string detail;
  std::string statement;
  std::string frames;    ///< crash in a spawned broker: its sanitizer's top frames, if any
  std::string status;    ///< crash in a spawned broker: its exit status in words
  double seen_at_s = 0;  ///< when an oracle first saw it, since the run started
};

std::string failure_point(const Outcome& outcome);

/// The summary of a resource-growth finding, from what its replays measured.
std::string growth_summary(const std::string& measured) {
  return "the broker's resources grow with each replay: " + measured;
}

/// The signature of a spec violation: its statement; without one, the rule and the field the
/// description names ("property_value_invalid (property.payload_format_indicator)"), without the
/// byte offset, which differs from packet to packet.
std::string spec_signature(const std::string& statement, const std::string& description) {
  if (!statement.empty()) return "spec_violation | " + statement;
  static const std::regex offset(R"( at byte [0-9]+)");
  const std::string head = description.substr(0, description.find(':'));
  return "spec_violation | " + std::regex_replace(head, offset, "");
}

/// The signature of a crash or hang without a sanitizer stack: the kind, the exit status and the
/// failure point of the run.
std::string stackless_signature(const Failure& failure, const Outcome& outcome) {
  return failure.kind + (failure.status.empty() ? "" : " | " + failure.status) + " | after " +
         failure_point(outcome);
}

/// Where a run went wrong, as what was sent there: the first packet whose answer never came (a
/// hang), else the first after which a connection closed unasked (a crash), else the last sent.
/// Without a sanitizer stack this is what tells one crash or hang from another.
std::string failure_point(const Outcome& outcome) {
  // What was sent, without the mutation's details (a bug reached by two mutations is one bug).
  const auto sent = [](const StepOutcome& step) {
    std::string shape = step.shape.substr(0, step.shape.find(" ->"));
    return shape.substr(0, shape.find(" mutated"));
  };
  for (const StepOutcome& step : outcome.steps) {
    if (step.delivered && step.unanswered) return sent(step);
  }
  for (const StepOutcome& step : outcome.steps) {
    if (step.delivered && step.echo.closed && step.shape.find("mutated") == std::string::npos &&
        step.shape.rfind("disconnect", 0) != 0) {
      return sent(step);
    }
  }
  for (auto it = outcome.steps.rbegin(); it != outcome.steps.rend(); ++it) {
    if (it->delivered && !it->shape.empty()) return sent(*it);
  }
  return "nothing sent";
}

class Campaign {
 public:
  explicit Campaign(const CampaignConfig& config)
      : c_(config), generator_(config.seed, config.generator), started_(Clock::now()) {
    metrics_.mode = config.spawn_command ? "spawn" : "broker";
    metrics_.spawn_command = config.spawn_command.value_or("");
    metrics_.sequence_limit = config.max_sequences;
  }

  CampaignResult run() {
    CampaignResult result;
    if (c_.spawn_command) {
      broker_ = std::make_unique<BrokerProcess>(*c_.spawn_command, c_.report_dir + "/broker");
      std::string error;
      if (!start_broker(error)) {
        result.status = CampaignResult::Status::infrastructure;
        result.error = error;
        return result;
      }
    } else {
      const ProbeResult first = probe(io_, c_.target, c_.start_deadline, ++probe_number_);
      if (first.status != ProbeResult::Status::alive) {
        result.status = CampaignResult::Status::infrastructure;
        result.error = "the broker at " + c_.target_display + " does not answer a CONNECT (" +
                       std::string(to_string(first.status)) + ": " + first.detail + ")";
        return result;
      }
    }
    load_corpus();
    reset_resource_baseline();

    while (true) {
      if (interrupted()) {
        metrics_.stop_reason = "interrupted";
        break;
      }
      if (seconds_since(started_) >= c_.duration_s) {
        metrics_.stop_reason = "duration";
        break;
      }
      if (c_.max_sequences > 0 && metrics_.sequences >= c_.max_sequences) {
        metrics_.stop_reason = "sequence_limit";
        break;
      }
      if (broker_lost_) {
        metrics_.stop_reason = "broker_lost";
        break;
      }
      run_one_batch();
      if (seconds_since(last_sample_) >= 1.0) sample();
    }
    sample();
    if (broker_) broker_->stop();
    result.report = build_report();
    return result;
  }

 private:
  bool interrupted() const { return c_.interrupted != nullptr && c_.interrupted->load(); }

  // --- the broker --------------------------------------------------------------------------------

  bool wait_until_alive(std::string& error) {
    const auto deadline = Clock::now() + c_.start_deadline;
    ProbeResult last;
    while (Clock::now() < deadline) {
      if (broker_ && !broker_->running()) {
        error = "the broker (" + broker_->command() + ") " +
                describe_wait_status(broker_->exit_status().value_or(0)) +
                " before it answered; its output is in " + broker_->log_path();
        return false;
      }
      last =
          probe(io_, c_.target, std::min(c_.probe_deadline, Milliseconds(1000)), ++probe_number_);
      if (last.status == ProbeResult::Status::alive) return true;
      std::this_thread::sleep_for(Milliseconds(20));
    }
    error = "the broker at " + c_.target_display + " did not answer within " +
            std::to_string(c_.start_deadline.count()) + " ms (" +
            std::string(to_string(last.status)) + ": " + last.detail + ")";
    return false;
  }

  bool start_broker(std::string& error) {
    if (!broker_->start(error)) return false;
    return wait_until_alive(error);
  }

  /// Brings a crashed or hung broker back. False when it cannot be (a black box without a restart
  /// command, or a broker that no longer starts).
  bool recover() {
    std::string error;
    if (broker_) {
      broker_->stop(500);
      ++metrics_.restarts;
      if (start_broker(error)) return true;
    } else if (!c_.restart_command.empty()) {
      ++metrics_.restarts;
      if (std::system(c_.restart_command.c_str()) == 0 && wait_until_alive(error)) return true;
    }
    broker_lost_ = true;
    return false;
  }

  void reset_resource_baseline() {
    if (!broker_) return;
    baseline_fds_ = broker_->descriptors().value_or(0);
    baseline_rss_ = broker_->rss_kib().value_or(0);
  }

  /// Descriptors once the broker has closed the connections of the last batch (it closes them as
  /// it reads the DISCONNECTs): up to 200 ms for the count to come back down.
  std::uint64_t settled_fds() {
    std::uint64_t fds = broker_->descriptors().value_or(0);
    for (int i = 0; i < 20 && fds > baseline_fds_; ++i) {
      std::this_thread::sleep_for(Milliseconds(10));
      io_.poll();
      fds = broker_->descriptors().value_or(0);
    }
    return fds;
  }

  // --- running sequences -------------------------------------------------------------------------

  void run_one_batch() {
    std::vector<Sequence> batch;
    std::vector<std::uint64_t> numbers;
    std::uint32_t lanes = std::max<std::uint32_t>(1, c_.lanes);
    if (c_.max_sequences > 0) {
      lanes = static_cast<std::uint32_t>(
          std::min<std::uint64_t>(lanes, c_.max_sequences - metrics_.sequences));
    }
    for (std::uint32_t lane = 0; lane < lanes; ++lane) {
      // Fresh sequences keep the search broad; variations of corpus entries go deeper where the
      // broker answered in a new way.
      if (corpus_.empty() || generator_.rng().chance(50)) {
        batch.push_back(generator_.generate(lane));
      } else {
        const Sequence& parent = corpus_[generator_.rng().below(corpus_.size())];
        const Sequence& other = corpus_[generator_.rng().below(corpus_.size())];
        batch.push_back(generator_.evolve(parent, other, lane));
      }
      numbers.push_back(metrics_.sequences + lane);
    }
    const auto t0 = Clock::now();
    const std::vector<Outcome> outcomes = run_batch(io_, c_.target, batch, c_.executor);
    metrics_.fuzzing_s += seconds_since(t0);
    metrics_.sequences += batch.size();
    for (std::size_t i = 0; i < batch.size(); ++i)
      account(batch[i], outcomes[i]);

    check_liveness(batch, numbers, outcomes);
    if (broker_lost_) return;
    check_findings(batch, numbers, outcomes);
    check_resources(batch, numbers);
  }

  void account(const Sequence& sequence, const Outcome& outcome) {
    metrics_.packets += outcome.packets;
    metrics_.bytes += outcome.bytes;
    bool fresh = false;
    for (std::size_t i = 0; i < outcome.steps.size(); ++i) {
      const StepOutcome& step = outcome.steps[i];
      if (step.delivered && sequence.steps[i].mutated) ++metrics_.mutated;
      if (step.shape.empty()) continue;
      const auto [it, inserted] = shape_index_.try_emplace(step.shape, metrics_.shapes.size());
      if (inserted) {
        metrics_.shapes.push_back({step.shape, seconds_since(started_), 0});
        fresh = true;
      }
      ++metrics_.shapes[it->second].count;
    }
    // Feedback: a sequence that made the broker answer in a new way is kept and varied.
    if (fresh) add_to_corpus(sequence, outcome);
  }

  void add_to_corpus(const Sequence& sequence, const Outcome& outcome) {
    corpus_.push_back(sequence);
    if (!c_.corpus_dir) return;
    ScenarioOptions options;
    options.name = "corpus-" + std::to_string(corpus_.size());
    options.title = "gauntlet fuzz corpus entry (seed " + std::to_string(c_.seed) + ")";
    options.endpoint = c_.endpoint_name;
    options.strict = outcome.strict;
    const std::string text = scenario_file_text(to_scenario(sequence, options));
    const std::string path =
        *c_.corpus_dir + "/" + options.name + "-" + signature_hash(text) + ".json";
    std::error_code ec;
    std::filesystem::create_directories(*c_.corpus_dir, ec);
    reports::write_atomically(path, text);
  }

  void load_corpus() {
    if (!c_.corpus_dir) return;
    std::error_code ec;
    if (!std::filesystem::is_directory(*c_.corpus_dir, ec)) return;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(*c_.corpus_dir, ec)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());  // the same order on every run: determinism
    for (const auto& file : files) {
      std::ifstream in(file);
      const Json json = Json::parse(in, nullptr, false);
      std::string error;
      if (auto sequence = from_scenario(json, error)) {
        corpus_.push_back(std::move(*sequence));
      } else {
        skipped_corpus_.push_back(file.string() + ": " + error);
      }
    }
    metrics_.corpus_initial = corpus_.size();
  }

  // --- oracles -----------------------------------------------------------------------------------

  /// Probes the broker; on failure, what kind of failure it is (crash or hang) with its evidence.
  std::optional<Failure> liveness_failure() {
    ++metrics_.probes;
    bool exited = broker_ && !broker_->running();
    ProbeResult result;
    if (!exited) {
      result = probe(io_, c_.target, c_.probe_deadline, ++probe_number_);
      if (result.status == ProbeResult::Status::alive) return std::nullopt;
      // A dying broker may still hold its port while its sanitizer writes the report.
      for (int i = 0; broker_ && i < 200 && broker_->running(); ++i) {
        std::this_thread::sleep_for(Milliseconds(10));
      }
      exited = broker_ && !broker_->running();
    }
    ++metrics_.probe_failures;
    Failure failure;
    failure.seen_at_s = seconds_since(started_);
    const bool hang = !exited && result.status == ProbeResult::Status::no_answer;
    failure.kind = hang ? "hang" : "crash";
    if (broker_ && exited) {
      const std::string status = describe_wait_status(broker_->exit_status().value_or(0));
      const CrashReport report = parse_crash_report(broker_->log_text());
      failure.frames = report.top_frames;
      failure.status = status;
      // With a sanitizer stack, the stack says which bug it is; without one, where in the
      // sequence it happens does (see stackless_signature).
      if (!report.error.empty()) {
        failure.signature = "crash | " + report.error + " | " + report.top_frames;
      }
      failure.summary =
          "the broker " + status +
          (report.error.empty() ? ""
                                : " after " + report.error + " in " +
                                      report.top_frames.substr(0, report.top_frames.find(" | ")));
      failure.detail =
          "exit status: " + status + "\nlog: " + broker_->log_path() + "\n" +
          (report.excerpt.empty() ? std::string("no sanitizer report in the log") : report.excerpt);
    } else if (hang) {
      failure.summary = "the broker stopped answering: a fresh client got no CONNACK within " +
                        std::to_string(c_.probe_deadline.count()) + " ms";
      failure.detail =
          "liveness probe: " + result.detail +
          (broker_ ? "\nthe process (pid " + std::to_string(broker_->pid()) + ") was still running"
                   : "");
    } else {
      failure.summary = "the broker went away: the liveness probe found it " +
                        std::string(to_string(result.status)) + " (" + result.detail + ")";
      failure.detail =
          "liveness probe: " + std::string(to_string(result.status)) + ": " + result.detail;
    }
    return failure;
  }

  /// Runs `sequence` alone and says whether it fails the way `expected` did.
  bool replay_fails(const Sequence& sequence, const Failure& expected, Outcome* outcome_out,
                    Failure* seen_out) {
    const std::vector<Outcome> outcomes = run_batch(io_, c_.target, {sequence}, c_.executor);
    if (outcome_out != nullptr) *outcome_out = outcomes[0];
    if (expected.kind == "spec_violation") {
      for (const SeenFinding& f : outcomes[0].findings) {
        if (outcomes[0].strict[f.client] &&
            spec_signature(f.statement, f.description) == expected.signature)
          return true;
      }
      return false;
    }
    const std::optional<Failure> failure = liveness_failure();
    if (!failure) return false;
    if (seen_out != nullptr) *seen_out = *failure;
    recover();
    if (failure->kind != expected.kind) return false;
    // With a sanitizer report, the same top frames: another crash is another finding.
    return expected.frames.empty() || failure->frames == expected.frames;
  }

  void check_liveness(const std::vector<Sequence>& batch, const std::vector<std::uint64_t>& numbers,
                      const std::vector<Outcome>& outcomes) {
    std::optional<Failure> failure = liveness_failure();
    if (!failure) return;
    const auto triage_start = Clock::now();
    if (!recover()) {
      // Nothing can be replayed: keep what was seen, unconfirmed.
      record_unconfirmed(*failure, batch.front(), numbers.front(), outcomes.front());
      metrics_.triage_s += seconds_since(triage_start);
      return;
    }
    // The culprit: the first sequence of the batch that fails the same way alone.
    for (std::size_t i = 0; i < batch.size() && !broker_lost_; ++i) {
      Outcome outcome;
      Failure seen;
      if (!replay_fails(batch[i], *failure, &outcome, &seen)) continue;
      if (failure->frames.empty() && !seen.frames.empty()) {
        const double seen_at = failure->seen_at_s;
        *failure = seen;
        failure->seen_at_s = seen_at;
      }
      if (failure->signature.empty()) failure->signature = stackless_signature(*failure, outcome);
      triage(*failure, batch[i], numbers[i]);
      metrics_.triage_s += seconds_since(triage_start);
      return;
    }
    // No sequence fails alone: it took sequences side by side (or luck). Kept, unconfirmed.
    failure->detail += "\nnot reproduced by any sequence of the batch alone";
    record_unconfirmed(*failure, batch.front(), numbers.front(), outcomes.front());
    metrics_.triage_s += seconds_since(triage_start);
  }

  /// A crash or hang that could not be replayed: counted against a known signature, or kept with
  /// the first sequence of its batch as the best lead there is.
  void record_unconfirmed(Failure& failure, const Sequence& sequence, std::uint64_t number,
                          const Outcome& outcome) {
    if (failure.signature.empty()) failure.signature = stackless_signature(failure, outcome);
    if (!bump(failure.signature)) record(failure, sequence, outcome, number, 0, 0, sequence);
  }

  void check_findings(const std::vector<Sequence>& batch, const std::vector<std::uint64_t>& numbers,
                      const std::vector<Outcome>& outcomes) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      std::set<std::string> seen;
      for (const SeenFinding& f : outcomes[i].findings) {
        if (!outcomes[i].strict[f.client]) continue;
        Failure failure;
        failure.seen_at_s = seconds_since(started_);
        failure.kind = "spec_violation";
        failure.signature = spec_signature(f.statement, f.description);
        if (!seen.insert(failure.signature).second) continue;
        if (bump(failure.signature)) continue;
        failure.statement = f.statement;
        failure.summary = (f.statement.empty() ? "" : f.statement + ": ") + f.description;
        failure.detail =
            "seen by client c" + std::to_string(f.client) + ": " + f.description +
            (f.packet.empty() ? "" : "\npacket: " + codec::to_hex(codec::ByteView(f.packet), " "));
        const auto triage_start = Clock::now();
        triage(failure, batch[i], numbers[i]);
        metrics_.triage_s += seconds_since(triage_start);
        if (broker_lost_) return;
      }
    }
  }

  /// Growth of descriptors and RSS that `sequence`, replayed, causes on a fresh broker.
  std::pair<std::int64_t, std::int64_t> growth(const Sequence& sequence, Outcome* last) {
    recover();  // a fresh broker: an earlier leak may have reached a cap
    if (broker_lost_) return {0, 0};
    reset_resource_baseline();
    const std::vector<Sequence> one{sequence};
    for (std::uint32_t i = 0; i < c_.leak_replays; ++i) {
      std::vector<Outcome> outcomes = run_batch(io_, c_.target, one, c_.executor);
      if (last != nullptr) *last = std::move(outcomes.front());
    }
    const std::uint64_t fds = settled_fds();
    const std::uint64_t rss = broker_->rss_kib().value_or(baseline_rss_);
    return {static_cast<std::int64_t>(fds) - static_cast<std::int64_t>(baseline_fds_),
            static_cast<std::int64_t>(rss) - static_cast<std::int64_t>(baseline_rss_)};
  }

  bool leaks(const Sequence& sequence, std::string* how, Outcome* last = nullptr) {
    const auto [fds, rss] = growth(sequence, last);
    const bool by_fds =
        fds >= static_cast<std::int64_t>(std::max<std::uint32_t>(1, c_.leak_replays / 2));
    const bool by_rss = rss >= static_cast<std::int64_t>(c_.leak_replays * c_.leak_rss_kib);
    if (how != nullptr) {
      *how = std::to_string(c_.leak_replays) + " replays on a fresh broker: descriptors " +
             (fds >= 0 ? "+" : "") + std::to_string(fds) + ", RSS " + (rss >= 0 ? "+" : "") +
             std::to_string(rss) + " KiB";
    }
    return by_fds || by_rss;
  }

  void check_resources(const std::vector<Sequence>& batch,
                       const std::vector<std::uint64_t>& numbers) {
    if (!broker_ || broker_lost_) return;
    const double seen_at = seconds_since(started_);
    const std::uint64_t fds = settled_fds();
    const std::uint64_t rss = broker_->rss_kib().value_or(0);
    const bool fd_growth = fds >= baseline_fds_ + c_.suspect_fds;
    const bool rss_growth = rss >= baseline_rss_ + c_.suspect_rss_kib;
    if (!fd_growth && !rss_growth) return;
    // Measuring growth replays every sequence of the batch on a fresh broker: after one such
    // triage, the next waits (a known leak would otherwise make every batch suspect).
    if (last_resource_triage_ && seconds_since(*last_resource_triage_) < c_.resource_cooldown_s) {
      return;
    }
    last_resource_triage_ = Clock::now();
    const auto triage_start = Clock::now();
    for (std::size_t i = 0; i < batch.size() && !broker_lost_; ++i) {
      std::string how;
      if (!leaks(batch[i], &how)) continue;
      Failure failure;
      failure.seen_at_s = seen_at;
      failure.kind = "resource_growth";
      failure.summary = growth_summary(how);
      failure.detail = "noticed after sequence " + std::to_string(numbers[i]) + ": descriptors " +
                       std::to_string(baseline_fds_) + " -> " + std::to_string(fds) + ", RSS " +
                       std::to_string(baseline_rss_) + " -> " + std::to_string(rss) + " KiB\n" +
                       how;
      triage(failure, batch[i], numbers[i]);
      break;
    }
    // Whatever was found, growth so far is the new normal.
    recover();
    reset_resource_baseline();
    metrics_.triage_s += seconds_since(triage_start);
  }

  // --- triage: confirm, minimise, deduplicate, reproduce -----------------------------------------

  /// A finding with this signature exists: count it. True if so.
  bool bump(const std::string& signature) {
    const auto known = by_signature_.find(signature);
    if (known == by_signature_.end()) return false;
    ++metrics_.findings[known->second].occurrences;
    return true;
  }

  bool holds(const Sequence& sequence, Failure& failure, Outcome* outcome) {
    if (failure.kind == "resource_growth") {
      std::string how;
      const bool yes = leaks(sequence, &how, outcome);
      if (yes) failure.summary = growth_summary(how);
      return yes;
    }
    return replay_fails(sequence, failure, outcome, nullptr);
  }

  /// Makes `seen_as` (a signature before minimisation) name the finding `signature` names.
  void alias(const std::string& seen_as, const std::string& signature) {
    const auto known = by_signature_.find(signature);
    if (!seen_as.empty() && seen_as != signature && known != by_signature_.end()) {
      by_signature_[seen_as] = known->second;
    }
  }

  void triage(Failure failure, const Sequence& sequence, std::uint64_t number) {
    // The signature as first seen: a later failure seen the same way is counted without a
    // second minimisation (aliases below map it to the finding it turned out to be).
    const std::string seen_as = failure.signature;
    if (failure.kind != "resource_growth" && bump(seen_as)) return;
    // Confirm.
    std::uint32_t reproduced = 0;
    Outcome outcome;
    for (std::uint32_t i = 0; i < c_.confirm_replays && !broker_lost_; ++i) {
      if (holds(sequence, failure, &outcome)) ++reproduced;
    }
    Sequence minimal = sequence;
    if (reproduced > 0 && !broker_lost_) {
      // Minimisation is bounded in trials and in time (a hang costs a probe deadline and a
      // restart per trial): what it reached by then is the reproducer.
      const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(c_.triage_budget_s));
      Shrinker shrinker(sequence, [&](const Sequence& candidate) {
        return !broker_lost_ && Clock::now() < deadline && !interrupted() &&
               holds(candidate, failure, nullptr);
      });
      minimal = shrinker.run(60);
      holds(minimal, failure, &outcome);  // the echoes of the minimal run, for the reproducer
    }
    // Without a sanitizer stack, a bug is told apart by the packet that sets it off: the last
    // one of the minimised sequence (minimisation drops whatever follows it).
    const bool stackless = failure.kind == "resource_growth" ||
                           (failure.frames.empty() && failure.kind != "spec_violation");
    if (stackless && reproduced > 0) {
      failure.signature = failure.kind + (failure.status.empty() ? "" : " | " + failure.status) +
                          " | after " + sent_of_last(minimal);
      if (bump(failure.signature)) {
        alias(seen_as, failure.signature);
        return;
      }
    }
    record(failure, sequence, outcome, number, c_.confirm_replays, reproduced, minimal);
    alias(seen_as, failure.signature);
  }

  static std::string sent_of_last(const Sequence& sequence) {
    for (auto it = sequence.steps.rbegin(); it != sequence.steps.rend(); ++it) {
      if (it->action == Step::Action::send) return it->type ? packet_name(*it->type) : "garbage";
    }
    return "nothing";
  }

  void record(const Failure& failure, const Sequence& original, const Outcome& outcome,
              std::uint64_t number, std::uint32_t replays, std::uint32_t reproduced,
              const Sequence& minimal) {
    FuzzFinding finding;
    finding.kind = failure.kind;
    finding.signature = failure.signature;
    finding.id = failure.kind + "-" + signature_hash(failure.signature);
    finding.summary = failure.summary;
    finding.detail = failure.detail;
    finding.statement = failure.statement;
    finding.found_at_s = failure.seen_at_s;
    finding.sequence = number;
    finding.replays = replays;
    finding.reproduced = reproduced;
    finding.confirmed = reproduced > 0;
    finding.packets_before = original.packets();
    finding.bytes_before = original.bytes();
    finding.packets_after = minimal.packets();
    finding.bytes_after = minimal.bytes();
    // Unconfirmed findings get a reproducer too: it is the best lead there is.
    finding.reproducer = "findings/" + finding.id + ".json";
    write_and_verify(finding, minimal, outcome);
    by_signature_[finding.signature] = metrics_.findings.size();
    metrics_.findings.push_back(finding);
    if (c_.on_finding) c_.on_finding(metrics_.findings.back());
  }

  void write_and_verify(FuzzFinding& finding, const Sequence& minimal, const Outcome& outcome) {
    ScenarioOptions options;
    options.name = finding.id;
    options.title = finding.summary.substr(0, 200);
    options.description =
        "Reproducer of a gauntlet fuzz finding (" + finding.kind + ", seed " +
        std::to_string(c_.seed) + ", sequence " + std::to_string(finding.sequence) +
        "): " + finding.signature + ". " +
        (finding.kind == "resource_growth"
             ? "It repeats the sequence; watch the broker's RSS and descriptors while it runs."
         : finding.kind == "spec_violation"
             ? "It fails on the broker's violation."
             : "It fails at the liveness probe when the broker has crashed or hangs.");
    options.endpoint = c_.endpoint_name;
    options.strict = outcome.strict;
    // Sends that did not go out in the run (their connection had closed) did nothing: a replay
    // would stop at them ("not connected"), so they are left out.
    // A crash or a hang shows as a connection closing or an answer not coming: from there on
    // the replay expects nothing (a broker without the bug answers, and must pass).
    const bool ends_in_failure = finding.kind == "crash" || finding.kind == "hang";
    bool failed = false;
    Sequence written;
    written.clients = minimal.clients;
    for (std::size_t i = 0; i < minimal.steps.size(); ++i) {
      const bool ran = i >= outcome.steps.size() || outcome.steps[i].delivered ||
                       minimal.steps[i].action != Step::Action::send;
      if (!ran) continue;
      written.steps.push_back(minimal.steps[i]);
      StepEcho echo = i < outcome.steps.size() ? outcome.steps[i].echo : StepEcho{};
      if (ends_in_failure && i < outcome.steps.size() &&
          (echo.closed || outcome.steps[i].unanswered)) {
        failed = true;
      }
      options.echoes.push_back(failed ? StepEcho{} : echo);
    }
    if (ends_in_failure)
      options.probe_ms = static_cast<std::uint32_t>(c_.probe_deadline.count() * 2);
    if (finding.kind == "resource_growth") options.repeat = c_.leak_replays * 4;
    options.allow_findings = finding.kind != "spec_violation";
    const std::string path = c_.report_dir + "/" + finding.reproducer;
    std::error_code ec;
    std::filesystem::create_directories(c_.report_dir + "/findings", ec);
    if (const auto error =
            reports::write_atomically(path, scenario_file_text(to_scenario(written, options)))) {
      finding.detail += "\nthe reproducer could not be written: " + *error;
      finding.reproducer.clear();
      return;
    }
    if (broker_lost_ || (!broker_ && c_.restart_command.empty() && ends_in_failure)) {
      return;  // replaying it would take the broker down for good: not checked
    }
    scenarios::RunRequest request = c_.replay_request;
    request.files = {path};
    request.jobs = 1;
    request.seed = c_.seed;
    request.interrupted = nullptr;
    request.on_case = nullptr;
    std::uint64_t fds_before = 0;
    std::uint64_t rss_before = 0;
    if (finding.kind == "resource_growth") {
      recover();
      reset_resource_baseline();
      fds_before = baseline_fds_;
      rss_before = baseline_rss_;
    }
    const scenarios::RunOutcome replay = scenarios::run_files(request);
    if (replay.status != scenarios::RunOutcome::Status::ran || replay.report.cases.empty()) {
      finding.reproducer_verified = false;
      finding.detail += "\nthe reproducer did not load: " +
                        (replay.errors.empty() ? std::string("no case") : replay.errors.front());
      return;
    }
    const reports::Verdict verdict = replay.report.cases.front().verdict;
    if (finding.kind == "resource_growth") {
      const std::uint64_t fds = settled_fds();
      const std::uint64_t rss = broker_->rss_kib().value_or(0);
      const bool grew = fds >= fds_before + std::uint64_t{c_.leak_replays} * 2 ||
                        rss >= rss_before + std::uint64_t{c_.leak_replays} * 2 * c_.leak_rss_kib;
      finding.reproducer_verified = grew;
      finding.detail += "\ngauntlet run of the reproducer: descriptors " +
                        std::to_string(fds_before) + " -> " + std::to_string(fds) + ", RSS " +
                        std::to_string(rss_before) + " -> " + std::to_string(rss) + " KiB";
      recover();
      reset_resource_baseline();
      return;
    }
    // The replay must fail the way the finding did: on the same statement, or at the probe.
    const reports::Case& replayed = replay.report.cases.front();
    if (finding.kind == "spec_violation") {
      finding.reproducer_verified =
          verdict == reports::Verdict::fail &&
          std::any_of(replayed.findings.begin(), replayed.findings.end(),
                      [&](const reports::Finding& f) {
                        return spec_signature(f.statement, f.description) == finding.signature;
                      });
    } else {
      finding.reproducer_verified =
          (verdict == reports::Verdict::fail || verdict == reports::Verdict::error) &&
          replayed.detail.find("liveness probe") != std::string::npos;
    }
    finding.detail +=
        "\ngauntlet run of the reproducer: " + std::string(reports::to_string(verdict));
    if (ends_in_failure && liveness_failure()) recover();
  }

  // --- the report --------------------------------------------------------------------------------

  void sample() {
    last_sample_ = Clock::now();
    reports::FuzzSample s;
    s.t_s = seconds_since(started_);
    s.sequences = metrics_.sequences;
    s.packets = metrics_.packets;
    s.corpus = corpus_.size();
    s.shapes = metrics_.shapes.size();
    s.findings = metrics_.findings.size();
    s.restarts = metrics_.restarts;
    if (broker_) {
      s.broker_rss_kib = broker_->rss_kib();
      s.broker_fds = broker_->descriptors();
    }
    metrics_.series.push_back(s);
    if (c_.on_progress) c_.on_progress(s);
  }

  reports::Case oracle_case(const std::string& id, const std::string& kind,
                            const std::string& title, const std::string& when_clean) const {
    reports::Case out;
    out.id = id;
    out.title = title;
    out.verdict = reports::Verdict::pass;
    std::string detail;
    for (const FuzzFinding& f : metrics_.findings) {
      if (f.kind != kind) continue;
      out.verdict = reports::Verdict::fail;
      detail += f.id + ": " + f.summary + (f.confirmed ? "" : " (not confirmed)") +
                (f.reproducer.empty() ? "" : "; reproducer " + f.reproducer) + "\n";
      if (!f.statement.empty()) out.spec.push_back(f.statement);
    }
    out.detail = out.verdict == reports::Verdict::pass ? when_clean : detail;
    return out;
  }

  reports::Report build_report() {
    metrics_.corpus_final = corpus_.size();
    metrics_.sequences_per_s =
        metrics_.fuzzing_s > 0 ? static_cast<double>(metrics_.sequences) / metrics_.fuzzing_s : 0;
    reports::Report report;
    report.kind = reports::Kind::fuzz;
    report.tool_version = c_.tool_version;
    report.target_name = c_.target_name;
    report.target_endpoint = c_.target_display;
    report.started_at = started_system_;
    report.duration_s = seconds_since(started_);
    report.complete = metrics_.stop_reason != "interrupted";
    report.seed = c_.seed;
    const std::string clean = "no finding in " + std::to_string(metrics_.sequences) + " sequences";
    report.cases.push_back(oracle_case("fuzz-crash", "crash", "The broker does not crash", clean));
    report.cases.push_back(oracle_case("fuzz-hang", "hang", "The broker keeps answering", clean));
    reports::Case growth = oracle_case("fuzz-resource-growth", "resource_growth",
                                       "The broker's RSS and descriptors do not grow", clean);
    if (!broker_) {
      growth.verdict = reports::Verdict::skip;
      growth.detail = "resources are watched only when the fuzzer runs the broker (--spawn)";
    }
    report.cases.push_back(std::move(growth));
    report.cases.push_back(oracle_case("fuzz-spec-violation", "spec_violation",
                                       "The broker's packets keep the normative statements",
                                       clean));
    for (const std::string& skipped : skipped_corpus_) {
      report.cases.front().detail += "\ncorpus entry skipped: " + skipped;
    }
    report.fuzz = metrics_;
    return report;
  }

  const CampaignConfig& c_;
  asio::io_context io_;
  Generator generator_;
  Clock::time_point started_;
  std::chrono::system_clock::time_point started_system_ = std::chrono::system_clock::now();
  Clock::time_point last_sample_ = Clock::now();
  std::unique_ptr<BrokerProcess> broker_;
  std::vector<Sequence> corpus_;
  std::vector<std::string> skipped_corpus_;
  std::map<std::string, std::size_t> shape_index_;
  std::map<std::string, std::size_t> by_signature_;
  reports::FuzzMetrics metrics_;
  std::uint64_t probe_number_ = 0;
  std::uint64_t baseline_fds_ = 0;
  std::uint64_t baseline_rss_ = 0;
  bool broker_lost_ = false;
  std::optional<Clock::time_point> last_resource_triage_;
};

}  // namespace

CampaignResult run_campaign(const CampaignConfig& config) {
  Campaign campaign(config);
  return campaign.run();
}

}  // namespace gauntlet::fuzzer
