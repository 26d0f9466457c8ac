#include "gateway/smpp/session.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace loa::smpp {
namespace {

// What the carrier's table says about a non-zero submit_sm_resp status, in the session's own words.
enum class verdict { retry, slow_down, permanent, rebind };

verdict judge(const status_policy& policy, std::uint32_t status) {
  switch (classify(policy, status)) {
    case status_action::retry:
      return verdict::retry;
    case status_action::retry_slow_down:
      return verdict::slow_down;
    case status_action::permanent:
      return verdict::permanent;
    case status_action::rebind:
      return verdict::rebind;
  }
  return verdict::retry;
}

command_id bind_command(bind_mode mode) {
  switch (mode) {
    case bind_mode::transmitter:
      return command_id::bind_transmitter;
    case bind_mode::receiver:
      return command_id::bind_receiver;
    case bind_mode::transceiver:
      return command_id::bind_transceiver;
  }
  return command_id::bind_transceiver;
}

bool is_bind_resp(command_id id) {
  return id == command_id::bind_transmitter_resp || id == command_id::bind_receiver_resp ||
         id == command_id::bind_transceiver_resp;
}

// Credentials refused: retrying soon only floods the carrier's logs (DOMAIN.md: stop, alert, reconnect
// slowly).
bool is_credential_failure(std::uint32_t status) {
  return status == status::bindfail || status == status::invpaswd || status == status::invsysid;
}

pdu response_to(const pdu& request, command_id id, std::uint32_t status, body content = empty{}) {
  return pdu{id, status, request.sequence, std::move(content)};
}

// The command_status that tells the peer what was wrong with a frame we could not decode.
std::uint32_t status_for(std::error_code ec) {
  if (ec == error::unknown_command) return status::invcmdid;
  if (ec == error::bad_command_length) return status::invcmdlen;
  if (ec == error::bad_sm_length || ec == error::truncated) return status::invmsglen;
  if (ec == error::bad_tlv) return status::invoptparstream;
  return status::syserr;
}

std::string describe(const pdu& p) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "command_id 0x%08x status 0x%08x sequence %u", static_cast<unsigned>(p.id),
                static_cast<unsigned>(p.status), static_cast<unsigned>(p.sequence));
  return buf;
}

}  // namespace

std::string_view to_string(session_state state) noexcept {
  switch (state) {
    case session_state::disconnected:
      return "disconnected";
    case session_state::connecting:
      return "connecting";
    case session_state::binding:
      return "binding";
    case session_state::bound:
      return "bound";
    case session_state::unbinding:
      return "unbinding";
    case session_state::closed:
      return "closed";
  }
  return "?";
}

std::string_view to_string(outcome_kind kind) noexcept {
  switch (kind) {
    case outcome_kind::accepted:
      return "accepted";
    case outcome_kind::retry_later:
      return "retry_later";
    case outcome_kind::permanent:
      return "permanent";
    case outcome_kind::uncertain:
      return "uncertain";
  }
  return "?";
}

std::string_view to_string(timer_id id) noexcept {
  switch (id) {
    case timer_id::reconnect:
      return "reconnect";
    case timer_id::bind_response:
      return "bind_response";
    case timer_id::enquire_link:
      return "enquire_link";
    case timer_id::enquire_link_response:
      return "enquire_link_response";
    case timer_id::submit_deadline:
      return "submit_deadline";
    case timer_id::rate:
      return "rate";
    case timer_id::unbind_response:
      return "unbind_response";
  }
  return "?";
}

session::session(session_settings settings, rate_limiter* limiter)
    : settings_(std::move(settings)),
      limiter_(limiter),
      window_(settings_.window),
      backoff_(settings_.reconnect, settings_.seed) {
  const auto first = settings_.first_sequence;
  last_sequence_ = (first == 0 || first > 0x7FFFFFFFu) ? 0 : first - 1;
}

std::size_t session::free_capacity() const {
  const auto free = window_.free_slots();
  return free > queue_.size() ? free - queue_.size() : 0;
}

std::uint32_t session::next_sequence() {
  // SMPP 3.4 allows 0x00000001..0x7FFFFFFF; skip numbers still waiting for an answer after a wrap.
  for (;;) {
    last_sequence_ = last_sequence_ >= 0x7FFFFFFFu ? 1 : last_sequence_ + 1;
    if (window_.contains(last_sequence_)) continue;
    if (enquire_sequence_ == last_sequence_ || unbind_sequence_ == last_sequence_) continue;
    return last_sequence_;
  }
}

