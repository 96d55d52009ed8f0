// make_corpus: writes the seed corpus of the libFuzzer targets.
//
//   make_corpus OUT_DIR [VECTORS_DIR]
//
// OUT_DIR/decode/  one packet per file, selector byte first: seeds for fuzz_decode and
//                  fuzz_roundtrip. Every packet type at every protocol level, built with the
//                  encoder, plus the encoder's malformations.
// OUT_DIR/stream/  selector byte, four split-seed bytes, then a whole session's worth of packets:
//                  seeds for fuzz_stream.
// VECTORS_DIR      the codec's data-driven byte vectors (codec/tests/vectors/*.json); each vector
//                  becomes a seed in both folders. A missing or empty folder is fine.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "fuzz_common.hpp"
#include "gauntlet/codec/encoder.hpp"
#include "gauntlet/codec/packet.hpp"
#include "gauntlet/codec/properties.hpp"

namespace {

namespace fs = std::filesystem;
using namespace gauntlet::codec;  // NOLINT
using Bytes = std::vector<std::uint8_t>;
using gauntlet::fuzz::make_selector;

constexpr ProtocolVersion all_versions[] = {ProtocolVersion::v3_1, ProtocolVersion::v3_1_1,
                                            ProtocolVersion::v5};

std::string level_name(ProtocolVersion v) {
  switch (v) {
    case ProtocolVersion::v3_1:
      return "v31";
    case ProtocolVersion::v3_1_1:
      return "v311";
    case ProtocolVersion::v5:
      return "v5";
  }
  return "v";
}

// Keeps letters, digits, '-' and '_' of a name for use in a file name.
std::string file_safe(std::string_view name) {
  std::string out;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    out += (std::isalnum(u) != 0 || c == '-' || c == '_') ? c : '_';
  }
  if (out.size() > 80) out.resize(80);
  return out.empty() ? std::string("unnamed") : out;
}

class CorpusWriter {
 public:
  explicit CorpusWriter(fs::path root) : root_(std::move(root)) {}

  bool open() {
    std::error_code ec;
    for (const char* sub : {"decode", "stream"}) {
      fs::create_directories(root_ / sub, ec);
      if (ec) {
        std::cerr << "make_corpus: cannot create " << (root_ / sub).string() << ": " << ec.message()
                  << "\n";
        return false;
      }
    }
    return true;
  }

  /// A single-packet seed for fuzz_decode / fuzz_roundtrip.
  void decode_seed(const std::string& name, std::uint8_t selector, const Bytes& packet) {
    Bytes file{selector};
    file.insert(file.end(), packet.begin(), packet.end());
    write("decode", name, file);
  }

  /// A stream seed for fuzz_stream: selector, split seed, bytes.
  void stream_seed(const std::string& name, std::uint8_t selector, std::uint32_t split_seed,
                   const Bytes& stream) {
    Bytes file{selector};
    for (int i = 0; i < 4; ++i) {
      file.push_back(static_cast<std::uint8_t>(split_seed >> (8 * i)));
    }
    file.insert(file.end(), stream.begin(), stream.end());
    write("stream", name, file);
  }

  [[nodiscard]] int written() const noexcept { return written_; }
  [[nodiscard]] bool ok() const noexcept { return ok_; }

 private:
  void write(const char* sub, const std::string& name, const Bytes& bytes) {
    std::string base = file_safe(name);
    const int n = ++used_[std::string(sub) + "/" + base];
    if (n > 1) base += "-" + std::to_string(n);
    const fs::path path = root_ / sub / base;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),  // NOLINT
              static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::cerr << "make_corpus: cannot write " << path.string() << "\n";
      ok_ = false;
      return;
    }
    ++written_;
  }

  fs::path root_;
  std::map<std::string, int> used_;
  int written_ = 0;
  bool ok_ = true;
};

Bytes encode_or_die(const Packet& packet, ProtocolVersion v, const Malformation* m = nullptr) {
  Bytes out;
  if (const auto error = encode(packet, v, out, m)) {
    std::cerr << "make_corpus: cannot encode a seed (" << error->field << ": " << error->reason
              << ")\n";
    std::exit(1);  // NOLINT: a bug in this tool
  }
  return out;
}

