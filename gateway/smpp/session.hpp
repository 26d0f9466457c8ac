// The SMPP session of one bind as a sans-io state machine (STYLE practice 1): it is fed events (connected, a
// PDU arrived, a timer fired, the owner wants to submit) and answers with actions (send this PDU, arm that
// timer, close) and notifications for its owner (bound, submit result, deliver_sm handed up). It never
// touches a socket or a clock: every call carries "now". bind_driver performs the actions with Asio; tests
// step the machine directly.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "gateway/common/backoff.hpp"
#include "gateway/smpp/codec.hpp"
#include "gateway/smpp/command_status.hpp"
#include "gateway/smpp/error.hpp"
#include "gateway/smpp/pdu.hpp"
#include "gateway/smpp/rate_limiter.hpp"
#include "gateway/smpp/window.hpp"

namespace loa::smpp {

/// Which bind the session asks for.
enum class bind_mode { transmitter, receiver, transceiver };

/// Everything a session needs to know about its carrier bind. Timers are short in tests, spec-like in
/// production.
struct session_settings {
  bind_mode mode = bind_mode::transceiver;
  std::string system_id;
  std::string password;
  std::string system_type;
  address address_range;
  // Unanswered submit_sm at most (the SMPP guideline is 10; carriers state their own).
  std::size_t window = 10;
  // Idle time (nothing received) before an enquire_link.
  session_clock::duration enquire_link_interval = std::chrono::seconds{30};
  // Deadline for a submit_sm_resp or an enquire_link_resp.
  session_clock::duration response_timeout = std::chrono::seconds{60};
  // Deadline for the bind_resp.
  session_clock::duration bind_timeout = std::chrono::seconds{30};
  // Deadline for draining the window and receiving the unbind_resp when unbinding.
  session_clock::duration unbind_timeout = std::chrono::seconds{10};
  // retry_after of a retry_later outcome for transient statuses and generic_nack.
  session_clock::duration retry_delay = std::chrono::seconds{5};
  // retry_after of a retry_later outcome for ESME_RTHROTTLED.
  session_clock::duration throttle_delay = std::chrono::seconds{1};
  // Delays between reconnect attempts.
  backoff_settings reconnect;
  // Jitter seed; bind_driver draws one when 0, tests fix it.
  std::uint64_t seed = 0;
  // The first sequence_number used (tests start near the wrap).
  std::uint32_t first_sequence = 1;
  // The carrier's command_status -> action table.
  status_policy statuses;
  // When true, a deliver_sm is handed up unanswered and the owner answers it with answer_deliver() once it
  // has kept what it says (a receipt written to Redis): a crash in between makes the SMSC deliver it again.
  bool defer_deliver_resp = false;
};

/// Where the session is. `closed` is final: reached only after shutdown().
enum class session_state { disconnected, connecting, binding, bound, unbinding, closed };

/// The session's timers; the driver keeps one timer per id, and arming an id replaces its previous deadline.
enum class timer_id {
  reconnect,              // back-off before the next connect
  bind_response,          // bind_resp deadline
  enquire_link,           // idle check: time to send an enquire_link?
  enquire_link_response,  // enquire_link_resp deadline: missing means the link is dead
  submit_deadline,        // the earliest submit_sm_resp deadline in the window
  rate,                   // the rate limiter asked us to wait before the next submit_sm
  unbind_response,        // deadline for draining the window and receiving unbind_resp
};

/// What became of one submit.
enum class outcome_kind {
  accepted,     // the SMSC took it: message_id is set
  retry_later,  // not taken (throttled, queue full, not bound, generic_nack): safe to resend after
                // retry_after
  permanent,    // refused for good (bad address, our encoding): do not resend
  uncertain,    // sent, but no answer (timeout or the bind closed): the SMSC may or may not have it
};

/// The result handed to the owner for each submit it requested; every submit gets exactly one.
struct submit_outcome {
  outcome_kind kind = outcome_kind::retry_later;
  std::string message_id;                 // accepted: the SMSC's id, as received
  std::error_code error;                  // why not accepted: a status_category code or an smpp::error
  std::uint32_t command_status = 0;       // the SMSC's status, 0 when it did not answer
  session_clock::duration retry_after{};  // retry_later: wait at least this long before resending
  session_clock::duration age{};          // uncertain: time since the submit_sm was sent
};

/// Actions for the driver and notifications for the owner, in the order they must be performed.
namespace action {
/// Open the TCP connection; report on_connected or on_connect_failed.
struct connect {};
/// Write this PDU (in order with the other sends).
struct send {
  pdu value;
};
/// Start (or restart) the timer `id`; report on_timer(id) when it expires.
struct arm_timer {
  timer_id id;
  session_clock::duration after;
};
/// Stop the timer `id`; a late expiry of it must not be reported.
struct cancel_timer {
  timer_id id;
};
/// Close the connection after writing the sends already issued; do not report on_closed for it.
struct close {};
/// Notification: the bind succeeded.
struct bound {
  std::string smsc_system_id;
};
/// Notification: the bind ended (closed, dead link, peer unbind, our unbind).
struct unbound {
  std::error_code reason;
};
/// Notification (alert): the SMSC refused the bind; `slow` when it was 0x0D-0x0F (credentials) and the
/// session waits the longest back-off before trying again.
struct bind_refused {
  std::error_code reason;
  bool slow = false;
};
/// Notification: the outcome of the submit the owner asked for with `token`.
struct submit_result {
  std::uint64_t token;
  submit_outcome outcome;
};
/// Notification: a deliver_sm (receipt or MO) to hand up; it has been answered already, unless
/// session_settings::defer_deliver_resp (then answer_deliver(connection, value.sequence, status)).
struct deliver {
  pdu value;
  std::uint64_t connection = 0;  // which connection it came on
};
/// Notification (back-pressure): this many more submits would be sent at once, without queueing.
struct slots_free {
  std::size_t count;
};
/// Notification for the owner's log: something odd that the session handled (malformed bytes, unknown
/// sequence).
struct problem {
  std::error_code error;
  std::string detail;
};
/// Notification: shutdown finished; the session is closed for good.
struct stopped {};
/// Notification: an enquire_link we sent was answered; the link is alive with this round trip.
struct link_alive {
  session_clock::duration round_trip;
};
}  // namespace action

/// One thing for the driver to do or to tell the owner.
using session_action =
    std::variant<action::connect, action::send, action::arm_timer, action::cancel_timer, action::close,
                 action::bound, action::unbound, action::bind_refused, action::submit_result, action::deliver,
                 action::slots_free, action::problem, action::stopped, action::link_alive>;

/// The actions of one step.
using session_actions = std::vector<session_action>;

/// A frame that could not be decoded: the driver passes what the codec said.
struct malformed_frame {
  std::error_code error;       // from the codec (error::bad_command_length means the stream is out of step)
  std::optional<header> head;  // the 16-byte header, when the frame had one
  std::string detail;          // the codec's explanation
  std::string hex;             // the bytes, for the log
};

/// "disconnected", "connecting", "binding", "bound", "unbinding", "closed".
std::string_view to_string(session_state state) noexcept;
/// "accepted", "retry_later", "permanent", "uncertain".
std::string_view to_string(outcome_kind kind) noexcept;
/// "reconnect", "bind_response", ... (the enumerator's name).
std::string_view to_string(timer_id id) noexcept;
/// fmt 9 prints the session's enums through these.
inline std::string_view format_as(session_state state) noexcept {
  return to_string(state);
}
/// fmt 9 prints the session's enums through these.
inline std::string_view format_as(outcome_kind kind) noexcept {
  return to_string(kind);
}
/// fmt 9 prints the session's enums through these.
inline std::string_view format_as(timer_id id) noexcept {
  return to_string(id);
}

/// The sans-io SMPP session of one bind.
class session {
 public:
  /// A disconnected session; `limiter` (may be null: no limit) is shared with the carrier's other binds and
  /// must outlive the session.
  session(session_settings settings, rate_limiter* limiter);

