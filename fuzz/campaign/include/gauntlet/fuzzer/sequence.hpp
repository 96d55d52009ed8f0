// A fuzzing sequence: what several virtual clients send to a broker, step by step, as raw bytes
// (DESIGN.md §8). Bytes are the truth — a mutated packet need not decode — so a sequence is stored,
// replayed, minimised and written as a scenario file without a packet model. The scenario file is
// also the corpus format: `gauntlet run` replays any corpus entry or reproducer, and `gauntlet fuzz
// --corpus DIR` reads them back.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "gauntlet/codec/types.hpp"

namespace gauntlet::fuzzer {

using Json = nlohmann::ordered_json;
using Bytes = std::vector<std::uint8_t>;

struct Step {
  enum class Action : std::uint8_t {
    open,  ///< open the client's transport (TCP, TLS, WebSocket); its CONNECT is a later send
    send,  ///< write `bytes` (any bytes: a valid packet, a mutated one, or garbage)
    drop,  ///< close the socket without DISCONNECT (a crash, for wills)
  };
  Action action = Action::send;
  std::uint8_t client = 0;  ///< index into Sequence::clients
  Bytes bytes;              ///< send: what goes on the wire
  /// send: the packet type the generator meant (the first byte may have been mutated), and
  /// whether a mutation touched it; for shapes, minimisation and reproducers.
  std::optional<codec::PacketType> type;
  bool mutated = false;
  std::string note;  ///< send: what the generator did, e.g. "publish qos2 retain alias=1"

  friend bool operator==(const Step&, const Step&) = default;
};

struct ClientSlot {
  codec::ProtocolVersion version = codec::ProtocolVersion::v5;

  friend bool operator==(const ClientSlot&, const ClientSlot&) = default;
};

struct Sequence {
  std::vector<ClientSlot> clients;
  std::vector<Step> steps;

  [[nodiscard]] std::size_t packets() const noexcept;  ///< send steps
  [[nodiscard]] std::size_t bytes() const noexcept;    ///< bytes of the send steps

  friend bool operator==(const Sequence&, const Sequence&) = default;
};

/// What one step of a run saw, used to make a replay take the same turns: the packet type that
/// answered it on the same client (a CONNACK to the CONNECT, a SUBACK to the SUBSCRIBE), or that
/// the connection closed.
struct StepEcho {
  std::optional<codec::PacketType> answer;
  bool closed = false;
};

/// "connack", "pubrec", ...: a packet type as scenario matchers and response shapes name it.
std::string packet_name(codec::PacketType type);

/// How a sequence becomes a scenario file (scenarios/schema/scenario.schema.json).
struct ScenarioOptions {
  std::string name;  ///< the scenario's name ([A-Za-z0-9._-]+)
  std::string title;
  std::string description;
  std::string endpoint = "plain";  ///< the profile endpoint the clients use
  /// Per step, what answered it in the run being written; written as `expect` steps so that a
  /// replay waits where the fuzzer waited. Empty: no expectations.
  std::vector<StepEcho> echoes;
  /// Run the sequence this many times (a `loop` step): resource-growth reproducers.
  std::uint32_t repeat = 1;
  /// End with a liveness probe: a fresh client must get a CONNACK within this many ms (0: none).
  std::uint32_t probe_ms = 0;
  /// Client slots whose strict checks judge the broker (their CONNECT was valid); the others
  /// decode leniently and report no finding. Empty: all strict.
  std::vector<bool> strict;
  bool allow_findings = true;
};

/// The scenario file of a sequence: clients c0, c1, ... with `acknowledge` on and their protocol
/// level, `connect` with `send_connect: false` for an open, `send` with the bytes as hex, `drop`.
Json to_scenario(const Sequence& sequence, const ScenarioOptions& options);

/// The text of a scenario file (indented, ending in a newline). Labels quote what mutations did,
/// which may be bytes that are not UTF-8: they become U+FFFD (a plain dump() throws on them); the
/// bytes sent are hex, so nothing that matters is lost.
std::string scenario_file_text(const Json& scenario);

/// Reads a sequence back from a scenario file of that form (the corpus format); `expect` steps,
/// the probe client and `loop` wrappers are skipped. nullopt and `error` naming the JSON path when
/// the document is not one.
std::optional<Sequence> from_scenario(const Json& scenario, std::string& error);

}  // namespace gauntlet::fuzzer
