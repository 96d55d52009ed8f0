// PcapWriter tests. A realistic MQTT exchange (3.1.1 and 5.0: CONNECT split across two records,
// CONNACK, SUBSCRIBE/SUBACK, PUBLISH QoS 1 + PUBACK, PUBACK and a PUBLISH in one record, the QoS 2
// flow, a 100 KB PUBLISH, PINGREQ/PINGRESP, UNSUBSCRIBE/UNSUBACK, DISCONNECT) is encoded with
// gauntlet::codec and written to a capture, which is then
//   * read back with libpcap: Ethernet/IPv4/TCP headers, checksums, lengths, the handshake,
//     sequence and acknowledgement numbers, segment sizes, the FIN exchange and the MQTT bytes;
//   * dissected by tshark: every MQTT packet with the right type in order, the right topics, and
//     no malformed packet or expert warning/error (with IPv4 and TCP checksum validation on).
// tshark must be installed; without it the dissector tests fail (ci/install-deps.sh installs it).
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "gauntlet/client/pcap_writer.hpp"
#include "gauntlet/codec/codec.hpp"

namespace gauntlet::client {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;
using Direction = PcapWriter::Direction;
using codec::ProtocolVersion;
using codec::QoS;

struct Record {
  Direction direction;
  Bytes bytes;
};

/// A scripted exchange: the records to write, and what a dissector must find in them.
struct Exchange {
  std::vector<Record> records;
  std::vector<int> types;           ///< MQTT packet types, in stream order
  std::vector<std::string> topics;  ///< topics and filters, in stream order
};

class ExchangeBuilder {
 public:
  explicit ExchangeBuilder(ProtocolVersion version) : version_(version) {}

  /// Encodes `packet` and appends it to a new record (or to the last one when `join` is set).
  ExchangeBuilder& add(Direction direction, const codec::Packet& packet, bool join = false) {
    Bytes bytes;
    const auto error = codec::encode(packet, version_, bytes);
    EXPECT_FALSE(error.has_value())
        << (error ? error->field : "") << ": " << (error ? error->reason : "");
    if (join && !exchange_.records.empty() && exchange_.records.back().direction == direction) {
      auto& last = exchange_.records.back().bytes;
      last.insert(last.end(), bytes.begin(), bytes.end());
    } else {
      exchange_.records.push_back({direction, std::move(bytes)});
    }
    exchange_.types.push_back(static_cast<int>(codec::packet_type(packet)));
    return *this;
  }

  /// Like add(), but the packet is written as two records cut after `first` bytes.
  ExchangeBuilder& add_split(Direction direction, const codec::Packet& packet, std::size_t first) {
    add(direction, packet);
    Bytes whole = std::move(exchange_.records.back().bytes);
    exchange_.records.pop_back();
    const auto cut = whole.begin() + static_cast<std::ptrdiff_t>(first);
    exchange_.records.push_back({direction, Bytes(whole.begin(), cut)});
    exchange_.records.push_back({direction, Bytes(cut, whole.end())});
    return *this;
  }

  ExchangeBuilder& topic(std::string name) {
    exchange_.topics.push_back(std::move(name));
    return *this;
  }

  Exchange take() { return std::move(exchange_); }

