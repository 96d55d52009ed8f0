#include "gauntlet/fuzzer/generator.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "gauntlet/codec/codec.hpp"

namespace gauntlet::fuzzer {
namespace {

using codec::PacketType;
using codec::PropertyId;
using codec::ProtocolVersion;
using codec::QoS;

constexpr std::string_view lane_prefix = "gf/L";  // topics: gf/L07/...
constexpr std::string_view id_prefix = "gfL";     // client ids: gfL07a

// The lane's topics: few, so that subscriptions, retained messages and wills meet often. The
// filters cover each wildcard and shared subscriptions; every filter matches some topic.
constexpr std::array<std::string_view, 4> topic_suffixes = {"a", "b", "a/x", "b/x"};
constexpr std::array<std::string_view, 8> filter_suffixes = {"a",   "+",   "#",   "+/x",
                                                             "a/#", "b/+", "+/+", "b"};

std::uint32_t draw(netfuzz::Rng& rng, std::uint32_t low, std::uint32_t high) {
  return static_cast<std::uint32_t>(rng.range(low, high));
}

/// Picks an index by weight (weights must not all be zero).
template <std::size_t N>
std::size_t weighted(netfuzz::Rng& rng, const std::array<std::uint32_t, N>& weights) {
  std::uint64_t total = 0;
  for (const std::uint32_t w : weights)
    total += w;
  std::uint64_t point = rng.below(total);
  for (std::size_t i = 0; i < N; ++i) {
    if (point < weights[i]) return i;
    point -= weights[i];
  }
  return N - 1;
}

template <typename Response>
Response acknowledgement_of(std::uint16_t id) {
  Response response;
  response.packet_id = id;
  return response;
}

/// A uniformly chosen element of a fixed array.
template <typename T, std::size_t N>
const T& pick(netfuzz::Rng& rng, const std::array<T, N>& items) {
  return rng.pick(std::span<const T>(items));
}

}  // namespace

std::string lane_token(std::uint32_t lane) {
  const std::uint32_t n = lane % 100;
  return std::string("L") + static_cast<char>('0' + n / 10) + static_cast<char>('0' + n % 10);
}

namespace {

/// Rewrites the lane tokens in `b` (bytes or text) to `token`.
template <typename Buffer>
void retoken(Buffer& b, const std::string& token) {
  for (const std::string_view prefix : {lane_prefix, id_prefix}) {
    const std::size_t head = prefix.size() - 1;  // the prefix without its "L"
    for (std::size_t i = 0; i + head + 3 <= b.size(); ++i) {
      if (!std::equal(prefix.begin(), prefix.end(), b.begin() + static_cast<std::ptrdiff_t>(i)))
        continue;
      const std::size_t digits = i + head + 1;
      if (digits + 2 > b.size() || b[digits] < '0' || b[digits] > '9' || b[digits + 1] < '0' ||
          b[digits + 1] > '9')
        continue;
      b[digits] = static_cast<typename Buffer::value_type>(token[1]);
      b[digits + 1] = static_cast<typename Buffer::value_type>(token[2]);
    }
  }
}

}  // namespace

void move_to_lane(Sequence& sequence, std::uint32_t lane) {
  const std::string token = lane_token(lane);
  for (Step& step : sequence.steps) {
    retoken(step.bytes, token);
    retoken(step.note, token);
  }
}

// --- fresh sequences from the protocol model ---------------------------------------------------

/// The protocol state the generator believes each client is in, and the sequence being built.
struct Generator::Builder {
  struct Slot {
    ProtocolVersion version = ProtocolVersion::v5;
    std::string own_id;
    bool open = false;
    std::string id;  ///< the client id of the current connection
    std::uint16_t next_packet_id = 1;
    std::vector<std::uint16_t> qos2_unreleased;    ///< our QoS 2 PUBLISHes awaiting our PUBREL
    std::map<std::uint16_t, std::string> aliases;  ///< topic aliases this connection set
    std::uint16_t alias_maximum = 0;  ///< what the broker allows: assumed from our guesses
    bool subscriber = true;
    bool publisher = true;
  };

