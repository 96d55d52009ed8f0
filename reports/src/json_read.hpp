// Reading report.json strictly (internal to gauntlet::reports): the helpers behind from_json,
// swarm_metrics_from_json and Histogram::from_json. A reader walks the document with a path
// ("metrics.by_qos.1.expected") and throws ReadError at the first value it cannot accept; the
// public entry points catch it and hand the message back. Unwinding spares every helper an error
// return.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::reports::detail {

using Json = nlohmann::ordered_json;

/// For writing: durations and times come from clocks, but a NaN or a negative value would make the
/// document fail its own schema (JSON has no NaN: nlohmann writes null); 0 is the honest fallback.
inline double non_negative(double value) {
  return std::isfinite(value) && value > 0 ? value : 0;
}

struct ReadError {
  std::string message;
};

inline std::string member(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

inline std::string element(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

[[noreturn]] inline void fail(const std::string& path, std::string_view what) {
  throw ReadError{(path.empty() ? std::string() : path + ": ") + std::string(what)};
}

inline const Json* find(const Json& object, std::string_view key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

/// `object` has been checked to be an object; `path` is its own path.
inline const Json& require(const Json& object, std::string_view key, const std::string& path) {
  const Json* value = find(object, key);
  if (value == nullptr) throw ReadError{"missing required field \"" + member(path, key) + "\""};
  return *value;
}

inline const Json& as_object(const Json& value, const std::string& path) {
  if (!value.is_object()) fail(path, "expected an object");
  return value;
}

inline const Json& as_array(const Json& value, const std::string& path) {
  if (!value.is_array()) fail(path, "expected an array");
  return value;
}

inline std::string as_string(const Json& value, const std::string& path) {
  if (!value.is_string()) fail(path, "expected a string");
  return value.get<std::string>();
}

inline bool as_bool(const Json& value, const std::string& path) {
  if (!value.is_boolean()) fail(path, "expected true or false");
  return value.get<bool>();
}

/// A finite number >= 0 (durations, CPU seconds, limits).
inline double as_duration(const Json& value, const std::string& path) {
  if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < 0) {
    fail(path, "expected a number >= 0");
  }
  return value.get<double>();
}

inline std::uint64_t as_count(const Json& value, const std::string& path) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  }
  fail(path, "expected an integer >= 0");
}

/// The count at `object[key]`, which must be there.
inline std::uint64_t count_field(const Json& object, std::string_view key,
                                 const std::string& path) {
  return as_count(require(object, key, path), member(path, key));
}

inline std::string one_of(const Json& value, const std::string& path,
                          std::initializer_list<std::string_view> allowed) {
  std::string text = as_string(value, path);
  std::string list;
  for (std::string_view a : allowed) {
    if (a == text) return text;
    list += list.empty() ? "" : ", ";
    list += a;
  }
  fail(path, "expected one of " + list + "; got \"" + text + "\"");
}

/// Optional string fields: absent reads as empty, which is what to_json leaves out.
inline std::string optional_string(const Json& object, std::string_view key,
                                   const std::string& path) {
  const Json* value = find(object, key);
  return value == nullptr ? std::string() : as_string(*value, member(path, key));
}

/// Optional arrays: absent reads as empty; each element goes through `read_one(value, path)`.
template <typename T, typename ReadOne>
void read_optional_array(const Json& object, std::string_view key, const std::string& path,
                         std::vector<T>& out, ReadOne read_one) {
  const Json* value = find(object, key);
  if (value == nullptr) return;
  const std::string array_path = member(path, key);
  as_array(*value, array_path);
  for (std::size_t i = 0; i < value->size(); ++i) {
    out.push_back(read_one((*value)[i], element(array_path, i)));
  }
}

/// A required array, each element through `read_one`.
template <typename T, typename ReadOne>
void read_array(const Json& object, std::string_view key, const std::string& path,
                std::vector<T>& out, ReadOne read_one) {
  (void)require(object, key, path);
  read_optional_array(object, key, path, out, read_one);
}

}  // namespace gauntlet::reports::detail