 private:
  ProtocolVersion version_;
  Exchange exchange_;
};

template <typename Response>
Response response(std::uint16_t packet_id) {
  Response r;
  r.packet_id = packet_id;
  return r;
}

Exchange realistic_exchange(ProtocolVersion version, const Bytes& big_payload) {
  const bool v5 = version == ProtocolVersion::v5;
  codec::PropertyBuilder connect_props;
  codec::PropertyBuilder publish_props;
  codec::PropertyBuilder subscribe_props;
  if (v5) {
    connect_props.add(codec::PropertyId::session_expiry_interval, 300);
    publish_props.add(codec::PropertyId::content_type, "text/plain")
        .add_user_property("origin", "gauntlet");
    subscribe_props.add(codec::PropertyId::subscription_identifier, 7);
  }
  const auto to = Direction::to_broker;
  const auto from = Direction::from_broker;

  codec::Connect connect;
  connect.version = version;
  connect.client_id = "gauntlet-pcap";
  connect.keep_alive = 30;
  connect.username = "tester";
  connect.properties = connect_props.view();

  codec::Subscribe subscribe;
  subscribe.packet_id = 1;
  subscribe.properties = subscribe_props.view();
  subscribe.subscriptions = {{"sensors/+/temp", {QoS::exactly_once}},
                             {"alerts/#", {QoS::at_least_once}}};
  codec::Suback suback;
  suback.packet_id = 1;
  suback.reason_codes = {codec::ReasonCode::granted_qos_2, codec::ReasonCode::granted_qos_1};

  const auto publish = [&](QoS qos, std::uint16_t id, std::string_view topic,
                           std::string_view payload) {
    codec::Publish p;
    p.qos = qos;
    p.packet_id = id;
    p.topic = topic;
    p.properties = publish_props.view();
    p.payload = codec::ByteView::of(payload);
    return p;
  };
  codec::Publish big = publish(QoS::at_least_once, 9, "sensors/big/temp", "");
  big.payload = codec::ByteView(big_payload);

  codec::Unsubscribe unsubscribe;
  unsubscribe.packet_id = 10;
  unsubscribe.filters = {"alerts/#"};
  codec::Unsuback unsuback;
  unsuback.packet_id = 10;
  if (v5) unsuback.reason_codes = {codec::ReasonCode::success};

  ExchangeBuilder b(version);
  b.add_split(to, connect, 5)
      .add(from, codec::Connack{})
      .add(to, subscribe)
      .topic("sensors/+/temp")
      .topic("alerts/#")
      .add(from, suback)
      // QoS 1 out, and the broker's PUBACK arriving with a QoS 0 PUBLISH in the same read.
      .add(to, publish(QoS::at_least_once, 2, "sensors/a/temp", "21.5"))
      .topic("sensors/a/temp")
      .add(from, response<codec::Puback>(2))
      .add(from, publish(QoS::at_most_once, 0, "sensors/b/temp", "19.0"), true)
      .topic("sensors/b/temp")
      // The QoS 2 flow.
      .add(to, publish(QoS::exactly_once, 3, "sensors/c/temp", "22.25"))
      .topic("sensors/c/temp")
      .add(from, response<codec::Pubrec>(3))
      .add(to, response<codec::Pubrel>(3))
      .add(from, response<codec::Pubcomp>(3))
      // 100 KB inbound: one record, more than one TCP segment.
      .add(from, big)
      .topic("sensors/big/temp")
      .add(to, response<codec::Puback>(9))
      .add(to, codec::Pingreq{})
      .add(from, codec::Pingresp{})
      .add(to, unsubscribe)
      .topic("alerts/#")
      .add(from, unsuback)
      .add(to, codec::Disconnect{});
  return b.take();
}

Bytes big_payload() {
  Bytes payload(std::size_t{100} * 1024);
  for (std::size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<std::uint8_t>('a' + i % 26);
  return payload;
}

const auto start_time = std::chrono::system_clock::time_point(1'700'000'000s);

/// A capture file in the test temp directory, removed when the test passed (kept when it failed,
/// or when GAUNTLET_KEEP_PCAP is set, for a look in Wireshark).
class TempCapture {
 public:
  TempCapture() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ =
        std::filesystem::path(::testing::TempDir()) /
        ("gauntlet_pcap_" + std::string(info->name()) + "_" + std::to_string(::getpid()) + ".pcap");
  }
  TempCapture(const TempCapture&) = delete;
  TempCapture& operator=(const TempCapture&) = delete;
  ~TempCapture() {
    std::error_code ec;
    if (!::testing::Test::HasFailure() && std::getenv("GAUNTLET_KEEP_PCAP") == nullptr)
      std::filesystem::remove(path_, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Writes the exchange, one record every millisecond from start_time + 1 ms.
PcapEndpoints write_capture(const std::filesystem::path& path, const Exchange& exchange,
                            const PcapEndpoints& endpoints) {
  std::string error;
  auto writer = PcapWriter::open(path, endpoints, error, start_time);
  EXPECT_NE(writer, nullptr) << error;
  if (writer == nullptr) return endpoints;
  auto at = start_time;
  for (const auto& record : exchange.records)
    writer->record(record.direction, codec::ByteView(record.bytes), at += 1ms);
  writer->close(at + 1ms);
  EXPECT_TRUE(writer->ok()) << writer->error();
  return writer->endpoints();
}

// ---------------------------------------------------------------------------------------------
// Read back with libpcap.

struct Frame {
  double time = 0;
  std::uint32_t src_ip = 0, dst_ip = 0;
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  Bytes tcp_options;
  Bytes payload;
};

std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8U | p[1]);
}
std::uint32_t be32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(be16(p)) << 16U | be16(p + 2);
}
std::uint32_t ip_of(const std::array<std::uint8_t, 4>& a) {
  return be32(a.data());
}

/// One's-complement sum of 16-bit words, folded; 0xffff when a checksummed block is intact.
std::uint16_t ones_sum(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i < n; i += 2)
    sum += i + 1 < n ? be16(p + i) : static_cast<std::uint32_t>(p[i] << 8U);
  while (sum > 0xffffU)
    sum = (sum & 0xffffU) + (sum >> 16U);
  return static_cast<std::uint16_t>(sum);
}

std::vector<Frame> read_frames(const std::filesystem::path& path) {
  std::vector<Frame> frames;
  std::array<char, PCAP_ERRBUF_SIZE> errbuf{};
  pcap_t* handle = pcap_open_offline(path.string().c_str(), errbuf.data());
  EXPECT_NE(handle, nullptr) << errbuf.data();
  if (handle == nullptr) return frames;
  EXPECT_EQ(pcap_datalink(handle), DLT_EN10MB);
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(handle, &header, &data) == 1) {
    SCOPED_TRACE("frame " + std::to_string(frames.size() + 1));
    EXPECT_EQ(header->caplen, header->len);
    EXPECT_GE(header->caplen, 54U);
    if (header->caplen < 54) break;
    EXPECT_EQ(be16(data + 12), 0x0800);  // IPv4
    const std::uint8_t* ip = data + 14;
    EXPECT_EQ(ip[0], 0x45);
    EXPECT_EQ(be16(ip + 2), header->caplen - 14);  // total length
    EXPECT_EQ(be16(ip + 6), 0x4000);               // DF, no fragment
    EXPECT_EQ(ip[9], 6);                           // TCP
    EXPECT_EQ(ones_sum(ip, 20), 0xffff) << "IPv4 header checksum";
    const std::uint8_t* tcp = ip + 20;
    const std::size_t tcp_length = header->caplen - 34;
    const std::size_t data_offset = std::size_t{tcp[12]} / 16 * 4;
    // Pseudo-header: addresses, protocol 6, TCP length.
    std::uint32_t pseudo = ones_sum(ip + 12, 8);
    pseudo += 6 + static_cast<std::uint32_t>(tcp_length);
    EXPECT_EQ(ones_sum(tcp, tcp_length, pseudo), 0xffff) << "TCP checksum";
    Frame f;
    f.time = static_cast<double>(header->ts.tv_sec) + static_cast<double>(header->ts.tv_usec) / 1e6;
    f.src_ip = be32(ip + 12);
    f.dst_ip = be32(ip + 16);
    f.src_port = be16(tcp);
    f.dst_port = be16(tcp + 2);
    f.seq = be32(tcp + 4);
    f.ack = be32(tcp + 8);
    f.flags = tcp[13];
    f.window = be16(tcp + 14);
    f.tcp_options.assign(tcp + 20, tcp + data_offset);
    f.payload.assign(tcp + data_offset, tcp + tcp_length);
    frames.push_back(std::move(f));
  }
  pcap_close(handle);
  return frames;
}

