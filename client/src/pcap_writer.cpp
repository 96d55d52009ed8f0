#include "gauntlet/client/pcap_writer.hpp"

#include <pcap/pcap.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace gauntlet::client {
namespace {

// The largest frame is 14 (Ethernet) + 20 (IPv4) + 20 (TCP) + 65,000 bytes; libpcap's usual
// snapshot length covers it with room to spare.
constexpr int snaplen = 262'144;

constexpr std::uint8_t tcp_fin = 0x01;
constexpr std::uint8_t tcp_syn = 0x02;
constexpr std::uint8_t tcp_psh = 0x08;
constexpr std::uint8_t tcp_ack = 0x10;

// Initial sequence numbers: fixed, so the same records give the same file (Wireshark shows
// sequence numbers relative to them anyway).
constexpr std::uint32_t client_isn = 0x1000'0000;
constexpr std::uint32_t broker_isn = 0x2000'0000;

// Both SYNs announce MSS 65495 (loopback) and window scale 7; every later segment advertises
// 0xffff << 7, about 8 MiB. A side that has sent more than ack_after bytes without an answer gets
// a pure ACK from its peer first, so the data in flight stays far below the window and tshark
// never sees a full window.
constexpr std::uint16_t mss = 65'495;
constexpr std::uint8_t window_shift = 7;
constexpr std::uint16_t window = 0xffff;
constexpr std::uint64_t ack_after = 1U << 20U;

constexpr std::size_t ethernet_header = 14;
constexpr std::size_t ipv4_header = 20;
constexpr std::size_t tcp_header = 20;
constexpr std::size_t syn_options_size = 8;

std::uint16_t next_ephemeral_port() {
  static std::atomic<std::uint32_t> next{0};
  constexpr std::uint32_t first = 49'152;
  constexpr std::uint32_t count = 65'536 - first;
  return static_cast<std::uint16_t>(first + next.fetch_add(1, std::memory_order_relaxed) % count);
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8U));
  out.push_back(static_cast<std::uint8_t>(value & 0xffU));
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  put16(out, static_cast<std::uint16_t>(value >> 16U));
  put16(out, static_cast<std::uint16_t>(value & 0xffffU));
}

void set16(std::vector<std::uint8_t>& out, std::size_t at, std::uint16_t value) {
  out[at] = static_cast<std::uint8_t>(value >> 8U);
  out[at + 1] = static_cast<std::uint8_t>(value & 0xffU);
}

/// Adds big-endian 16-bit words to a one's-complement sum (an odd last byte is padded with 0).
std::uint32_t sum_words(codec::ByteView bytes, std::uint32_t sum = 0) {
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) {
    sum += static_cast<std::uint32_t>(bytes[i] << 8U | bytes[i + 1]);
    sum = (sum & 0xffffU) + (sum >> 16U);
  }
  if (i < bytes.size()) {
    sum += static_cast<std::uint32_t>(bytes[i] << 8U);
    sum = (sum & 0xffffU) + (sum >> 16U);
  }
  return sum;
}

std::uint16_t finish_checksum(std::uint32_t sum) {
  while (sum > 0xffffU)
    sum = (sum & 0xffffU) + (sum >> 16U);
  return static_cast<std::uint16_t>(~sum & 0xffffU);
}

timeval to_timeval(std::chrono::system_clock::time_point at) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
  const auto positive = std::max<decltype(micros)>(micros, 0);
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(positive / 1'000'000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>(positive % 1'000'000);
  return tv;
}

}  // namespace

std::unique_ptr<PcapWriter> PcapWriter::open(const std::filesystem::path& path,
                                             std::string& error) {
  return open(path, PcapEndpoints{}, error);
}

std::unique_ptr<PcapWriter> PcapWriter::open(const std::filesystem::path& path,
                                             const PcapEndpoints& endpoints, std::string& error,
                                             TimePoint at) {
  pcap_t* handle = pcap_open_dead(DLT_EN10MB, snaplen);
  if (handle == nullptr) {
    error = "cannot create the pcap file " + path.string() + ": libpcap refused pcap_open_dead";
    return nullptr;
  }
  pcap_dumper_t* dumper = pcap_dump_open(handle, path.string().c_str());
  if (dumper == nullptr) {
    // libpcap's message already names the file: "<path>: No such file or directory".
    error = std::string("cannot create the pcap file: ") + pcap_geterr(handle);
    pcap_close(handle);
    return nullptr;
  }
  std::unique_ptr<PcapWriter> writer(new PcapWriter(handle, dumper, endpoints));
  writer->handshake(at);
  return writer;
}

PcapWriter::PcapWriter(pcap* handle, pcap_dumper* dumper, const PcapEndpoints& endpoints)
    : pcap_(handle), dumper_(dumper), endpoints_(endpoints) {
  if (endpoints_.client_port == 0) endpoints_.client_port = next_ephemeral_port();
  client_.mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  client_.address = endpoints_.client_address;
  client_.port = endpoints_.client_port;
  client_.next_seq = client_isn;
  broker_.mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
  broker_.address = endpoints_.broker_address;
  broker_.port = endpoints_.broker_port;
  broker_.next_seq = broker_isn;
  frame_.reserve(ethernet_header + ipv4_header + tcp_header + max_segment);
}

PcapWriter::~PcapWriter() {
  close();
}

void PcapWriter::handshake(TimePoint at) {
  segment(client_, broker_, tcp_syn, {}, at, true);
  segment(broker_, client_, tcp_syn | tcp_ack, {}, at, true);
  segment(client_, broker_, tcp_ack, {}, at);
}

