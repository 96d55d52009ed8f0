#include "gauntlet/fuzzer/sequence.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "gauntlet/codec/codec.hpp"
#include "gauntlet/codec/hex.hpp"

namespace gauntlet::fuzzer {
namespace {

/// A label prefix that marks a mutated packet in a scenario file, so that a corpus entry read back
/// keeps the flag.
constexpr std::string_view mutated_mark = "[mutated] ";
constexpr std::string_view probe_client = "probe";

std::string client_name(std::size_t index) {
  return "c" + std::to_string(index);
}

Json step_json(const Step& step) {
  Json out = Json::object();
  out["client"] = client_name(step.client);
  switch (step.action) {
    case Step::Action::open:
      out["connect"] = {{"send_connect", false}};
      break;
    case Step::Action::drop:
      out["drop"] = Json::object();
      break;
    case Step::Action::send:
      if (!step.note.empty() || step.mutated) {
        out["label"] = std::string(step.mutated ? mutated_mark : "") + step.note;
      }
      out["send"] = {{"hex", codec::to_hex(codec::ByteView(step.bytes), " ")}};
      break;
  }
  return out;
}

}  // namespace

std::string packet_name(codec::PacketType type) {
  std::string out(codec::to_string(type));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::size_t Sequence::packets() const noexcept {
  return static_cast<std::size_t>(std::count_if(
      steps.begin(), steps.end(), [](const Step& s) { return s.action == Step::Action::send; }));
}

std::size_t Sequence::bytes() const noexcept {
  std::size_t total = 0;
  for (const Step& step : steps)
    total += step.bytes.size();
  return total;
}

Json to_scenario(const Sequence& sequence, const ScenarioOptions& options) {
  Json scenario = Json::object();
  scenario["name"] = options.name;
  if (!options.title.empty()) scenario["title"] = options.title;
  if (!options.description.empty()) scenario["description"] = options.description;
  scenario["protocol"] = "5";
  scenario["timeout_ms"] = 3000;
  scenario["allow_findings"] = options.allow_findings;

  Json clients = Json::object();
  for (std::size_t i = 0; i < sequence.clients.size(); ++i) {
    Json client = Json::object();
    client["protocol"] = std::string(codec::to_string(sequence.clients[i].version));
    if (options.endpoint != "plain") client["endpoint"] = options.endpoint;
    client["keep_alive_s"] = 0;  // the raw CONNECT sets the broker's keep-alive, not the client
    const bool strict = options.strict.empty() || (i < options.strict.size() && options.strict[i]);
    // The client judges the broker by the CONNECT it sends (its Clean Start and limits).
    client["strict"] = strict;
    clients[client_name(i)] = std::move(client);
  }
  if (options.probe_ms > 0) {
    clients[std::string(probe_client)] = {{"protocol", "3.1.1"}, {"id", "gauntlet-probe-{run}"}};
  }
  scenario["clients"] = std::move(clients);

  Json body = Json::array();
  for (std::size_t i = 0; i < sequence.steps.size(); ++i) {
    const Step& step = sequence.steps[i];
    body.push_back(step_json(step));
    if (i >= options.echoes.size()) continue;
    const StepEcho& echo = options.echoes[i];
    Json expect;
    if (echo.answer) {
      expect = {{packet_name(*echo.answer), Json::object()}};
    } else if (echo.closed) {
      expect = {{"closed", Json::object()}};
    } else {
      continue;
    }
    body.push_back({{"client", client_name(step.client)}, {"expect", std::move(expect)}});
  }
  Json steps = Json::array();
  if (options.repeat > 1) {
    // Every pass must start from closed clients: a drop at the end of the body closes what the
    // sequence left open (drop of a closed client does nothing).
    for (std::size_t i = 0; i < sequence.clients.size(); ++i) {
      body.push_back({{"client", client_name(i)}, {"drop", Json::object()}});
    }
    steps.push_back({{"loop", {{"count", options.repeat}, {"steps", std::move(body)}}}});
  } else {
    steps = std::move(body);
  }
  if (options.probe_ms > 0) {
    steps.push_back({{"client", std::string(probe_client)},
                     {"label", "liveness probe: a fresh client must still be answered"},
                     {"connect", Json::object()},
                     {"expect", {{"connack", {{"reason_code", 0}}}}},
                     {"within_ms", options.probe_ms}});
  }
  scenario["steps"] = std::move(steps);
  return scenario;
}

std::string scenario_file_text(const Json& scenario) {
  return scenario.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

namespace {

bool read_steps(const Json& steps, const std::string& path, const Json& clients, Sequence& out,
                std::string& error) {
  if (!steps.is_array()) {
    error = path + ": expected an array of steps";
    return false;
  }
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Json& step = steps[i];
    const std::string here = path + "[" + std::to_string(i) + "]";
    if (!step.is_object()) {
      error = here + ": expected a step object";
      return false;
    }
    if (step.contains("loop")) {
      if (!step["loop"].is_object() || !step["loop"].contains("steps")) {
        error = here + ".loop: expected an object with \"steps\"";
        return false;
      }
      if (!read_steps(step["loop"]["steps"], here + ".loop.steps", clients, out, error)) {
        return false;
      }
      continue;
    }
    if (!step.contains("client") || !step["client"].is_string()) continue;  // barrier, parallel
    const std::string name = step["client"].get<std::string>();
    if (name == probe_client) continue;
    if (name.size() < 2 || name[0] != 'c' ||
        !std::all_of(name.begin() + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        name.size() > 4) {
      error = here + ".client: \"" + name + "\" is not a fuzzing client (c0, c1, ...)";
      return false;
    }
    const auto index = static_cast<std::size_t>(std::stoul(name.substr(1)));
    if (index >= out.clients.size()) {
      error = here + ".client: \"" + name + "\" is not in \"clients\"";
      return false;
    }
    Step parsed;
    parsed.client = static_cast<std::uint8_t>(index);
    if (step.contains("connect")) {
      parsed.action = Step::Action::open;
    } else if (step.contains("drop")) {
      // The drops that close each pass of a loop are not part of the sequence.
      if (path.find(".loop") != std::string::npos && i + out.clients.size() >= steps.size()) {
        continue;
      }
      parsed.action = Step::Action::drop;
    } else if (step.contains("send")) {
      const Json& send = step["send"];
      if (!send.is_object() || !send.contains("hex") || !send["hex"].is_string()) {
        error = here + ".send: the fuzzer reads only {\"hex\": \"...\"} sends";
        return false;
      }
      codec::HexError hex_error;
      auto bytes = codec::from_hex(send["hex"].get<std::string>(), &hex_error);
      if (!bytes) {
        error = here + ".send.hex: not hex";
        return false;
      }
      parsed.bytes = std::move(*bytes);
      if (!parsed.bytes.empty()) {
        const auto type = static_cast<unsigned>(parsed.bytes[0] >> 4U);
        if (type >= 1 && type <= 15) parsed.type = static_cast<codec::PacketType>(type);
      }
      if (step.contains("label") && step["label"].is_string()) {
        std::string label = step["label"].get<std::string>();
        if (label.starts_with(mutated_mark)) {
          parsed.mutated = true;
          label.erase(0, mutated_mark.size());
        }
        parsed.note = std::move(label);
      }
    } else {
      continue;  // expectations: the fuzzer waits by itself
    }
    out.steps.push_back(std::move(parsed));
  }
  return true;
}

}  // namespace

std::optional<Sequence> from_scenario(const Json& scenario, std::string& error) {
  if (!scenario.is_object()) {
    error = "expected a scenario object";
    return std::nullopt;
  }
  if (!scenario.contains("clients") || !scenario["clients"].is_object()) {
    error = "clients: expected an object";
    return std::nullopt;
  }
  Sequence out;
  const Json& clients = scenario["clients"];
  for (std::size_t i = 0;; ++i) {
    const auto found = clients.find(client_name(i));
    if (found == clients.end()) break;
    ClientSlot slot;
    std::string protocol = scenario.value("protocol", "3.1.1");
    if (found->contains("protocol") && (*found)["protocol"].is_string()) {
      protocol = (*found)["protocol"].get<std::string>();
    }
    const auto version = codec::parse_protocol_version(protocol);
    if (!version) {
      error =
          "clients." + client_name(i) + ".protocol: \"" + protocol + "\" is not 3.1, 3.1.1 or 5";
      return std::nullopt;
    }
    slot.version = *version;
    out.clients.push_back(slot);
  }
  if (out.clients.empty() || out.clients.size() > 16) {
    error = "clients: expected c0, c1, ... (1 to 16 fuzzing clients)";
    return std::nullopt;
  }
  if (!read_steps(scenario.contains("steps") ? scenario["steps"] : Json(), "steps", clients, out,
                  error)) {
    return std::nullopt;
  }
  if (out.steps.empty()) {
    error = "steps: no step of a fuzzing client";
    return std::nullopt;
  }
  return out;
}

}  // namespace gauntlet::fuzzer
