#include "gauntlet/fuzzer/executor.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <set>
#include <utility>

#include "gauntlet/client/connection.hpp"
#include "gauntlet/codec/codec.hpp"

namespace gauntlet::fuzzer {
namespace {

using codec::PacketType;

std::string hex_byte(std::uint8_t value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", static_cast<unsigned>(value));
  return text;
}

/// The answer a valid packet calls for from the broker, on the same connection.
std::optional<PacketType> answer_to(const Step& step) {
  if (step.mutated || !step.type || step.bytes.empty()) return std::nullopt;
  switch (*step.type) {
    case PacketType::connect:
      return PacketType::connack;
    case PacketType::publish: {
      const unsigned qos = (step.bytes[0] >> 1U) & 3U;
      if (qos == 1) return PacketType::puback;
      if (qos == 2) return PacketType::pubrec;
      return std::nullopt;
    }
    case PacketType::pubrel:
      return PacketType::pubcomp;
    case PacketType::subscribe:
      return PacketType::suback;
    case PacketType::unsubscribe:
      return PacketType::unsuback;
    case PacketType::pingreq:
      return PacketType::pingresp;
    default:
      return std::nullopt;
  }
}

/// What was sent, for a shape: the packet type, PUBLISH's QoS and retain flags, whether it was
/// mutated and by which family of mutation.
std::string sent_shape(const Step& step) {
  std::string out = step.type ? packet_name(*step.type) : "garbage";
  if (step.type == PacketType::publish && !step.bytes.empty()) {
    out += " q" + std::to_string((step.bytes[0] >> 1U) & 3U);
    if ((step.bytes[0] & 1U) != 0) out += " retain";
    if (step.note.find("alias=") != std::string::npos) out += " alias";
  }
  if (step.mutated) {
    // The note lists the mutations as "; KIND FIELD ...": the first kind's family ("field",
    // "length", ...) and field name tell the broker's code paths apart well enough.
    const auto at = step.note.find("; ");
    if (at != std::string::npos) {
      const auto end = step.note.find(' ', at + 2);
      const auto space = step.note.find(' ', end == std::string::npos ? end : end + 1);
      out += " mutated:" + step.note.substr(at + 2, space == std::string::npos ? std::string::npos
                                                                               : space - at - 2);
    } else {
      out += " mutated";
    }
  }
  return out;
}

/// A packet from the broker, for a shape: its type and what steers the broker's answer (the
/// reason code, or the QoS of a delivered PUBLISH).
std::string received_shape(const client::PacketReceived& packet) {
  std::string out = packet_name(packet.type);
  const Bytes& b = packet.bytes;
  if (b.empty()) return out;
  switch (packet.type) {
    case PacketType::publish:
      out += " q" + std::to_string((b[0] >> 1U) & 3U);
      break;
    case PacketType::connack:
      if (b.size() >= 4) out += " " + hex_byte(b[3]);
      break;
    case PacketType::puback:
    case PacketType::pubrec:
    case PacketType::pubrel:
    case PacketType::pubcomp:
      out += " " + (b.size() >= 5 ? hex_byte(b[4]) : std::string("0x00"));
      break;
    case PacketType::suback:
      if (b.size() >= 5) out += " " + hex_byte(b.back());
      break;
    case PacketType::disconnect:
    case PacketType::auth:
      out += " " + (b.size() >= 3 ? hex_byte(b[2]) : std::string("0x00"));
      break;
    default:
      break;
  }
  return out;
}

/// The bytes are exactly one packet as far as framing goes: a fixed header whose Remaining Length
/// covers the rest.
bool frames_exactly(const Bytes& bytes) {
  codec::DecodeOptions options;
  const auto header = codec::read_fixed_header(codec::ByteView(bytes), options);
  const auto* fixed = std::get_if<codec::FixedHeader>(&header);
  return fixed != nullptr && fixed->packet_size() == bytes.size();
}

/// The protocol level of a strictly valid CONNECT (its client's checks may then judge the
/// broker); nullopt for anything else.
std::optional<codec::ProtocolVersion> valid_connect_level(const Bytes& bytes) {
  codec::DecodeOptions options;
  options.sender = codec::Sender::client;
  const codec::DecodeResult decoded = codec::decode(codec::ByteView(bytes), options);
  if (!decoded.ok() || decoded.consumed() != bytes.size()) return std::nullopt;
  const auto* connect = std::get_if<codec::Connect>(&decoded.packet());
  if (connect == nullptr) return std::nullopt;
  return connect->version;
}

class SequenceRun : public std::enable_shared_from_this<SequenceRun> {
 public:
  SequenceRun(asio::io_context& io, const Target& target, const Sequence& sequence,
              const ExecutorConfig& config, Outcome& outcome, std::function<void()> done)
      : io_(io),
        target_(target),
        sequence_(sequence),
        config_(config),
        outcome_(outcome),
        done_(std::move(done)),
        timer_(io),
        slots_(sequence.clients.size()) {
    outcome_.steps.resize(sequence.steps.size());
    judged_.assign(sequence.clients.size(), true);
    opened_.assign(sequence.clients.size(), false);
  }