void session::send(session_actions& out, pdu p) {
  out.emplace_back(action::send{std::move(p)});
}

void session::arm(session_actions& out, timer_id id, session_clock::duration after) {
  out.emplace_back(action::arm_timer{id, std::max(after, session_clock::duration::zero())});
}

void session::cancel(session_actions& out, timer_id id) {
  out.emplace_back(action::cancel_timer{id});
}

pdu session::bind_pdu(std::uint32_t sequence) const {
  bind b;
  b.system_id = settings_.system_id;
  b.password = settings_.password;
  b.system_type = settings_.system_type;
  b.address_range = settings_.address_range;
  return pdu{bind_command(settings_.mode), 0, sequence, std::move(b)};
}

// ---- events
// ------------------------------------------------------------------------------------------------

session_actions session::start(session_clock::time_point) {
  session_actions out;
  if (state_ != session_state::disconnected) return out;
  state_ = session_state::connecting;
  out.emplace_back(action::connect{});
  return out;
}

session_actions session::on_connected(session_clock::time_point now) {
  session_actions out;
  if (state_ != session_state::connecting) return out;
  state_ = session_state::binding;
  ++connection_;
  last_received_ = now;
  bind_sequence_ = next_sequence();
  send(out, bind_pdu(bind_sequence_));
  arm(out, timer_id::bind_response, settings_.bind_timeout);
  return out;
}

session_actions session::on_connect_failed(std::error_code error, session_clock::time_point) {
  session_actions out;
  if (state_ != session_state::connecting) return out;
  state_ = session_state::disconnected;
  out.emplace_back(action::problem{error, "connect failed"});
  schedule_reconnect(out, backoff_.next());
  return out;
}

session_actions session::on_pdu(const pdu& p, session_clock::time_point now) {
  session_actions out;
  if (state_ != session_state::binding && state_ != session_state::bound &&
      state_ != session_state::unbinding)
    return out;  // a PDU read just before we closed: nobody is waiting for it
  last_received_ = now;

  switch (p.id) {
    case command_id::submit_sm_resp:
      on_submit_resp(out, p, now);
      break;
    case command_id::bind_transmitter_resp:
    case command_id::bind_receiver_resp:
    case command_id::bind_transceiver_resp:
      on_bind_resp(out, p, now);
      break;
    case command_id::generic_nack:
      on_generic_nack(out, p, now);
      break;
    case command_id::deliver_sm:
      on_deliver(out, p);
      break;
    case command_id::enquire_link:
      // Answer even while binding: some SMSCs probe before the bind_resp.
      send(out, response_to(p, command_id::enquire_link_resp, status::ok));
      break;
    case command_id::enquire_link_resp:
      if (enquire_sequence_ && *enquire_sequence_ == p.sequence) {
        enquire_sequence_.reset();
        cancel(out, timer_id::enquire_link_response);
        out.emplace_back(action::link_alive{now - enquire_sent_});
      } else {
        unknown_response(out, p);
      }
      break;
    case command_id::unbind:
      // The peer ends the bind: confirm, and whatever is outstanding becomes uncertain.
      send(out, response_to(p, command_id::unbind_resp, status::ok));
      connection_lost(out, error::connection_closed, now, true);
      break;
    case command_id::unbind_resp:
      if (unbind_sequence_ && *unbind_sequence_ == p.sequence) {
        connection_lost(out, error::connection_closed, now, true);
      } else {
        unknown_response(out, p);
      }
      break;
    default:
      if (is_response(p.id)) {
        unknown_response(out, p);
      } else {
        // A request an ESME does not serve (submit_sm, data_sm, bind, outbind from the SMSC).
        send(out, pdu{command_id::generic_nack, status::invcmdid, p.sequence, empty{}});
        out.emplace_back(action::problem{make_error_code(error::unknown_command),
                                         "unexpected request from the SMSC: " + describe(p)});
      }
      break;
  }
  return out;
}