void PcapWriter::record(Direction direction, codec::ByteView tcp_payload, TimePoint at) {
  if (dumper_ == nullptr) return;
  Side& from = direction == Direction::to_broker ? client_ : broker_;
  Side& to = direction == Direction::to_broker ? broker_ : client_;
  while (!tcp_payload.empty()) {
    const std::size_t size = std::min(tcp_payload.size(), max_segment);
    if (from.unacked + size > ack_after) segment(to, from, tcp_ack, {}, at);
    segment(from, to, tcp_psh | tcp_ack, tcp_payload.first(size), at);
    tcp_payload = codec::ByteView(tcp_payload.subspan(size));
  }
}

void PcapWriter::flush() {
  if (dumper_ != nullptr) check_file();
}

void PcapWriter::close(std::optional<TimePoint> at) {
  if (dumper_ == nullptr) return;
  const TimePoint when = at.value_or(last_time_.value_or(std::chrono::system_clock::now()));
  segment(client_, broker_, tcp_fin | tcp_ack, {}, when);
  segment(broker_, client_, tcp_fin | tcp_ack, {}, when);
  segment(client_, broker_, tcp_ack, {}, when);
  check_file();
  pcap_dump_close(dumper_);
  dumper_ = nullptr;
  pcap_close(pcap_);
  pcap_ = nullptr;
}

void PcapWriter::check_file() {
  if (!error_.empty()) return;
  FILE* file = pcap_dump_file(dumper_);
  if (pcap_dump_flush(dumper_) != 0 || (file != nullptr && std::ferror(file) != 0))
    error_ = std::string("cannot write the pcap file: ") + std::strerror(errno);
}

void PcapWriter::segment(Side& from, Side& to, std::uint8_t flags, codec::ByteView payload,
                         TimePoint at, bool syn_options) {
  if (last_time_ && at < *last_time_) at = *last_time_;
  last_time_ = at;

  const bool syn = (flags & tcp_syn) != 0;
  const bool has_ack = (flags & tcp_ack) != 0;
  const std::size_t tcp_length = tcp_header + (syn_options ? syn_options_size : 0);
  const std::size_t ip_length = ipv4_header + tcp_length + payload.size();

  frame_.clear();
  // Ethernet II: destination, source, EtherType IPv4.
  frame_.insert(frame_.end(), to.mac.begin(), to.mac.end());
  frame_.insert(frame_.end(), from.mac.begin(), from.mac.end());
  put16(frame_, 0x0800);

  // IPv4: version 4, IHL 5, no DSCP, total length, identification, DF, TTL 64, TCP.
  const std::size_t ip_start = frame_.size();
  frame_.push_back(0x45);
  frame_.push_back(0x00);
  put16(frame_, static_cast<std::uint16_t>(ip_length));
  put16(frame_, from.ip_id++);
  put16(frame_, 0x4000);
  frame_.push_back(64);
  frame_.push_back(6);
  put16(frame_, 0);  // header checksum, below
  frame_.insert(frame_.end(), from.address.begin(), from.address.end());
  frame_.insert(frame_.end(), to.address.begin(), to.address.end());
  set16(frame_, ip_start + 10,
        finish_checksum(sum_words(codec::ByteView(frame_).subspan(ip_start, ipv4_header))));

  // TCP.
  const std::size_t tcp_start = frame_.size();
  put16(frame_, from.port);
  put16(frame_, to.port);
  put32(frame_, from.next_seq);
  put32(frame_, has_ack ? to.next_seq : 0);
  frame_.push_back(static_cast<std::uint8_t>((tcp_length / 4) << 4U));
  frame_.push_back(flags);
  put16(frame_, window);  // unscaled in a SYN (65535), scaled by 2^7 afterwards
  put16(frame_, 0);       // checksum, below
  put16(frame_, 0);       // urgent pointer
  if (syn_options) {
    frame_.insert(frame_.end(), {2, 4});  // MSS
    put16(frame_, mss);
    frame_.insert(frame_.end(), {1, 3, 3, window_shift});  // NOP, window scale
  }
  frame_.insert(frame_.end(), payload.begin(), payload.end());

  // The TCP checksum covers a pseudo-header (addresses, protocol, TCP length) and the segment.
  const auto segment_length = static_cast<std::uint16_t>(tcp_length + payload.size());
  const std::array<std::uint8_t, 12> pseudo = {from.address[0],
                                               from.address[1],
                                               from.address[2],
                                               from.address[3],
                                               to.address[0],
                                               to.address[1],
                                               to.address[2],
                                               to.address[3],
                                               0,
                                               6,
                                               static_cast<std::uint8_t>(segment_length >> 8U),
                                               static_cast<std::uint8_t>(segment_length & 0xffU)};
  const std::uint32_t sum =
      sum_words(codec::ByteView(frame_).subspan(tcp_start), sum_words(codec::ByteView(pseudo)));
  set16(frame_, tcp_start + 16, finish_checksum(sum));

  pcap_pkthdr header{};
  header.ts = to_timeval(at);
  header.caplen = static_cast<bpf_u_int32>(frame_.size());
  header.len = header.caplen;
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, frame_.data());  // NOLINT: libpcap API

  from.next_seq += static_cast<std::uint32_t>(payload.size());
  if (syn || (flags & tcp_fin) != 0) from.next_seq += 1;  // SYN and FIN take a sequence number
  from.unacked += payload.size();
  if (has_ack) to.unacked = 0;
}

}  // namespace gauntlet::client