constexpr std::uint8_t fin = 0x01, syn = 0x02, psh = 0x08, ack = 0x10;

// Addresses and ports other than the defaults, so that a test sees they are really used. Only
// written into the file: nothing is sent anywhere.
PcapEndpoints non_default_endpoints() {
  PcapEndpoints endpoints;
  endpoints.client_address = {127, 0, 0, 2};
  endpoints.client_port = 50'123;
  endpoints.broker_address = {127, 0, 0, 3};
  endpoints.broker_port = 18'830;
  return endpoints;
}

TEST(PcapWriter, FramesCarryTheStreamOverAConsistentTcpConnection) {
  const Bytes big = big_payload();
  const Exchange exchange = realistic_exchange(ProtocolVersion::v3_1_1, big);
  TempCapture capture;
  const PcapEndpoints endpoints = non_default_endpoints();
  write_capture(capture.path(), exchange, endpoints);
  const auto frames = read_frames(capture.path());
  ASSERT_GE(frames.size(), 6U);

  const std::uint32_t client_ip = ip_of(endpoints.client_address);
  const std::uint32_t broker_ip = ip_of(endpoints.broker_address);
  // Handshake.
  EXPECT_EQ(frames[0].flags, syn);
  EXPECT_EQ(frames[1].flags, syn | ack);
  EXPECT_EQ(frames[2].flags, ack);
  EXPECT_EQ(frames[1].ack, frames[0].seq + 1);
  EXPECT_EQ(frames[2].seq, frames[0].seq + 1);
  EXPECT_EQ(frames[2].ack, frames[1].seq + 1);
  const Bytes syn_options = {2, 4, 0xff, 0xd7, 1, 3, 3, 7};  // MSS 65495, NOP, window scale 7
  EXPECT_EQ(frames[0].tcp_options, syn_options);
  EXPECT_EQ(frames[1].tcp_options, syn_options);
  EXPECT_EQ(frames[0].time, 1'700'000'000.0);
  // FIN exchange.
  const auto n = frames.size();
  EXPECT_EQ(frames[n - 3].flags, fin | ack);
  EXPECT_EQ(frames[n - 2].flags, fin | ack);
  EXPECT_EQ(frames[n - 1].flags, ack);
  EXPECT_EQ(frames[n - 3].src_ip, client_ip);
  EXPECT_EQ(frames[n - 2].src_ip, broker_ip);
  EXPECT_EQ(frames[n - 2].ack, frames[n - 3].seq + 1);
  EXPECT_EQ(frames[n - 1].ack, frames[n - 2].seq + 1);

  // Every frame: right endpoints; sequence numbers advance with the bytes each side sent; the
  // acknowledgement covers everything the peer sent; payloads reassemble to the records.
  std::uint32_t client_next = frames[0].seq;
  std::uint32_t broker_next = frames[1].seq;
  Bytes client_stream;
  Bytes broker_stream;
  double last_time = 0;
  std::size_t data_frames = 0;
  for (std::size_t i = 0; i < n; ++i) {
    SCOPED_TRACE("frame " + std::to_string(i + 1));
    const Frame& f = frames[i];
    const bool from_client = f.src_ip == client_ip;
    EXPECT_EQ(from_client ? f.dst_ip : f.src_ip, broker_ip);
    EXPECT_EQ(from_client ? f.src_port : f.dst_port, endpoints.client_port);
    EXPECT_EQ(from_client ? f.dst_port : f.src_port, endpoints.broker_port);
    EXPECT_GE(f.time, last_time);
    last_time = f.time;
    std::uint32_t& own = from_client ? client_next : broker_next;
    const std::uint32_t peer = from_client ? broker_next : client_next;
    EXPECT_EQ(f.seq, own);
    if ((f.flags & ack) != 0) {
      EXPECT_EQ(f.ack, peer);
    }
    EXPECT_LE(f.payload.size(), PcapWriter::max_segment);
    if (!f.payload.empty()) {
      ++data_frames;
      EXPECT_EQ(f.flags, psh | ack);
      EXPECT_EQ(f.window, 0xffff);
    }
    Bytes& stream = from_client ? client_stream : broker_stream;
    stream.insert(stream.end(), f.payload.begin(), f.payload.end());
    own += static_cast<std::uint32_t>(f.payload.size()) + ((f.flags & (syn | fin)) != 0 ? 1 : 0);
  }
  Bytes expected_client;
  Bytes expected_broker;
  for (const auto& record : exchange.records) {
    Bytes& s = record.direction == Direction::to_broker ? expected_client : expected_broker;
    s.insert(s.end(), record.bytes.begin(), record.bytes.end());
  }
  EXPECT_EQ(client_stream, expected_client);
  EXPECT_EQ(broker_stream, expected_broker);
  // One data frame per record, plus one more for the 100 KB PUBLISH (two segments).
  EXPECT_EQ(data_frames, exchange.records.size() + 1);
  // The last data frame went at start + records ms, the FIN exchange 1 ms later.
  EXPECT_DOUBLE_EQ(frames[n - 1].time,
                   1'700'000'000.0 + static_cast<double>(exchange.records.size() + 1) / 1000);
}

TEST(PcapWriter, PureAckKeepsUnansweredDataBelowTheWindow) {
  TempCapture capture;
  std::string error;
  auto writer = PcapWriter::open(capture.path(), PcapEndpoints{}, error, start_time);
  ASSERT_NE(writer, nullptr) << error;
  const Bytes chunk(std::size_t{600} * 1024,
                    0x30);  // 3 MB in five records, no answer from the broker
  for (int i = 0; i < 5; ++i)
    writer->record(Direction::to_broker, codec::ByteView(chunk), start_time + 1ms);
  writer->close();
  const auto frames = read_frames(capture.path());
  std::uint64_t unanswered = 0;
  std::size_t pure_acks = 0;
  for (std::size_t i = 3; i + 3 < frames.size(); ++i) {
    if (frames[i].src_port == 1883) {
      EXPECT_TRUE(frames[i].payload.empty());
      EXPECT_EQ(frames[i].flags, ack);
      ++pure_acks;
      unanswered = 0;
    } else {
      unanswered += frames[i].payload.size();
      EXPECT_LE(unanswered, 1U << 20U);
    }
  }
  EXPECT_EQ(pure_acks, 2U);
}

TEST(PcapWriter, DefaultsAreLoopbackWithAnEphemeralClientPortAnd1883) {
  TempCapture capture;
  std::string error;
  auto writer = PcapWriter::open(capture.path(), error);
  ASSERT_NE(writer, nullptr) << error;
  const PcapEndpoints& e = writer->endpoints();
  EXPECT_EQ(e.client_address, (std::array<std::uint8_t, 4>{127, 0, 0, 1}));
  EXPECT_EQ(e.broker_address, (std::array<std::uint8_t, 4>{127, 0, 0, 1}));
  EXPECT_GE(e.client_port, 49'152);
  EXPECT_EQ(e.broker_port, 1883);
  writer->close();
  writer->close();  // a second close does nothing
  writer->record(Direction::to_broker, codec::ByteView::of("ignored"), start_time);
  EXPECT_TRUE(writer->ok());
  EXPECT_EQ(read_frames(capture.path()).size(), 6U);  // handshake and FIN exchange
}

TEST(PcapWriter, OpenOnAnUnwritablePathReturnsNullWithAMessage) {
  std::string error;
  EXPECT_EQ(PcapWriter::open("/nonexistent-gauntlet-dir/client.pcap", error), nullptr);
  EXPECT_NE(error.find("/nonexistent-gauntlet-dir/client.pcap"), std::string::npos) << error;
  EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;

  error.clear();  // a directory cannot be opened for writing, even by root
  EXPECT_EQ(PcapWriter::open(::testing::TempDir(), error), nullptr);
  EXPECT_FALSE(error.empty());
}

// ---------------------------------------------------------------------------------------------
// Dissected by tshark.

struct CommandResult {
  int status = -1;
  std::string out;
  std::string err;
};

/// Runs a shell command, capturing standard output (and standard error through a file).
CommandResult run(const std::string& command, const std::filesystem::path& stderr_file) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>'" + stderr_file.string() + "'").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), got);
  result.status = ::pclose(pipe);
  std::ifstream in(stderr_file);
  result.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  std::error_code ec;
  std::filesystem::remove(stderr_file, ec);
  return result;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator))
    parts.push_back(part);
  return parts;
}

