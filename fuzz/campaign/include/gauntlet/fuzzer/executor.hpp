// Runs fuzzing sequences against a broker over the virtual clients of gauntlet::client (TCP, TLS,
// WebSocket): one Connection per client slot, in raw mode (the sequence's bytes are sent as they
// are, CONNECT included), acknowledging the broker's QoS flows, judging its bytes strictly on the
// connections whose CONNECT was valid. Several sequences run side by side on one event loop, each
// on its own lane of client ids and topics. Also the liveness probe of the crash and hang oracles.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gauntlet/client/endpoint.hpp"
#include "gauntlet/fuzzer/sequence.hpp"

namespace gauntlet::fuzzer {

using Milliseconds = std::chrono::milliseconds;

struct Target {
  client::Endpoint endpoint;
  std::shared_ptr<asio::ssl::context> tls;  ///< mqtts:// and wss:// only
  client::TlsOptions tls_options;
};

struct ExecutorConfig {
  /// How long to wait for the answer a valid packet calls for (CONNACK, PUBACK, SUBACK, ...).
  Milliseconds answer{300};
  /// How long to watch after a packet that calls for no answer (QoS 0 PUBLISH, a mutated packet)
  /// before the next step: enough for the broker to answer or close on loopback.
  Milliseconds settle{4};
  /// How long a transport may take to come up.
  Milliseconds open{1000};
};

/// A broker behaviour that breaks a normative statement, seen by a strict client of a sequence.
struct SeenFinding {
  std::uint8_t client = 0;
  std::string statement;
  std::string description;
  Bytes packet;
};

struct StepOutcome {
  bool delivered = false;   ///< send: the connection was open and the bytes went out
  StepEcho echo;            ///< what answered it on the same client
  bool unanswered = false;  ///< send: a valid packet whose answer did not come in time
  std::string shape;        ///< send: "publish q2 retain -> pubrec 0x00" (empty for open/drop)
};

struct Outcome {
  std::vector<StepOutcome> steps;  ///< one per step of the sequence
  std::vector<SeenFinding> findings;
  std::vector<bool> strict;   ///< per client slot: its CONNECT was valid, its checks count
  std::uint64_t packets = 0;  ///< send steps that went out
  std::uint64_t bytes = 0;
};

/// Runs `sequences` side by side on `io` (each should be on its own lane) and returns their
/// outcomes in the same order. Returns when every sequence has ended.
std::vector<Outcome> run_batch(asio::io_context& io, const Target& target,
                               const std::vector<Sequence>& sequences,
                               const ExecutorConfig& config);

struct ProbeResult {
  enum class Status { alive, unreachable, no_answer, closed };
  Status status = Status::alive;
  std::string detail;
};

std::string_view to_string(ProbeResult::Status status) noexcept;

/// The liveness probe: a fresh 3.1.1 client connects and must get a CONNACK (any code: an answer
/// is life) within `deadline`.
ProbeResult probe(asio::io_context& io, const Target& target, Milliseconds deadline,
                  std::uint64_t number);

}  // namespace gauntlet::fuzzer