  void start() { next(); }

 private:
  struct Slot {
    std::shared_ptr<client::Connection> connection;
    bool up = false;    ///< transport ready and not ended
    bool ended = true;  ///< no connection, or it ended
    /// The broker still answers this connection as expected; once an answer failed to come (or
    /// a broken length desynchronised the stream), later steps only watch for a short while.
    bool answering = true;
    bool strict = false;  ///< this connection's CONNECT was valid
    std::uint64_t generation = 0;
  };

  void next() {
    timer_.cancel();
    if (index_ >= sequence_.steps.size()) {
      finish();
      return;
    }
    const Step& step = sequence_.steps[index_];
    step_ended_ = false;
    awaited_.reset();
    waiting_open_ = false;
    responses_.clear();
    Slot& slot = slots_[step.client];
    switch (step.action) {
      case Step::Action::open:
        open(step.client);
        return;
      case Step::Action::drop:
        // Events of the dropped connection (its end, reported at once) are not this step's.
        ++slot.generation;
        if (slot.connection && !slot.ended) slot.connection->drop();
        slot.up = false;
        slot.ended = true;
        advance();
        return;
      case Step::Action::send:
        break;
    }
    if (!slot.connection || !slot.up) {
      advance();  // nothing to send on: the broker (or an earlier step) closed it
      return;
    }
    StepOutcome& result = outcome_.steps[index_];
    result.delivered = true;
    ++outcome_.packets;
    outcome_.bytes += step.bytes.size();
    slot.connection->command([&](client::Session& session, client::TimePoint now) {
      session.send_raw(codec::ByteView(step.bytes), now);
    });
    // A packet whose Remaining Length does not match its bytes leaves the broker reading the
    // following packets as its body: nothing on this connection will be answered as sent.
    if (step.mutated && !frames_exactly(step.bytes)) slot.answering = false;
    awaited_ = slot.answering ? answer_to(step) : std::nullopt;
    wait(awaited_ ? config_.answer : config_.settle);
  }

  void open(std::uint8_t index) {
    Slot& slot = slots_[index];
    const std::uint64_t generation =
        ++slot.generation;  // the old connection's events no longer count
    if (slot.connection && !slot.ended) slot.connection->drop();
    client::SessionConfig config;
    config.version = sequence_.clients[index].version;
    config.send_connect = false;
    config.acknowledge = true;
    config.keep_alive_s = 0;
    config.report_packets = true;
    config.response_timeout = std::chrono::seconds(5);
    config.strict = false;
    // The client's CONNECT is the next send of this client: when it is valid, the client's
    // checks count (the session judges the broker by that CONNECT's Clean Start and limits).
    for (std::size_t i = index_ + 1; i < sequence_.steps.size(); ++i) {
      const Step& later = sequence_.steps[i];
      if (later.client != index) continue;
      if (later.action != Step::Action::send) break;
      if (const auto level = valid_connect_level(later.bytes)) {
        config.strict = true;
        config.version = *level;
      }
      break;
    }
    // A client slot is judged only if every connection it opens is: a replay (one scenario
    // client per slot) judges all of them alike.
    if (!config.strict) judged_[index] = false;
    slot.strict = config.strict;
    std::weak_ptr<SequenceRun> self = weak_from_this();
    slot.connection = client::Connection::create(
        io_, target_.endpoint, std::move(config), target_.tls, target_.tls_options,
        [self, index, generation](const client::Event& event) {
          if (auto run = self.lock()) run->on_event(index, generation, event);
        });
    opened_[index] = true;
    slot.connection->set_quick_ack(true);
    slot.ended = false;
    slot.up = false;
    slot.answering = true;
    waiting_open_ = true;
    slot.connection->open();
    wait(config_.open);
  }