bool have_tshark() {
  return std::system("command -v tshark >/dev/null 2>&1") == 0;  // NOLINT: fixed command
}

#define REQUIRE_TSHARK()                                                                 \
  ASSERT_TRUE(have_tshark()) << "tshark is not installed: the pcap tests need its MQTT " \
                                "dissector (apt-get install tshark; ci/install-deps.sh " \
                                "installs it)"

/// What tshark made of a capture.
struct Dissection {
  std::vector<int> types;           ///< mqtt.msgtype of every MQTT packet, in order
  std::vector<std::string> topics;  ///< mqtt.topic, in order
  /// Malformed packets and expert information at warning level or above, as tshark said them.
  std::vector<std::string> problems;
  std::string listing;  ///< the field listing, for failure messages
};

/// Dissects the capture three ways (field listing, expert summary, full tree) with IPv4 and TCP
/// checksum validation on. `decode_as` adds `-d tcp.port==PORT,mqtt`, needed for any broker port
/// but 1883.
Dissection dissect(const std::filesystem::path& path, std::uint16_t broker_port, bool decode_as) {
  Dissection d;
  std::string base = "tshark -n -r '" + path.string() + "' -o ip.check_checksum:TRUE" +
                     " -o tcp.check_checksum:TRUE";
  if (decode_as) base += " -d tcp.port==" + std::to_string(broker_port) + ",mqtt";
  const auto stderr_file = path.string() + ".stderr";
  const auto problem_if = [&d](bool bad, const std::string& what) {
    if (bad) d.problems.push_back(what);
  };

  // One line per frame: MQTT types and topics, expert severities and messages (several per
  // frame: ';'-separated), and the malformed-packet marker.
  const auto fields =
      run(base +
              " -T fields -E separator=/t -E occurrence=a -E aggregator=';'"
              " -e frame.number -e mqtt.msgtype -e mqtt.topic -e _ws.expert.severity"
              " -e _ws.expert.message -e _ws.malformed",
          stderr_file);
  EXPECT_EQ(fields.status, 0) << fields.err;
  d.listing = fields.out;
  for (const auto& line : split(fields.out, '\n')) {
    auto columns = split(line, '\t');
    columns.resize(6);
    for (const auto& type : split(columns[1], ';'))
      d.types.push_back(std::stoi(type));
    for (const auto& topic : split(columns[2], ';'))
      d.topics.push_back(topic);
    const auto severities = split(columns[3], ';');
    auto messages = split(columns[4], ';');
    messages.resize(severities.size());
    for (std::size_t i = 0; i < severities.size(); ++i) {
      // Comment 0x00100000, chat 0x00200000, note 0x00400000, warning 0x00600000, error 0x00800000.
      problem_if(std::stoul(severities[i], nullptr, 0) >= 0x00600000UL,
                 "frame " + columns[0] + ": expert " + severities[i] + " " + messages[i]);
    }
    problem_if(!columns[5].empty() || line.find("Malformed") != std::string::npos,
               "frame " + columns[0] + ": malformed: " + line);
  }

  // tshark's own expert summary at warning level and above: it must be empty.
  const auto expert = run(base + " -q -z expert,warn", stderr_file);
  EXPECT_EQ(expert.status, 0) << expert.err;
  problem_if(expert.out.find("Malformed") != std::string::npos ||
                 expert.out.find("Errors (") != std::string::npos ||
                 expert.out.find("Warns (") != std::string::npos,
             "expert summary:\n" + expert.out);

  // The full dissection tree.
  const auto verbose = run(base + " -V", stderr_file);
  EXPECT_EQ(verbose.status, 0) << verbose.err;
  EXPECT_NE(verbose.out.find("MQ Telemetry Transport Protocol"), std::string::npos);
  problem_if(verbose.out.find("Malformed") != std::string::npos ||
                 verbose.out.find("[Expert Info (Error") != std::string::npos ||
                 verbose.out.find("[Expert Info (Warning") != std::string::npos,
             "the -V tree has malformed or error/warning expert items");
  return d;
}

