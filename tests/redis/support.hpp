// Helpers shared by the Redis tests: run an io_context until a condition holds (bounded), collect a
// request's outcome, and a client that runs a connection for the duration of a test.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <system_error>

#include "gateway/redis/connection.hpp"

namespace loa::test {

/// Runs `ioc` until `done()` or `limit` passes; true when `done()` held.
template <class Pred>
bool run_until(boost::asio::io_context& ioc, Pred done,
               std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_for(std::chrono::milliseconds(20));
  }
  return true;
}

/// Runs `ioc` for `d` (to let the connection act), then returns.
inline void run_for(boost::asio::io_context& ioc, std::chrono::milliseconds d) {
  const auto deadline = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_until(deadline);
  }
}

/// What a request completed with.
struct outcome {
  bool done = false;
  std::error_code ec;
  redis::response resp;
};

/// Starts `req` on `conn`; the returned outcome fills in on completion.
inline std::shared_ptr<outcome> start(redis::connection& conn, redis::request req) {
  auto o = std::make_shared<outcome>();
  conn.async_exec(std::move(req), [o](std::error_code ec, redis::response r) {
    o->done = true;
    o->ec = ec;
    o->resp = std::move(r);
  });
  return o;
}

/// Settings for a server on 127.0.0.1:port with quick retries, so that reconnect tests stay short.
inline redis::settings quick_settings(std::uint16_t port) {
  redis::settings s;
  s.host = "127.0.0.1";
  s.port = port;
  s.backoff.initial = std::chrono::milliseconds(50);
  s.backoff.cap = std::chrono::milliseconds(500);
  s.connect_timeout = std::chrono::milliseconds(2000);
  s.request_timeout = std::chrono::milliseconds(10'000);
  return s;
}

/// An io_context with a connection that runs from construction to destruction.
struct client {
  explicit client(const redis::settings& s) : conn(ioc.get_executor(), s) {
    conn.async_run([this](std::error_code ec) {
      run_done = true;
      run_ec = ec;
    });
  }
  ~client() {
    conn.cancel();
    run_until(
        ioc, [this] { return run_done; }, std::chrono::seconds(5));
  }
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Runs one request to its end (bounded by 30 s); `done` is false if it never completed.
  std::shared_ptr<outcome> exec(redis::request req) {
    auto o = start(conn, std::move(req));
    run_until(
        ioc, [&] { return o->done; }, std::chrono::seconds(30));
    return o;
  }
  /// Waits until the connection is ready (bounded).
  bool wait_ready(std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    return run_until(
        ioc, [this] { return conn.current_state() == redis::state::ready; }, limit);
  }

  boost::asio::io_context ioc;
  redis::connection conn;
  bool run_done = false;
  std::error_code run_ec;
};

}  // namespace loa::test
