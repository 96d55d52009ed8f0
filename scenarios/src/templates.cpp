#include "gauntlet/scenarios/templates.hpp"

#include <algorithm>

namespace gauntlet::scenarios {

void Bindings::set(std::string name, std::string value) {
  for (auto& [existing, old] : values_) {
    if (existing == name) {
      old = std::move(value);
      return;
    }
  }
  values_.emplace_back(std::move(name), std::move(value));
}

const std::string* Bindings::find(std::string_view name) const {
  for (const Bindings* scope = this; scope != nullptr; scope = scope->parent_) {
    for (const auto& [key, value] : scope->values_)
      if (key == name) return &value;
  }
  return nullptr;
}

namespace {

/// Walks a template: calls literal(text) and name(name) in order; false on an unbalanced brace.
template <typename Literal, typename Name>
bool walk(std::string_view text, Literal&& literal, Name&& name) {
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal(text.substr(i, 1));
      i += 2;
    } else if (c == '{') {
      const std::size_t close = text.find('}', i + 1);
      if (close == std::string_view::npos) return false;
      name(text.substr(i + 1, close - i - 1));
      i = close + 1;
    } else if (c == '}') {
      return false;
    } else {
      const std::size_t next = text.find_first_of("{}", i);
      const std::size_t end = next == std::string_view::npos ? text.size() : next;
      literal(text.substr(i, end - i));
      i = end;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> template_problem(std::string_view text,
                                            const std::set<std::string, std::less<>>& known) {
  std::optional<std::string> problem;
  const bool balanced = walk(
      text, [](std::string_view) {},
      [&](std::string_view name) {
        if (!problem && !known.contains(name))
          problem = "the template name {" + std::string(name) + "} is not defined";
      });
  if (!balanced) return "an unbalanced brace: write {{ or }} for a literal one";
  return problem;
}

std::string expand(std::string_view text, const Bindings& bindings) {
  if (text.find_first_of("{}") == std::string_view::npos) return std::string(text);
  std::string out;
  walk(
      text, [&](std::string_view literal) { out += literal; },
      [&](std::string_view name) {
        if (const std::string* value = bindings.find(name)) {
          out += *value;
        } else {
          out += '{';
          out += name;
          out += '}';
        }
      });
  return out;
}

// Every string in a JSON tree expanded; a packet id given as a template ("{pid}") becomes the
/// number it stands for.
Json expand_tree(const Json& value, const Bindings& bindings) {
  if (value.is_string()) return expand(value.get_ref<const std::string&>(), bindings);
  if (value.is_object()) {
    Json out = Json::object();
    for (const auto& [key, member] : value.items()) {
      out[key] = expand_tree(member, bindings);
      const Json& expanded = out[key];
      if (key == "packet_id" && expanded.is_string()) {
        const std::string& text = expanded.get_ref<const std::string&>();
        if (!text.empty() && text.size() <= 5 &&
            std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; }))
          out[key] = std::stoul(text);
      }
    }
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const Json& member : value)
      out.push_back(expand_tree(member, bindings));
    return out;
  }
  return value;
}

}  // namespace gauntlet::scenarios