  Generator& g;
  netfuzz::Rng& rng;
  std::string topic_base;  ///< "gf/L07/"
  std::vector<Slot> slots;
  Sequence out;

  Builder(Generator& generator, std::uint32_t lane)
      : g(generator),
        rng(generator.mutator_.rng()),
        topic_base(std::string(lane_prefix.substr(0, lane_prefix.size() - 1)) + lane_token(lane) +
                   "/") {
    const std::uint32_t count = draw(rng, rng.chance(15) ? 1 : 2, g.config_.max_clients);
    const std::vector<ProtocolVersion> levels(g.config_.protocols.begin(),
                                              g.config_.protocols.end());
    const bool has_v5 = g.config_.protocols.contains(ProtocolVersion::v5);
    for (std::uint32_t i = 0; i < count; ++i) {
      Slot slot;
      // 5.0 carries most of the state worth fuzzing (aliases, properties, AUTH): mostly 5.0.
      slot.version = has_v5 && rng.chance(70)
                         ? ProtocolVersion::v5
                         : levels[static_cast<std::size_t>(rng.below(levels.size()))];
      slot.own_id = std::string(id_prefix.substr(0, id_prefix.size() - 1)) + lane_token(lane) +
                    static_cast<char>('a' + i);
      slots.push_back(std::move(slot));
      out.clients.push_back({slots.back().version});
    }
  }

  std::string topic() { return topic_base + std::string(pick(rng, topic_suffixes)); }
  std::string filter() {
    std::string f = topic_base + std::string(pick(rng, filter_suffixes));
    if (rng.chance(15)) f = "$share/g/" + f;
    return f;
  }
  bool v5(const Slot& s) const { return s.version == ProtocolVersion::v5; }
  std::uint16_t packet_id(Slot& s) {
    const std::uint16_t id = s.next_packet_id++;
    if (s.next_packet_id == 0) s.next_packet_id = 1;
    return id;
  }

  /// Encodes `packet`, mutated with the configured chance, as a send step of `client`.
  void emit(std::uint8_t client, const codec::Packet& packet, std::string note,
            std::uint32_t mutate_percent) {
    const Slot& s = slots[client];
    Step step;
    step.client = client;
    step.type = codec::packet_type(packet);
    if (rng.chance(mutate_percent)) {
      netfuzz::MutatedPacket mutated = g.mutator_.mutate(packet, s.version, g.config_.budget);
      step.bytes = std::move(mutated.bytes);
      step.mutated = !mutated.mutations.empty();
      for (const netfuzz::Mutation& m : mutated.mutations)
        note += "; " + m.to_string();
    } else if (codec::encode(packet, s.version, step.bytes)) {
      return;  // cannot happen for the packets built here; nothing to send
    }
    step.note = std::move(note);
    out.steps.push_back(std::move(step));
  }

