// The "load" validator (docs/swarm.md, "Load scenarios"). Like the scenario parser it walks the
// JSON once, checks each rule where the value was written and throws the first broken rule as a
// FileError, caught at the entry point (exceptions never leave this file).
#include "gauntlet/swarm/load.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include "gauntlet/scenarios/checker.hpp"
#include "gauntlet/scenarios/parse.hpp"
#include "gauntlet/scenarios/templates.hpp"
#include "gauntlet/swarm/stamp.hpp"

namespace gauntlet::swarm {

const GroupLoad* LoadPlan::load_of(std::string_view group) const noexcept {
  for (const GroupLoad& candidate : groups)
    if (candidate.group == group) return &candidate;
  return nullptr;
}

namespace {

using scenarios::FileError;
using scenarios::Json;
using scenarios::pointer_append;
using Names = std::set<std::string, std::less<>>;

constexpr double max_seconds = 7 * 24 * 3600.0;          // a week: duration_s, drain_s
constexpr std::uint64_t max_payload_size = 268'435'455;  // the largest Remaining Length
constexpr std::uint64_t max_source_addresses = 254;      // 127.0.0.1 .. 127.0.0.254

std::string format_number(double value) {
  std::string text = std::to_string(value);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.ends_with('.')) text.pop_back();
  return text;
}

/// What is wrong with the wildcards of a topic filter as written (templates left as they are),
/// or nothing.
std::optional<std::string> filter_problem(std::string_view filter) {
  if (filter.empty()) return "an empty topic filter matches nothing";
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = filter.find('/', start);
    const std::string_view level = filter.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (level.find_first_of("+#") != std::string_view::npos && level != "+" && level != "#")
      return "a wildcard (+ or #) is a whole level of a topic filter";
    if (level == "#" && slash != std::string_view::npos)
      return "# is the last level of a topic filter";
    if (slash == std::string_view::npos) return std::nullopt;
    start = slash + 1;
  }
}

class LoadParser : public scenarios::DocumentChecker {
 public:
  LoadParser(const scenarios::SourceDocument& document, const scenarios::Scenario& scenario)
      : DocumentChecker(document), scenario_(scenario) {}

  LoadPlan run() {
    const Json& root = doc_.root();
    if (!scenario_.load || !root.is_object() || !root.contains("load"))
      fail("", "bad-value", "this scenario has no \"load\": it runs with `gauntlet run`");
    names_ = {"run", "i", "client", "id", "group"};
    for (const auto& [name, value] : scenario_.variables)
      names_.insert(name);

    const Json& load = root["load"];
    object("/load", load);
    keys("/load", load,
         {"duration_s", "drain_s", "connect", "groups", "faults", "slo", "source_addresses",
          "reconnect", "batch_us"});
    LoadPlan plan;
    if (load.contains("duration_s")) {
      plan.duration_s = number("/load/duration_s", load["duration_s"]);
      if (!(plan.duration_s > 0) || plan.duration_s > max_seconds)
        fail("/load/duration_s", "bad-value",
             "the publish phase lasts more than 0 s and at most a week (604800 s)");
    }
    if (load.contains("drain_s")) {
      plan.drain_s = number("/load/drain_s", load["drain_s"]);
      if (plan.drain_s < 0 || plan.drain_s > max_seconds)
        fail("/load/drain_s", "bad-value", "drain_s is between 0 and a week (604800 s)");
    }
    if (load.contains("connect")) plan.connect_rate = connect("/load/connect", load["connect"]);
    if (load.contains("groups")) {
      object("/load/groups", load["groups"]);
      for (const auto& [name, spec] : load["groups"].items())
        plan.groups.push_back(group(name, spec, plan));
    }
    if (load.contains("faults")) {
      const Json& faults = load["faults"];
      array("/load/faults", faults);
      for (std::size_t i = 0; i < faults.size(); ++i)
        plan.faults.push_back(fault(pointer_append("/load/faults", i), faults[i], plan));
    }
    if (load.contains("slo")) plan.slos = slos("/load/slo", load["slo"]);
    if (load.contains("source_addresses")) {
      plan.source_addresses = static_cast<std::uint32_t>(
          integer("/load/source_addresses", load["source_addresses"], 0, max_source_addresses));
    }
    if (load.contains("reconnect")) reconnect("/load/reconnect", load["reconnect"], plan);
    if (load.contains("batch_us")) {
      plan.batch_us =
          static_cast<std::uint32_t>(integer("/load/batch_us", load["batch_us"], 0, max_batch_us));
    }
    return plan;
  }

