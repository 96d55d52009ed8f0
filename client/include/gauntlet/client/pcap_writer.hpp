// Writes one virtual client's MQTT traffic as a pcap file that Wireshark and tshark dissect as
// MQTT (`gauntlet run --pcap DIR`). The file is written through libpcap (pcap_open_dead +
// pcap_dump_open + pcap_dump); its frames are synthesised, not captured:
//
//   * link type Ethernet (DLT_EN10MB) with made-up, locally administered MAC addresses
//     (client 02:00:00:00:00:01, broker 02:00:00:00:00:02), IPv4 (DF, TTL 64, correct total
//     length and header checksum) and TCP (correct checksum);
//   * a SYN / SYN-ACK / ACK handshake first, stamped with the time given to open(); both SYNs
//     announce MSS 65495 and window scale 7, so the advertised window is about 8 MiB;
//   * every record() becomes PSH|ACK segments of at most 65,000 payload bytes (the IPv4 total
//     length never overflows), with sequence numbers that advance with the bytes sent in each
//     direction and an acknowledgement of everything the peer has sent; when one side has sent
//     more than 1 MiB the other has not answered, a pure ACK from the other side comes first;
//   * close() writes FIN|ACK from the client, FIN|ACK from the broker and the client's last ACK.
//
// What is recorded is the MQTT byte stream as the session sent and received it. For mqtts://,
// ws:// and wss:// connections that is the plaintext inside TLS and the payload of the WebSocket
// frames: the capture shows MQTT as the client saw it, on a plain TCP connection between the
// addresses given to open(), not the TLS records or WebSocket frames that crossed the network.
//
// Wireshark's MQTT dissector claims TCP port 1883 by itself. For a broker on any other port, tell
// it: `tshark -r FILE -d tcp.port==PORT,mqtt` (in Wireshark: Analyze > Decode As..., TCP port
// PORT, MQTT). IPv6 peers are not modelled: give IPv4 addresses (or keep the 127.0.0.1
// defaults) for them.
//
// One writer per connection, used from that connection's thread; a writer is not thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gauntlet/codec/bytes.hpp"

// libpcap's handle types (pcap.h: typedef struct pcap pcap_t, struct pcap_dumper pcap_dumper_t),
// declared here so that users of this header do not need libpcap's headers.
struct pcap;
struct pcap_dumper;

namespace gauntlet::client {

/// The TCP connection the capture pretends to be. Use the real addresses and ports when known.
struct PcapEndpoints {
  std::array<std::uint8_t, 4> client_address = {127, 0, 0, 1};
  /// 0 picks an ephemeral port (49152-65535, a different one for each writer in the process).
  std::uint16_t client_port = 0;
  std::array<std::uint8_t, 4> broker_address = {127, 0, 0, 1};
  std::uint16_t broker_port = 1883;
};

class PcapWriter {
 public:
  enum class Direction : std::uint8_t { to_broker, from_broker };
  using TimePoint = std::chrono::system_clock::time_point;

  /// Largest TCP payload in one frame: 20 + 20 + 65,000 bytes stays below the IPv4 limit.
  static constexpr std::size_t max_segment = 65'000;

  /// Creates (or truncates) the pcap file at `path` and writes the TCP handshake stamped `at`.
  /// On failure (a missing directory, no permission, ...) returns nullptr and says why in
  /// `error`; nothing is thrown. As with libpcap, the path "-" means standard output.
  static std::unique_ptr<PcapWriter> open(const std::filesystem::path& path,
                                          const PcapEndpoints& endpoints, std::string& error,
                                          TimePoint at = std::chrono::system_clock::now());
  /// The defaults: 127.0.0.1:ephemeral -> 127.0.0.1:1883.
  static std::unique_ptr<PcapWriter> open(const std::filesystem::path& path, std::string& error);

  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;
  /// Closes the capture (close()) if that was not done.
  ~PcapWriter();

  /// Appends MQTT bytes that went in `direction` at `at`: any slice of the stream (part of a
  /// packet, several packets). Empty records write nothing. Timestamps never go backwards in the
  /// file: a time before the previous frame's is written as the previous frame's. Does nothing
  /// after close().
  void record(Direction direction, codec::ByteView tcp_payload, TimePoint at);
  /// Writes buffered frames to the file (the file is complete only after close()).
  void flush();
  /// Writes the FIN exchange, stamped `at` (default: the time of the last frame), and closes the
  /// file. Later calls do nothing.
  void close(std::optional<TimePoint> at = std::nullopt);

  /// False once writing to the file failed (checked on flush() and close()); error() says why.
  [[nodiscard]] bool ok() const noexcept { return error_.empty(); }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  /// The endpoints in the capture (with the ephemeral client port filled in).
  [[nodiscard]] const PcapEndpoints& endpoints() const noexcept { return endpoints_; }

 private:
  /// One end of the synthesised TCP connection.
  struct Side {
    std::array<std::uint8_t, 6> mac{};
    std::array<std::uint8_t, 4> address{};
    std::uint16_t port = 0;
    std::uint32_t next_seq = 0;  ///< sequence number of the next byte this side sends
    std::uint16_t ip_id = 0;     ///< IPv4 identification of the next frame
    std::uint64_t unacked = 0;   ///< bytes sent that the peer has not acknowledged yet
  };

  PcapWriter(pcap* handle, pcap_dumper* dumper, const PcapEndpoints& endpoints);
  void handshake(TimePoint at);
  /// Writes one frame from `from` to `to`: the acknowledgement number is `to.next_seq` when
  /// `flags` has ACK; `syn_options` adds the MSS and window-scale options.
  void segment(Side& from, Side& to, std::uint8_t flags, codec::ByteView payload, TimePoint at,
               bool syn_options = false);
  void check_file();

  pcap* pcap_ = nullptr;
  pcap_dumper* dumper_ = nullptr;
  PcapEndpoints endpoints_;
  Side client_;
  Side broker_;
  std::optional<TimePoint> last_time_;
  std::vector<std::uint8_t> frame_;  ///< reused frame buffer
  std::string error_;
};

}  // namespace gauntlet::client