session_actions session::on_malformed(const malformed_frame& frame, session_clock::time_point now) {
  session_actions out;
  if (state_ != session_state::binding && state_ != session_state::bound &&
      state_ != session_state::unbinding)
    return out;
  out.emplace_back(
      action::problem{frame.error, frame.detail + (frame.hex.empty() ? "" : " bytes " + frame.hex)});

  if (frame.error == error::bad_command_length || !frame.head) {
    // The length field cannot be trusted, so neither can the position of the next PDU: say so and start over.
    send(out,
         pdu{command_id::generic_nack, status::invcmdlen, frame.head ? frame.head->sequence : 0, empty{}});
    connection_lost(out, frame.error, now, true);
    return out;
  }
  last_received_ = now;
  const header& h = *frame.head;
  const auto id = static_cast<command_id>(h.command_id);
  if (!is_response(id)) {
    // One bad PDU must not take the bind down: answer with its own error, or generic_nack if we cannot name
    // it.
    if (id == command_id::deliver_sm && frame.error != error::unknown_command)
      send(out, pdu{command_id::deliver_sm_resp, status_for(frame.error), h.sequence, message_resp{}});
    else
      send(out, pdu{command_id::generic_nack, status_for(frame.error), h.sequence, empty{}});
    return out;
  }
  // A response whose body we cannot read still has a readable status and sequence number.
  if (id == command_id::submit_sm_resp && h.command_status == status::ok) {
    if (auto entry = window_.take(h.sequence)) {
      // Accepted, but without a readable message_id no receipt can be matched: report it as uncertain.
      out.emplace_back(action::submit_result{
          entry->token,
          submit_outcome{outcome_kind::uncertain, {}, frame.error, 0, {}, now - entry->sent_at}});
      slot_freed(out, now);
      maybe_send_unbind(out);
    }
    return out;
  }
  auto stripped = on_pdu(pdu{id, h.command_status, h.sequence,
                             id == command_id::submit_sm_resp ? body{message_resp{}}
                             : is_bind_resp(id)               ? body{bind_resp{}}
                                                              : body{empty{}}},
                         now);
  out.insert(out.end(), std::make_move_iterator(stripped.begin()), std::make_move_iterator(stripped.end()));
  return out;
}

session_actions session::on_timer(timer_id id, session_clock::time_point now) {
  session_actions out;
  switch (id) {
    case timer_id::reconnect:
      if (state_ == session_state::disconnected) {
        state_ = session_state::connecting;
        out.emplace_back(action::connect{});
      }
      break;
    case timer_id::bind_response:
      if (state_ == session_state::binding) {
        out.emplace_back(action::problem{make_error_code(error::response_timeout), "no bind_resp"});
        connection_lost(out, error::response_timeout, now, true);
      }
      break;
    case timer_id::enquire_link:
      if (state_ == session_state::bound) on_enquire_timer(out, now);
      break;
    case timer_id::enquire_link_response:
      if (state_ == session_state::bound && enquire_sequence_) {
        // No enquire_link_resp: the link is dead even if TCP has not noticed.
        connection_lost(out, error::response_timeout, now, true);
      }
      break;
    case timer_id::submit_deadline: {
      armed_deadline_.reset();
      auto expired = window_.take_expired(now);
      for (const auto& e : expired) {
        out.emplace_back(
            action::submit_result{e.token, submit_outcome{outcome_kind::uncertain,
                                                          {},
                                                          make_error_code(error::response_timeout),
                                                          0,
                                                          {},
                                                          now - e.sent_at}});
      }
      if (!expired.empty()) slot_freed(out, now);
      rearm_deadline(out, now);
      maybe_send_unbind(out);
      break;
    }
    case timer_id::rate:
      rate_timer_armed_ = false;
      pump(out, now);
      break;
    case timer_id::unbind_response:
      if (state_ == session_state::unbinding) connection_lost(out, error::response_timeout, now, true);
      break;
  }
  return out;
}

session_actions session::on_closed(std::error_code error, session_clock::time_point now) {
  session_actions out;
  if (state_ == session_state::connecting) {
    state_ = session_state::disconnected;
    schedule_reconnect(out, backoff_.next());
  } else if (state_ == session_state::binding || state_ == session_state::bound ||
             state_ == session_state::unbinding) {
    connection_lost(out, error ? error : make_error_code(error::connection_closed), now, false);
  }
  return out;
}