 private:
  /// A JSON number (integer or not), finite.
  double number(std::string_view pointer, const Json& value) const {
    if (!value.is_number()) wrong_type(pointer, value, "a number");
    const auto result = value.get<double>();
    if (!std::isfinite(result)) fail(pointer, "bad-value", "the number is too large");
    return result;
  }
  double positive(std::string_view pointer, const Json& value, std::string_view what) const {
    const double result = number(pointer, value);
    if (!(result > 0)) fail(pointer, "bad-value", std::string(what) + " is above 0");
    return result;
  }
  double not_negative(std::string_view pointer, const Json& value, std::string_view what) const {
    const double result = number(pointer, value);
    if (result < 0) fail(pointer, "bad-value", std::string(what) + " is not negative");
    return result;
  }
  double fraction(std::string_view pointer, const Json& value) const {
    const double result = number(pointer, value);
    if (!(result > 0) || result > 1)
      fail(pointer, "bad-value", "a fraction is above 0 and at most 1");
    return result;
  }
  void templated(std::string_view pointer, const std::string& text, const Names& known) const {
    if (auto problem = scenarios::template_problem(text, known))
      fail(pointer, "undefined-template", *problem);
  }
  [[nodiscard]] std::string defined_groups() const {
    std::string known;
    for (const scenarios::ClientGroup& candidate : scenario_.clients)
      known += (known.empty() ? "" : ", ") + candidate.name;
    return known;
  }

  // --- rates
  // --------------------------------------------------------------------------------------

  /// A rate value: a number (constant) or [[t_s, rate], ...] (steps), with the ramp members of
  /// `spec` (ramp_from, ramp_s) for a number.
  RateCurve rate_value(const std::string& spec_at, const Json& spec, const std::string& at,
                       const Json& value) const {
    RateCurve curve;
    const bool ramp = spec.contains("ramp_from") || spec.contains("ramp_s");
    if (value.is_array()) {
      if (ramp) {
        fail_at_key(pointer_append(spec_at, spec.contains("ramp_from") ? "ramp_from" : "ramp_s"),
                    "bad-value",
                    "a ramp goes with a constant rate (a number), not with steps; write the "
                    "ramp as steps instead");
      }
      curve.corners = steps(at, value);
      return curve;
    }
    if (!value.is_number())
      wrong_type(at, value, "a rate (a number) or steps ([[t_s, rate], ...])");
    const double rate = positive(at, value, "a rate");
    if (!ramp) return RateCurve::constant(rate);
    if (!spec.contains("ramp_s"))
      fail(spec_at, "missing-field", "ramp_from needs ramp_s: how long the ramp lasts");
    const double seconds = positive(pointer_append(spec_at, "ramp_s"), spec["ramp_s"], "ramp_s");
    double from = 0;
    if (spec.contains("ramp_from"))
      from = not_negative(pointer_append(spec_at, "ramp_from"), spec["ramp_from"], "ramp_from");
    curve.corners = {{0.0, from}, {seconds, rate}};
    return curve;
  }