// The natural sender of each packet type (PUBLISH and DISCONNECT go both ways: client).
Sender sender_of(const Packet& p) {
  switch (packet_type(p)) {
    case PacketType::connack:
    case PacketType::suback:
    case PacketType::unsuback:
    case PacketType::pingresp:
      return Sender::server;
    default:
      return Sender::client;
  }
}

// Property blocks used by the seeds. They live as long as the program (the packets view them).
struct PropertyBlocks {
  PropertyBuilder connect, will, connack, publish, publish_alias, ack, subscribe, suback,
      unsubscribe, disconnect, disconnect_server, auth, connack_auth;

  PropertyBlocks() {
    connect.add(PropertyId::session_expiry_interval, 3600)
        .add(PropertyId::receive_maximum, 20)
        .add(PropertyId::maximum_packet_size, 1 << 20)
        .add(PropertyId::topic_alias_maximum, 10)
        .add(PropertyId::request_response_information, 1)
        .add(PropertyId::request_problem_information, 0)
        .add_user_property("region", "eu-west")
        .add_user_property("region", "eu-north")
        .add(PropertyId::authentication_method, "SCRAM-SHA-256")
        .add_binary(PropertyId::authentication_data, ByteView::of("n,,n=user,r=nonce"));
    will.add(PropertyId::will_delay_interval, 30)
        .add(PropertyId::payload_format_indicator, 1)
        .add(PropertyId::message_expiry_interval, 120)
        .add(PropertyId::content_type, "text/plain")
        .add(PropertyId::response_topic, "replies/device-7")
        .add_binary(PropertyId::correlation_data, ByteView::of("\x01\x02\x03"))
        .add_user_property("k", "v");
    connack.add(PropertyId::session_expiry_interval, 0)
        .add(PropertyId::receive_maximum, 65535)
        .add(PropertyId::maximum_qos, 1)
        .add(PropertyId::retain_available, 0)
        .add(PropertyId::maximum_packet_size, 268435460)
        .add(PropertyId::assigned_client_identifier, "auto-4F2A")
        .add(PropertyId::topic_alias_maximum, 5)
        .add(PropertyId::reason_string, "welcome")
        .add_user_property("node", "b1")
        .add(PropertyId::wildcard_subscription_available, 1)
        .add(PropertyId::subscription_identifier_available, 1)
        .add(PropertyId::shared_subscription_available, 0)
        .add(PropertyId::server_keep_alive, 30)
        .add(PropertyId::response_information, "replies/")
        .add(PropertyId::server_reference, "other.example:1883");
    connack_auth.add(PropertyId::authentication_method, "SCRAM-SHA-256")
        .add_binary(PropertyId::authentication_data, ByteView::of("r=nonce2,s=salt,i=4096"));
    publish.add(PropertyId::payload_format_indicator, 1)
        .add(PropertyId::message_expiry_interval, 60)
        .add(PropertyId::topic_alias, 3)
        .add(PropertyId::response_topic, "replies/1")
        .add_binary(PropertyId::correlation_data, ByteView::of("corr-1"))
        .add_user_property("trace", "abc123")
        .add(PropertyId::subscription_identifier, 268435455)
        .add(PropertyId::subscription_identifier, 1)
        .add(PropertyId::content_type, "application/json");
    publish_alias.add(PropertyId::topic_alias, 3);
    ack.add(PropertyId::reason_string, "quota").add_user_property("a", "b");
    subscribe.add(PropertyId::subscription_identifier, 16384).add_user_property("s", "1");
    suback.add(PropertyId::reason_string, "partial").add_user_property("x", "y");
    unsubscribe.add_user_property("u", "1");
    disconnect.add(PropertyId::session_expiry_interval, 0)
        .add(PropertyId::reason_string, "bye")
        .add_user_property("why", "test");
    disconnect_server.add(PropertyId::server_reference, "backup:1883")
        .add(PropertyId::reason_string, "moving");
    auth.add(PropertyId::authentication_method, "SCRAM-SHA-256")
        .add_binary(PropertyId::authentication_data, ByteView::of("c=biws,r=nonce,p=proof"))
        .add(PropertyId::reason_string, "step 2");
  }
};

struct Seed {
  std::string name;
  Packet packet;
};

