// What conformance/embed.cmake generates (builtin_suite.cpp): the suite and the statement lists
// compiled into the library.
#pragma once

#include <string_view>

#include "gauntlet/conformance/suite.hpp"

namespace gauntlet::conformance {

/// spec/statements-<protocol>.json as it was at build time; empty for another level.
std::string_view builtin_statement_list(std::string_view protocol);

}  // namespace gauntlet::conformance