session_actions session::submit(std::uint64_t token, short_message message, session_clock::time_point now) {
  session_actions out;
  if (stopping_ || state_ == session_state::closed) {
    out.emplace_back(action::submit_result{
        token, submit_outcome{outcome_kind::retry_later, {}, make_error_code(error::not_bound), 0, {}, {}}});
    return out;
  }
  queue_.push_back(pending{token, std::move(message)});
  pump(out, now);
  return out;
}

session_actions session::shutdown(session_clock::time_point now) {
  session_actions out;
  stopping_ = true;
  hand_back_queue(out, make_error_code(error::not_bound));
  switch (state_) {
    case session_state::disconnected:
      cancel(out, timer_id::reconnect);
      state_ = session_state::closed;
      out.emplace_back(action::stopped{});
      break;
    case session_state::connecting:
    case session_state::binding:
      // Not bound yet: nothing to unbind and nothing outstanding.
      connection_lost(out, make_error_code(error::connection_closed), now, true);
      break;
    case session_state::bound:
      begin_unbind(out);
      break;
    case session_state::unbinding:
      break;  // a rebind was under way: stopping_ now ends it for good
    case session_state::closed:
      out.emplace_back(action::stopped{});
      break;
  }
  return out;
}

// ---- pieces
// ------------------------------------------------------------------------------------------------

void session::pump(session_actions& out, session_clock::time_point now) {
  if (state_ != session_state::bound) return;
  if (settings_.mode == bind_mode::receiver) return;  // a receiver bind cannot submit; the queue waits
  while (!queue_.empty() && !window_.full()) {
    if (limiter_ != nullptr) {
      const auto wait = limiter_->acquire(now);
      if (wait > session_clock::duration::zero()) {
        if (!rate_timer_armed_) {
          arm(out, timer_id::rate, wait);
          rate_timer_armed_ = true;
        }
        break;
      }
    }
    pending next = std::move(queue_.front());
    queue_.pop_front();
    const auto seq = next_sequence();
    window_.insert(seq, next.token, now, now + settings_.response_timeout);
    send(out, pdu{command_id::submit_sm, 0, seq, std::move(next.message)});
  }
  rearm_deadline(out, now);
}

void session::rearm_deadline(session_actions& out, session_clock::time_point now) {
  const auto next = window_.next_deadline();
  if (next == armed_deadline_) return;
  armed_deadline_ = next;
  if (next)
    arm(out, timer_id::submit_deadline, *next - now);
  else
    cancel(out, timer_id::submit_deadline);
}

void session::slot_freed(session_actions& out, session_clock::time_point now) {
  if (!stopping_ && state_ == session_state::bound) pump(out, now);
  rearm_deadline(out, now);
  if (!stopping_ && state_ == session_state::bound) {
    if (const auto n = free_capacity(); n > 0) out.emplace_back(action::slots_free{n});
  }
}

void session::hand_back_queue(session_actions& out, std::error_code reason) {
  // Never sent, so never seen by the SMSC: safe to resend elsewhere or later.
  while (!queue_.empty()) {
    out.emplace_back(action::submit_result{queue_.front().token,
                                           submit_outcome{outcome_kind::retry_later, {}, reason, 0, {}, {}}});
    queue_.pop_front();
  }
}

void session::connection_lost(session_actions& out, std::error_code reason, session_clock::time_point now,
                              bool we_close) {
  const bool was_bound = state_ == session_state::bound || state_ == session_state::unbinding;
  if (we_close) out.emplace_back(action::close{});
  for (auto id : {timer_id::bind_response, timer_id::enquire_link, timer_id::enquire_link_response,
                  timer_id::submit_deadline, timer_id::rate, timer_id::unbind_response})
    cancel(out, id);
  armed_deadline_.reset();
  rate_timer_armed_ = false;
  enquire_sequence_.reset();
  unbind_sequence_.reset();
  // Nobody knows whether the SMSC took what it did not answer: hand each back as uncertain, with its age.
  for (const auto& e : window_.take_all()) {
    out.emplace_back(action::submit_result{
        e.token,
        submit_outcome{
            outcome_kind::uncertain, {}, make_error_code(error::window_closed), 0, {}, now - e.sent_at}});
  }
  if (was_bound) out.emplace_back(action::unbound{reason});
  if (stopping_) {
    hand_back_queue(out, make_error_code(error::not_bound));
    cancel(out, timer_id::reconnect);
    state_ = session_state::closed;
    out.emplace_back(action::stopped{});
    return;
  }
  state_ = session_state::disconnected;
  schedule_reconnect(out, backoff_.next());
}