  /// [[t_s, rate], ...]: the rate jumps to each rate at its time (0 before the first time).
  std::vector<std::pair<double, double>> steps(const std::string& at, const Json& value) const {
    if (value.empty()) fail(at, "bad-value", "steps need at least one [t_s, rate] pair");
    std::vector<std::pair<double, double>> corners;
    double previous_time = -1;
    double previous_rate = 0;
    bool some_positive = false;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string step_at = pointer_append(at, i);
      const Json& step = value[i];
      if (!step.is_array() || step.size() != 2 || !step[0].is_number() || !step[1].is_number())
        wrong_type(step_at, step, "a [t_s, rate] pair of numbers");
      const double time = not_negative(pointer_append(step_at, 0), step[0], "a step's time");
      if (time <= previous_time)
        fail(pointer_append(step_at, 0), "bad-value",
             "the times of steps increase (this one is not after " + format_number(previous_time) +
                 " s)");
      const double rate = not_negative(pointer_append(step_at, 1), step[1], "a step's rate");
      some_positive = some_positive || rate > 0;
      if (i > 0 || time > 0) corners.emplace_back(time, previous_rate);
      corners.emplace_back(time, rate);
      previous_time = time;
      previous_rate = rate;
    }
    if (!some_positive) fail(at, "bad-value", "every step has rate 0: nothing would happen");
    return corners;
  }

  RateCurve connect(const std::string& at, const Json& spec) const {
    object(at, spec);
    keys(at, spec, {"rate", "ramp_from", "ramp_s"});
    if (!spec.contains("rate"))
      fail(at, "missing-field", "connect needs \"rate\": connections per second");
    return rate_value(at, spec, pointer_append(at, "rate"), spec["rate"]);
  }

  RateCurve publish_rate(const std::string& at, const Json& spec, std::uint32_t count) const {
    object(at, spec);
    keys(at, spec, {"per_client", "per_group", "ramp_from", "ramp_s", "arrivals"});
    const bool per_client = spec.contains("per_client");
    const bool per_group = spec.contains("per_group");
    if (per_client && per_group)
      fail_at_key(pointer_append(at, "per_group"), "bad-value",
                  "a rate is per_client or per_group, not both");
    if (!per_client && !per_group)
      fail(at, "missing-field",
           "a rate needs \"per_client\" or \"per_group\" (messages per second)");
    const char* kind = per_client ? "per_client" : "per_group";
    RateCurve curve = rate_value(at, spec, pointer_append(at, kind), spec[kind]);
    // A group's rate is split evenly over its clients.
    if (per_group) curve = curve.scaled(1.0 / count);
    if (spec.contains("arrivals")) {
      const std::string arrivals_at = pointer_append(at, "arrivals");
      const std::string arrivals = string(arrivals_at, spec["arrivals"]);
      if (arrivals != "uniform" && arrivals != "poisson")
        fail(arrivals_at, "bad-value", "arrivals are \"uniform\" or \"poisson\"");
      curve.poisson = arrivals == "poisson";
    }
    return curve;
  }

  // --- groups
  // -------------------------------------------------------------------------------------

  GroupLoad group(const std::string& name, const Json& spec, const LoadPlan& plan) const {
    const std::string at = pointer_append("/load/groups", name);
    const scenarios::ClientGroup* client = scenario_.group(name);
    if (client == nullptr) {
      fail_at_key(at, "unknown-group",
                  "no client group \"" + name + "\" (defined: " + defined_groups() + ")");
    }
    object(at, spec);
    keys(at, spec, {"subscribe", "publish", "flap", "credentials_file", "client_certificates"});
    GroupLoad out;
    out.group = name;
    out.position = doc_.position_of_key(at);
    if (spec.contains("subscribe"))
      out.subscriptions =
          subscriptions(pointer_append(at, "subscribe"), spec["subscribe"], *client);
    if (spec.contains("publish"))
      out.publish = publish(pointer_append(at, "publish"), spec["publish"], *client, plan);
    if (spec.contains("flap")) {
      const std::string flap_at = pointer_append(at, "flap");
      out.flap = flap(flap_at, spec["flap"]);
      persistent_session(flap_at, *client, false);
    }
    if (spec.contains("credentials_file"))
      out.credentials =
          credentials(pointer_append(at, "credentials_file"), spec["credentials_file"], *client);
    if (spec.contains("client_certificates"))
      out.certificates =
          certificates(pointer_append(at, "client_certificates"), spec["client_certificates"]);
    return out;
  }

  /// A file of "username:password" lines (the password may hold ':'; blank lines and lines
  /// starting with '#' are skipped): the i-th entry is member i's, so the file holds at least
  /// one entry for every member of the group.
  std::vector<Credential> credentials(const std::string& at, const Json& spec,
                                      const scenarios::ClientGroup& client) const {
    const std::string name = string(at, spec);
    const std::string path = beside_scenario(name);
    std::ifstream in(path);
    if (!in) fail(at, "bad-value", "cannot read the credentials file " + path);
    std::vector<Credential> out;
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line.front() == '#') continue;
      const std::size_t colon = line.find(':');
      if (colon == 0 || colon == std::string::npos) {
        throw FileError{{path, number, 1},
                        "bad-value",
                        "expected username:password (a credential of group \"" + client.name +
                            "\", named at " + doc_.position(at).to_string() + ")"};
      }
      out.push_back({line.substr(0, colon), line.substr(colon + 1)});
    }
    if (out.size() < client.count) {
      fail(at, "bad-value",
           path + " holds " + std::to_string(out.size()) + " credentials for the " +
               std::to_string(client.count) + " clients of \"" + client.name +
               "\" (one username:password line each)");
    }
    return out;
  }

  ClientCertificates certificates(const std::string& at, const Json& spec) const {
    object(at, spec);
    keys(at, spec, {"cert", "key"});
    ClientCertificates out;
    for (auto [field, target] : {std::pair{"cert", &out.cert}, std::pair{"key", &out.key}}) {
      const std::string field_at = pointer_append(at, field);
      if (!spec.contains(field))
        fail(at, "missing-field", std::string("client_certificates needs \"") + field + "\"");
      const std::string written = string(field_at, spec[field]);
      templated(field_at, written, names_);
      *target = beside_scenario(written);
    }
    return out;
  }

  /// A path as written in the scenario: relative ones are from the scenario's folder.
  std::string beside_scenario(const std::string& path) const {
    if (path.empty() || path.front() == '/') return path;
    const std::filesystem::path folder = std::filesystem::path(doc_.file()).parent_path();
    return folder.empty() ? path : (folder / path).string();
  }

  /// A group whose connections end while it subscribes loses what is published meanwhile unless
  /// its session outlives the connection: exact accounting (loss is the broker's) needs one. For
  /// a flapping group the error is where the group says so (its "flap", a subscription's QoS);
  /// for a fault, at the fault (`at`).
  void persistent_session(const std::string& at, const scenarios::ClientGroup& client,
                          bool fault) const {
    const std::string group_at = pointer_append("/load/groups", client.name);
    const Json& group_spec = doc_.root()["load"]["groups"][client.name];
    if (!group_spec.contains("subscribe")) return;
    const std::string who = fault ? "a group that a fault drops ("
                                    " + client.name + "
                                    ")"
                                  : std::string("a flapping group");
    const std::string because =
        " (exact accounting needs a persistent session: what is published while a client is "
        "away must be queued for it)";
    if (client.clean_start) {
      fail(at, "bad-value",
           who + " that subscribes needs \"clean_start\": false on its clients (\"" + client.name +
               "\")" + because);
    }
    // MQTT 5.0 ends a session with its connection unless the client asks for more (§3.1.2.11.2).
    if (client.version == codec::ProtocolVersion::v5 &&
        !(client.properties.is_object() &&
          client.properties.value("session_expiry_interval", std::uint64_t{0}) > 0)) {
      fail(at, "bad-value",
           who +
               " that subscribes with MQTT 5.0 needs a session that outlives the connection: "
               "give its clients (\"" +
               client.name + "\") \"properties\": {\"session_expiry_interval\": 3600}" + because);
    }
    const Json& list = group_spec["subscribe"];
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Json& entry = list[i];
      if (entry.value("qos", 0) >= 1) continue;
      const std::string entry_at = pointer_append(pointer_append(group_at, "subscribe"), i);
      std::string where = at;
      if (!fault) where = entry.contains("qos") ? pointer_append(entry_at, "qos") : entry_at;
      fail(where, "bad-value",
           who +
               " subscribes with QoS 1 or 2: QoS 0 messages are not queued while a client is "
               "away" +
               because);
    }
  }

  std::vector<SubscriptionPlan> subscriptions(const std::string& at, const Json& list,
                                              const scenarios::ClientGroup& client) const {
    array(at, list);
    if (list.empty()) fail(at, "bad-value", "subscribe to at least one filter (or leave it out)");
    std::vector<SubscriptionPlan> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string entry_at = pointer_append(at, i);
      const Json& entry = list[i];
      object(entry_at, entry);
      keys(entry_at, entry, {"filter", "qos", "share"});
      if (!entry.contains("filter"))
        fail(entry_at, "missing-field", "a subscription needs \"filter\"");
      SubscriptionPlan plan;
      const std::string filter_at = pointer_append(entry_at, "filter");
      plan.filter = string(filter_at, entry["filter"]);
      templated(filter_at, plan.filter, names_);
      if (plan.filter.starts_with("$share/"))
        fail(filter_at, "bad-value",
             "write the share group in \"share\" and the filter without \"$share/GROUP/\"");
      if (auto problem = filter_problem(plan.filter)) fail(filter_at, "bad-value", *problem);
      if (entry.contains("qos"))
        plan.qos =
            static_cast<unsigned>(integer(pointer_append(entry_at, "qos"), entry["qos"], 0, 2));
      if (entry.contains("share")) {
        const std::string share_at = pointer_append(entry_at, "share");
        plan.share = string(share_at, entry["share"]);
        templated(share_at, plan.share, names_);
        if (plan.share.empty() || plan.share.find_first_of("/+#") != std::string::npos)
          fail(share_at, "bad-value", "a share group name is not empty and has no '/', '+' or '#'");
        if (client.version != codec::ProtocolVersion::v5) {
          fail(share_at, "bad-value",
               "shared subscriptions are an MQTT 5.0 feature: give the clients of \"" +
                   client.name + "\" \"protocol\": \"5\"");
        }
      }
      out.push_back(std::move(plan));
    }
    return out;
  }

  PublishPlan publish(const std::string& at, const Json& spec, const scenarios::ClientGroup& client,
                      const LoadPlan& plan) const {
    object(at, spec);
    keys(at, spec, {"topic", "qos", "payload_size", "retain", "rate", "messages", "start_s"});
    if (!spec.contains("topic")) fail(at, "missing-field", "publish needs \"topic\"");
    if (!spec.contains("rate"))
      fail(at, "missing-field",
           "publish needs \"rate\": {\"per_client\": N} or {\"per_group\": N}");
    PublishPlan out;
    const std::string topic_at = pointer_append(at, "topic");
    out.topic = string(topic_at, spec["topic"]);
    Names known = names_;
    known.insert("random");
    templated(topic_at, out.topic, known);
    if (out.topic.empty()) fail(topic_at, "bad-value", "a topic name is not empty");
    if (out.topic.find_first_of("+#") != std::string::npos)
      fail(topic_at, "bad-value", "a topic name has no wildcards (+ or #)");
    if (spec.contains("qos"))
      out.qos = static_cast<unsigned>(integer(pointer_append(at, "qos"), spec["qos"], 0, 2));
    if (spec.contains("retain")) out.retain = boolean(pointer_append(at, "retain"), spec["retain"]);
    if (spec.contains("payload_size")) {
      const std::string size_at = pointer_append(at, "payload_size");
      const std::uint64_t size = integer(size_at, spec["payload_size"], 0, max_payload_size);
      if (size < stamp_size) {
        fail(size_at, "bad-value",
             "a payload holds at least the " + std::to_string(stamp_size) +
                 "-byte stamp (publisher, sequence, scheduled time): payload_size ≥ " +
                 std::to_string(stamp_size));
      }
      out.payload_size = static_cast<std::uint32_t>(size);
    }
    out.rate = publish_rate(pointer_append(at, "rate"), spec["rate"], client.count);
    if (spec.contains("messages")) {
      out.messages =
          integer(pointer_append(at, "messages"), spec["messages"], 0, std::uint64_t{1} << 53U);
    }
    if (spec.contains("start_s")) {
      const std::string start_at = pointer_append(at, "start_s");
      out.start_s = not_negative(start_at, spec["start_s"], "start_s");
      if (out.start_s >= plan.duration_s)
        fail(start_at, "bad-value",
             "publishing starts before the publish phase ends (duration_s is " +
                 format_number(plan.duration_s) + ")");
    }
    return out;
  }

  FlapPlan flap(const std::string& at, const Json& spec) const {
    object(at, spec);
    keys(at, spec, {"every_s", "down_s", "fraction", "graceful"});
    FlapPlan out;
    if (spec.contains("every_s"))
      out.every_s = positive(pointer_append(at, "every_s"), spec["every_s"], "every_s");
    if (spec.contains("down_s"))
      out.down_s = not_negative(pointer_append(at, "down_s"), spec["down_s"], "down_s");
    if (out.down_s >= out.every_s) {
      fail(spec.contains("down_s") ? pointer_append(at, "down_s") : pointer_append(at, "every_s"),
           "bad-value",
           "a flapping client is down for less than its period (down_s < every_s; now " +
               format_number(out.down_s) + " ≥ " + format_number(out.every_s) + ")");
    }
    if (spec.contains("fraction"))
      out.fraction = fraction(pointer_append(at, "fraction"), spec["fraction"]);
    if (spec.contains("graceful"))
      out.graceful = boolean(pointer_append(at, "graceful"), spec["graceful"]);
    return out;
  }

  // --- faults, SLOs, reconnect ----------------------------------------------------------------

  FaultPlan fault(const std::string& at, const Json& spec, const LoadPlan& plan) const {
    object(at, spec);
    const bool drop = spec.contains("drop");
    const bool restart = spec.contains("restart_broker");
    if (drop && restart)
      fail(at, "bad-value", "a fault is one of \"drop\" or \"restart_broker\", not both");
    if (!drop && !restart)
      fail(at, "missing-field", "a fault needs \"drop\" (a group or \"*\") or \"restart_broker\"");
    if (drop) {
      keys(at, spec, {"at_s", "drop", "fraction"});
    } else {
      keys(at, spec, {"at_s", "restart_broker"});
    }
    if (!spec.contains("at_s"))
      fail(at, "missing-field", "a fault needs \"at_s\": when, since the publish phase began");
    FaultPlan out;
    const std::string when_at = pointer_append(at, "at_s");
    out.at_s = not_negative(when_at, spec["at_s"], "at_s");
    if (out.at_s >= plan.duration_s)
      fail(when_at, "bad-value",
           "a fault happens during the publish phase (at_s < duration_s, which is " +
               format_number(plan.duration_s) + ")");
    if (restart) {
      out.kind = FaultPlan::Kind::restart_broker;
      const std::string restart_at = pointer_append(at, "restart_broker");
      if (!boolean(restart_at, spec["restart_broker"]))
        fail(restart_at, "bad-value", "restart_broker is true (or leave the fault out)");
      return out;
    }
    out.kind = FaultPlan::Kind::drop;
    const std::string drop_at = pointer_append(at, "drop");
    const std::string target = string(drop_at, spec["drop"]);
    if (target != "*") {
      const scenarios::ClientGroup* client = scenario_.group(target);
      if (client == nullptr) {
        fail(drop_at, "unknown-group",
             "no client group \"" + target + "\" (defined: " + defined_groups() + "; \"*\": all)");
      }
      out.group = target;
    }
    if (spec.contains("fraction"))
      out.fraction = fraction(pointer_append(at, "fraction"), spec["fraction"]);
    // Dropped subscribers must get what was published meanwhile, or the loss is the scenario's.
    for (const GroupLoad& load : plan.groups) {
      if (out.group.empty() || load.group == out.group)
        persistent_session(drop_at, *scenario_.group(load.group), true);
    }
    return out;
  }

  std::vector<reports::SloResult> slos(const std::string& at, const Json& spec) const {
    object(at, spec);
    std::vector<reports::SloResult> out;
    for (const auto& [name, limit] : spec.items()) {
      const std::string limit_at = pointer_append(at, name);
      if (std::find(std::begin(reports::slo_names), std::end(reports::slo_names), name) ==
          std::end(reports::slo_names)) {
        std::string list;
        for (const std::string_view known : reports::slo_names)
          list += (list.empty() ? "" : ", ") + std::string(known);
        fail_at_key(limit_at, "unknown-field",
                    "unknown SLO \"" + name + "\" (allowed here: " + list + ")");
      }
      reports::SloResult slo;
      slo.name = name;
      slo.limit = not_negative(limit_at, limit, "a limit");
      out.push_back(std::move(slo));
    }
    return out;
  }

  void reconnect(const std::string& at, const Json& spec, LoadPlan& plan) const {
    object(at, spec);
    keys(at, spec, {"min_s", "max_s"});
    if (spec.contains("min_s"))
      plan.reconnect_min_s = positive(pointer_append(at, "min_s"), spec["min_s"], "min_s");
    if (spec.contains("max_s"))
      plan.reconnect_max_s = positive(pointer_append(at, "max_s"), spec["max_s"], "max_s");
    if (plan.reconnect_max_s < plan.reconnect_min_s) {
      fail(pointer_append(at, spec.contains("max_s") ? "max_s" : "min_s"), "bad-value",
           "the backoff doubles from min_s up to max_s: max_s ≥ min_s (now " +
               format_number(plan.reconnect_min_s) + " and " + format_number(plan.reconnect_max_s) +
               ")");
    }
  }

  const scenarios::Scenario& scenario_;
  Names names_;
};

}  // namespace

std::variant<LoadPlan, FileError> parse_load(const scenarios::SourceDocument& document,
                                             const scenarios::Scenario& scenario) {
  return scenarios::check_document<LoadPlan>([&] { return LoadParser(document, scenario).run(); });
}

std::variant<LoadScenario, FileError> load_load_scenario(const std::string& path) {
  return scenarios::load_document<LoadScenario>(
      path, [](const scenarios::SourceDocument& document) -> std::variant<LoadScenario, FileError> {
        auto parsed = scenarios::parse_scenario(document);
        if (auto* error = std::get_if<FileError>(&parsed)) return std::move(*error);
        LoadScenario out;
        out.scenario = std::get<scenarios::Scenario>(std::move(parsed));
        auto plan = parse_load(document, out.scenario);
        if (auto* error = std::get_if<FileError>(&plan)) return std::move(*error);
        out.plan = std::get<LoadPlan>(std::move(plan));
        return out;
      });
}

}  // namespace gauntlet::swarm
