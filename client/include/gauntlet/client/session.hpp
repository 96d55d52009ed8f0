// The sans-IO MQTT client session: it takes bytes, time and commands, and returns its effects as
// values — bytes to send, the next deadline, and events (deliveries, completions, findings). No
// socket and no clock inside, so every QoS flow is tested on a virtual clock (STYLE.md habit 2).
// One Session outlives its connections: reconnecting with clean_start = false resumes it.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "gauntlet/client/events.hpp"
#include "gauntlet/codec/codec.hpp"

namespace gauntlet::client {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::microseconds;

struct WillConfig {
  std::string topic;
  std::vector<std::uint8_t> payload;
  codec::QoS qos = codec::QoS::at_most_once;
  bool retain = false;
  codec::PropertyBuilder properties;  ///< 5.0 will properties
};

struct SessionConfig {
  codec::ProtocolVersion version = codec::ProtocolVersion::v3_1_1;
  std::string client_id;
  bool clean_start = true;
  std::uint16_t keep_alive_s = 60;
  std::optional<std::string> username;
  std::optional<std::vector<std::uint8_t>> password;
  std::optional<WillConfig> will;
  /// 5.0 CONNECT properties as given (session expiry, receive maximum, topic alias maximum,
  /// maximum packet size, user properties, authentication method/data, ...). The session reads
  /// its own limits from them.
  codec::PropertyBuilder connect_properties;
  /// Give outgoing PUBLISH packets topic aliases when the server allows them (5.0).
  bool use_topic_aliases = false;
  /// Decode the broker's bytes strictly (judging it) or leniently (load runs).
  bool strict = true;
  /// How long to wait for PINGRESP (or CONNACK) before the connection counts as dead.
  Duration response_timeout = std::chrono::seconds(10);
  /// Report every received packet as a PacketReceived event (scenarios match on them; load runs
  /// turn this off to save the copies).
  bool report_packets = true;
  /// Send CONNECT when the transport is up. False leaves that to send_raw() (tests of broken
  /// CONNECT packets); the session then waits for the CONNACK as usual.
  bool send_connect = true;
  /// Acknowledge the broker's PUBLISH and PUBREL packets (PUBACK, PUBREC, PUBCOMP). False leaves
  /// them to send_raw(), for tests of what a broker does with unacknowledged messages: every
  /// PUBLISH is then delivered, resent copies included, and PUBREL packets are only reported.
  bool acknowledge = true;
};

/// What the session wants written to the socket, and when it next needs on_timer().
struct Effects {
  std::vector<std::uint8_t> bytes;
  std::optional<TimePoint> deadline;
  std::vector<Event> events;
};

/// One application message to publish.
struct Outgoing {
  std::string topic;
  std::vector<std::uint8_t> payload;
  codec::QoS qos = codec::QoS::at_most_once;
  bool retain = false;
  codec::PropertyBuilder properties;
};

class Session {
 public:
  explicit Session(SessionConfig config);

  /// Replaces the configuration for the next connection (e.g. a reconnect with clean_start
  /// false, other credentials or another will). Only while no connection is open: false if one is.
  bool reconfigure(SessionConfig config);

  // --- the connection ----------------------------------------------------------------------
  /// A transport connected: sends CONNECT (resuming the session if clean_start is false).
  void connected(TimePoint now);
  /// Bytes arrived from the broker.
  void received(codec::ByteView bytes, TimePoint now);
  /// The deadline from take_effects() passed.
  void timer(TimePoint now);
  /// The transport closed (by either side). The session state is kept for a later connected().
  void closed(TimePoint now, std::string_view why);
  /// The transport failed after it came up but before the broker said anything (e.g. a TLS 1.3
  /// server refusing the client certificate on the first read): ConnectionEnded{transport_failed}.
  void transport_failed(TimePoint now, std::string why);

  // --- commands ----------------------------------------------------------------------------
  /// Publishes (or queues, when the Receive Maximum window is full). Returns the packet id for
  /// QoS 1/2 (0 for QoS 0); the outcome comes as a PublishCompleted event.
  std::uint16_t publish(Outgoing message, TimePoint now);
  /// The filters are copied: the caller's strings need not outlive the call.
  std::uint16_t subscribe(const std::vector<codec::Subscription>& subscriptions,
                          const codec::Properties& properties, TimePoint now);
  std::uint16_t unsubscribe(std::vector<std::string> filters, const codec::Properties& properties,
                            TimePoint now);
  void disconnect(codec::ReasonCode reason, const codec::Properties& properties, TimePoint now);
  void auth(codec::ReasonCode reason, const codec::Properties& properties, TimePoint now);
  /// Any bytes, as given (deliberately broken packets). Packet ids of the PUBLISH, PUBREL,
  /// SUBSCRIBE and UNSUBSCRIBE packets in them are the caller's: their acknowledgements are
  /// reported as PacketReceived only (no finding, no automatic PUBREL), and the session's own
  /// packets avoid those ids.
  void send_raw(codec::ByteView bytes, TimePoint now);

  /// Everything the session produced since the last call.
  Effects take_effects();

  // --- state, for expectations and reports -------------------------------------------------
  [[nodiscard]] bool is_connected() const noexcept { return state_ == State::connected; }
  [[nodiscard]] std::size_t inflight() const noexcept { return outgoing_.size(); }
  [[nodiscard]] std::size_t queued() const noexcept { return queue_.size(); }
  [[nodiscard]] const SessionConfig& config() const noexcept { return config_; }
  [[nodiscard]] codec::ProtocolVersion version() const noexcept { return config_.version; }

 private:
  enum class State { closed, awaiting_connack, connected };

