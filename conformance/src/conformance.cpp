#include "gauntlet/conformance/conformance.hpp"

#include <algorithm>

namespace gauntlet::conformance {

namespace {

using reports::Verdict;

// How bad a verdict is for the statements a case checks: the worst one decides.
int severity(std::string_view verdict) {
  if (verdict == "fail") return 5;
  if (verdict == "error") return 4;
  if (verdict == "pass") return 3;
  if (verdict == "waived") return 2;
  if (verdict == "skip") return 1;
  return 0;
}

}  // namespace

bool glob_match(std::string_view glob, std::string_view text) {
  // Iterative matching with one backtrack point: linear in practice, no recursion.
  std::size_t g = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == text[t])) {
      ++g;
      ++t;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      resume = t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*')
    ++g;
  return g == glob.size();
}

std::vector<scenarios::Scenario> select_cases(const Suite& suite,
                                              const std::vector<std::string>& protocols,
                                              const std::vector<std::string>& filters) {
  std::vector<scenarios::Scenario> out;
  for (const scenarios::Scenario& c : suite.cases) {
    const std::string protocol(codec::to_string(c.version));
    if (std::ranges::find(protocols, protocol) == protocols.end()) continue;
    if (!filters.empty() &&
        std::ranges::none_of(filters, [&](const std::string& f) { return glob_match(f, c.name); }))
      continue;
    out.push_back(c);
  }
  return out;
}

void apply_known_deviations(std::vector<reports::Case>& cases,
                            const std::vector<scenarios::KnownDeviation>& deviations) {
  for (reports::Case& c : cases) {
    const auto deviation = std::ranges::find_if(
        deviations, [&](const auto& d) { return glob_match(d.case_id, c.id); });
    if (deviation == deviations.end()) continue;
    const std::string why =
        deviation->reason + (deviation->link.empty() ? "" : " (" + deviation->link + ")");
    if (c.verdict == Verdict::fail) {
      c.verdict = Verdict::waived;
      c.detail = "known deviation: " + why + "\n\n" + c.detail;
    } else if (c.verdict == Verdict::pass) {
      // Worth knowing: the waiver can go.
      c.detail = "listed as a known deviation (" + why + "), but the broker passes now" +
                 (c.detail.empty() ? "" : "\n\n" + c.detail);
    }
  }
}

std::vector<reports::StatementResult> judge_statements(const Suite& suite,
                                                       const std::vector<reports::Case>& cases,
                                                       const std::vector<std::string>& protocols) {
  std::vector<reports::StatementResult> out;
  for (const std::string_view protocol : suite_protocols) {
    if (std::ranges::find(protocols, protocol) == protocols.end()) continue;
    for (const Statement& statement : statements(protocol)) {
      reports::StatementResult result{statement.protocol, statement.id, "untested", {}, ""};
      const auto judged = suite.not_applicable.find({statement.protocol, statement.id});
      if (judged != suite.not_applicable.end()) {
        result.verdict = "not_applicable";
        result.reason = judged->second;
        out.push_back(std::move(result));
        continue;
      }
      for (const reports::Case& c : cases) {
        if (c.protocol != statement.protocol ||
            std::ranges::find(c.spec, statement.id) == c.spec.end())
          continue;
        result.cases.push_back(c.id);
        const std::string verdict(reports::to_string(c.verdict));
        if (severity(verdict) > severity(result.verdict)) result.verdict = verdict;
      }
      if (result.cases.empty()) {
        const bool in_suite = std::ranges::any_of(suite.cases, [&](const scenarios::Scenario& s) {
          return codec::to_string(s.version) == statement.protocol &&
                 std::ranges::find(s.spec, statement.id) != s.spec.end();
        });
        result.reason =
            in_suite ? "its cases were not selected (--filter)" : "no case checks it yet";
      }
      out.push_back(std::move(result));
    }
  }
  return out;
}

ConformanceOutcome run_conformance(const ConformanceRequest& request) {
  ConformanceOutcome outcome;
  outcome.report.kind = reports::Kind::conformance;
  // Everything the user gave is checked before anything connects.
  auto target = scenarios::resolve_target(request.run);
  if (auto* error = std::get_if<std::string>(&target)) outcome.errors.push_back(*error);
  std::vector<SourceFile> files;
  if (request.cases_folder) {
    auto read = read_suite_folder(*request.cases_folder);
    if (auto* error = std::get_if<std::string>(&read)) {
      outcome.errors.push_back(*error);
    } else {
      files = std::get<std::vector<SourceFile>>(std::move(read));
    }
  } else {
    files = builtin_files();
  }
  auto loaded = load_suite(files);
  if (auto* errors = std::get_if<std::vector<std::string>>(&loaded))
    outcome.errors.insert(outcome.errors.end(), errors->begin(), errors->end());
  std::optional<reports::Report> baseline;
  if (request.baseline_file) {
    std::string error;
    baseline = reports::read_report_file(*request.baseline_file, error);
    if (!baseline) outcome.errors.push_back("--baseline " + error);
  }
  if (!outcome.errors.empty()) {
    outcome.status = ConformanceOutcome::Status::bad_input;
    return outcome;
  }
  const Suite& suite = std::get<Suite>(loaded);
  const scenarios::Profile& profile = std::get<scenarios::Profile>(target);
  const std::vector<scenarios::Scenario> selected =
      select_cases(suite, request.protocols, request.filters);
  if (selected.empty()) {
    outcome.status = ConformanceOutcome::Status::bad_input;
    outcome.errors.emplace_back("no case matches the --protocol and --filter given");
    return outcome;
  }

  reports::Report& report = outcome.report;
  scenarios::RunRequest run = request.run;
  if (request.run.on_case) {
    // Progress shows the verdict the report will hold: waived, not fail.
    run.on_case = [&](const reports::Case& c) {
      std::vector<reports::Case> one{c};
      apply_known_deviations(one, profile.known_deviations);
      request.run.on_case(one.front());
    };
  }
  scenarios::run_scenarios(selected, profile, run, report);
  apply_known_deviations(report.cases, profile.known_deviations);
  report.statements = judge_statements(suite, report.cases, request.protocols);
  if (baseline) report.comparison = reports::compare(*baseline, report, *request.baseline_file);
  return outcome;
}

}  // namespace gauntlet::conformance