  void open(std::uint8_t client) {
    Slot& s = slots[client];
    out.steps.push_back({Step::Action::open, client, {}, std::nullopt, false, {}});
    s.open = true;
    s.aliases.clear();
    s.qos2_unreleased.clear();

    netfuzz::Arena arena;
    codec::Connect connect;
    connect.version = s.version;
    // Take over another open client's id now and then: session takeover and resume.
    std::vector<std::string> taken;
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (i != client && slots[i].open) taken.push_back(slots[i].id);
    }
    if (!taken.empty() && rng.chance(40)) {
      s.id = taken[static_cast<std::size_t>(rng.below(taken.size()))];
    } else if (rng.chance(4)) {
      s.id.clear();  // the broker assigns one (5.0) or refuses (3.1.1 with Clean Session 0)
    } else {
      s.id = s.own_id;
    }
    connect.client_id = arena.keep(s.id);
    // Below 5.0 an empty client id needs Clean Session 1 (MQTT-3.1.3-7).
    connect.clean_start = rng.chance(60) || (s.id.empty() && !v5(s));
    connect.keep_alive = rng.chance(80) ? 60 : static_cast<std::uint16_t>(draw(rng, 0, 5));
    std::string note = "connect id=" + s.id + (connect.clean_start ? " clean" : " resume");
    codec::PropertyBuilder properties;
    if (v5(s)) {
      if (rng.chance(50)) {
        const std::array<std::uint32_t, 4> expiry = {0, 5, 300, 0xFFFFFFFF};
        properties.add(PropertyId::session_expiry_interval, pick(rng, expiry));
      }
      if (rng.chance(25)) properties.add(PropertyId::receive_maximum, draw(rng, 1, 4));
      if (rng.chance(30)) properties.add(PropertyId::topic_alias_maximum, draw(rng, 1, 4));
      if (rng.chance(10)) properties.add(PropertyId::maximum_packet_size, draw(rng, 20, 512));
      if (rng.chance(10)) properties.add(PropertyId::request_response_information, 1);
      if (rng.chance(10)) properties.add(PropertyId::request_problem_information, 0);
      if (rng.chance(10)) properties.add_user_property("k", "v");
      if (rng.chance(5)) {
        properties.add(PropertyId::authentication_method, "GAUNTLET-FUZZ");
        note += " auth";
      }
    }
    codec::PropertyBuilder will_properties;
    if (rng.chance(35)) {
      codec::Will will;
      will.topic = arena.keep(topic());
      will.payload = arena.keep_bytes(std::string("will of ") + s.id);
      will.qos = static_cast<QoS>(draw(rng, 0, 2));
      will.retain = rng.chance(25);
      if (v5(s) && rng.chance(30)) {
        will_properties.add(PropertyId::will_delay_interval, draw(rng, 0, 2));
        will.properties = will_properties.view();
      }
      connect.will = will;
      note += " will=" + std::string(will.topic);
    }
    connect.properties = properties.view();
    // A broken CONNECT ends the connection and everything after it: mutate it rarely.
    emit(client, codec::Packet(connect), std::move(note), g.config_.mutate_percent / 5);
    // The generator cannot know the broker's Topic Alias Maximum; it assumes a small one.
    s.alias_maximum = v5(s) ? 4 : 0;
  }

  void publish(std::uint8_t client) {
    Slot& s = slots[client];
    netfuzz::Arena arena;
    codec::Publish publish;
    const std::string topic_name = topic();
    publish.topic = arena.keep(topic_name);
    const std::array<std::uint32_t, 3> qos_weights = {30, 30, 40};
    publish.qos = static_cast<QoS>(weighted(rng, qos_weights));
    publish.retain = rng.chance(40);
    if (publish.qos != QoS::at_most_once) publish.packet_id = packet_id(s);
    publish.payload =
        arena.keep_bytes(rng.chance(20) ? std::string() : "m" + std::to_string(out.steps.size()));
    std::string note = "publish qos" + std::to_string(static_cast<int>(publish.qos)) +
                       (publish.retain ? " retain" : "") + " " + topic_name;
    codec::PropertyBuilder properties;
    if (v5(s)) {
      if (s.alias_maximum > 0 && rng.chance(50)) {
        // Set an alias, or (once one is set) use it with an empty topic.
        if (!s.aliases.empty() && rng.chance(40)) {
          auto it = s.aliases.begin();
          std::advance(it, static_cast<std::ptrdiff_t>(rng.below(s.aliases.size())));
          properties.add(PropertyId::topic_alias, it->first);
          publish.topic = {};
          note = "publish qos" + std::to_string(static_cast<int>(publish.qos)) +
                 (publish.retain ? " retain" : "") + " alias=" + std::to_string(it->first) + " (" +
                 it->second + ")";
        } else {
          const auto alias = static_cast<std::uint16_t>(draw(rng, 1, s.alias_maximum));
          properties.add(PropertyId::topic_alias, alias);
          s.aliases[alias] = topic_name;
          note += " alias=" + std::to_string(alias);
        }
      }
      if (rng.chance(10)) properties.add(PropertyId::message_expiry_interval, draw(rng, 0, 10));
      if (rng.chance(10)) properties.add(PropertyId::payload_format_indicator, 1);
      if (rng.chance(10)) properties.add(PropertyId::response_topic, topic());
      if (rng.chance(10)) properties.add_user_property("u", "1");
    }
    publish.properties = properties.view();
    emit(client, codec::Packet(publish), std::move(note), g.config_.mutate_percent);
    if (publish.qos == QoS::exactly_once) s.qos2_unreleased.push_back(publish.packet_id);
  }

