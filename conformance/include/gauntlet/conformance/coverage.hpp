// The coverage table of the suite (docs/conformance-coverage.md is generated from it, never
// written by hand): for each protocol level, which statements named cases check, which are not
// applicable to a broker and why, and which are untested.
#pragma once

#include <string>

#include "gauntlet/conformance/suite.hpp"

namespace gauntlet::conformance {

/// The table as Markdown: a summary per protocol level, then every statement with its state,
/// its cases or its reason.
std::string coverage_markdown(const Suite& suite);

}  // namespace gauntlet::conformance