void expect_clean_decode(const Dissection& d, const Exchange& exchange) {
  EXPECT_EQ(d.types, exchange.types) << d.listing;
  EXPECT_EQ(d.topics, exchange.topics) << d.listing;
  EXPECT_TRUE(d.problems.empty()) << ::testing::PrintToString(d.problems) << "\n" << d.listing;
}

TEST(PcapTshark, DecodesAn311ExchangeOnPort1883) {
  REQUIRE_TSHARK();
  const Bytes big = big_payload();
  const Exchange exchange = realistic_exchange(ProtocolVersion::v3_1_1, big);
  TempCapture capture;
  const auto endpoints = write_capture(capture.path(), exchange, PcapEndpoints{});
  // Port 1883 is MQTT's own: no Decode As needed.
  expect_clean_decode(dissect(capture.path(), endpoints.broker_port, false), exchange);
}

TEST(PcapTshark, Decodes50ExchangeOnAnotherPortWithDecodeAs) {
  REQUIRE_TSHARK();
  const Bytes big = big_payload();
  const Exchange exchange = realistic_exchange(ProtocolVersion::v5, big);
  TempCapture capture;
  const PcapEndpoints endpoints = non_default_endpoints();
  write_capture(capture.path(), exchange, endpoints);
  expect_clean_decode(dissect(capture.path(), endpoints.broker_port, true), exchange);
}

