// The gateway's HTTP/1.1 listener (Boost.Beast): one coroutine per connection on the gateway's
// io_context, requests routed to handlers, every failure answered with the API's JSON error shape.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/api/http.hpp"

namespace loa::api {

/// Where to listen and how much to accept.
struct server_settings {
  std::string host = "127.0.0.1";             ///< loopback unless configured otherwise
  std::uint16_t port = 8787;                  ///< 0: any free port (tests read port())
  std::size_t body_limit = 8u << 20;          ///< larger bodies get 413
  std::chrono::seconds idle_timeout{60};      ///< a connection silent this long is closed
  std::function<void(std::string_view)> log;  ///< odd things (handler exceptions, bad requests); may be empty
};

/// Serves `routes` on one io_context thread. The owner keeps it alive until the io_context stops running.
class http_server {
 public:
  http_server(boost::asio::io_context& io, server_settings settings, router routes);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds and starts accepting. Throws std::system_error when the address cannot be bound (start-up only).
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
