// `loa gateway`: the service wired from its configuration. Owns the io_context's objects: the Redis
// connection, the subscriber store, the operators' authenticator and the HTTP API.
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string_view>

#include "config/config.hpp"

namespace loa::gateway {

/// Where the service reports what happens (the caller logs; the service never prints).
struct service_log {
  std::function<void(std::string_view)> info;
  std::function<void(std::string_view)> warn;
};

/// The running gateway. Construct, start(), run the io_context; stop() (from the io_context's thread,
/// e.g. a signal handler) ends it cleanly.
class service {
 public:
  service(boost::asio::io_context& io, config::configuration cfg, service_log log);
  ~service();
  service(const service&) = delete;
  service& operator=(const service&) = delete;

  /// Connects to Redis (in the background: requests wait for it) and listens for HTTP.
  /// Throws std::system_error when the HTTP address cannot be bound.
  void start();
  /// The HTTP port in use (after start()).
  std::uint16_t http_port() const;
  /// Stops listening and disconnects; the io_context then runs out of work.
  void stop();

 private:
  struct parts;
  std::unique_ptr<parts> parts_;
};

}  // namespace loa::gateway