  void on_event(std::uint8_t index, std::uint64_t generation, const client::Event& event) {
    Slot& slot = slots_[index];
    if (generation != slot.generation || finished_) return;
    const bool current = index_ < sequence_.steps.size() && sequence_.steps[index_].client == index;
    if (std::holds_alternative<client::TransportReady>(event)) {
      slot.up = true;
      if (current && waiting_open_) advance();
      return;
    }
    if (const auto* packet = std::get_if<client::PacketReceived>(&event)) {
      responses_.insert((current ? "" : "other ") + received_shape(*packet));
      if (current && awaited_ && packet->type == *awaited_) {
        outcome_.steps[index_].echo.answer = packet->type;
        advance();
      }
      return;
    }
    if (const auto* ended = std::get_if<client::ConnectionEnded>(&event)) {
      slot.up = false;
      slot.ended = true;
      std::string why = "closed " + std::string(client::to_string(ended->cause));
      if (ended->cause == client::ConnectionEnded::Cause::refused ||
          ended->cause == client::ConnectionEnded::Cause::server_disconnect) {
        why += " " + hex_byte(ended->reason_code);
      }
      responses_.insert((current ? "" : "other ") + why);
      if (current) {
        if (index_ < outcome_.steps.size() && !outcome_.steps[index_].echo.answer) {
          outcome_.steps[index_].echo.closed = true;
        }
        advance();
      }
      return;
    }
    if (const auto* finding = std::get_if<client::Finding>(&event)) {
      if (!slot.strict) return;
      outcome_.findings.push_back(
          {index, finding->statement, finding->description, finding->packet});
    }
  }

  void wait(Milliseconds how_long) {
    timer_.expires_after(how_long);
    const std::size_t step = index_;
    timer_.async_wait([self = shared_from_this(), step](const asio::error_code& ec) {
      if (ec || self->finished_ || self->index_ != step) return;
      if (self->awaited_ && step < self->sequence_.steps.size()) {
        self->slots_[self->sequence_.steps[step].client].answering = false;
        self->outcome_.steps[step].unanswered = true;
      }
      self->advance();
    });
  }

  /// Ends the current step: its shape is what was sent and what came back meanwhile.
  void advance() {
    // One end per step: an answer and a timer (or a close) may both try to end it.
    if (step_ended_) return;
    step_ended_ = true;
    if (index_ < sequence_.steps.size()) {
      const Step& step = sequence_.steps[index_];
      if (step.action == Step::Action::send && outcome_.steps[index_].delivered) {
        std::string shape = sent_shape(step) + " ->";
        if (responses_.empty()) shape += " nothing";
        for (const std::string& r : responses_)
          shape += " " + r;
        outcome_.steps[index_].shape = std::move(shape);
      }
    }
    ++index_;
    // Next step from the event loop, never from inside a connection's handler.
    asio::post(io_, [self = shared_from_this()] { self->next(); });
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    for (Slot& slot : slots_) {
      if (!slot.connection || slot.ended) continue;
      if (slot.connection->session().is_connected()) {
        slot.connection->command([](client::Session& session, client::TimePoint now) {
          session.disconnect(codec::ReasonCode::normal_disconnection, {}, now);
        });
      } else {
        slot.connection->drop();
      }
    }
    outcome_.strict.resize(judged_.size());
    for (std::size_t i = 0; i < judged_.size(); ++i)
      outcome_.strict[i] = judged_[i] && opened_[i];
    done_();
  }