// The checks above can fail: a PUBLISH whose topic length runs past the packet is reported.
TEST(PcapTshark, ReportsAMalformedPacket) {
  REQUIRE_TSHARK();
  codec::Connect connect;
  connect.client_id = "gauntlet-pcap";
  codec::Publish publish;
  publish.topic = "sensors/a/temp";
  publish.payload = codec::ByteView::of("21.5");
  codec::Malformation bad_topic;
  bad_topic.string_lengths = {{"publish.topic", 500}};
  Bytes connect_bytes;
  Bytes publish_bytes;
  ASSERT_FALSE(codec::encode(connect, ProtocolVersion::v3_1_1, connect_bytes).has_value());
  ASSERT_FALSE(
      codec::encode(publish, ProtocolVersion::v3_1_1, publish_bytes, &bad_topic).has_value());

  TempCapture capture;
  std::string error;
  auto writer = PcapWriter::open(capture.path(), PcapEndpoints{}, error, start_time);
  ASSERT_NE(writer, nullptr) << error;
  writer->record(Direction::to_broker, codec::ByteView(connect_bytes), start_time + 1ms);
  writer->record(Direction::to_broker, codec::ByteView(publish_bytes), start_time + 2ms);
  writer->close();
  ASSERT_TRUE(writer->ok()) << writer->error();

  const Dissection d = dissect(capture.path(), 1883, false);
  EXPECT_EQ(d.types, (std::vector<int>{1, 3})) << d.listing;
  ASSERT_FALSE(d.problems.empty()) << d.listing;
  EXPECT_NE(d.problems.front().find("Malformed"), std::string::npos)
      << ::testing::PrintToString(d.problems);
}

}  // namespace
}  // namespace gauntlet::client
