// One carrier bind on an io_context: the thin Asio edge around the sans-io `session` (STYLE practices 1-4).
// It connects (with a timeout), reads frames (command_length checked before the body is read), writes what
// the session sends, runs the session's timers and reconnects when the session says so. Many short
// async_submit calls ride on the one long-running connection; a full window makes them wait, never fail.
//
// Threading: one io_context thread. Every member function must be called from that thread (libsmpp34's global
// error state and the session are not thread-safe; scale with processes, not threads).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>

#include "gateway/smpp/codec.hpp"
#include "gateway/smpp/pdu.hpp"
#include "gateway/smpp/rate_limiter.hpp"
#include "gateway/smpp/session.hpp"

namespace loa::smpp {

/// Where to connect and how the session behaves.
struct bind_settings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 2775;
  // SMPP inside TLS; the SMSC's certificate must be signed by a CA of tls_ca (or of the system store when
  // empty) and name `host`. A certificate that does not verify fails the connect (retried with back-off).
  bool tls = false;
  std::string tls_ca;
  // Bind credentials, window, timers, the command_status table.
  session_settings session;
  // TCP connect, name resolution included.
  std::chrono::milliseconds connect_timeout{5'000};
  // How long a closing connection may go on writing what the session sent (an unbind_resp, a generic_nack).
  std::chrono::milliseconds close_flush_timeout{1'000};
  // A larger command_length means the stream is out of step: the connection is restarted.
  std::size_t max_command_length = default_max_command_length;
};

/// Answers one deliver_sm handed to on_deliver_unanswered: call it (on the io_context thread) once what it
/// says is kept; status 0 is ESME_ROK. Calling it after the connection ended does nothing (the SMSC delivers
/// the PDU again on the next bind). Copyable; calling it twice sends one answer per call.
class deliver_ack {
 public:
  deliver_ack() = default;
  explicit deliver_ack(std::function<void(std::uint32_t)> answer) : answer_(std::move(answer)) {}
  void operator()(std::uint32_t status = 0) const;

 private:
  std::function<void(std::uint32_t)> answer_;
};

/// What the owner hears about the bind; every member is optional. Called on the io_context thread, never
/// after the bind_driver is destroyed. Calling async_submit from inside a callback is allowed.
struct bind_callbacks {
  std::function<void(const std::string& smsc_system_id)> on_bound;  // the bind succeeded
  std::function<void(std::error_code reason)> on_unbound;           // the bind ended (a reconnect follows)
  std::function<void(std::error_code reason, bool slow)> on_bind_refused;  // alert: the SMSC refused the bind
  std::function<void(const pdu& deliver_sm)> on_deliver;  // a receipt or MO, already answered
  // Instead of on_deliver: the deliver_sm is not answered until the owner calls the ack (at-least-once).
  std::function<void(const pdu& deliver_sm, deliver_ack ack)> on_deliver_unanswered;
  std::function<void(std::size_t free)> on_slots_free;    // back-pressure: room for this many more
  std::function<void(std::error_code error, std::string_view detail)> on_log;  // odd things, bytes in hex
  std::function<void(std::chrono::microseconds round_trip)> on_link_alive;    // an enquire_link was answered
};

/// One bind to one carrier, driven by a coroutine per connection on the caller's io_context.
class bind_driver {
 public:
  /// Creates the bind (not started). `limiter` is shared by the carrier's binds and must outlive this.
  bind_driver(boost::asio::io_context& io, bind_settings settings, rate_limiter& limiter,
              bind_callbacks callbacks = {});
  /// Abrupt end: closes the connection; pending submits complete (uncertain when sent, retry when queued).
  ~bind_driver();
  bind_driver(const bind_driver&) = delete;
  bind_driver& operator=(const bind_driver&) = delete;

  /// Connects and binds; from then on the bind keeps itself up (enquire_link, reconnect with back-off).
  void start();

  /// Submits one submit_sm body (sequence and header are the session's); completes with void(submit_outcome)
  /// once the SMSC answered, the answer timed out (uncertain) or the bind closed under it (uncertain).
  /// A body that cannot be encoded completes at once as permanent (error::encode_failed).
  template <class CompletionToken>
  auto async_submit(short_message message, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(submit_outcome)>(
        [this](auto handler, short_message m) {
          submit_impl(std::move(m), submit_handler(std::move(handler)));
        },
        token, std::move(message));
  }

  /// Graceful stop: refuse new submits, drain the window, unbind, close; completes with void() when closed.
  template <class CompletionToken>
  auto async_stop(CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void()>(
        [this](auto handler) { stop_impl(stop_handler(std::move(handler))); }, token);
  }

  /// Sends an enquire_link now (when bound and none is in flight); on_link_alive reports the answer.
  void enquire_link();

  /// The session's state.
  session_state state() const;
  /// Submits sent and not yet answered.
  std::size_t outstanding() const;
  /// Submits waiting for a window slot or for the bind.
  std::size_t queued() const;
  /// How many more submits would go out at once.
  std::size_t free_capacity() const;

 private:
  using submit_handler = boost::asio::any_completion_handler<void(submit_outcome)>;
  using stop_handler = boost::asio::any_completion_handler<void()>;
  void submit_impl(short_message message, submit_handler handler);
  void stop_impl(stop_handler handler);

  struct impl;
  std::shared_ptr<impl> impl_;  // shared with the coroutines, which may outlive this object by a few handlers
};

}  // namespace loa::smpp
