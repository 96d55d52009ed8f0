#include "gauntlet/client/connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <span>

namespace gauntlet::client {
namespace {

// Connections read, once the socket is readable, into their thread's buffer: a connection
// on an event loop never runs concurrently with another on the same thread, and the session copies
// what it keeps (only an incomplete packet), so one buffer per thread serves every connection.
std::span<std::uint8_t> thread_read_buffer() {
  thread_local std::vector<std::uint8_t> buffer(std::size_t{64} * 1024);
  return buffer;
}

// Decrypted reads in a row before the loop lets other connections run (OpenSSL may hold more
// decrypted bytes than the socket signals, so the rest is picked up by a posted continuation).
constexpr int tls_reads_per_turn = 16;

// What went wrong in an SSL call that returned `result` (with `kind` from SSL_get_error and the
// errno right after the call), as the error codes asio::ssl::stream gave: the SSL error queue's
// first entry in asio's SSL category, eof for a close_notify, stream_truncated for a peer that
// closed without one.
asio::error_code tls_failure(int kind, int saved_errno) {
  if (kind == SSL_ERROR_ZERO_RETURN) return asio::error::eof;
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code != 0) {
    if (ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
      return asio::ssl::error::stream_truncated;
    return {static_cast<int>(code), asio::error::get_ssl_category()};
  }
  if (kind == SSL_ERROR_SYSCALL && saved_errno != 0)
    return {saved_errno, asio::error::get_system_category()};
  return asio::ssl::error::stream_truncated;
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_tls_context(const TlsOptions& options,
                                                     std::string& error) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  asio::error_code ec;
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1,
                       ec);
  if (options.ca_file.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->load_verify_file(options.ca_file, ec);
    if (ec) {
      error = "cannot load the CA file " + options.ca_file + ": " + ec.message();
      return nullptr;
    }
  }
  if (!options.cert_file.empty()) {
    context->use_certificate_chain_file(options.cert_file, ec);
    if (ec) {
      error = "cannot load the client certificate " + options.cert_file + ": " + ec.message();
      return nullptr;
    }
    context->use_private_key_file(options.key_file.empty() ? options.cert_file : options.key_file,
                                  asio::ssl::context::pem, ec);
    if (ec) {
      error = "cannot load the client key " + options.key_file + ": " + ec.message();
      return nullptr;
    }
  }
  context->set_verify_mode(options.verify ? asio::ssl::verify_peer : asio::ssl::verify_none);
  // An idle connection gives its record buffers (about 33 KB) back; a write may be partial and is
  // retried from where it stopped.
  SSL_CTX_set_mode(context->native_handle(), SSL_MODE_RELEASE_BUFFERS |
                                                 SSL_MODE_ENABLE_PARTIAL_WRITE |
                                                 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return context;
}

std::shared_ptr<Connection> Connection::create(asio::io_context& io, Endpoint endpoint,
                                               SessionConfig config,
                                               std::shared_ptr<asio::ssl::context> tls,
                                               TlsOptions tls_options, Handler handler) {
  return std::make_shared<Connection>(io, std::move(endpoint), std::move(config), std::move(tls),
                                      std::move(tls_options), std::move(handler));
}

Connection::Connection(asio::io_context& io, Endpoint endpoint, SessionConfig config,
                       std::shared_ptr<asio::ssl::context> tls, TlsOptions tls_options,
                       Handler handler)
    : io_(io),
      endpoint_(std::move(endpoint)),
      session_(std::move(config)),
      tls_(std::move(tls)),
      tls_options_(std::move(tls_options)),
      handler_(std::move(handler)),
      resolver_(io),
      tcp_socket_(io),
      timer_(io) {}

struct Connection::TlsState {
  SSL* ssl = nullptr;
  std::size_t written = 0;  ///< of the write in progress (writing_)
};

void Connection::TlsStateFree::operator()(TlsState* state) const noexcept {
  SSL_free(state->ssl);
  delete state;  // NOLINT(cppcoreguidelines-owning-memory): the unique_ptr's deleter
}

template <typename Next>
void Connection::when_ready(bool read, Next next) {
  tcp_socket_.async_wait(read ? TcpSocket::wait_read : TcpSocket::wait_write,
                         [self = shared_from_this(), g = generation_,
                          next = std::move(next)](const asio::error_code& ec) mutable {
                           if (g != self->generation_ || self->shut_) return;
                           next(ec);
                         });
}

void Connection::open() {
  ++generation_;
  websocket_.reset();
  shut_ = false;
  received_any_ = false;
  closing_ = false;
  open_ = false;
  write_in_progress_ = false;
  writing_.clear();
  pending_.clear();
  armed_for_.reset();
  if (endpoint_.tls()) {
    if (!tls_) {
      handler_(ConnectionEnded{ConnectionEnded::Cause::transport_failed, 0,
                               "a TLS endpoint needs a TLS context"});
      return;
    }
    tls_state_.reset(new TlsState{SSL_new(tls_->native_handle())});  // NOLINT(*-owning-memory)
    if (tls_state_->ssl == nullptr) {
      tls_state_.reset();
      handler_(ConnectionEnded{ConnectionEnded::Cause::transport_failed, 0,
                               "cannot make a TLS connection (SSL_new)"});
      return;
    }
  } else {
    tls_state_.reset();
  }
  tcp_socket_ = TcpSocket(io_);
  // An address needs no resolver (whose asynchronous lookups run on a thread of their own: too
  // slow for thousands of connects per second).
  asio::error_code literal_ec;
  const auto literal = asio::ip::make_address(endpoint_.host, literal_ec);
  if (!literal_ec) {
    connect_to(asio::ip::tcp::resolver::results_type::create(
        asio::ip::tcp::endpoint(literal, endpoint_.port), endpoint_.host,
        std::to_string(endpoint_.port)));
    return;
  }
  resolver_.async_resolve(endpoint_.host, std::to_string(endpoint_.port),
                          [self = shared_from_this(), g = generation_](const asio::error_code& ec,
                                                                       const auto& results) {
                            if (g == self->generation_) self->on_resolved(ec, results);
                          });
}

void Connection::on_resolved(const asio::error_code& ec,
                             const asio::ip::tcp::resolver::results_type& results) {
  if (ec) return fail("cannot resolve " + endpoint_.host, ec);
  connect_to(results);
}

void Connection::connect_to(const asio::ip::tcp::resolver::results_type& results) {
  auto on_connect = [self = shared_from_this(), g = generation_](const asio::error_code& ec) {
    if (g == self->generation_) self->on_connected(ec);
  };
  if (!endpoint_.source_address) {
    asio::async_connect(
        tcp_socket_, results,
        [on_connect](const asio::error_code& ec, const asio::ip::tcp::endpoint& /*unused*/) {
          on_connect(ec);
        });
    return;
  }
  // A bound socket connects to one address of the host (the first of the source's family):
  // asio::async_connect over a range closes and reopens the socket before each attempt, which
  // would silently drop the bind and put every connection back on one source address.
  asio::error_code ec;
  const auto source = asio::ip::make_address(*endpoint_.source_address, ec);
  if (ec) return fail("cannot bind to " + *endpoint_.source_address, ec);
  const asio::ip::tcp::endpoint local(source, 0);
  const auto peer = std::find_if(results.begin(), results.end(), [&](const auto& entry) {
    return entry.endpoint().protocol() == local.protocol();
  });
  if (peer == results.end())
    return fail("no address of " + endpoint_.host + " in the family of source address " +
                    *endpoint_.source_address,
                asio::error::address_family_not_supported);
  tcp_socket_.open(local.protocol(), ec);
#ifdef IP_BIND_ADDRESS_NO_PORT
  // Leave the port to connect(), which needs only the 4-tuple to be unique: every source address
  // then has the whole ephemeral range towards the broker, not the half bind() would choose from.
  if (!ec && local.address().is_v4()) {
    const int on = 1;
    ::setsockopt(tcp_socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
  }
#endif
  if (!ec) tcp_socket_.bind(local, ec);
  if (ec) return fail("cannot bind to " + *endpoint_.source_address, ec);
  tcp_socket_.async_connect(peer->endpoint(), on_connect);
}

void Connection::on_connected(const asio::error_code& ec) {
  if (ec) return fail("cannot connect to " + endpoint_.display(), ec);
  asio::error_code ignored;
  tcp_socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  // Reads wait until the socket is readable, then read what is there: a read that finds nothing
  // after all must return would_block (or OpenSSL's WANT_READ), not wait.
  tcp_socket_.non_blocking(true, ignored);
  if (!tls_state_) return on_transport_ready();
  SSL* ssl = tls_state_->ssl;
  const std::string& name =
      tls_options_.server_name.empty() ? endpoint_.host : tls_options_.server_name;
  // SNI, and the name the certificate must carry (verification is on unless turned off).
  // (SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.)
  SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(name.c_str()));  // NOLINT: OpenSSL's API takes void*
  if (tls_options_.verify) {
    asio::error_code not_ip;
    asio::ip::make_address(name, not_ip);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    const int named = not_ip ? X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size())
                             : X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    if (named != 1) return fail("cannot verify the name " + name, asio::error::invalid_argument);
  }
  // A context shared by clients that each present their own certificate holds none: this
  // connection's files go into its own SSL object.
  if (!tls_options_.cert_file.empty() && SSL_get_certificate(ssl) == nullptr) {
    if (SSL_use_certificate_chain_file(ssl, tls_options_.cert_file.c_str()) != 1 ||
        SSL_use_PrivateKey_file(ssl, tls_options_.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_check_private_key(ssl) != 1) {
      ERR_clear_error();  // the reason is in the message; leave no error for the next connection
      return fail("cannot use the client certificate " + tls_options_.cert_file + " with key " +
                      tls_options_.key_file,
                  asio::error::invalid_argument);
    }
  }
  if (SSL_set_fd(ssl, tcp_socket_.native_handle()) != 1) {
    ERR_clear_error();
    return fail("cannot give the socket to TLS", asio::error::invalid_argument);
  }
  tls_handshake();
}

void Connection::tls_handshake() {
  ERR_clear_error();
  const int result = SSL_connect(tls_state_->ssl);
  const int saved_errno = errno;
  if (result == 1) return on_transport_ready();
  const int kind = SSL_get_error(tls_state_->ssl, result);
  if (kind == SSL_ERROR_WANT_READ || kind == SSL_ERROR_WANT_WRITE) {
    when_ready(kind == SSL_ERROR_WANT_READ, [this](const asio::error_code& ec) {
      if (ec) return fail("TLS handshake failed", ec);
      tls_handshake();
    });
    return;
  }
  fail("TLS handshake failed", tls_failure(kind, saved_errno));
}

void Connection::on_transport_ready() {
  open_ = true;
  start_read();
  if (endpoint_.websocket()) {
    // The Upgrade first; CONNECT follows once the server has accepted it (deliver()).
    WebSocketOptions options;
    options.host = endpoint_.host;
    options.port = endpoint_.port;
    options.path = endpoint_.path.empty() ? "/mqtt" : endpoint_.path;
    options.tls = endpoint_.tls();
    websocket_ =
        std::make_unique<WebSocketState>(WebSocketState{WebSocketClient(std::move(options)), {}});
    const std::string request = websocket_->client.handshake_request();
    queue_write(codec::ByteView::of(request));
    return;
  }
  handler_(TransportReady{});
  session_.connected(Clock::now());
  flush();
}

void Connection::start_read() {
  when_ready(true, [this](const asio::error_code& ec) {
    if (tls_state_) {
      on_tls_readable(ec);
    } else {
      on_readable(ec);
    }
  });
}

void Connection::on_readable(const asio::error_code& ec) {
  if (shut_) return;
  if (ec) return on_read_error(ec);
  const std::span<std::uint8_t> buffer = thread_read_buffer();
  asio::error_code read_ec;
  const std::size_t size =
      tcp_socket_.read_some(asio::buffer(buffer.data(), buffer.size()), read_ec);
  if (read_ec == asio::error::would_block || read_ec == asio::error::try_again) {
    start_read();
    return;
  }
  if (read_ec) return on_read_error(read_ec);
  if (quick_ack_) acknowledge_now();
  on_bytes(codec::ByteView(buffer.data(), size));
}

void Connection::acknowledge_now() {
  // Linux turns quick acknowledgements off again by itself: ask after every read.
  const int on = 1;
  ::setsockopt(tcp_socket_.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
}

void Connection::on_tls_readable(const asio::error_code& ec) {
  if (shut_) return;
  if (ec) return on_read_error(ec);
  const std::span<std::uint8_t> buffer = thread_read_buffer();
  for (int turn = 0; turn < tls_reads_per_turn; ++turn) {
    ERR_clear_error();
    const int size = SSL_read(tls_state_->ssl, buffer.data(), static_cast<int>(buffer.size()));
    const int saved_errno = errno;
    if (size > 0) {
      if (quick_ack_) acknowledge_now();
      const std::uint64_t generation = generation_;
      consume(codec::ByteView(buffer.data(), static_cast<std::size_t>(size)));
      if (shut_ || generation != generation_) return;  // ended, or reopened by a handler
      continue;
    }
    const int kind = SSL_get_error(tls_state_->ssl, size);
    if (kind == SSL_ERROR_WANT_READ) {
      release_tls_buffers();
      if (turn > 0) return read_again();  // read something: a batcher may let more gather
      return start_read();
    }
    if (kind == SSL_ERROR_WANT_WRITE) {
      when_ready(false, [this](const asio::error_code& wait_ec) { on_tls_readable(wait_ec); });
      return;
    }
    return on_read_error(tls_failure(kind, saved_errno));
  }
  asio::post(io_, [self = shared_from_this(), g = generation_] {
    if (g == self->generation_) self->on_tls_readable({});
  });
}

void Connection::on_bytes(codec::ByteView bytes) {
  consume(bytes);
  if (!shut_) read_again();
}

void Connection::read_again() {
  if (read_batcher_ != nullptr) {
    read_batcher_->defer(shared_from_this(), generation_);
  } else {
    start_read();
  }
}

void Connection::resume_reading(std::uint64_t generation) {
  if (generation == generation_ && !shut_) start_read();
}

void Connection::consume(codec::ByteView bytes) {
  received_any_ = true;
  deliver(bytes);
  flush();
}

void Connection::on_read_error(const asio::error_code& ec) {
  // A TLS alert before the broker sent any MQTT byte ends the handshake's story, not MQTT's:
  // with TLS 1.3 a server that refuses the client certificate says so on the first read.
  if (ec.category() == asio::error::get_ssl_category() && !received_any_) {
    session_.transport_failed(Clock::now(), "TLS refused: " + ec.message());
    flush();
    shut();
    return;
  }
  const bool orderly = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
  session_.closed(Clock::now(), orderly ? "the broker closed the connection" : ec.message());
  flush();
  shut();
}

std::optional<asio::ip::tcp::endpoint> Connection::local_address() {
  asio::error_code ec;
  auto address = tcp_socket_.local_endpoint(ec);
  return ec ? std::nullopt : std::optional(address);
}

std::optional<asio::ip::tcp::endpoint> Connection::remote_address() {
  asio::error_code ec;
  auto address = tcp_socket_.remote_endpoint(ec);
  return ec ? std::nullopt : std::optional(address);
}

void Connection::deliver(codec::ByteView bytes) {
  if (!websocket_) {
    if (tap_) tap_(false, bytes);
    session_.received(bytes, Clock::now());
    return;
  }
  WebSocketClient::Output& out = websocket_->out;
  out.clear();
  websocket_->client.receive(bytes, out);
  queue_write(codec::ByteView(out.to_send));  // pongs, the close reply
  for (const Finding& finding : out.findings)
    handler_(finding);
  if (out.error) {
    const bool handshake = !session_.is_connected() && !websocket_->client.is_open() && !out.opened;
    if (handshake) {
      handler_(ConnectionEnded{ConnectionEnded::Cause::transport_failed, 0,
                               "WebSocket handshake refused: " + *out.error});
      closing_ = true;
      return;
    }
    session_.closed(Clock::now(), "WebSocket error: " + *out.error);
    return;
  }
  if (out.opened) {
    handler_(TransportReady{});
    session_.connected(Clock::now());
  }
  if (!out.data.empty()) {
    if (tap_) tap_(false, codec::ByteView(out.data));
    session_.received(codec::ByteView(out.data), Clock::now());
  }
  if (out.closed) session_.closed(Clock::now(), "the broker closed the WebSocket");
}

void Connection::queue_write(codec::ByteView bytes) {
  if (bytes.empty() || shut_) return;
  pending_.insert(pending_.end(), bytes.begin(), bytes.end());
  start_write();
}

void Connection::start_write() {
  if (write_in_progress_ || pending_.empty() || shut_) return;
  write_in_progress_ = true;
  writing_.swap(pending_);
  pending_.clear();
  if (tls_state_) {
    tls_state_->written = 0;
    return tls_write();
  }
  asio::async_write(
      tcp_socket_, asio::buffer(writing_),
      [self = shared_from_this(), g = generation_](const asio::error_code& ec, std::size_t /*n*/) {
        if (g == self->generation_) self->on_written(ec);
      });
}

void Connection::tls_write() {
  TlsState& tls = *tls_state_;
  while (tls.written < writing_.size()) {
    ERR_clear_error();
    const std::size_t left = std::min<std::size_t>(writing_.size() - tls.written, INT_MAX);
    const int size = SSL_write(tls.ssl, writing_.data() + tls.written, static_cast<int>(left));
    const int saved_errno = errno;
    if (size > 0) {
      tls.written += static_cast<std::size_t>(size);
      continue;
    }
    const int kind = SSL_get_error(tls.ssl, size);
    if (kind == SSL_ERROR_WANT_READ || kind == SSL_ERROR_WANT_WRITE) {
      when_ready(kind == SSL_ERROR_WANT_READ, [this](const asio::error_code& ec) {
        if (ec) return on_written(ec);
        tls_write();
      });
      return;
    }
    return on_written(tls_failure(kind, saved_errno));
  }
  release_tls_buffers();
  on_written({});
}

void Connection::release_tls_buffers() {
  // SSL_MODE_RELEASE_BUFFERS frees a record buffer only in some paths: a read that ends in
  // WANT_READ keeps its 16 KB read buffer, which for an idle client is most of its memory.
  // SSL_free_buffers gives back whatever holds no pending bytes (and does nothing otherwise).
  [[maybe_unused]] const int freed = SSL_free_buffers(tls_state_->ssl);
}

void Connection::on_written(const asio::error_code& ec) {
  write_in_progress_ = false;
  if (shut_) return;
  if (ec) {
    // Over TLS, before the broker sent anything, the read that is pending will bring the reason
    // (a TLS 1.3 server refusing a client certificate alerts, then resets; the write of CONNECT
    // may notice the reset first). Let the read report it.
    if (endpoint_.tls() && !received_any_) return;
    session_.closed(Clock::now(), "write failed: " + ec.message());
    flush();
    shut();
    return;
  }
  writing_.clear();
  if (!pending_.empty()) {
    start_write();
  } else if (closing_) {
    shut();
  }
}

void Connection::flush() {
  Effects effects = session_.take_effects();
  if (tap_ && !effects.bytes.empty()) tap_(true, codec::ByteView(effects.bytes));
  if (websocket_ && !effects.bytes.empty()) {
    // Every batch of MQTT bytes goes out as one binary frame (MQTT-6.0.0-1).
    std::vector<std::uint8_t> framed;
    websocket_->client.send(codec::ByteView(effects.bytes), framed);
    queue_write(codec::ByteView(framed));
  } else {
    queue_write(codec::ByteView(effects.bytes));
  }
  for (const Event& event : effects.events) {
    // The session ended the connection (refused, DISCONNECT, protocol error, timeout): close
    // once the bytes it queued (a DISCONNECT with the reason) are on the wire.
    if (std::holds_alternative<ConnectionEnded>(event)) closing_ = true;
    handler_(event);
  }
  if (closing_ && !write_in_progress_ && pending_.empty()) {
    shut();
    return;
  }
  arm_timer(effects.deadline);
}

void Connection::arm_timer(std::optional<TimePoint> deadline) {
  if (deadline == armed_for_ || shut_) return;
  armed_for_ = deadline;
  if (!deadline) {
    timer_.cancel();
    return;
  }
  timer_.expires_at(*deadline);
  timer_.async_wait(
      [self = shared_from_this(), at = *deadline, g = generation_](const asio::error_code& ec) {
        // Cancelled, re-armed, or left over from an earlier connection.
        if (ec || g != self->generation_ || self->shut_ || self->armed_for_ != at) return;
        self->armed_for_.reset();
        self->session_.timer(Clock::now());
        self->flush();
      });
}

void Connection::fail(const std::string& what, const asio::error_code& ec) {
  if (shut_) return;
  handler_(
      ConnectionEnded{ConnectionEnded::Cause::transport_failed, 0, what + ": " + ec.message()});
  shut();
}

void Connection::drop() {
  if (shut_) return;
  session_.closed(Clock::now(), "dropped by the client");
  flush();
  shut();
}

void Connection::shut() {
  if (shut_) return;
  shut_ = true;
  open_ = false;
  armed_for_.reset();
  asio::error_code ignored;
  timer_.cancel();
  resolver_.cancel();
  tcp_socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  tcp_socket_.close(ignored);
  // Nothing a closed connection holds on to: an idle session between reconnects stays small.
  tls_state_.reset();
}

}  // namespace gauntlet::client
