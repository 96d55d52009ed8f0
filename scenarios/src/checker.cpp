#include "gauntlet/scenarios/checker.hpp"

#include <algorithm>

namespace gauntlet::scenarios {
namespace {

std::string_view type_name(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    case Json::value_t::number_float:
      return "a number";
    default:
      return "null";
  }
}

}  // namespace

void DocumentChecker::fail(std::string_view pointer, std::string rule, std::string message) const {
  throw doc_.error(pointer, std::move(rule), std::move(message));
}

void DocumentChecker::fail_at_key(std::string_view pointer, std::string rule,
                                  std::string message) const {
  throw FileError{doc_.position_of_key(pointer), std::move(rule), std::move(message)};
}

void DocumentChecker::wrong_type(std::string_view pointer, const Json& value,
                                 std::string_view wanted) const {
  fail(pointer, "wrong-type",
       "expected " + std::string(wanted) + ", found " + std::string(type_name(value)));
}

void DocumentChecker::object(std::string_view pointer, const Json& value) const {
  if (!value.is_object()) wrong_type(pointer, value, "an object");
}

void DocumentChecker::array(std::string_view pointer, const Json& value) const {
  if (!value.is_array()) wrong_type(pointer, value, "an array");
}

void DocumentChecker::keys(std::string_view pointer, const Json& value,
                           std::initializer_list<std::string_view> allowed) const {
  for (const auto& member : value.items()) {
    const std::string& key = member.key();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string list;
    for (const std::string_view name : allowed) {
      if (name == "$schema") continue;
      list += list.empty() ? "" : ", ";
      list += name;
    }
    fail_at_key(
        pointer_append(pointer, key), "unknown-field",
        "unknown field \"" + key + "\" (allowed here: " + (list.empty() ? "none" : list) + ")");
  }
}

std::string DocumentChecker::string(std::string_view pointer, const Json& value) const {
  if (!value.is_string()) wrong_type(pointer, value, "a string");
  return value.get<std::string>();
}

bool DocumentChecker::boolean(std::string_view pointer, const Json& value) const {
  if (!value.is_boolean()) wrong_type(pointer, value, "true or false");
  return value.get<bool>();
}

std::uint64_t DocumentChecker::integer(std::string_view pointer, const Json& value,
                                       std::uint64_t min, std::uint64_t max) const {
  if (!value.is_number_integer()) wrong_type(pointer, value, "an integer");
  if (!value.is_number_unsigned()) fail(pointer, "bad-value", "must not be negative");
  const auto number = value.get<std::uint64_t>();
  if (number < min || number > max) {
    fail(pointer, "bad-value",
         "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return number;
}

}  // namespace gauntlet::scenarios