  /// Begin: connect now.
  session_actions start(session_clock::time_point now);
  /// The TCP connection is up: bind.
  session_actions on_connected(session_clock::time_point now);
  /// The TCP connection could not be opened (refused, timeout): try again after back-off.
  session_actions on_connect_failed(std::error_code error, session_clock::time_point now);
  /// A whole PDU arrived and decoded.
  session_actions on_pdu(const pdu& received, session_clock::time_point now);
  /// A whole frame arrived and did not decode (or its command_length is out of range).
  session_actions on_malformed(const malformed_frame& frame, session_clock::time_point now);
  /// A timer armed by arm_timer expired.
  session_actions on_timer(timer_id id, session_clock::time_point now);
  /// The connection ended without the session asking (peer closed, read or write error).
  session_actions on_closed(std::error_code error, session_clock::time_point now);
  /// The owner wants `message` submitted; `token` comes back in its submit_result. Never refused while the
  /// session runs: when the window is full or the bind is down it waits in the session's queue.
  session_actions submit(std::uint64_t token, short_message message, session_clock::time_point now);
  /// Graceful stop: no new submits, drain the window, unbind, close; ends with action::stopped.
  session_actions shutdown(session_clock::time_point now);
  /// Answers a deferred deliver_sm (defer_deliver_resp) that came on `connection`; nothing when that
  /// connection has ended (the SMSC will deliver it again).
  session_actions answer_deliver(std::uint64_t connection, std::uint32_t sequence, std::uint32_t status);
  /// Probe the link now (`loa carrier check`): an enquire_link unless one is in flight or the session is
  /// not bound; its answer comes as action::link_alive.
  session_actions enquire_now(session_clock::time_point now);

