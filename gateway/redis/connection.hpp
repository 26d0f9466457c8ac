// One Redis connection on one io_context thread (hiredis 0.14 is not thread-safe): async_run keeps it alive
// (connect, AUTH, SELECT, health-check PING, reconnect with capped back-off and jitter), many short
// async_exec calls ride on it, each a pipelined request answered as a whole. Modelled on Boost.Redis'
// connection.
//
// Every member function must be called on the connection's executor (one thread, or a strand of one).
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "gateway/redis/error.hpp"
#include "gateway/redis/reply.hpp"
#include "gateway/redis/request.hpp"
#include "gateway/redis/settings.hpp"

namespace loa::redis {

namespace detail {
class connection_impl;
class cluster_client;
}

/// Where the connection stands.
enum class state {
  idle,              // async_run not started
  connecting,        // connect or handshake (AUTH, SELECT, PING) in progress
  ready,             // requests are sent as they come
  waiting_to_retry,  // the last attempt failed or the connection dropped; the next attempt is scheduled
  stopped,           // async_run ended (cancel(), auth_failed, select_failed, too many failed attempts)
};

/// The state's name ("ready").
const char* to_string(state s) noexcept;

/// One change of state, for logs and metrics; `why` names what ended the previous connection or attempt.
struct state_change {
  state now = state::idle;  // the new state
  std::error_code why;      // empty when entering connecting or ready
  std::string detail;       // hiredis' or the server's message for `why` (never holds the password)
};

/// What a real request (PING) found on one server: async_check.
struct node_check {
  std::string node;     // host:port (or the socket path); "cluster" for what concerns the slot map
  std::error_code ec;   // empty when the server answered PONG
  std::string detail;   // the server's or hiredis' message for `ec`
};

/// A Redis connection: to one server, to the primary the sentinels name (settings::sentinels), or to every
/// primary of a Redis Cluster with each command sent to the primary of its keys (settings::cluster,
/// cluster_client.hpp). Not copyable or movable: pending operations refer to it.
class connection {
 public:
  /// Signature of async_run's completion.
  using run_signature = void(std::error_code);
  /// Signature of async_exec's completion: the error, then the replies (all of them on success; those
  /// received so far otherwise).
  using exec_signature = void(std::error_code, response);

  /// A connection that will use `ex` for its socket, timers and completions; nothing happens before
  /// async_run.
  connection(boost::asio::any_io_executor ex, settings s);
  /// Stops like cancel(); completions still pending are delivered through the executor.
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// The executor given at construction.
  boost::asio::any_io_executor get_executor() const noexcept;

  /// Connects and keeps the connection healthy until cancel(). Completes with error::stopped after cancel(),
  /// with auth_failed or select_failed (a configuration error that retrying will not fix), or with the last
  /// error after settings::max_connect_attempts failed attempts in a row.
  template <class CompletionToken>
  auto async_run(CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, run_signature>(
        [this](auto handler) { start_run(std::move(handler)); }, token);
  }

  /// Sends every command of `req` back to back and completes once all are answered: success when no
  /// reply is an error, else error::server_error with all replies (the messages are in them). While not
  /// ready the request waits (at most settings::max_queued of them) until the connection is ready or its
  /// timeout. Fails with timeout, connection_lost (sent, fate unknown), queue_full, stopped, empty_request,
  /// unsupported_command, or cancelled through the handler's cancellation slot (terminal: always; partial
  /// and total: only while not yet sent). Completion is never inline.
  template <class CompletionToken>
  auto async_exec(request req, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, exec_signature>(
        [this](auto handler, request r) { start_exec(std::move(r), std::move(handler)); }, token,
        std::move(req));
  }

  /// Signature of async_check's completion.
  using check_signature = void(std::vector<node_check>);

  /// PINGs every primary (the one server or primary; with a cluster, every primary of the slot map) with a
  /// timeout of `limit`, and completes with what each answered. With a cluster, also an entry "cluster"
  /// when there is no slot map yet or slots no primary serves.
  template <class CompletionToken>
  auto async_check(std::chrono::milliseconds limit, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, check_signature>(
        [this, limit](auto handler) { start_check(limit, std::move(handler)); }, token);
  }

  /// True when this connection is to a Redis Cluster.
  bool is_cluster() const noexcept { return cluster_ != nullptr; }

  /// Ends async_run (error::stopped) and drops the connection: requests in flight fail with connection_lost,
  /// waiting ones with stopped. A later async_run starts afresh.
  void cancel();

  /// Where the connection stands.
  state current_state() const noexcept;
  /// Why the last attempt or connection ended (empty before any failure).
  std::error_code last_error() const noexcept;
  /// hiredis' or the server's message for last_error().
  const std::string& last_error_detail() const noexcept;
  /// Handshakes completed since construction (1 after the first connect, 2 after one reconnect...).
  std::uint64_t connects() const noexcept;
  /// host:port (or the socket path) of the current or last connection attempt; with sentinels, the primary
  /// they named. Empty before the first attempt.
  const std::string& address() const noexcept;
  /// settings::wait_replicas and wait_timeout, for durability.hpp.
  int wait_replicas() const noexcept;
  std::chrono::milliseconds wait_timeout() const noexcept;
  /// Requests waiting for the connection to be ready.
  std::size_t queued() const noexcept;
  /// Called (through the executor, never from inside hiredis) on every change of state.
  void set_observer(std::function<void(const state_change&)> observer);

 private:
  void start_run(boost::asio::any_completion_handler<run_signature> handler);
  void start_exec(request req, boost::asio::any_completion_handler<exec_signature> handler);
  void start_check(std::chrono::milliseconds limit, boost::asio::any_completion_handler<check_signature> handler);

  std::shared_ptr<detail::connection_impl> impl_;   // one server, or sentinels
  std::shared_ptr<detail::cluster_client> cluster_;  // a Redis Cluster (then impl_ is null)
};

}  // namespace loa::redis
