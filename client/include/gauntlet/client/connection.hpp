// One virtual client on the wire: a Session carried over TCP, TLS, WebSocket or secure WebSocket
// by Asio. The Session decides everything; this class only moves bytes and fires its deadline.
// A Connection and its io_context run on one thread (one event loop per core serves many
// connections; nothing here is shared between threads).
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "gauntlet/client/endpoint.hpp"
#include "gauntlet/client/events.hpp"
#include "gauntlet/client/read_batcher.hpp"
#include "gauntlet/client/session.hpp"
#include "gauntlet/client/websocket.hpp"

namespace gauntlet::client {

/// Builds the TLS client context for these options (one context serves many connections). On
/// failure returns nullptr and says why in `error`.
std::shared_ptr<asio::ssl::context> make_tls_context(const TlsOptions& options, std::string& error);

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Handler = std::function<void(const Event&)>;
  /// Sees the MQTT bytes as the session sent (`outbound`) and received them: after WebSocket
  /// framing is taken off and inside TLS, i.e. what a pcap of the conversation should show.
  using Tap = std::function<void(bool outbound, codec::ByteView bytes)>;

  /// `tls` is required for mqtts:// and wss:// endpoints (make_tls_context).
  static std::shared_ptr<Connection> create(asio::io_context& io, Endpoint endpoint,
                                            SessionConfig config,
                                            std::shared_ptr<asio::ssl::context> tls,
                                            TlsOptions tls_options, Handler handler);

  /// Resolves, connects, does the TLS and WebSocket handshakes, then sends CONNECT. Failures
  /// arrive as ConnectionEnded{transport_failed}.
  void open();
  /// Drops the connection without DISCONNECT (as a crash or a network failure would).
  void drop();

  /// Runs a command on the session and sends what it produced:
  ///   connection->command([&](Session& s, TimePoint now) { s.publish(std::move(m), now); });
  template <typename Command>
  void command(Command&& run) {
    run(session_, Clock::now());
    flush();
  }

  [[nodiscard]] Session& session() noexcept { return session_; }
  [[nodiscard]] const Endpoint& endpoint() const noexcept { return endpoint_; }
  [[nodiscard]] bool is_open() const noexcept { return open_; }
  void set_tap(Tap tap) { tap_ = std::move(tap); }
  /// Acknowledge the broker's TCP segments at once instead of after the kernel's delayed-ACK
  /// timer (up to 40 ms on Linux). A broker without TCP_NODELAY (Mosquitto's default) holds its
  /// second small write until our ACK comes: a conversational client (the fuzzer, which waits for
  /// each answer) otherwise waits 40 ms for every packet that follows another.
  void set_quick_ack(bool on) noexcept { quick_ack_ = on; }
  /// Rest after each read until `batcher`'s next window boundary (ReadBatcher), or read again as
  /// soon as the socket is readable (nullptr, the default). The batcher outlives the connection's
  /// reads (the swarm loop owns both).
  void set_read_batcher(ReadBatcher* batcher) noexcept { read_batcher_ = batcher; }
  /// The socket's own and the broker's address, once connected (for captures and reports).
  [[nodiscard]] std::optional<asio::ip::tcp::endpoint> local_address();
  [[nodiscard]] std::optional<asio::ip::tcp::endpoint> remote_address();

  Connection(asio::io_context& io, Endpoint endpoint, SessionConfig config,
             std::shared_ptr<asio::ssl::context> tls, TlsOptions tls_options, Handler handler);

 private:
  using TcpSocket = asio::ip::tcp::socket;
  /// TLS straight on the socket: an OpenSSL SSL object reading and writing the non-blocking
  /// descriptor when it is ready (asio::ssl::stream keeps four record-sized buffers, ~70 KB, per
  /// connection; with SSL_MODE_RELEASE_BUFFERS an idle SSL object keeps none).
  struct TlsState;
  struct TlsStateFree {
    void operator()(TlsState* state) const noexcept;
  };
  /// What only WebSocket connections need (kept out of line: a plain client stays small).
  struct WebSocketState {
    WebSocketClient client;
    WebSocketClient::Output out;
  };

  void connect_to(const asio::ip::tcp::resolver::results_type& results);
  void on_readable(const asio::error_code& ec);
  void on_bytes(codec::ByteView bytes);
  /// Bytes read (or decrypted) from the broker: into the session, and its answer out.
  void consume(codec::ByteView bytes);
  void on_read_error(const asio::error_code& ec);
  void on_resolved(const asio::error_code& ec,
                   const asio::ip::tcp::resolver::results_type& results);
  void on_connected(const asio::error_code& ec);
  /// Drives SSL_connect until it is done, waiting for the socket as OpenSSL asks.
  void tls_handshake();
  void on_transport_ready();
  void start_read();
  /// After bytes were read: wait for the socket again now, or at the batcher's next boundary.
  void read_again();
  /// The batcher's call at its boundary (nothing if the connection was closed or reopened since).
  void resume_reading(std::uint64_t generation);
  friend class ReadBatcher;
  void on_tls_readable(const asio::error_code& ec);
  void tls_write();
  void release_tls_buffers();
  void acknowledge_now();
  /// Waits until the socket is readable (`read`) or writable, then calls `next` (unless the
  /// connection was reopened or shut meanwhile).
  template <typename Next>
  void when_ready(bool read, Next next);
  void deliver(codec::ByteView bytes);
  void queue_write(codec::ByteView bytes);
  void start_write();
  void on_written(const asio::error_code& ec);
  void flush();
  void arm_timer(std::optional<TimePoint> deadline);
  void fail(const std::string& what, const asio::error_code& ec);
  void shut();

  asio::io_context& io_;
  Endpoint endpoint_;
  Session session_;
  std::shared_ptr<asio::ssl::context> tls_;
  TlsOptions tls_options_;
  Handler handler_;
  Tap tap_;
  asio::ip::tcp::resolver resolver_;
  // Memory per idle connection matters (tens of thousands per process in a swarm): the TLS state
  // and the WebSocket framing live on the heap only when used, and no connection has a read
  // buffer of its own — it waits until its socket is readable, then reads (or decrypts) into its
  // event loop's buffer.
  TcpSocket tcp_socket_;
  std::unique_ptr<TlsState, TlsStateFree> tls_state_;
  std::unique_ptr<WebSocketState> websocket_;  ///< ws:// and wss://: frames MQTT bytes
  asio::steady_timer timer_;
  std::optional<TimePoint> armed_for_;
  std::vector<std::uint8_t> writing_;  ///< the bytes of the write in progress
  std::vector<std::uint8_t> pending_;  ///< bytes queued behind it
  bool write_in_progress_ = false;
  bool open_ = false;
  bool closing_ = false;  ///< close once the queued bytes are written
  bool shut_ = false;
  bool received_any_ = false;  ///< this connection has read bytes from the broker
  bool quick_ack_ = false;     ///< set_quick_ack()
  ReadBatcher* read_batcher_ = nullptr;
  /// Counts open() calls: a handler from an earlier connection (a reconnect happened since)
  /// finds a different value and does nothing.
  std::uint64_t generation_ = 0;
};

}  // namespace gauntlet::client