  // An outgoing QoS 1/2 message, kept whole so it can be sent again with DUP on resume.
  struct InflightPublish {
    Outgoing message;
    codec::QoS qos;
    bool released = false;  ///< QoS 2: PUBREC arrived, PUBREL sent, waiting for PUBCOMP
    TimePoint sent_at;
    /// Sent on an earlier connection, then held back on resume by a smaller Receive Maximum:
    /// when the window lets it go again, it goes with DUP.
    bool sent_before = false;
  };
  struct PendingSubscribe {
    std::vector<std::string> filters;
    std::vector<codec::SubscribeOptions> options;
  };

  /// Encodes and queues a packet; false (and CommandRefused) when it cannot go on the wire, e.g.
  /// above the server's Maximum Packet Size (MQTT-3.2.2-15).
  bool send(const codec::Packet& packet, TimePoint now);
  bool send_publish(std::uint16_t id, InflightPublish& inflight, bool dup, TimePoint now);
  /// A command that needs a connection, refused (and reported) when there is none.
  bool require_connection(std::string_view command);
  void abandon(std::uint16_t id);
  void mark_queued(std::uint16_t id, bool queued);
  [[nodiscard]] bool is_queued(std::uint16_t id) const noexcept;
  void forget_outgoing(std::uint16_t id);
  void compact_outgoing_order();
  std::uint16_t next_packet_id();
  void fill_window(TimePoint now);
  void handle(const codec::Packet& packet, codec::ByteView raw, TimePoint now);
  void on_connack(const codec::Connack& connack, codec::ByteView raw, TimePoint now);
  void on_publish(const codec::Publish& publish, codec::ByteView raw, TimePoint now);
  void on_publish_ack(std::uint16_t id, codec::ReasonCode reason, codec::PacketType type,
                      codec::ByteView raw, TimePoint now);
  void on_pubrel(const codec::Pubrel& pubrel, TimePoint now);
  void on_suback(const codec::Suback& suback, codec::ByteView raw);
  void on_unsuback(const codec::Unsuback& unsuback, codec::ByteView raw);
  [[nodiscard]] std::optional<codec::QoS> granted_qos_for(std::string_view topic) const;
  void discard_session_state();
  void read_own_limits();
  /// An acknowledgement of a packet id that send_raw() used: true when it was one (and the id is
  /// released by the final acknowledgement of its flow).
  bool raw_acknowledgement(std::uint16_t id, codec::PacketType type);
  /// A CONNECT given to send_raw() while awaiting the CONNACK: its Clean Start and 5.0 limits
  /// replace the configured ones.
  void adopt_raw_connect(const codec::Connect& connect);
  /// A broker deviation; the statement is chosen by protocol level.
  void finding(std::string_view statement_v311, std::string_view statement_v5,
               std::string description, codec::ByteView raw);
  void finding_with(std::string_view statement, std::string description, codec::ByteView raw);
  void refuse(std::string reason);
  void fail_connection(codec::ReasonCode reason, std::string why, TimePoint now);
  void end(ConnectionEnded::Cause cause, std::uint8_t reason, std::string detail);

  SessionConfig config_;
  State state_ = State::closed;
  codec::StreamDecoder decoder_;
  Effects effects_;

  // Limits: ours (from the CONNECT properties) and the server's (from CONNACK).
  std::uint32_t own_maximum_packet_size_ = 0;  ///< 0: none
  std::uint16_t own_topic_alias_maximum_ = 0;
  std::uint16_t own_receive_maximum_ = 65535;
  std::uint16_t server_receive_maximum_ = 65535;
  std::uint32_t server_maximum_packet_size_ = 0;  ///< 0: none
  std::uint16_t server_topic_alias_maximum_ = 0;
  codec::QoS server_maximum_qos_ = codec::QoS::exactly_once;
  bool server_retain_available_ = true;
  std::uint16_t keep_alive_s_ = 0;

  // Session state, kept across connections unless a clean start or Session Present 0 ends it.
  std::uint16_t last_packet_id_ = 0;
  std::map<std::uint16_t, InflightPublish> outgoing_;  ///< by packet id
  /// Send order, for resending in order; 0 marks a finished id (forget_outgoing).
  std::vector<std::uint16_t> outgoing_order_;
  std::deque<std::pair<std::uint16_t, InflightPublish>> queue_;  ///< waiting for the window
  /// The ids in queue_, one bit each (next_packet_id asks for every candidate id; scanning the
  /// queue made each publish O(queue)). Allocated when a message first waits for the window
  /// (8 KiB, only in a session that outruns the server's Receive Maximum).
  std::vector<std::uint64_t> queued_ids_;
  std::set<std::uint16_t> incoming_qos2_;                   ///< PUBREC sent, PUBREL awaited
  std::map<std::string, codec::QoS, std::less<>> granted_;  ///< filter -> granted QoS
  /// Packet ids in flight in packets given to send_raw(), once per packet: the same id sent twice
  /// is acknowledged twice.
  std::multiset<std::uint16_t> raw_ids_;
  /// send_raw() was given bytes this session could not read on this connection (see send_raw).
  bool raw_unreadable_ = false;

  // Per connection.
  std::map<std::uint16_t, PendingSubscribe> pending_subscribes_;
  std::map<std::uint16_t, std::vector<std::string>> pending_unsubscribes_;
  std::unordered_map<std::uint16_t, std::string> incoming_aliases_;
  std::unordered_map<std::string, std::uint16_t> outgoing_aliases_;
  TimePoint last_sent_{};
  std::optional<TimePoint> ping_sent_at_;
  std::optional<TimePoint> connect_sent_at_;
  bool connack_seen_ = false;
  bool ended_reported_ = false;
};

}  // namespace gauntlet::client