  void pubrel(std::uint8_t client) {
    Slot& s = slots[client];
    codec::Pubrel pubrel;
    if (!s.qos2_unreleased.empty()) {
      const auto at = static_cast<std::ptrdiff_t>(rng.below(s.qos2_unreleased.size()));
      pubrel.packet_id = s.qos2_unreleased[static_cast<std::size_t>(at)];
      s.qos2_unreleased.erase(s.qos2_unreleased.begin() + at);
    } else {
      pubrel.packet_id = static_cast<std::uint16_t>(draw(rng, 1, 8));
    }
    emit(client, codec::Packet(pubrel), "pubrel " + std::to_string(pubrel.packet_id),
         g.config_.mutate_percent);
  }

  void subscribe(std::uint8_t client) {
    Slot& s = slots[client];
    netfuzz::Arena arena;
    codec::Subscribe subscribe;
    subscribe.packet_id = packet_id(s);
    std::string note = "subscribe";
    const std::uint32_t count = rng.chance(75) ? 1 : 2;
    for (std::uint32_t i = 0; i < count; ++i) {
      codec::Subscription entry;
      const std::string f = filter();
      entry.filter = arena.keep(f);
      const std::array<std::uint32_t, 3> qos_weights = {20, 30, 50};
      entry.options.qos = static_cast<QoS>(weighted(rng, qos_weights));
      if (v5(s)) {
        // No Local on a shared subscription is a Protocol Error (MQTT-3.8.3-4): valid packets
        // only; mutations break rules on purpose.
        entry.options.no_local = !f.starts_with("$share/") && rng.chance(10);
        entry.options.retain_as_published = rng.chance(20);
        entry.options.retain_handling = static_cast<std::uint8_t>(draw(rng, 0, 2));
      }
      note += " " + f + " qos" + std::to_string(static_cast<int>(entry.options.qos));
      subscribe.subscriptions.push_back(entry);
    }
    codec::PropertyBuilder properties;
    if (v5(s) && rng.chance(20))
      properties.add(PropertyId::subscription_identifier, draw(rng, 1, 3));
    subscribe.properties = properties.view();
    emit(client, codec::Packet(subscribe), std::move(note), g.config_.mutate_percent);
  }

  void unsubscribe(std::uint8_t client) {
    Slot& s = slots[client];
    netfuzz::Arena arena;
    codec::Unsubscribe unsubscribe;
    unsubscribe.packet_id = packet_id(s);
    std::string note = "unsubscribe";
    const std::uint32_t count = rng.chance(75) ? 1 : 2;
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::string f = filter();
      unsubscribe.filters.push_back(arena.keep(f));
      note += " " + f;
    }
    emit(client, codec::Packet(unsubscribe), std::move(note), g.config_.mutate_percent);
  }

  void acknowledgement(std::uint8_t client) {
    // Acknowledgements the broker did not ask for (the client answers its real flows itself).
    const auto id = static_cast<std::uint16_t>(draw(rng, 1, 8));
    const std::array<codec::Packet, 3> acknowledgements = {acknowledgement_of<codec::Puback>(id),
                                                           acknowledgement_of<codec::Pubrec>(id),
                                                           acknowledgement_of<codec::Pubcomp>(id)};
    const codec::Packet& packet = pick(rng, acknowledgements);
    emit(client, packet, packet_name(codec::packet_type(packet)) + " " + std::to_string(id),
         g.config_.mutate_percent);
  }

  void auth(std::uint8_t client) {
    codec::Auth auth;
    auth.reason_code = rng.chance(50) ? codec::ReasonCode::continue_authentication
                                      : codec::ReasonCode::re_authenticate;
    codec::PropertyBuilder properties;
    properties.add(PropertyId::authentication_method, "GAUNTLET-FUZZ");
    if (rng.chance(50))
      properties.add_binary(PropertyId::authentication_data, codec::ByteView::of("x"));
    auth.properties = properties.view();
    emit(client, codec::Packet(auth), "auth", g.config_.mutate_percent);
  }

  void end(std::uint8_t client) {
    Slot& s = slots[client];
    if (rng.chance(35)) {
      out.steps.push_back({Step::Action::drop, client, {}, std::nullopt, false, {}});
    } else {
      codec::Disconnect disconnect;
      codec::PropertyBuilder properties;
      std::string note = "disconnect";
      if (v5(s) && rng.chance(40)) {
        disconnect.reason_code = codec::ReasonCode::disconnect_with_will_message;
        note += " with will";
      }
      if (v5(s) && rng.chance(20)) {
        properties.add(PropertyId::session_expiry_interval, draw(rng, 0, 60));
        disconnect.properties = properties.view();
      }
      emit(client, codec::Packet(disconnect), std::move(note), g.config_.mutate_percent);
    }
    s.open = false;
  }

  void act(std::uint8_t client) {
    Slot& s = slots[client];
    if (!s.open) {
      open(client);
      return;
    }
    // publish, pubrel, subscribe, unsubscribe, ping, acknowledgement, auth, end: by role, and a
    // QoS 2 flow of ours is usually completed next.
    std::array<std::uint32_t, 8> weights = {s.publisher ? 40U : 4U,
                                            s.qos2_unreleased.empty() ? 1U : 60U,
                                            s.subscriber ? 12U : 3U,
                                            s.subscriber ? 8U : 2U,
                                            3,
                                            3,
                                            v5(s) ? 2U : 0U,
                                            6};
    switch (weighted(rng, weights)) {
      case 0:
        publish(client);
        break;
      case 1:
        pubrel(client);
        break;
      case 2:
        subscribe(client);
        break;
      case 3:
        unsubscribe(client);
        break;
      case 4:
        emit(client, codec::Packet(codec::Pingreq{}), "pingreq", g.config_.mutate_percent);
        break;
      case 5:
        acknowledgement(client);
        break;
      case 6:
        auth(client);
        break;
      default:
        end(client);
        break;
    }
  }
};