// A broad set of well-formed packets for one protocol level.
std::vector<Seed> packets_for(ProtocolVersion v, const PropertyBlocks& props) {
  const bool v5 = v == ProtocolVersion::v5;
  std::vector<Seed> seeds;
  const auto add = [&seeds](std::string name, Packet p) {
    seeds.push_back({std::move(name), std::move(p)});
  };

  // CONNECT
  Connect minimal;
  minimal.version = v;
  minimal.client_id = "gauntlet-client";
  add("connect-minimal", minimal);

  Connect full = minimal;
  full.clean_start = false;
  full.keep_alive = 0xFFFF;
  Will will;
  will.qos = QoS::at_least_once;
  will.retain = true;
  will.topic = "devices/7/status";
  will.payload = ByteView::of("offline");
  if (v5) will.properties = props.will.view();
  full.will = will;
  full.username = "alice";
  full.password = ByteView::of("s3cr\xC3\xA9t");
  if (v5) full.properties = props.connect.view();
  add("connect-full", full);

  Connect will_qos2 = minimal;
  will.qos = QoS::exactly_once;
  will.retain = false;
  will.payload = ByteView();
  will_qos2.will = will;
  add("connect-will-qos2", will_qos2);

  if (v != ProtocolVersion::v3_1) {
    Connect empty_id = minimal;
    empty_id.client_id = "";
    add("connect-empty-client-id", empty_id);
  }
  if (v5) {
    Connect password_only = minimal;
    password_only.password = ByteView::of("token");
    add("connect-password-only", password_only);
  }

  // CONNACK
  Connack accepted;
  add("connack-accepted", accepted);
  if (v != ProtocolVersion::v3_1) {
    Connack present;
    present.session_present = true;
    if (v5) present.properties = props.connack.view();
    add("connack-session-present", present);
  }
  if (v5) {
    for (const int code : {0x80, 0x84, 0x86, 0x87, 0x8A, 0x9C, 0x9F}) {
      Connack refused;
      refused.reason_code = static_cast<ReasonCode>(code);
      add("connack-refused-" + std::to_string(code), refused);
    }
    Connack auth_continue;
    auth_continue.properties = props.connack_auth.view();
    add("connack-auth", auth_continue);
  } else {
    for (std::uint8_t code = 1; code <= 5; ++code) {
      Connack refused;
      refused.reason_code = ReasonCode{code};
      add("connack-return-" + std::to_string(code), refused);
    }
  }

  // PUBLISH
  for (int qos = 0; qos <= 2; ++qos) {
    Publish p;
    p.qos = static_cast<QoS>(qos);
    p.topic = "sensors/room-1/temperature";
    p.packet_id = qos == 0 ? 0 : static_cast<std::uint16_t>(qos == 1 ? 1 : 0xFFFF);
    p.payload = ByteView::of("21.5");
    add("publish-qos" + std::to_string(qos), p);
    p.retain = true;
    p.dup = qos != 0;
    p.payload = ByteView();
    add("publish-qos" + std::to_string(qos) + "-retain-dup-empty", p);
    if (v5) {
      p.retain = false;
      p.dup = false;
      p.payload = ByteView::of("{\"t\":21.5}");
      p.properties = props.publish.view();
      add("publish-qos" + std::to_string(qos) + "-properties", p);
    }
  }
  if (v5) {
    Publish alias;
    alias.topic = "";
    alias.properties = props.publish_alias.view();
    alias.payload = ByteView::of("x");
    add("publish-topic-alias-only", alias);
  }
  {
    Publish unicode;
    unicode.qos = QoS::at_least_once;
    unicode.packet_id = 7;
    unicode.topic = "caf\xC3\xA9/\xF0\x9F\x98\x80/\xEF\xBB\xBF";
    unicode.payload = ByteView::of(std::string_view("\x00\xFF\x80", 3));
    add("publish-unicode-topic", unicode);
  }

  // PUBACK, PUBREC, PUBREL, PUBCOMP
  const auto responses = [&](auto r, const std::string& name, std::uint8_t code) {
    r.packet_id = 42;
    add(name, r);
    if (v5) {
      r.reason_code = ReasonCode{code};
      add(name + "-reason", r);
      r.properties = props.ack.view();
      add(name + "-reason-properties", r);
      r.reason_code = ReasonCode::success;
      add(name + "-success-properties", r);
    }
  };
  responses(Puback{}, "puback", 0x10);
  responses(Pubrec{}, "pubrec", 0x97);
  responses(Pubrel{}, "pubrel", 0x92);
  responses(Pubcomp{}, "pubcomp", 0x92);

  // SUBSCRIBE
  Subscribe sub;
  sub.packet_id = 10;
  sub.subscriptions = {{"sport/tennis/player1/#", {QoS::at_most_once}},
                       {"sport/+/score", {QoS::at_least_once}},
                       {"#", {QoS::exactly_once}},
                       {"+", {QoS::at_least_once}},
                       {"/", {QoS::at_most_once}}};
  add("subscribe-several", sub);
  if (v5) {
    Subscribe sub5;
    sub5.packet_id = 11;
    sub5.properties = props.subscribe.view();
    sub5.subscriptions = {
        {"a/b", {QoS::exactly_once, true, true, 2}},
        {"$share/group/sensors/#", {QoS::at_least_once, false, false, 1}},
        {"c/+/d", {QoS::at_most_once, false, true, 0}},
    };
    add("subscribe-options-properties", sub5);
  }

  // SUBACK
  Suback suback;
  suback.packet_id = 10;
  suback.reason_codes = {ReasonCode::granted_qos_0, ReasonCode::granted_qos_1,
                         ReasonCode::granted_qos_2};
  if (v != ProtocolVersion::v3_1) suback.reason_codes.push_back(ReasonCode{0x80});
  add("suback", suback);
  if (v5) {
    Suback s5;
    s5.packet_id = 11;
    s5.properties = props.suback.view();
    s5.reason_codes = {ReasonCode{0x87}, ReasonCode{0x8F}, ReasonCode{0x91}, ReasonCode{0x97},
                       ReasonCode{0x9E}, ReasonCode{0xA1}, ReasonCode{0xA2}, ReasonCode{0x83}};
    add("suback-failures-properties", s5);
  }

  // UNSUBSCRIBE, UNSUBACK
  Unsubscribe unsub;
  unsub.packet_id = 12;
  unsub.filters = {"sport/tennis/player1/#", "sport/+/score", "#"};
  if (v5) {
    unsub.filters.emplace_back("$share/group/sensors/#");
    unsub.properties = props.unsubscribe.view();
  }
  add("unsubscribe", unsub);
  Unsuback unsuback;
  unsuback.packet_id = 12;
  if (v5) {
    unsuback.reason_codes = {ReasonCode::success, ReasonCode{0x11}, ReasonCode{0x80},
                             ReasonCode{0x87},    ReasonCode{0x8F}, ReasonCode{0x91}};
    unsuback.properties = props.ack.view();
  }
  add("unsuback", unsuback);

  // PINGREQ, PINGRESP
  add("pingreq", Pingreq{});
  add("pingresp", Pingresp{});

  // DISCONNECT
  add("disconnect", Disconnect{});
  if (v5) {
    Disconnect with_will;
    with_will.reason_code = ReasonCode::disconnect_with_will_message;
    add("disconnect-with-will", with_will);
    Disconnect props_d;
    props_d.reason_code = ReasonCode{0x80};
    props_d.properties = props.disconnect.view();
    add("disconnect-properties", props_d);
    Disconnect moved;
    moved.reason_code = ReasonCode::server_moved;
    moved.properties = props.disconnect_server.view();
    seeds.push_back({"disconnect-server-moved", moved});
  }

  // AUTH (5.0 only)
  if (v5) {
    add("auth-empty", Auth{});
    Auth cont;
    cont.reason_code = ReasonCode::continue_authentication;
    cont.properties = props.auth.view();
    add("auth-continue", cont);
    Auth re;
    re.reason_code = ReasonCode::re_authenticate;
    re.properties = props.auth.view();
    add("auth-reauthenticate", re);
  }
  return seeds;
}

