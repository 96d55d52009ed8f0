// A report against a baseline (`gauntlet conformance --baseline`, `gauntlet report diff`). A broker
// team's CI must fail on what got worse, not on what was already failing: only a case or a
// statement that passed in the baseline and fails (or errs) now is a regression.
#include <map>
#include <utility>

#include "gauntlet/reports/report.hpp"

namespace gauntlet::reports {

namespace {

bool failing(std::string_view verdict) {
  return verdict == "fail" || verdict == "error";
}

// Sorts one subject into the three lists.
void classify(Comparison& out, std::string subject, std::string before, std::string after) {
  if (before == after) return;
  Change change{std::move(subject), std::move(before), std::move(after)};
  if (change.before == "pass" && failing(change.after)) {
    out.regressions.push_back(std::move(change));
  } else if (failing(change.before) && change.after == "pass") {
    out.fixes.push_back(std::move(change));
  } else {
    out.other.push_back(std::move(change));
  }
}

}  // namespace

Comparison compare(const Report& baseline, const Report& current, std::string baseline_name) {
  Comparison out;
  out.baseline = std::move(baseline_name);

  std::map<std::string, std::string, std::less<>> before;
  for (const Case& c : baseline.cases)
    before.emplace(c.id, std::string(to_string(c.verdict)));
  std::map<std::string, bool, std::less<>> now;
  for (const Case& c : current.cases) {
    now.emplace(c.id, true);
    const auto it = before.find(c.id);
    classify(out, "case " + c.id, it == before.end() ? "" : it->second,
             std::string(to_string(c.verdict)));
  }
  for (const Case& c : baseline.cases)
    if (!now.contains(c.id)) classify(out, "case " + c.id, std::string(to_string(c.verdict)), "");

  // Statements are compared where both reports judged them: a run with --filter or another
  // protocol level says nothing about the statements it left out.
  std::map<std::pair<std::string, std::string>, std::string> judged;
  for (const StatementResult& s : baseline.statements)
    judged.emplace(std::pair{s.protocol, s.id}, s.verdict);
  for (const StatementResult& s : current.statements) {
    const auto it = judged.find({s.protocol, s.id});
    if (it == judged.end()) continue;
    classify(out, "statement " + s.protocol + " " + s.id, it->second, s.verdict);
  }
  return out;
}

}  // namespace gauntlet::reports