  asio::io_context& io_;
  const Target& target_;
  const Sequence& sequence_;
  const ExecutorConfig& config_;
  Outcome& outcome_;
  std::function<void()> done_;
  asio::steady_timer timer_;
  std::vector<Slot> slots_;
  std::size_t index_ = 0;
  std::optional<PacketType> awaited_;
  bool waiting_open_ = false;
  bool finished_ = false;
  bool step_ended_ = false;  ///< advance() ran for the current step
  std::set<std::string> responses_;
  std::vector<bool> judged_;  ///< per slot: every connection so far was strict
  std::vector<bool> opened_;
};

}  // namespace

std::vector<Outcome> run_batch(asio::io_context& io, const Target& target,
                               const std::vector<Sequence>& sequences,
                               const ExecutorConfig& config) {
  std::vector<Outcome> outcomes(sequences.size());
  std::size_t running = sequences.size();
  std::vector<std::shared_ptr<SequenceRun>> runs;
  runs.reserve(sequences.size());
  for (std::size_t i = 0; i < sequences.size(); ++i) {
    runs.push_back(std::make_shared<SequenceRun>(io, target, sequences[i], config, outcomes[i],
                                                 [&running] { --running; }));
  }
  for (auto& run : runs)
    run->start();
  io.restart();
  while (running > 0 && io.run_one() > 0) {
  }
  // Let the final DISCONNECTs and closes go out before the next batch.
  io.poll();
  return outcomes;
}

std::string_view to_string(ProbeResult::Status status) noexcept {
  switch (status) {
    case ProbeResult::Status::alive:
      return "alive";
    case ProbeResult::Status::unreachable:
      return "unreachable";
    case ProbeResult::Status::no_answer:
      return "no_answer";
    case ProbeResult::Status::closed:
      return "closed";
  }
  return "alive";
}

ProbeResult probe(asio::io_context& io, const Target& target, Milliseconds deadline,
                  std::uint64_t number) {
  ProbeResult result;
  bool done = false;
  client::SessionConfig config;
  config.version = codec::ProtocolVersion::v3_1_1;
  config.client_id = "gauntlet-probe-" + std::to_string(number);
  config.keep_alive_s = 0;
  config.strict = false;
  config.response_timeout = deadline;
  auto finish = [&](ProbeResult::Status status, std::string detail) {
    if (done) return;
    done = true;
    result.status = status;
    result.detail = std::move(detail);
  };
  std::shared_ptr<client::Connection> connection = client::Connection::create(
      io, target.endpoint, config, target.tls, target.tls_options, [&](const client::Event& event) {
        if (std::holds_alternative<client::Connected>(event)) {
          finish(ProbeResult::Status::alive, "CONNACK accepted");
        } else if (const auto* ended = std::get_if<client::ConnectionEnded>(&event)) {
          using Cause = client::ConnectionEnded::Cause;
          switch (ended->cause) {
            case Cause::refused:
              finish(ProbeResult::Status::alive, "CONNACK refused: " + ended->detail);
              break;
            case Cause::transport_failed:
              finish(ProbeResult::Status::unreachable, ended->detail);
              break;
            case Cause::timeout:
              finish(ProbeResult::Status::no_answer,
                     "no CONNACK within " + std::to_string(deadline.count()) + " ms");
              break;
            default:
              finish(ProbeResult::Status::closed, ended->detail);
              break;
          }
        }
      });
  asio::steady_timer guard(io);
  guard.expires_after(deadline + Milliseconds(500));
  guard.async_wait([&](const asio::error_code& ec) {
    if (!ec) finish(ProbeResult::Status::no_answer, "no answer within the deadline");
  });
  connection->open();
  io.restart();
  while (!done && io.run_one() > 0) {
  }
  guard.cancel();
  if (result.status == ProbeResult::Status::alive && connection->session().is_connected()) {
    connection->command([](client::Session& session, client::TimePoint now) {
      session.disconnect(codec::ReasonCode::normal_disconnection, {}, now);
    });
  } else {
    connection->drop();
  }
  io.poll();
  return result;
}

}  // namespace gauntlet::fuzzer