struct Malformed {
  std::string name;
  Packet packet;
  Malformation malformation;
};

// The encoder's malformations, each applied to a packet where it means something.
std::vector<Malformed> malformed_for(ProtocolVersion v, const PropertyBlocks& props) {
  const bool v5 = v == ProtocolVersion::v5;
  std::vector<Malformed> out;
  const auto add = [&out](std::string name, Packet p, Malformation m) {
    out.push_back({std::move(name), std::move(p), std::move(m)});
  };
  Connect connect;
  connect.version = v;
  connect.client_id = "c1";
  connect.username = "u";
  connect.password = ByteView::of("p");
  if (v5) connect.properties = props.connect.view();
  Publish publish;
  publish.qos = QoS::at_least_once;
  publish.packet_id = 5;
  publish.topic = "a/b";
  publish.payload = ByteView::of("payload");
  if (v5) publish.properties = props.publish.view();
  Subscribe subscribe;
  subscribe.packet_id = 3;
  subscribe.subscriptions = {{"a/#", {QoS::at_least_once}}, {"b/+", {QoS::at_most_once}}};
  if (v5) subscribe.properties = props.subscribe.view();
  Puback puback;
  puback.packet_id = 9;
  if (v5) {
    puback.reason_code = ReasonCode{0x10};
    puback.properties = props.ack.view();
  }
  Connack connack;
  if (v5) connack.properties = props.connack.view();

  Malformation m;
  m.remaining_length = 0;
  add("publish-remaining-length-0", publish, m);
  m.remaining_length = 2;
  add("publish-remaining-length-short", publish, m);
  m.remaining_length = 200;
  add("publish-remaining-length-long", publish, m);
  m = {};
  m.remaining_length_width = 2;
  add("publish-remaining-length-width-2", publish, m);
  m.remaining_length_width = 4;
  add("pingreq-remaining-length-width-4", Pingreq{}, m);
  m.remaining_length_width = 5;
  add("publish-remaining-length-width-5", publish, m);
  m = {};
  m.fixed_header_flags = 0x0F;
  add("connect-fixed-header-flags", connect, m);
  m.fixed_header_flags = 0x00;
  add("subscribe-fixed-header-flags", subscribe, m);
  m.fixed_header_flags = 0x06;
  add("publish-qos-3", publish, m);
  m.fixed_header_flags = 0x08;
  add("publish-dup-qos-0", publish, m);
  m = {};
  m.packet_type = 0;
  add("packet-type-0", Pingreq{}, m);
  m.packet_type = 15;
  add("packet-type-15", Disconnect{}, m);
  m = {};
  m.protocol_level = 6;
  add("connect-level-6", connect, m);
  m.protocol_level = v5 ? 4 : 5;
  add("connect-level-other", connect, m);
  m = {};
  m.flags_byte = 0xC3;
  add("connect-reserved-flag", connect, m);
  m.flags_byte = 0xD8;
  add("connect-will-qos-without-will", connect, m);
  m.flags_byte = 0xE0;
  add("connect-will-retain-without-will", connect, m);
  m.flags_byte = 0x40;
  add("connect-password-without-username", connect, m);
  m.flags_byte = 0x00;
  add("connect-flags-zero", connect, m);
  m.flags_byte = 0xFE;
  add("connack-reserved-flags", connack, m);
  m = {};
  m.subscription_options_bits = 0xC0;
  add("subscribe-options-reserved", subscribe, m);
  m.subscription_options_bits = 0x03;
  add("subscribe-qos-3", subscribe, m);
  m.subscription_options_bits = 0x30;
  add("subscribe-retain-handling-3", subscribe, m);
  if (v5) {
    m = {};
    m.property_length = 0xFFFF;
    add("publish-property-length-long", publish, m);
    m.property_length = 1;
    add("puback-property-length-short", puback, m);
    m.property_length = 0;
    add("connack-property-length-0", connack, m);
  }
  m = {};
  m.string_lengths = {{"publish.topic", 0xFFFF}};
  add("publish-topic-length-long", publish, m);
  m.string_lengths = {{"connect.client_id", 0}};
  add("connect-client-id-length-0", connect, m);
  m.string_lengths = {{"connect.protocol_name", 3}};
  add("connect-protocol-name-length", connect, m);
  m.string_lengths = {{"subscribe.filter", 1}};
  add("subscribe-filter-length", subscribe, m);
  m = {};
  m.trailing = {0x00, 0x01, 0x02};
  add("pingresp-trailing", Pingresp{}, m);
  add("connack-trailing", connack, m);
  add("puback-trailing", puback, m);
  m.trailing = {0x00};
  add("subscribe-trailing-empty-filter", subscribe, m);
  m = {};
  m.truncate_to = 1;
  add("connect-truncated-1", connect, m);
  m.truncate_to = 6;
  add("connect-truncated-6", connect, m);
  m.truncate_to = 12;
  add("publish-truncated-12", publish, m);

  // Hand-written bad values the encoder writes as given.
  Publish wildcard = publish;
  wildcard.topic = "a/+/#";
  add("publish-topic-wildcard", wildcard, {});
  Publish nul = publish;
  nul.topic = std::string_view("a\0b", 3);
  add("publish-topic-nul", nul, {});
  Publish bad_utf8 = publish;
  bad_utf8.topic = "a\xED\xA0\x80z\xC0\xAF";
  add("publish-topic-bad-utf8", bad_utf8, {});
  Publish zero_id = publish;
  zero_id.packet_id = 0;
  add("publish-packet-id-0", zero_id, {});
  Subscribe bad_filters = subscribe;
  bad_filters.subscriptions = {{"a/#/b", {}},     {"a+/b", {}},        {"", {}},
                               {"$share//x", {}}, {"$share/g+/x", {}}, {"$share/g", {}}};
  add("subscribe-bad-filters", bad_filters, {});
  Subscribe none = subscribe;
  none.subscriptions.clear();
  add("subscribe-no-filters", none, {});
  if (v5) {
    Subscribe shared_no_local = subscribe;
    shared_no_local.subscriptions = {{"$share/g/x", {QoS::at_most_once, true, false, 0}}};
    add("subscribe-shared-no-local", shared_no_local, {});
    Connack bad_code;
    bad_code.reason_code = ReasonCode{0x04};
    add("connack-bad-reason-code", bad_code, {});
  }
  Connect long_id = connect;
  long_id.client_id = "a-client-identifier-longer-than-23";
  add("connect-long-client-id", long_id, {});
  Connect wrong_name = connect;
  wrong_name.protocol_name = v == ProtocolVersion::v3_1 ? "MQTT" : "MQIsdp";
  add("connect-wrong-protocol-name", wrong_name, {});
  Connack present_failure;
  present_failure.session_present = true;
  present_failure.reason_code = ReasonCode{v5 ? std::uint8_t{0x80} : std::uint8_t{0x02}};
  add("connack-session-present-on-failure", present_failure, {});
  return out;
}