void session::schedule_reconnect(session_actions& out, session_clock::duration delay) {
  arm(out, timer_id::reconnect, delay);
}

void session::begin_unbind(session_actions& out) {
  state_ = session_state::unbinding;
  cancel(out, timer_id::enquire_link);
  cancel(out, timer_id::enquire_link_response);
  cancel(out, timer_id::rate);
  rate_timer_armed_ = false;
  enquire_sequence_.reset();
  // One deadline for draining the window and for the unbind_resp: a stop must end even if the SMSC is mute.
  arm(out, timer_id::unbind_response, settings_.unbind_timeout);
  maybe_send_unbind(out);
}

void session::maybe_send_unbind(session_actions& out) {
  // Unbind only once every outstanding submit is answered or expired: fewer messages end up uncertain.
  if (state_ != session_state::unbinding || unbind_sequence_ || !window_.empty()) return;
  unbind_sequence_ = next_sequence();
  send(out, pdu{command_id::unbind, 0, *unbind_sequence_, empty{}});
}

void session::finish_submit(session_actions& out, const window_entry& entry, std::uint32_t st,
                            const std::string& message_id, session_clock::time_point now) {
  submit_outcome o;
  o.command_status = st;
  bool rebind = false;
  if (st == status::ok) {
    o.kind = outcome_kind::accepted;
    o.message_id = message_id;
    if (limiter_ != nullptr) limiter_->on_accepted(entry.sent_at);
  } else {
    o.error = make_status_error(st);
    switch (judge(settings_.statuses, st)) {
      case verdict::retry:
        o.kind = outcome_kind::retry_later;
        o.retry_after = settings_.retry_delay;
        break;
      case verdict::slow_down:
        o.kind = outcome_kind::retry_later;
        o.retry_after = settings_.throttle_delay;
        if (limiter_ != nullptr) limiter_->on_throttled(entry.sent_at, now);
        break;
      case verdict::permanent:
        o.kind = outcome_kind::permanent;
        break;
      case verdict::rebind:
        // The SMSC no longer considers us bound (e.g. ESME_RINVBNDSTS): resend after a fresh bind.
        o.kind = outcome_kind::retry_later;
        o.retry_after = settings_.retry_delay;
        rebind = true;
        break;
    }
  }
  out.emplace_back(action::submit_result{entry.token, std::move(o)});
  if (rebind && state_ == session_state::bound) begin_unbind(out);
}

void session::on_submit_resp(session_actions& out, const pdu& p, session_clock::time_point now) {
  auto entry = window_.take(p.sequence);
  if (!entry) {
    // Late (after its deadline made it uncertain) or never ours: the owner logs it; nothing to complete.
    unknown_response(out, p);
    return;
  }
  const auto* resp = std::get_if<message_resp>(&p.content);
  finish_submit(out, *entry, p.status, resp ? resp->message_id : std::string{}, now);
  slot_freed(out, now);
  maybe_send_unbind(out);
}

void session::on_bind_resp(session_actions& out, const pdu& p, session_clock::time_point now) {
  if (state_ != session_state::binding || p.sequence != bind_sequence_ ||
      p.id != response_id(bind_command(settings_.mode))) {
    unknown_response(out, p);
    return;
  }
  cancel(out, timer_id::bind_response);
  if (p.status != status::ok) {
    const bool slow = is_credential_failure(p.status);
    out.emplace_back(action::bind_refused{make_status_error(p.status), slow});
    out.emplace_back(action::close{});
    state_ = session_state::disconnected;
    if (slow) {
      // Wrong credentials will not fix themselves: give the waiting work back so the owner can route it.
      hand_back_queue(out, make_error_code(error::bind_failed));
      schedule_reconnect(out, backoff_.slowest());
    } else {
      schedule_reconnect(out, backoff_.next());
    }
    return;
  }
  state_ = session_state::bound;
  backoff_.reset();
  const auto* resp = std::get_if<bind_resp>(&p.content);
  out.emplace_back(action::bound{resp ? resp->system_id : std::string{}});
  arm(out, timer_id::enquire_link, settings_.enquire_link_interval);
  if (stopping_) {
    begin_unbind(out);
    return;
  }
  pump(out, now);
  if (const auto n = free_capacity(); n > 0) out.emplace_back(action::slots_free{n});
}