Generator::Generator(std::uint64_t seed, GeneratorConfig config)
    : config_(std::move(config)), mutator_(seed) {
  if (config_.protocols.empty()) config_.protocols = {ProtocolVersion::v3_1_1};
  config_.max_clients = std::clamp<std::uint32_t>(config_.max_clients, 1, 8);
  config_.max_steps = std::max(config_.max_steps, config_.min_steps);
}

Sequence Generator::generate(std::uint32_t lane) {
  Builder b(*this, lane);
  // Roles, as in a real deployment: subscribers subscribe first and mostly listen, publishers
  // publish (and finish their QoS 2 flows); a client may be both.
  for (auto& slot : b.slots) {
    const std::uint64_t role = b.rng.below(10);
    slot.subscriber = role < 6;
    slot.publisher = role >= 3;
  }
  // 1. Everyone connects (the later ones may take over an earlier one's session).
  for (std::size_t k = 0; k < b.slots.size(); ++k)
    b.open(static_cast<std::uint8_t>(k));
  // 2. Subscribers subscribe.
  for (std::size_t k = 0; k < b.slots.size(); ++k) {
    if (!b.slots[k].subscriber) continue;
    const std::uint32_t times = draw(b.rng, 1, 2);
    for (std::uint32_t t = 0; t < times; ++t)
      b.subscribe(static_cast<std::uint8_t>(k));
  }
  // 3. Everyone acts by role; a closed client comes back now and then (a resume, a takeover).
  const std::uint32_t steps = draw(b.rng, config_.min_steps, config_.max_steps);
  for (std::uint32_t i = 0; i < steps; ++i) {
    std::vector<std::uint32_t> weights;
    for (const auto& slot : b.slots) {
      weights.push_back(!slot.open ? 2 : slot.publisher || !slot.qos2_unreleased.empty() ? 10 : 4);
    }
    std::uint64_t total = 0;
    for (const std::uint32_t w : weights)
      total += w;
    std::uint64_t point = b.rng.below(total);
    std::uint8_t client = 0;
    for (std::size_t k = 0; k < weights.size(); ++k) {
      if (point < weights[k]) {
        client = static_cast<std::uint8_t>(k);
        break;
      }
      point -= weights[k];
    }
    b.act(client);
  }
  return std::move(b.out);
}