// --- data-driven vectors (codec/tests/vectors/*.json) ------------------------------------------

std::optional<Bytes> parse_hex(std::string_view text) {
  Bytes out;
  int high = -1;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == ':' || c == '_') continue;
    int nibble = -1;
    if (c >= '0' && c <= '9') nibble = c - '0';
    if (c >= 'a' && c <= 'f') nibble = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') nibble = c - 'A' + 10;
    if (nibble < 0) return std::nullopt;
    if (high < 0) {
      high = nibble;
    } else {
      out.push_back(static_cast<std::uint8_t>((high << 4) | nibble));
      high = -1;
    }
  }
  if (high >= 0) return std::nullopt;
  return out;
}

// The bytes of a vector: [[hex, comment], ...]; a plain "hex" string is taken too, as entry or as
// the whole field.
std::optional<Bytes> vector_bytes(const nlohmann::json& field) {
  if (field.is_string()) return parse_hex(field.get<std::string>());
  if (!field.is_array()) return std::nullopt;
  Bytes out;
  for (const auto& entry : field) {
    const nlohmann::json* hex = &entry;
    if (entry.is_array()) {
      if (entry.empty()) return std::nullopt;
      hex = &entry[0];
    }
    if (!hex->is_string()) return std::nullopt;
    const auto bytes = parse_hex(hex->get<std::string>());
    if (!bytes) return std::nullopt;
    out.insert(out.end(), bytes->begin(), bytes->end());
  }
  return out;
}