  /// The current state.
  session_state state() const { return state_; }
  /// Submits sent and not answered.
  std::size_t outstanding() const { return window_.size(); }
  /// Submits waiting for a window slot (or for the bind).
  std::size_t queued() const { return queue_.size(); }
  /// How many more submits would go out at once (free window slots not already claimed by the queue).
  std::size_t free_capacity() const;
  /// The settings in force.
  const session_settings& settings() const { return settings_; }

 private:
  struct pending {
    std::uint64_t token;
    short_message message;
  };

  std::uint32_t next_sequence();
  void send(session_actions& out, pdu p);
  void arm(session_actions& out, timer_id id, session_clock::duration after);
  void cancel(session_actions& out, timer_id id);
  void pump(session_actions& out, session_clock::time_point now);
  void rearm_deadline(session_actions& out, session_clock::time_point now);
  void slot_freed(session_actions& out, session_clock::time_point now);
  void connection_lost(session_actions& out, std::error_code reason, session_clock::time_point now,
                       bool we_close);
  void schedule_reconnect(session_actions& out, session_clock::duration delay);
  void begin_unbind(session_actions& out);
  void maybe_send_unbind(session_actions& out);
  void hand_back_queue(session_actions& out, std::error_code reason);
  void finish_submit(session_actions& out, const window_entry& entry, std::uint32_t status,
                     const std::string& message_id, session_clock::time_point now);
  void on_submit_resp(session_actions& out, const pdu& p, session_clock::time_point now);
  void on_bind_resp(session_actions& out, const pdu& p, session_clock::time_point now);
  void on_generic_nack(session_actions& out, const pdu& p, session_clock::time_point now);
  void on_deliver(session_actions& out, const pdu& p);
  void on_enquire_timer(session_actions& out, session_clock::time_point now);
  void send_enquire(session_actions& out, session_clock::time_point now);
  void unknown_response(session_actions& out, const pdu& p);
  pdu bind_pdu(std::uint32_t sequence) const;

  session_settings settings_;
  rate_limiter* limiter_;
  session_state state_ = session_state::disconnected;
  window window_;
  std::deque<pending> queue_;
  backoff backoff_;
  std::uint32_t last_sequence_ = 0;
  std::uint32_t bind_sequence_ = 0;                // the bind in flight (binding state)
  std::optional<std::uint32_t> enquire_sequence_;
  session_clock::time_point enquire_sent_{};  // our enquire_link in flight
  std::optional<std::uint32_t> unbind_sequence_;   // our unbind in flight
  bool stopping_ = false;  // shutdown() was called: no new submits, and no reconnect after the unbind
  session_clock::time_point last_received_{};
  std::optional<session_clock::time_point> armed_deadline_;  // what submit_deadline is armed for
  bool rate_timer_armed_ = false;
  std::uint64_t connection_ = 0;  // counts connections, so that a late answer_deliver finds its own
};

}  // namespace loa::smpp
