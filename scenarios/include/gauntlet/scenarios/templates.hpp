// Templates in scenario strings: "{run}", "{i}", "{client}", "{id}", loop variables and the
// scenario's own "vars"; "{{" and "}}" are literal braces. Names are checked when the file is
// parsed, so expansion at run time cannot fail.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gauntlet/scenarios/model.hpp"

namespace gauntlet::scenarios {

/// Values of template names; a chain, innermost first (a loop's variable shadows nothing else,
/// but it lives only inside the loop).
class Bindings {
 public:
  Bindings() = default;
  explicit Bindings(const Bindings* parent) : parent_(parent) {}
  void set(std::string name, std::string value);
  [[nodiscard]] const std::string* find(std::string_view name) const;

 private:
  const Bindings* parent_ = nullptr;
  std::vector<std::pair<std::string, std::string>> values_;
};

/// The first name in `text` that is not in `known`, or a message about an unbalanced brace
/// ("{" without "}"): nullopt when the template is sound.
std::optional<std::string> template_problem(std::string_view text,
                                            const std::set<std::string, std::less<>>& known);

/// Replaces every "{name}" with its binding. A name without a binding stays as written (the
/// parser has made that impossible for scenario files).
std::string expand(std::string_view text, const Bindings& bindings);

/// Every string in a JSON tree expanded; a packet id given as a template ("{pid}") becomes the
/// number it stands for.
Json expand_tree(const Json& value, const Bindings& bindings);

}  // namespace gauntlet::scenarios