void session::on_generic_nack(session_actions& out, const pdu& p, session_clock::time_point now) {
  if (auto entry = window_.take(p.sequence)) {
    // The SMSC could not parse our submit_sm: it did not take it, so a resend is safe.
    submit_outcome o{outcome_kind::retry_later, {}, make_error_code(error::generic_nack), p.status,
                     settings_.retry_delay,     {}};
    out.emplace_back(action::submit_result{entry->token, std::move(o)});
    slot_freed(out, now);
    maybe_send_unbind(out);
    return;
  }
  if (state_ == session_state::binding && p.sequence == bind_sequence_) {
    cancel(out, timer_id::bind_response);
    out.emplace_back(action::bind_refused{make_error_code(error::generic_nack), false});
    out.emplace_back(action::close{});
    state_ = session_state::disconnected;
    schedule_reconnect(out, backoff_.next());
    return;
  }
  if (enquire_sequence_ && *enquire_sequence_ == p.sequence) {
    // An answer all the same: the link is alive.
    enquire_sequence_.reset();
    cancel(out, timer_id::enquire_link_response);
    return;
  }
  if (unbind_sequence_ && *unbind_sequence_ == p.sequence) {
    connection_lost(out, make_error_code(error::generic_nack), now, true);
    return;
  }
  out.emplace_back(action::problem{make_error_code(error::generic_nack),
                                   "generic_nack for no request of ours: " + describe(p)});
}

void session::on_deliver(session_actions& out, const pdu& p) {
  const bool can_receive = settings_.mode != bind_mode::transmitter;
  if ((state_ != session_state::bound && state_ != session_state::unbinding) || !can_receive) {
    // SMPP 3.4: a deliver_sm outside a receiving bind is answered with ESME_RINVBNDSTS and not handed up.
    send(out, pdu{command_id::deliver_sm_resp, status::invbndsts, p.sequence, message_resp{}});
    out.emplace_back(action::problem{make_status_error(status::invbndsts), "deliver_sm before bind"});
    return;
  }
  if (!settings_.defer_deliver_resp) send(out, pdu{command_id::deliver_sm_resp, status::ok, p.sequence, message_resp{}});
  out.emplace_back(action::deliver{p, connection_});
}

session_actions session::answer_deliver(std::uint64_t connection, std::uint32_t sequence, std::uint32_t status) {
  session_actions out;
  const bool open = state_ == session_state::bound || state_ == session_state::unbinding;
  if (open && connection == connection_) send(out, pdu{command_id::deliver_sm_resp, status, sequence, message_resp{}});
  return out;
}

void session::on_enquire_timer(session_actions& out, session_clock::time_point now) {
  const auto interval = settings_.enquire_link_interval;
  const auto idle = now - last_received_;
  if (enquire_sequence_ || idle < interval) {
    // Traffic proves the link alive; check again when it has been quiet for a whole interval.
    arm(out, timer_id::enquire_link, enquire_sequence_ ? interval : interval - idle);
    return;
  }
  send_enquire(out, now);
  arm(out, timer_id::enquire_link, interval);
}

void session::send_enquire(session_actions& out, session_clock::time_point now) {
  enquire_sequence_ = next_sequence();
  enquire_sent_ = now;
  send(out, pdu{command_id::enquire_link, 0, *enquire_sequence_, empty{}});
  arm(out, timer_id::enquire_link_response, settings_.response_timeout);
}

session_actions session::enquire_now(session_clock::time_point now) {
  session_actions out;
  if (state_ == session_state::bound && !enquire_sequence_) send_enquire(out, now);
  return out;
}

void session::unknown_response(session_actions& out, const pdu& p) {
  // Late (its deadline already made it uncertain) or never ours: nothing to complete, the owner logs it.
  out.emplace_back(action::problem{std::make_error_code(std::errc::protocol_error),
                                   "response to no outstanding request (late or unknown): " + describe(p)});
}

}  // namespace loa::smpp