// --- variations of corpus entries
// -----------------------------------------------------------------

Sequence Generator::evolve(const Sequence& parent, const Sequence& other, std::uint32_t lane) {
  Sequence child = parent;
  netfuzz::Rng& r = rng();
  const std::uint32_t operations = draw(r, 1, 3);
  for (std::uint32_t op = 0; op < operations; ++op) {
    std::vector<std::size_t> sends;
    for (std::size_t i = 0; i < child.steps.size(); ++i) {
      if (child.steps[i].action == Step::Action::send) sends.push_back(i);
    }
    const std::array<std::uint32_t, 6> kinds = {35, 15, 15, 15, 10, 10};
    switch (weighted(r, kinds)) {
      case 0: {  // mutate one packet again, through its model when it still decodes
        if (sends.empty()) break;
        Step& step = child.steps[sends[static_cast<std::size_t>(r.below(sends.size()))]];
        const ProtocolVersion version = child.clients[step.client].version;
        codec::DecodeOptions options;
        options.version = version;
        options.strict = false;
        const codec::DecodeResult decoded = codec::decode(codec::ByteView(step.bytes), options);
        if (decoded.ok()) {
          netfuzz::MutatedPacket mutated =
              mutator_.mutate(decoded.packet(), version, config_.budget);
          step.bytes = std::move(mutated.bytes);
          step.mutated = true;
          for (const netfuzz::Mutation& m : mutated.mutations)
            step.note += "; " + m.to_string();
        } else if (!step.bytes.empty()) {
          const auto at = static_cast<std::size_t>(r.below(step.bytes.size()));
          step.bytes[at] ^= static_cast<std::uint8_t>(1U << r.below(8));
          step.mutated = true;
          step.note += "; bytes.bit_flip at " + std::to_string(at);
        }
        break;
      }
      case 1: {  // remove a step (never the first open)
        if (child.steps.size() <= 2) break;
        const auto at = static_cast<std::ptrdiff_t>(r.range(1, child.steps.size() - 1));
        child.steps.erase(child.steps.begin() + at);
        break;
      }
      case 2: {  // repeat a packet
        if (sends.empty()) break;
        const std::size_t at = sends[static_cast<std::size_t>(r.below(sends.size()))];
        const Step copy = child.steps[at];
        child.steps.insert(child.steps.begin() + static_cast<std::ptrdiff_t>(at) + 1, copy);
        break;
      }
      case 3: {  // splice: the other entry's tail, on our clients
        if (other.steps.empty()) break;
        const auto from = static_cast<std::size_t>(r.below(other.steps.size()));
        for (std::size_t i = from; i < other.steps.size() && child.steps.size() < 64; ++i) {
          Step step = other.steps[i];
          step.client = static_cast<std::uint8_t>(step.client % child.clients.size());
          child.steps.push_back(std::move(step));
        }
        break;
      }
      case 4: {  // a fresh valid packet of any client-to-server type, anywhere after an open
        const auto client = static_cast<std::uint8_t>(r.below(child.clients.size()));
        const std::array<PacketType, 8> types = {
            PacketType::publish, PacketType::pubrel, PacketType::subscribe, PacketType::unsubscribe,
            PacketType::pingreq, PacketType::puback, PacketType::auth,      PacketType::disconnect};
        const PacketType type = pick(r, types);
        const ProtocolVersion version = child.clients[client].version;
        const netfuzz::OwnedPacket packet = mutator_.generate(type, version);
        Step step;
        step.client = client;
        step.type = type;
        if (codec::encode(packet.packet, version, step.bytes)) break;
        step.note = "generated " + std::string(codec::to_string(type));
        const auto at = static_cast<std::ptrdiff_t>(r.range(1, child.steps.size()));
        child.steps.insert(child.steps.begin() + at, std::move(step));
        break;
      }
      default: {  // cut the tail
        if (child.steps.size() <= 3) break;
        child.steps.resize(static_cast<std::size_t>(r.range(3, child.steps.size() - 1)));
        break;
      }
    }
  }
  if (child.steps.size() > 64) child.steps.resize(64);
  move_to_lane(child, lane);
  return child;
}

}  // namespace gauntlet::fuzzer
