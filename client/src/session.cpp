#include "gauntlet/client/session.hpp"

#include <algorithm>

namespace gauntlet::client {
namespace {

using codec::PacketType;
using codec::PropertyId;
using codec::ProtocolVersion;
using codec::QoS;
using codec::ReasonCode;

std::uint32_t property_number(const codec::Properties& properties, PropertyId id,
                              std::uint32_t fallback) {
  const auto property = properties.find(id);
  return property ? property->number : fallback;
}

codec::DecodeOptions decode_options(const SessionConfig& config, std::uint32_t max_packet_size) {
  codec::DecodeOptions options;
  options.version = config.version;
  options.strict = config.strict;
  options.sender = codec::Sender::server;
  if (max_packet_size != 0) options.max_packet_size = max_packet_size;
  return options;
}

std::vector<std::uint8_t> copy(codec::ByteView bytes) {
  return {bytes.begin(), bytes.end()};
}

}  // namespace

Session::Session(SessionConfig config)
    : config_(std::move(config)), decoder_(decode_options(config_, 0)) {
  read_own_limits();
}

bool Session::reconfigure(SessionConfig config) {
  if (state_ != State::closed) return false;
  config_ = std::move(config);
  read_own_limits();
  return true;
}

void Session::read_own_limits() {
  const codec::Properties own = config_.connect_properties.view();
  own_maximum_packet_size_ = property_number(own, PropertyId::maximum_packet_size, 0);
  own_topic_alias_maximum_ =
      static_cast<std::uint16_t>(property_number(own, PropertyId::topic_alias_maximum, 0));
  own_receive_maximum_ =
      static_cast<std::uint16_t>(property_number(own, PropertyId::receive_maximum, 65535));
}

void Session::adopt_raw_connect(const codec::Connect& connect) {
  // The broker answers the CONNECT the caller wrote, not the configuration: its Clean Start and
  // the limits it announced are what the CONNACK and every later packet are judged by.
  config_.clean_start = connect.clean_start;
  const bool version_changed = config_.version != connect.version;
  config_.version = connect.version;
  config_.connect_properties.clear();
  if (connect.version == codec::ProtocolVersion::v5) {
    config_.connect_properties.add_raw(connect.properties.encoded());
  }
  const std::uint32_t maximum_before = own_maximum_packet_size_;
  read_own_limits();
  // Nothing has come from the broker yet (it answers CONNECT first): the decoder can be remade
  // with the packet size limit the broker was told.
  if (own_maximum_packet_size_ != maximum_before || version_changed) {
    decoder_ = codec::StreamDecoder(decode_options(config_, own_maximum_packet_size_));
    decoder_.set_learn_version(false);
  }
}

// --- the connection ------------------------------------------------------------------------

void Session::connected(TimePoint now) {
  state_ = State::awaiting_connack;
  decoder_ = codec::StreamDecoder(decode_options(config_, own_maximum_packet_size_));
  decoder_.set_learn_version(false);
  incoming_aliases_.clear();
  outgoing_aliases_.clear();
  ping_sent_at_.reset();
  raw_unreadable_ = false;  // a new stream: the broker reads from a packet boundary again
  connack_seen_ = false;
  ended_reported_ = false;
  server_receive_maximum_ = 65535;
  server_maximum_packet_size_ = 0;
  server_topic_alias_maximum_ = 0;
  server_maximum_qos_ = QoS::exactly_once;
  server_retain_available_ = true;
  keep_alive_s_ = config_.keep_alive_s;
  if (config_.clean_start) discard_session_state();

  codec::Connect connect;
  connect.version = config_.version;
  connect.clean_start = config_.clean_start;
  connect.keep_alive = config_.keep_alive_s;
  connect.properties = config_.connect_properties.view();
  connect.client_id = config_.client_id;
  if (config_.will) {
    codec::Will& will = connect.will.emplace();
    will.qos = config_.will->qos;
    will.retain = config_.will->retain;
    will.properties = config_.will->properties.view();
    will.topic = config_.will->topic;
    will.payload = codec::ByteView(config_.will->payload);
  }
  if (config_.username) connect.username = *config_.username;
  if (config_.password) connect.password = codec::ByteView(*config_.password);
  connect_sent_at_.reset();
  if (!config_.send_connect) return;
  send(connect, now);
  connect_sent_at_ = now;
}

void Session::received(codec::ByteView bytes, TimePoint now) {
  if (state_ == State::closed) return;
  decoder_.feed(bytes);
  // Lenient decoding carries on past non-structural violations; they are still the broker's
  // deviations, collected during the one decode of each packet.
  std::vector<codec::Error> violations;
  if (!config_.strict) decoder_.set_violations(&violations);
  while (state_ != State::closed) {
    violations.clear();
    codec::DecodeResult result = decoder_.next();
    if (result.need_more()) break;
    if (result.failed()) {
      const codec::Error& error = result.error();
      finding_with(error.statement, error.to_string(), {});
      const ReasonCode reason =
          error.rule == codec::Rule::packet_too_large   ? ReasonCode::packet_too_large
          : error.rule == codec::Rule::topic_alias_zero ? ReasonCode::topic_alias_invalid
                                                        : ReasonCode::malformed_packet;
      fail_connection(reason, "malformed packet from the broker: " + error.to_string(), now);
      break;
    }
    const codec::ByteView raw = decoder_.packet_bytes();
    for (const codec::Error& v : violations)
      finding_with(v.statement, v.to_string(), raw);
    handle(result.packet(), raw, now);
  }
  decoder_.set_violations(nullptr);  // the vector ends here
}

void Session::timer(TimePoint now) {
  if (state_ == State::awaiting_connack && connect_sent_at_ &&
      now >= *connect_sent_at_ + config_.response_timeout) {
    end(ConnectionEnded::Cause::timeout, 0, "no CONNACK within the response timeout");
    return;
  }
  if (state_ != State::connected || keep_alive_s_ == 0) return;
  if (ping_sent_at_) {
    if (now >= *ping_sent_at_ + config_.response_timeout) {
      end(ConnectionEnded::Cause::timeout, 0, "no PINGRESP within the response timeout");
    }
    return;
  }
  if (now >= last_sent_ + std::chrono::seconds(keep_alive_s_)) {
    send(codec::Pingreq{}, now);
    ping_sent_at_ = now;
  }
}

void Session::closed(TimePoint /*now*/, std::string_view why) {
  if (state_ != State::closed) end(ConnectionEnded::Cause::closed, 0, std::string(why));
  // Subscriptions and unsubscriptions in flight are not session state: they will not complete.
  pending_subscribes_.clear();
  pending_unsubscribes_.clear();
}

void Session::transport_failed(TimePoint /*now*/, std::string why) {
  if (state_ != State::closed) end(ConnectionEnded::Cause::transport_failed, 0, std::move(why));
  pending_subscribes_.clear();
  pending_unsubscribes_.clear();
}

// --- commands --------------------------------------------------------------------------------

std::uint16_t Session::publish(Outgoing message, TimePoint now) {
  // What the server said it does not support is refused, not quietly changed: a test asked for it.
  if (message.qos > server_maximum_qos_) {
    refuse("PUBLISH at a QoS above the server's Maximum QoS (MQTT-3.2.2-11)");
    return 0;
  }
  if (message.retain && !server_retain_available_) {
    refuse("retained PUBLISH while the server has no retain (MQTT-3.2.2-14)");
    return 0;
  }
  // A packet above the server's Maximum Packet Size must not be sent (MQTT-3.2.2-15).
  if (server_maximum_packet_size_ != 0) {
    codec::Publish probe;
    probe.qos = message.qos;
    probe.topic = message.topic;
    probe.properties = message.properties.view();
    probe.payload = codec::ByteView(message.payload);
    const auto size = codec::encoded_size(probe, config_.version);
    if (!size || *size > server_maximum_packet_size_) {
      refuse("PUBLISH larger than the server's Maximum Packet Size");
      return 0;
    }
  }
  if (message.qos == QoS::at_most_once) {
    if (state_ != State::connected) {
      refuse("QoS 0 PUBLISH while not connected");
      return 0;
    }
    InflightPublish once{std::move(message), QoS::at_most_once, false, now};
    if (send_publish(0, once, false, now)) {
      effects_.events.emplace_back(PublishCompleted{0, QoS::at_most_once, 0, false});
    }
    return 0;
  }
  const std::uint16_t id = next_packet_id();
  if (id == 0) {
    refuse("every packet identifier is in use");
    return 0;
  }
  const QoS qos = message.qos;
  queue_.emplace_back(id, InflightPublish{std::move(message), qos, false, now});
  mark_queued(id, true);
  fill_window(now);
  return id;
}

std::uint16_t Session::subscribe(const std::vector<codec::Subscription>& subscriptions,
                                 const codec::Properties& properties, TimePoint now) {
  if (!require_connection("SUBSCRIBE")) return 0;
  const std::uint16_t id = next_packet_id();
  if (id == 0) {
    refuse("every packet identifier is in use");
    return 0;
  }
  PendingSubscribe& pending = pending_subscribes_[id];
  pending.filters.reserve(subscriptions.size());
  for (const codec::Subscription& sub : subscriptions) {
    pending.filters.emplace_back(sub.filter);
    pending.options.push_back(sub.options);
  }
  codec::Subscribe subscribe;
  subscribe.packet_id = id;
  subscribe.properties = properties;
  for (std::size_t i = 0; i < pending.filters.size(); ++i) {
    subscribe.subscriptions.push_back({pending.filters[i], pending.options[i]});
  }
  send(subscribe, now);
  return id;
}

std::uint16_t Session::unsubscribe(std::vector<std::string> filters,
                                   const codec::Properties& properties, TimePoint now) {
  if (!require_connection("UNSUBSCRIBE")) return 0;
  const std::uint16_t id = next_packet_id();
  if (id == 0) {
    refuse("every packet identifier is in use");
    return 0;
  }
  std::vector<std::string>& pending = pending_unsubscribes_[id];
  pending = std::move(filters);
  codec::Unsubscribe unsubscribe;
  unsubscribe.packet_id = id;
  unsubscribe.properties = properties;
  unsubscribe.filters.assign(pending.begin(), pending.end());
  send(unsubscribe, now);
  return id;
}

void Session::disconnect(ReasonCode reason, const codec::Properties& properties, TimePoint now) {
  if (!require_connection("DISCONNECT")) return;
  codec::Disconnect disconnect;
  disconnect.reason_code = reason;
  disconnect.properties = properties;
  send(disconnect, now);
  // The client closes the network connection after DISCONNECT (MQTT-3.14.4-1): the transport
  // closes once the packet is written.
  end(ConnectionEnded::Cause::closed, codec::to_byte(reason), "DISCONNECT sent by the client");
}

void Session::auth(ReasonCode reason, const codec::Properties& properties, TimePoint now) {
  // AUTH also belongs to the exchange before CONNACK (enhanced authentication).
  if (state_ != State::awaiting_connack && !require_connection("AUTH")) return;
  codec::Auth auth;
  auth.reason_code = reason;
  auth.properties = properties;
  send(auth, now);
}

void Session::send_raw(codec::ByteView bytes, TimePoint now) {
  effects_.bytes.insert(effects_.bytes.end(), bytes.begin(), bytes.end());
  last_sent_ = now;
  // Learn which packet ids the caller now owns. The bytes may be broken on purpose: whatever
  // does not decode is simply not learnt from.
  codec::DecodeOptions options;
  options.version = config_.version;
  options.strict = false;
  options.sender = codec::Sender::client;
  codec::StreamDecoder decoder(options);
  decoder.set_learn_version(false);
  decoder.feed(bytes);
  codec::DecodeResult result = decoder.next();
  for (; result.ok(); result = decoder.next()) {
    const codec::Packet& packet = result.packet();
    if (const auto* connect = std::get_if<codec::Connect>(&packet)) {
      if (state_ == State::awaiting_connack) {
        connect_sent_at_ = now;
        adopt_raw_connect(*connect);
      }
    } else if (const auto* publish = std::get_if<codec::Publish>(&packet)) {
      if (publish->qos != QoS::at_most_once) raw_ids_.insert(publish->packet_id);
    } else if (const auto* pubrel = std::get_if<codec::Pubrel>(&packet)) {
      // The id is still held since its PUBREC; a PUBREL for an id never published is the
      // caller's too.
      if (!raw_ids_.contains(pubrel->packet_id)) raw_ids_.insert(pubrel->packet_id);
    } else if (const auto* subscribe = std::get_if<codec::Subscribe>(&packet)) {
      raw_ids_.insert(subscribe->packet_id);
    } else if (const auto* unsubscribe = std::get_if<codec::Unsubscribe>(&packet)) {
      raw_ids_.insert(unsubscribe->packet_id);
    }
  }
  // Bytes we could not read ourselves may still carry packet ids the broker reads (a broken
  // length swallows the next packet, garbage may parse as one): from now on an acknowledgement
  // of an id we do not know is the caller's, not a finding, until the session starts again.
  if (result.failed() || decoder.buffered() > 0) raw_unreadable_ = true;
}

bool Session::raw_acknowledgement(std::uint16_t id, PacketType type) {
  const auto found = raw_ids_.find(id);
  if (found == raw_ids_.end()) {
    return raw_unreadable_ && !outgoing_.contains(id) && !pending_subscribes_.contains(id) &&
           !pending_unsubscribes_.contains(id);
  }
  // PUBREC keeps the id: the caller sends its PUBREL next. Any other acknowledgement answers
  // one raw packet: a caller that sent the same id twice gets (and is owed) two.
  if (type != PacketType::pubrec) raw_ids_.erase(found);
  return true;
}

Effects Session::take_effects() {
  // The next deadline: CONNACK or PINGRESP overdue, or the keep-alive interval since the last
  // packet sent.
  effects_.deadline.reset();
  if (state_ == State::awaiting_connack && connect_sent_at_) {
    effects_.deadline = *connect_sent_at_ + config_.response_timeout;
  } else if (state_ == State::connected && keep_alive_s_ != 0) {
    effects_.deadline = ping_sent_at_ ? *ping_sent_at_ + config_.response_timeout
                                      : last_sent_ + std::chrono::seconds(keep_alive_s_);
  }
  Effects out = std::move(effects_);
  effects_ = Effects{};
  return out;
}

// --- sending ---------------------------------------------------------------------------------

bool Session::send(const codec::Packet& packet, TimePoint now) {
  const std::string_view name = codec::to_string(codec::packet_type(packet));
  if (server_maximum_packet_size_ != 0) {
    const auto size = codec::encoded_size(packet, config_.version);
    if (size && *size > server_maximum_packet_size_) {
      refuse(std::string(name) + " of " + std::to_string(*size) +
             " bytes is above the server's Maximum Packet Size (MQTT-3.2.2-15)");
      return false;
    }
  }
  const auto error = codec::encode(packet, config_.version, effects_.bytes);
  if (error) {
    refuse(std::string(name) + " cannot be encoded: " + std::string(error->field) + " " +
           std::string(error->reason));
    return false;
  }
  last_sent_ = now;
  return true;
}

bool Session::require_connection(std::string_view command) {
  if (state_ == State::connected) return true;
  if (state_ == State::awaiting_connack) {
    // A client need not wait for CONNACK, unless it started an authentication exchange: then
    // only AUTH and DISCONNECT may go before it (MQTT-3.1.2-30).
    const bool authenticating =
        config_.version == ProtocolVersion::v5 &&
        config_.connect_properties.view().find(PropertyId::authentication_method).has_value();
    if (!authenticating || command == "DISCONNECT") return true;
    refuse(std::string(command) +
           " before CONNACK during an authentication exchange (MQTT-3.1.2-30)");
    return false;
  }
  refuse(std::string(command) + " while not connected");
  return false;
}

// outgoing_order_ keeps the send order of the messages in flight. A finished id is overwritten
// with 0 (no packet uses identifier 0) rather than erased: erasing moved every later id on each
// acknowledgement, O(in flight) per message, most of a fast publisher's CPU. Acknowledgements
// mostly come in order, so the dead ids gather at the front and go in one erase once there are
// many; whoever walks the list compacts it first.
void Session::forget_outgoing(std::uint16_t id) {
  constexpr std::ptrdiff_t dead_prefix_limit = 64;
  const auto found = std::find(outgoing_order_.begin(), outgoing_order_.end(), id);
  if (found != outgoing_order_.end()) *found = 0;
  const auto live = std::find_if(outgoing_order_.begin(), outgoing_order_.end(),
                                 [](std::uint16_t entry) { return entry != 0; });
  if (live == outgoing_order_.end()) {
    outgoing_order_.clear();
  } else if (live - outgoing_order_.begin() >= dead_prefix_limit) {
    outgoing_order_.erase(outgoing_order_.begin(), live);
  }
}

void Session::compact_outgoing_order() {
  std::erase(outgoing_order_, std::uint16_t{0});
}

// A QoS 1/2 message that can never be sent (too large once its alias is added, say): reported as
// abandoned so that loss accounting sees it.
void Session::abandon(std::uint16_t id) {
  const auto it = outgoing_.find(id);
  if (it == outgoing_.end()) return;
  effects_.events.emplace_back(PublishCompleted{id, it->second.qos, 0, true});
  outgoing_.erase(it);
  forget_outgoing(id);
}

bool Session::send_publish(std::uint16_t id, InflightPublish& inflight, bool dup, TimePoint now) {
  codec::Publish publish;
  publish.dup = dup;
  publish.qos = inflight.qos;
  publish.retain = inflight.message.retain;
  publish.topic = inflight.message.topic;
  publish.packet_id = id;
  publish.properties = inflight.message.properties.view();
  publish.payload = codec::ByteView(inflight.message.payload);
  // Topic aliases (5.0): the first PUBLISH on a topic names it and sets the alias, later ones send
  // the alias with an empty topic. Aliases belong to one connection (MQTT-3.3.2-7).
  codec::PropertyBuilder with_alias;
  if (config_.use_topic_aliases && server_topic_alias_maximum_ != 0) {
    const auto known = outgoing_aliases_.find(inflight.message.topic);
    std::uint16_t alias = 0;
    if (known != outgoing_aliases_.end()) {
      alias = known->second;
      publish.topic = {};
    } else if (outgoing_aliases_.size() < server_topic_alias_maximum_) {
      alias = static_cast<std::uint16_t>(outgoing_aliases_.size() + 1);
      outgoing_aliases_.emplace(inflight.message.topic, alias);
    }
    if (alias != 0) {
      with_alias.add_raw(inflight.message.properties.view().encoded());
      with_alias.add(PropertyId::topic_alias, alias);
      publish.properties = with_alias.view();
    }
  }
  inflight.sent_at = now;
  return send(publish, now);
}

void Session::mark_queued(std::uint16_t id, bool queued) {
  constexpr std::size_t words = 65536 / 64;
  if (queued_ids_.empty()) {
    if (!queued) return;
    queued_ids_.assign(words, 0);
  }
  const std::uint64_t bit = std::uint64_t{1} << (id % 64);
  if (queued) {
    queued_ids_[id / 64] |= bit;
  } else {
    queued_ids_[id / 64] &= ~bit;
  }
}

bool Session::is_queued(std::uint16_t id) const noexcept {
  return !queued_ids_.empty() && (queued_ids_[id / 64] >> (id % 64) & 1U) != 0;
}

std::uint16_t Session::next_packet_id() {
  // Queued and in-flight ids never overlap: when they fill the id space, no candidate is free
  // (without this, every publish beyond 65,535 unacknowledged ones tried all 65,535 ids).
  if (outgoing_.size() + queue_.size() >= 65535) return 0;
  const auto in_use = [this](std::uint16_t id) {
    return outgoing_.contains(id) || is_queued(id) || pending_subscribes_.contains(id) ||
           raw_ids_.contains(id) || pending_unsubscribes_.contains(id);
  };
  for (std::uint32_t tries = 0; tries < 65535; ++tries) {
    last_packet_id_ =
        static_cast<std::uint16_t>(last_packet_id_ == 65535 ? 1 : last_packet_id_ + 1);
    if (!in_use(last_packet_id_)) return last_packet_id_;
  }
  return 0;
}

// Moves queued messages into flight while the server's Receive Maximum allows (MQTT-3.3.4-7).
void Session::fill_window(TimePoint now) {
  while (state_ == State::connected && !queue_.empty() &&
         outgoing_.size() < server_receive_maximum_) {
    auto [id, inflight] = std::move(queue_.front());
    queue_.pop_front();
    mark_queued(id, false);
    auto [it, inserted] = outgoing_.emplace(id, std::move(inflight));
    outgoing_order_.push_back(id);
    if (!send_publish(id, it->second, it->second.sent_before, now)) abandon(id);
  }
}

// --- receiving -------------------------------------------------------------------------------

void Session::handle(const codec::Packet& packet, codec::ByteView raw, TimePoint now) {
  const PacketType type = codec::packet_type(packet);
  if (config_.report_packets) effects_.events.emplace_back(PacketReceived{type, copy(raw)});
  if (!connack_seen_ && type != PacketType::connack && type != PacketType::auth) {
    finding("MQTT-3.2.0-1", "MQTT-3.2.0-1",
            "the broker sent " + std::string(codec::to_string(type)) + " before CONNACK", raw);
  }
  switch (type) {
    case PacketType::connack:
      on_connack(std::get<codec::Connack>(packet), raw, now);
      break;
    case PacketType::publish:
      on_publish(std::get<codec::Publish>(packet), raw, now);
      break;
    case PacketType::puback:
      on_publish_ack(std::get<codec::Puback>(packet).packet_id,
                     std::get<codec::Puback>(packet).reason_code, type, raw, now);
      break;
    case PacketType::pubrec:
      on_publish_ack(std::get<codec::Pubrec>(packet).packet_id,
                     std::get<codec::Pubrec>(packet).reason_code, type, raw, now);
      break;
    case PacketType::pubcomp:
      on_publish_ack(std::get<codec::Pubcomp>(packet).packet_id,
                     std::get<codec::Pubcomp>(packet).reason_code, type, raw, now);
      break;
    case PacketType::pubrel:
      on_pubrel(std::get<codec::Pubrel>(packet), now);
      break;
    case PacketType::suback:
      on_suback(std::get<codec::Suback>(packet), raw);
      break;
    case PacketType::unsuback:
      on_unsuback(std::get<codec::Unsuback>(packet), raw);
      break;
    case PacketType::pingresp:
      ping_sent_at_.reset();
      break;
    case PacketType::disconnect:
      if (config_.version != ProtocolVersion::v5) {
        finding("", "", "the broker sent DISCONNECT, which only a client sends before 5.0", raw);
      }
      end(ConnectionEnded::Cause::server_disconnect,
          codec::to_byte(std::get<codec::Disconnect>(packet).reason_code),
          "DISCONNECT from the broker");
      break;
    case PacketType::auth:
      break;  // scripted by the caller through PacketReceived
    default:
      finding("", "",
              "the broker sent " + std::string(codec::to_string(type)) +
                  ", a packet only a client sends",
              raw);
      break;
  }
}

void Session::on_connack(const codec::Connack& connack, codec::ByteView raw, TimePoint now) {
  if (connack_seen_) {
    finding("", "MQTT-3.2.0-2", "the broker sent a second CONNACK on one connection", raw);
    return;
  }
  connack_seen_ = true;
  connect_sent_at_.reset();
  if (connack.reason_code != ReasonCode::success) {
    end(ConnectionEnded::Cause::refused, codec::to_byte(connack.reason_code),
        "CONNACK refused the connection");
    return;
  }
  state_ = State::connected;
  const codec::Properties& props = connack.properties;
  server_receive_maximum_ =
      static_cast<std::uint16_t>(property_number(props, PropertyId::receive_maximum, 65535));
  server_maximum_packet_size_ = property_number(props, PropertyId::maximum_packet_size, 0);
  server_topic_alias_maximum_ =
      static_cast<std::uint16_t>(property_number(props, PropertyId::topic_alias_maximum, 0));
  server_maximum_qos_ = static_cast<QoS>(property_number(props, PropertyId::maximum_qos, 2));
  server_retain_available_ = property_number(props, PropertyId::retain_available, 1) != 0;
  // The server's keep alive replaces ours (MQTT-3.1.2-21). A caller who wrote the CONNECT
  // (send_connect = false) owns the keep-alive too: no PINGREQ of ours may hide its silence.
  keep_alive_s_ = config_.send_connect
                      ? static_cast<std::uint16_t>(property_number(
                            props, PropertyId::server_keep_alive, config_.keep_alive_s))
                      : 0;
  if (const auto assigned = props.find(PropertyId::assigned_client_identifier)) {
    config_.client_id = std::string(assigned->text);
  }
  if (config_.clean_start && connack.session_present) {
    finding("MQTT-3.2.2-1", "MQTT-3.2.2-2", "Session Present is 1 in the CONNACK of a clean start",
            raw);
  }
  std::size_t resent = 0;
  if (!connack.session_present) {
    // The broker kept nothing: neither do we (MQTT-3.2.2-5). Raw packets the caller sent on
    // this connection before the CONNACK (pipelined) are still in flight, and still the
    // caller's: their acknowledgements must not become findings.
    std::multiset<std::uint16_t> raw_ids = std::move(raw_ids_);
    discard_session_state();
    raw_ids_ = std::move(raw_ids);
  } else {
    // Resume: unacknowledged PUBLISH packets again with DUP, PUBREL for those past PUBREC, in
    // their original order (MQTT-4.4.0-1, MQTT-4.6.0-1). The new connection's Receive Maximum
    // may be smaller than the old one's: PUBLISH packets beyond it wait at the head of the queue
    // (still with DUP) until acknowledgements free the window (MQTT-3.3.4-7).
    std::vector<std::uint16_t> unsendable;
    std::vector<std::uint16_t> waiting;
    std::size_t in_flight = 0;
    compact_outgoing_order();
    for (const std::uint16_t id : outgoing_order_) {
      InflightPublish& inflight = outgoing_.at(id);
      bool sent = false;
      if (inflight.released) {
        codec::Pubrel pubrel;
        pubrel.packet_id = id;
        sent = send(pubrel, now);
      } else if (in_flight >= server_receive_maximum_) {
        waiting.push_back(id);
        continue;
      } else {
        sent = send_publish(id, inflight, true, now);
      }
      ++in_flight;
      if (sent)
        ++resent;
      else
        unsendable.push_back(id);
    }
    for (auto it = waiting.rbegin(); it != waiting.rend(); ++it) {
      InflightPublish inflight = std::move(outgoing_.at(*it));
      inflight.sent_before = true;
      outgoing_.erase(*it);
      forget_outgoing(*it);
      queue_.emplace_front(*it, std::move(inflight));
      mark_queued(*it, true);
    }
    for (const std::uint16_t id : unsendable)
      abandon(id);
  }
  effects_.events.emplace_back(Connected{connack.session_present, resent});
  fill_window(now);
}

void Session::on_publish(const codec::Publish& publish, codec::ByteView raw, TimePoint now) {
  std::string topic(publish.topic);
  if (config_.version == ProtocolVersion::v5) {
    if (const auto alias = publish.properties.find(PropertyId::topic_alias)) {
      const auto value = static_cast<std::uint16_t>(alias->number);
      if (value > own_topic_alias_maximum_) {
        finding("", "MQTT-3.3.2-11",
                "Topic Alias " + std::to_string(value) +
                    " above the client's Topic Alias Maximum " +
                    std::to_string(own_topic_alias_maximum_),
                raw);
        fail_connection(ReasonCode::topic_alias_invalid, "topic alias out of range", now);
        return;
      }
      if (!topic.empty()) {
        incoming_aliases_[value] = topic;
      } else if (const auto known = incoming_aliases_.find(value);
                 known != incoming_aliases_.end()) {
        topic = known->second;
      } else {
        finding("", "", "Topic Alias " + std::to_string(value) + " used before it was set", raw);
        fail_connection(ReasonCode::protocol_error, "unknown topic alias", now);
        return;
      }
    }
  }
  if (const auto granted = granted_qos_for(topic); granted && publish.qos > *granted) {
    finding("MQTT-3.8.4-6", "MQTT-3.8.4-8",
            "PUBLISH at QoS " + std::to_string(static_cast<int>(publish.qos)) + " above the QoS " +
                std::to_string(static_cast<int>(*granted)) + " granted for its topic",
            raw);
  }
  bool deliver = true;
  if (publish.qos == QoS::exactly_once && config_.acknowledge) {
    // A PUBLISH again before our PUBREC was released is the same message: acknowledge, do not
    // deliver twice (MQTT-4.3.3-10 on the receiving side).
    deliver = incoming_qos2_.insert(publish.packet_id).second;
    if (deliver && incoming_qos2_.size() > own_receive_maximum_) {
      finding("", "MQTT-3.3.4-9",
              "the broker has more QoS 2 messages unacknowledged than the client's Receive "
              "Maximum " +
                  std::to_string(own_receive_maximum_),
              raw);
    }
  }
  if (deliver) {
    effects_.events.emplace_back(
        MessageReceived{std::move(topic), copy(publish.payload), publish.qos, publish.retain,
                        publish.dup, publish.packet_id, copy(publish.properties.encoded())});
  }
  if (!config_.acknowledge) return;  // the caller acknowledges, or does not, with send_raw()
  if (publish.qos == QoS::at_least_once) {
    codec::Puback puback;
    puback.packet_id = publish.packet_id;
    send(puback, now);
  } else if (publish.qos == QoS::exactly_once) {
    codec::Pubrec pubrec;
    pubrec.packet_id = publish.packet_id;
    send(pubrec, now);
  }
}

void Session::on_publish_ack(std::uint16_t id, ReasonCode reason, PacketType type,
                             codec::ByteView raw, TimePoint now) {
  if (raw_acknowledgement(id, type)) return;
  const auto it = outgoing_.find(id);
  const bool expected = it != outgoing_.end() &&
                        ((type == PacketType::puback && it->second.qos == QoS::at_least_once) ||
                         (type == PacketType::pubrec && it->second.qos == QoS::exactly_once) ||
                         (type == PacketType::pubcomp && it->second.released));
  if (!expected) {
    finding("MQTT-2.3.1-6", "MQTT-2.2.1-5",
            std::string(codec::to_string(type)) + " for packet identifier " + std::to_string(id) +
                ", which has no matching PUBLISH in flight",
            raw);
    return;
  }
  InflightPublish& inflight = it->second;
  if (type == PacketType::pubrec && !codec::is_failure(reason)) {
    inflight.released = true;
    codec::Pubrel pubrel;
    pubrel.packet_id = id;
    send(pubrel, now);
    return;
  }
  effects_.events.emplace_back(PublishCompleted{id, inflight.qos, codec::to_byte(reason), false});
  outgoing_.erase(it);
  forget_outgoing(id);
  fill_window(now);
}

void Session::on_pubrel(const codec::Pubrel& pubrel, TimePoint now) {
  if (!config_.acknowledge) return;  // reported as PacketReceived; the caller answers it
  codec::Pubcomp pubcomp;
  pubcomp.packet_id = pubrel.packet_id;
  // A PUBREL for an identifier we no longer hold (e.g. completed before a reconnect) is answered
  // all the same; 5.0 says so with 0x92.
  if (incoming_qos2_.erase(pubrel.packet_id) == 0 && config_.version == ProtocolVersion::v5) {
    pubcomp.reason_code = ReasonCode::packet_identifier_not_found;
  }
  send(pubcomp, now);
}

void Session::on_suback(const codec::Suback& suback, codec::ByteView raw) {
  if (raw_acknowledgement(suback.packet_id, PacketType::suback)) return;
  const auto it = pending_subscribes_.find(suback.packet_id);
  if (it == pending_subscribes_.end()) {
    finding("MQTT-2.3.1-7", "MQTT-2.2.1-6",
            "SUBACK for packet identifier " + std::to_string(suback.packet_id) +
                ", which has no SUBSCRIBE in flight",
            raw);
    return;
  }
  const PendingSubscribe& pending = it->second;
  if (suback.reason_codes.size() != pending.filters.size()) {
    finding("MQTT-3.8.4-5", "MQTT-3.8.4-6",
            "SUBACK carries " + std::to_string(suback.reason_codes.size()) + " return codes for " +
                std::to_string(pending.filters.size()) + " topic filters",
            raw);
  }
  SubscribeCompleted done{suback.packet_id, {}};
  for (std::size_t i = 0; i < suback.reason_codes.size(); ++i) {
    const std::uint8_t code = codec::to_byte(suback.reason_codes[i]);
    done.reason_codes.push_back(code);
    if (i < pending.filters.size() && code <= 2) {
      granted_[pending.filters[i]] = static_cast<QoS>(code);
    }
  }
  effects_.events.emplace_back(std::move(done));
  pending_subscribes_.erase(it);
}

void Session::on_unsuback(const codec::Unsuback& unsuback, codec::ByteView raw) {
  if (raw_acknowledgement(unsuback.packet_id, PacketType::unsuback)) return;
  const auto it = pending_unsubscribes_.find(unsuback.packet_id);
  if (it == pending_unsubscribes_.end()) {
    finding("MQTT-2.3.1-7", "MQTT-2.2.1-6",
            "UNSUBACK for packet identifier " + std::to_string(unsuback.packet_id) +
                ", which has no UNSUBSCRIBE in flight",
            raw);
    return;
  }
  if (config_.version == ProtocolVersion::v5 && unsuback.reason_codes.size() != it->second.size()) {
    finding("", "MQTT-3.11.3-2",
            "UNSUBACK carries " + std::to_string(unsuback.reason_codes.size()) +
                " reason codes for " + std::to_string(it->second.size()) + " topic filters",
            raw);
  }
  UnsubscribeCompleted done{unsuback.packet_id, {}};
  for (ReasonCode code : unsuback.reason_codes)
    done.reason_codes.push_back(codec::to_byte(code));
  for (const std::string& filter : it->second)
    granted_.erase(filter);
  effects_.events.emplace_back(std::move(done));
  pending_unsubscribes_.erase(it);
}

// --- helpers ---------------------------------------------------------------------------------

std::optional<QoS> Session::granted_qos_for(std::string_view topic) const {
  // Only judge topics against subscriptions this session made and saw granted.
  std::optional<QoS> best;
  for (const auto& [filter, qos] : granted_) {
    if (codec::topic_matches(filter, topic, config_.version) && (!best || qos > *best)) best = qos;
  }
  return best;
}

void Session::discard_session_state() {
  compact_outgoing_order();
  for (const std::uint16_t id : outgoing_order_) {
    const InflightPublish& inflight = outgoing_.at(id);
    effects_.events.emplace_back(PublishCompleted{id, inflight.qos, 0, true});
  }
  outgoing_.clear();
  outgoing_order_.clear();
  incoming_qos2_.clear();
  granted_.clear();
  raw_ids_.clear();
}

void Session::finding(std::string_view statement_v311, std::string_view statement_v5,
                      std::string description, codec::ByteView raw) {
  finding_with(config_.version == ProtocolVersion::v5 ? statement_v5 : statement_v311,
               std::move(description), raw);
}

void Session::finding_with(std::string_view statement, std::string description,
                           codec::ByteView raw) {
  effects_.events.emplace_back(Finding{std::string(statement), std::move(description), copy(raw)});
}

void Session::refuse(std::string reason) {
  effects_.events.emplace_back(CommandRefused{std::move(reason)});
}

void Session::fail_connection(ReasonCode reason, std::string why, TimePoint now) {
  // 5.0 says why before closing (the transport closes once these bytes are written).
  if (config_.version == ProtocolVersion::v5 && state_ == State::connected) {
    codec::Disconnect disconnect;
    disconnect.reason_code = reason;
    send(disconnect, now);
  }
  end(ConnectionEnded::Cause::protocol_error, codec::to_byte(reason), std::move(why));
}

void Session::end(ConnectionEnded::Cause cause, std::uint8_t reason, std::string detail) {
  state_ = State::closed;
  ping_sent_at_.reset();
  connect_sent_at_.reset();
  if (ended_reported_) return;
  ended_reported_ = true;
  effects_.events.emplace_back(ConnectionEnded{cause, reason, std::move(detail)});
}

}  // namespace gauntlet::client
