// The gateway's HTTP/1.1 listener (Boost.Beast), plain or over TLS with one code path: one coroutine per
// connection on the gateway's io_context, requests routed to handlers, every failure answered with the API's
// JSON error shape. What a client that has not authenticated can cost is bounded: connections in all and per
// address, the time to send a header, the pace of a body, and no body byte is read before the token is
// checked.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "gateway/api/http.hpp"

namespace loa::api {

/// Decides on the header alone whether the caller of a token route may go on: nullopt, or the refusal to
/// answer (401, 429) before the connection is closed.
using header_check = std::function<std::optional<response>(const request&)>;

/// Where to listen and how much to accept.
struct server_settings {
  std::string host = "127.0.0.1";  ///< loopback unless configured otherwise
  std::uint16_t port = 8787;       ///< 0: any free port (tests read port())
  std::string tls_cert;            ///< PEM certificate chain; with tls_key, the API is served over HTTPS only
  std::string tls_key;             ///< PEM private key
  std::size_t json_body_limit = 1u << 20;          ///< whole-body routes: larger bodies get 413
  std::uint64_t stream_body_limit = 256ull << 20;  ///< streaming routes (CSV import): larger bodies get 413
  std::chrono::seconds header_timeout{
      10};  ///< the whole header (and the TLS handshake) must arrive within this
  std::uint64_t body_min_bytes_per_s =
      8192;                                ///< bodies slower than this, after header_timeout's grace, are cut
  std::chrono::seconds write_timeout{60};  ///< a reply the client does not read within this is dropped
  int max_connections = 512;               ///< open connections in all; more are answered 503 and closed
  int max_connections_per_address = 64;    ///< open connections from one client address
  std::chrono::seconds log_interval{
      10};                    ///< a repeated complaint (accept failing, cap reached) at most this often
  header_check authenticate;  ///< for access::token routes; empty: every one of them is 401
  std::function<void(std::string_view)> log;  ///< odd things (handler exceptions, refusals); may be empty
};

/// Thrown by http_server::start() when the TLS certificate or key cannot be used; what() names the file.
class tls_setup_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Serves `routes` on one io_context thread. The owner keeps it alive until the io_context stops running.
class http_server {
 public:
  http_server(boost::asio::io_context& io, server_settings settings, router routes);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Loads the TLS files (throws tls_setup_error), binds and starts accepting. Throws std::system_error when
  /// the address cannot be bound. Start-up only.
  void start();
  /// The bound port (after start()).
  std::uint16_t port() const;
  /// Stops accepting and closes every connection; handlers under way finish on their own.
  void stop();

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace loa::api