std::string string_or(const nlohmann::json& object, const char* key, std::string fallback) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// Reads every *.json file of `dir` (sorted, so runs are reproducible). Returns the number of
// vectors turned into seeds; problems are reported and skipped.
int add_vectors(const fs::path& dir, CorpusWriter& writer) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    std::cerr << "make_corpus: no vectors folder " << dir.string() << " (skipped)\n";
    return 0;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  int count = 0;
  for (const fs::path& file : files) {
    nlohmann::json doc;
    try {
      std::ifstream in(file);
      doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      std::cerr << "make_corpus: " << file.string() << ": " << e.what() << " (skipped)\n";
      continue;
    }
    const auto vectors = doc.find("vectors");
    if (!doc.is_object() || vectors == doc.end() || !vectors->is_array()) {
      std::cerr << "make_corpus: " << file.string() << ": no \"vectors\" array (skipped)\n";
      continue;
    }
    const std::string stem = file_safe(file.stem().string());
    std::size_t index = 0;
    for (const auto& vec : *vectors) {
      ++index;
      if (!vec.is_object()) continue;
      const std::string name = string_or(vec, "name", "vector-" + std::to_string(index));
      const auto bytes = vec.contains("bytes") ? vector_bytes(vec["bytes"]) : std::nullopt;
      if (!bytes) {
        std::cerr << "make_corpus: " << file.string() << ": vector \"" << name
                  << "\": bytes missing or not hex (skipped)\n";
        continue;
      }
      const auto version =
          parse_protocol_version(string_or(vec, "protocol", "3.1.1")).value_or(ProtocolVersion::v5);
      const bool strict = string_or(vec, "mode", "strict") != "lenient";
      const std::string sender_name = string_or(vec, "sender", "");
      const Sender sender = sender_name == "client"   ? Sender::client
                            : sender_name == "server" ? Sender::server
                                                      : Sender::unknown;
      const std::uint8_t selector = make_selector(version, strict, sender);
      const std::string seed_name = "vec-" + stem + "-" + name;
      writer.decode_seed(seed_name, selector, *bytes);
      writer.stream_seed(seed_name, selector, static_cast<std::uint32_t>(index), *bytes);
      ++count;
    }
  }
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || std::string_view(argv[1]) == "--help") {
    std::cerr << "usage: make_corpus OUT_DIR [VECTORS_DIR]\n"
                 "  writes OUT_DIR/decode (fuzz_decode, fuzz_roundtrip) and OUT_DIR/stream "
                 "(fuzz_stream)\n";
    return 2;
  }
  CorpusWriter writer{fs::path(argv[1])};
  if (!writer.open()) return 1;

  const PropertyBlocks props;
  for (const ProtocolVersion v : all_versions) {
    const std::string level = level_name(v);
    const std::vector<Seed> seeds = packets_for(v, props);
    Bytes client_stream;
    Bytes server_stream;
    for (const Seed& seed : seeds) {
      const Bytes bytes = encode_or_die(seed.packet, v);
      const Sender sender = sender_of(seed.packet);
      writer.decode_seed(level + "-" + seed.name, make_selector(v, true, sender), bytes);
      Bytes& stream = sender == Sender::server ? server_stream : client_stream;
      stream.insert(stream.end(), bytes.begin(), bytes.end());
    }
    for (const Malformed& bad : malformed_for(v, props)) {
      const Bytes bytes = encode_or_die(bad.packet, v, &bad.malformation);
      writer.decode_seed(level + "-bad-" + bad.name, make_selector(v, false), bytes);
      writer.decode_seed(level + "-bad-" + bad.name + "-strict", make_selector(v, true), bytes);
    }
    // Whole sessions, each split three ways.
    for (std::uint32_t split = 1; split <= 3; ++split) {
      const std::string suffix = "-split" + std::to_string(split);
      writer.stream_seed(level + "-client-session" + suffix, make_selector(v, true, Sender::client),
                         split * 0x01000193U, client_stream);
      writer.stream_seed(level + "-server-session" + suffix, make_selector(v, true, Sender::server),
                         split * 0x01000193U, server_stream);
    }
    // A client stream read at another level than its CONNECT names: the framer must switch.
    const ProtocolVersion other =
        v == ProtocolVersion::v5 ? ProtocolVersion::v3_1_1 : ProtocolVersion::v5;
    writer.stream_seed(level + "-client-session-learn-level", make_selector(other, false), 7,
                       client_stream);
  }

  int vectors = 0;
  if (argc == 3) vectors = add_vectors(fs::path(argv[2]), writer);
  std::cout << "make_corpus: wrote " << writer.written() << " seeds (" << vectors
            << " from vectors) into " << argv[1] << "\n";
  return writer.ok() ? 0 : 1;
}
