// The sans-io session stepped by hand: no socket, no clock, every path of the machine.
#include "gateway/smpp/session.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <type_traits>

using namespace std::chrono_literals;
using namespace loa::smpp;

namespace {

const session_clock::time_point t0{};

template <class T>
std::vector<T> all_of(const session_actions& acts) {
  std::vector<T> out;
  for (const auto& a : acts)
    if (const auto* x = std::get_if<T>(&a)) out.push_back(*x);
  return out;
}

template <class T>
bool has(const session_actions& acts) {
  return !all_of<T>(acts).empty();
}

template <class T>
T only(const session_actions& acts) {
  auto v = all_of<T>(acts);
  REQUIRE(v.size() == 1);
  return v.front();
}

std::vector<pdu> sent(const session_actions& acts) {
  std::vector<pdu> out;
  for (const auto& s : all_of<action::send>(acts)) out.push_back(s.value);
  return out;
}

bool arms(const session_actions& acts, timer_id id,
          std::optional<session_clock::duration> after = std::nullopt) {
  for (const auto& a : all_of<action::arm_timer>(acts))
    if (a.id == id && (!after || a.after == *after)) return true;
  return false;
}

bool cancels(const session_actions& acts, timer_id id) {
  for (const auto& a : all_of<action::cancel_timer>(acts))
    if (a.id == id) return true;
  return false;
}

// Index of the first action of type T, to check the order of actions.
template <class T>
std::ptrdiff_t index_of(const session_actions& acts) {
  auto it =
      std::find_if(acts.begin(), acts.end(), [](const auto& a) { return std::holds_alternative<T>(a); });
  return it == acts.end() ? -1 : it - acts.begin();
}

short_message text(const std::string& to) {
  short_message m;
  m.source = {5, 0, "UBND"};
  m.destination = {1, 1, to};
  m.message = {'h', 'i'};
  return m;
}

pdu submit_resp(std::uint32_t seq, std::uint32_t status, std::string id = {}) {
  return pdu{command_id::submit_sm_resp, status, seq, message_resp{std::move(id), {}}};
}

session_settings test_settings() {
  session_settings s;
  s.mode = bind_mode::transceiver;
  s.system_id = "loa";
  s.password = "secret";
  s.system_type = "WARD";
  s.window = 2;
  s.enquire_link_interval = 30s;
  s.response_timeout = 60s;
  s.bind_timeout = 10s;
  s.unbind_timeout = 5s;
  s.retry_delay = 5s;
  s.throttle_delay = 1s;
  s.reconnect = loa::backoff_settings{10s, 2.0, 120s, 0.0};
  return s;
}

// A session with a hand-moved clock, plus helpers that take it through the usual steps.
struct harness {
  explicit harness(session_settings settings = test_settings(), rate_limiter* limiter = nullptr)
      : s(std::move(settings), limiter) {}
  session s;
  session_clock::time_point now = t0;

  session_actions bind_ok() {
    auto a = s.start(now);
    REQUIRE(has<action::connect>(a));
    a = s.on_connected(now);
    auto bind_req = sent(a).at(0);
    return s.on_pdu(pdu{response_id(bind_req.id), 0, bind_req.sequence, bind_resp{"SMSC", {}}}, now);
  }
  // Submits and returns the submit_sm it sent (the test fails if none went out).
  pdu submit_sent(std::uint64_t token) {
    auto a = s.submit(token, text("84912345678"), now);
    auto p = sent(a);
    REQUIRE(p.size() == 1);
    REQUIRE(p[0].id == command_id::submit_sm);
    return p[0];
  }
};

}  // namespace

// ---- binding
// ------------------------------------------------------------------------------------------------

TEST_CASE("session: start connects, connected sends the configured bind and arms its deadline") {
  harness h;
  CHECK(h.s.state() == session_state::disconnected);
  auto a = h.s.start(h.now);
  CHECK(has<action::connect>(a));
  CHECK(h.s.state() == session_state::connecting);
  a = h.s.on_connected(h.now);
  CHECK(h.s.state() == session_state::binding);
  auto p = sent(a);
  REQUIRE(p.size() == 1);
  CHECK(p[0].id == command_id::bind_transceiver);
  CHECK(p[0].sequence != 0);
  const auto& b = std::get<bind>(p[0].content);
  CHECK(b.system_id == "loa");
  CHECK(b.password == "secret");
  CHECK(b.system_type == "WARD");
  CHECK(b.interface_version == 0x34);
  CHECK(arms(a, timer_id::bind_response, 10s));
}

TEST_CASE("session: bind mode picks the bind command") {
  for (auto [mode, id] : {std::pair{bind_mode::transmitter, command_id::bind_transmitter},
                          std::pair{bind_mode::receiver, command_id::bind_receiver},
                          std::pair{bind_mode::transceiver, command_id::bind_transceiver}}) {
    auto st = test_settings();
    st.mode = mode;
    harness h{st};
    h.s.start(h.now);
    CHECK(sent(h.s.on_connected(h.now)).at(0).id == id);
  }
}

TEST_CASE("session: bind_resp ok -> bound, enquire_link timer armed, owner told and offered the window") {
  harness h;
  auto a = h.bind_ok();
  CHECK(h.s.state() == session_state::bound);
  CHECK(only<action::bound>(a).smsc_system_id == "SMSC");
  CHECK(cancels(a, timer_id::bind_response));
  CHECK(arms(a, timer_id::enquire_link, 30s));
  CHECK(only<action::slots_free>(a).count == 2);
}

TEST_CASE(
    "session: bind refused with 0x0D-0x0F -> alert, close, queued work handed back, slowest reconnect") {
  for (std::uint32_t st : {status::bindfail, status::invpaswd, status::invsysid}) {
    harness h;
    h.s.start(h.now);
    auto bind_req = sent(h.s.on_connected(h.now)).at(0);
    h.s.submit(7, text("84912345678"), h.now);  // waits for the bind
    auto a = h.s.on_pdu(pdu{command_id::bind_transceiver_resp, st, bind_req.sequence, bind_resp{}}, h.now);
    auto refused = only<action::bind_refused>(a);
    CHECK(refused.slow);
    CHECK(refused.reason == make_status_error(st));
    CHECK(has<action::close>(a));
    auto r = only<action::submit_result>(a);
    CHECK(r.token == 7);
    CHECK(r.outcome.kind == outcome_kind::retry_later);
    CHECK(r.outcome.error == error::bind_failed);
    CHECK(arms(a, timer_id::reconnect, 120s));
    CHECK(h.s.state() == session_state::disconnected);
    CHECK(h.s.queued() == 0);
  }
}

TEST_CASE("session: other bind errors reconnect with the normal back-off and keep the queue") {
  harness h;
  h.s.start(h.now);
  auto bind_req = sent(h.s.on_connected(h.now)).at(0);
  h.s.submit(7, text("84912345678"), h.now);
  auto a = h.s.on_pdu(pdu{command_id::bind_transceiver_resp, status::syserr, bind_req.sequence, bind_resp{}},
                      h.now);
  CHECK_FALSE(only<action::bind_refused>(a).slow);
  CHECK(arms(a, timer_id::reconnect, 10s));
  CHECK_FALSE(has<action::submit_result>(a));
  CHECK(h.s.queued() == 1);
  // The reconnect timer connects again; the queued submit goes out once bound.
  a = h.s.on_timer(timer_id::reconnect, h.now + 10s);
  CHECK(has<action::connect>(a));
  bind_req = sent(h.s.on_connected(h.now)).at(0);
  a = h.s.on_pdu(pdu{command_id::bind_transceiver_resp, 0, bind_req.sequence, bind_resp{"SMSC", {}}}, h.now);
  auto p = sent(a);
  REQUIRE(p.size() == 1);
  CHECK(p[0].id == command_id::submit_sm);
}

TEST_CASE("session: no bind_resp in time -> close and reconnect") {
  harness h;
  h.s.start(h.now);
  h.s.on_connected(h.now);
  auto a = h.s.on_timer(timer_id::bind_response, h.now + 10s);
  CHECK(has<action::close>(a));
  CHECK(arms(a, timer_id::reconnect, 10s));
  CHECK(h.s.state() == session_state::disconnected);
}

TEST_CASE("session: generic_nack to the bind counts as a refused bind") {
  harness h;
  h.s.start(h.now);
  auto bind_req = sent(h.s.on_connected(h.now)).at(0);
  auto a = h.s.on_pdu(pdu{command_id::generic_nack, status::invcmdid, bind_req.sequence, empty{}}, h.now);
  CHECK(only<action::bind_refused>(a).reason == error::generic_nack);
  CHECK(has<action::close>(a));
  CHECK(h.s.state() == session_state::disconnected);
}

TEST_CASE("session: a bind_resp of the wrong kind or sequence is not taken as the answer") {
  harness h;
  h.s.start(h.now);
  auto bind_req = sent(h.s.on_connected(h.now)).at(0);
  auto a = h.s.on_pdu(pdu{command_id::bind_transmitter_resp, 0, bind_req.sequence, bind_resp{}}, h.now);
  CHECK(has<action::problem>(a));
  CHECK(h.s.state() == session_state::binding);
  a = h.s.on_pdu(pdu{command_id::bind_transceiver_resp, 0, bind_req.sequence + 1, bind_resp{}}, h.now);
  CHECK(has<action::problem>(a));
  CHECK(h.s.state() == session_state::binding);
}

TEST_CASE("session: connect failure backs off exponentially, and a successful bind resets the back-off") {
  harness h;
  h.s.start(h.now);
  auto a = h.s.on_connect_failed(std::make_error_code(std::errc::connection_refused), h.now);
  CHECK(arms(a, timer_id::reconnect, 10s));
  CHECK(h.s.state() == session_state::disconnected);
  CHECK(has<action::connect>(h.s.on_timer(timer_id::reconnect, h.now)));
  a = h.s.on_connect_failed(std::make_error_code(std::errc::timed_out), h.now);
  CHECK(arms(a, timer_id::reconnect, 20s));
  h.s.on_timer(timer_id::reconnect, h.now);
  auto bind_req = sent(h.s.on_connected(h.now)).at(0);
  h.s.on_pdu(pdu{command_id::bind_transceiver_resp, 0, bind_req.sequence, bind_resp{}}, h.now);
  a = h.s.on_closed(std::make_error_code(std::errc::connection_reset), h.now);
  CHECK(arms(a, timer_id::reconnect, 10s));
}

TEST_CASE("session: a stale reconnect timer while connected does nothing") {
  harness h;
  h.bind_ok();
  CHECK(h.s.on_timer(timer_id::reconnect, h.now).empty());
  CHECK(h.s.state() == session_state::bound);
}

// ---- deliver_sm
// ---------------------------------------------------------------------------------------------

TEST_CASE("session: deliver_sm before bind is answered ESME_RINVBNDSTS and not handed up") {
  harness h;
  h.s.start(h.now);
  h.s.on_connected(h.now);
  auto a = h.s.on_pdu(pdu{command_id::deliver_sm, 0, 77, text("UBND")}, h.now);
  auto p = sent(a);
  REQUIRE(p.size() == 1);
  CHECK(p[0].id == command_id::deliver_sm_resp);
  CHECK(p[0].status == status::invbndsts);
  CHECK(p[0].sequence == 77);
  CHECK_FALSE(has<action::deliver>(a));
}

TEST_CASE("session: deliver_sm when bound is answered 0 first, then handed up") {
  harness h;
  h.bind_ok();
  auto receipt = text("UBND");
  receipt.esm_class = esm::delivery_receipt;
  auto a = h.s.on_pdu(pdu{command_id::deliver_sm, 0, 12, receipt}, h.now);
  auto p = sent(a);
  REQUIRE(p.size() == 1);
  CHECK(p[0].id == command_id::deliver_sm_resp);
  CHECK(p[0].status == 0);
  CHECK(p[0].sequence == 12);
  auto d = only<action::deliver>(a);
  CHECK(std::get<short_message>(d.value.content).esm_class == esm::delivery_receipt);
  CHECK(index_of<action::send>(a) < index_of<action::deliver>(a));
}

TEST_CASE("session: with defer_deliver_resp a deliver_sm is answered when the owner says, on its own connection") {
  auto st = test_settings();
  st.defer_deliver_resp = true;
  harness h{st};
  h.bind_ok();
  auto a = h.s.on_pdu(pdu{command_id::deliver_sm, 0, 12, text("id:1 stat:DELIVRD")}, h.now);
  CHECK(sent(a).empty());  // not yet: the owner has not kept it
  const auto d = only<action::deliver>(a);
  auto p = sent(h.s.answer_deliver(d.connection, 12, 0));
  REQUIRE(p.size() == 1);
  CHECK(p[0].id == command_id::deliver_sm_resp);
  CHECK(p[0].sequence == 12);
  CHECK(p[0].status == 0);

  // One handed up on a connection that then dropped: answering it later sends nothing on the next one
  // (the SMSC delivers it again there).
  const auto old = only<action::deliver>(h.s.on_pdu(pdu{command_id::deliver_sm, 0, 13, text("x")}, h.now));
  h.s.on_closed(std::make_error_code(std::errc::connection_reset), h.now);
  h.s.on_timer(timer_id::reconnect, h.now);
  auto bind_req = sent(h.s.on_connected(h.now)).at(0);
  h.s.on_pdu(pdu{response_id(bind_req.id), 0, bind_req.sequence, bind_resp{"SMSC", {}}}, h.now);
  REQUIRE(h.s.state() == session_state::bound);
  CHECK(h.s.answer_deliver(old.connection, 13, 0).empty());
}

TEST_CASE("session: a transmitter bind answers deliver_sm with ESME_RINVBNDSTS") {
  auto st = test_settings();
  st.mode = bind_mode::transmitter;
  harness h{st};
  h.bind_ok();
  auto a = h.s.on_pdu(pdu{command_id::deliver_sm, 0, 5, text("x")}, h.now);
  CHECK(sent(a).at(0).status == status::invbndsts);
  CHECK_FALSE(has<action::deliver>(a));
}

TEST_CASE("session: a receiver bind queues submits instead of sending them") {
  auto st = test_settings();
  st.mode = bind_mode::receiver;
  harness h{st};
  h.bind_ok();
  auto a = h.s.submit(1, text("84912345678"), h.now);
  CHECK(sent(a).empty());
  CHECK(h.s.queued() == 1);
}

// ---- submit, window, outcomes
// ------------------------------------------------------------------------------

TEST_CASE("session: submit -> submit_sm with its own sequence numbers, resp ok -> accepted with message_id") {
  harness h;
  h.bind_ok();
  auto p1 = h.submit_sent(1);
  auto p2 = h.submit_sent(2);
  CHECK(p1.sequence != p2.sequence);
  CHECK(std::get<short_message>(p1.content).destination.addr == "84912345678");
  auto a = h.s.on_pdu(submit_resp(p1.sequence, 0, "abc123"), h.now + 1s);
  auto r = only<action::submit_result>(a);
  CHECK(r.token == 1);
  CHECK(r.outcome.kind == outcome_kind::accepted);
  CHECK(r.outcome.message_id == "abc123");
  CHECK_FALSE(r.outcome.error);
  CHECK(h.s.outstanding() == 1);
}

TEST_CASE("session: two sessions number independently (no global sequence)") {
  harness a, b;
  a.bind_ok();
  b.bind_ok();
  CHECK(a.submit_sent(1).sequence == b.submit_sent(1).sequence);
}

TEST_CASE("session: a full window queues submits (never rejects) and sends them as slots free") {
  harness h;  // window 2
  h.bind_ok();
  auto p1 = h.submit_sent(1);
  auto p2 = h.submit_sent(2);
  CHECK(h.s.free_capacity() == 0);
  auto a = h.s.submit(3, text("84900000003"), h.now);
  CHECK(sent(a).empty());
  CHECK_FALSE(has<action::submit_result>(a));
  h.s.submit(4, text("84900000004"), h.now);
  CHECK(h.s.queued() == 2);
  CHECK(h.s.outstanding() == 2);
  // Responses out of order: the second answer frees one slot, submit 3 goes out, no free capacity is
  // announced.
  a = h.s.on_pdu(submit_resp(p2.sequence, 0, "m2"), h.now);
  CHECK(only<action::submit_result>(a).token == 2);
  auto p3 = sent(a);
  REQUIRE(p3.size() == 1);
  CHECK(std::get<short_message>(p3[0].content).destination.addr == "84900000003");
  CHECK_FALSE(has<action::slots_free>(a));
  a = h.s.on_pdu(submit_resp(p1.sequence, 0, "m1"), h.now);
  CHECK(only<action::submit_result>(a).token == 1);
  CHECK(sent(a).size() == 1);  // submit 4
  CHECK(h.s.queued() == 0);
  CHECK(h.s.outstanding() == 2);
  // Back-pressure release: once the queue is empty, a freed slot is offered to the owner.
  a = h.s.on_pdu(submit_resp(p3[0].sequence, 0, "m3"), h.now);
  CHECK(only<action::slots_free>(a).count == 1);
}

TEST_CASE("session: submits before the bind wait in the queue and go out when bound") {
  harness h;
  h.s.start(h.now);
  h.s.submit(1, text("84900000001"), h.now);
  h.s.submit(2, text("84900000002"), h.now);
  h.s.submit(3, text("84900000003"), h.now);
  auto bind_req = sent(h.s.on_connected(h.now)).at(0);
  auto a = h.s.on_pdu(pdu{command_id::bind_transceiver_resp, 0, bind_req.sequence, bind_resp{}}, h.now);
  CHECK(sent(a).size() == 2);  // the window
  CHECK(h.s.queued() == 1);
  CHECK_FALSE(has<action::slots_free>(a));
}

TEST_CASE(
    "session: each submit has a deadline; on expiry it is reported uncertain with its age, not dropped") {
  harness h;
  h.bind_ok();
  auto p1 = h.submit_sent(1);
  h.now += 10s;
  auto a = h.s.submit(2, text("84900000002"), h.now);
  CHECK_FALSE(arms(a, timer_id::submit_deadline));  // still armed for the first one
  a = h.s.on_timer(timer_id::submit_deadline, t0 + 60s);
  auto r = only<action::submit_result>(a);
  CHECK(r.token == 1);
  CHECK(r.outcome.kind == outcome_kind::uncertain);
  CHECK(r.outcome.error == error::response_timeout);
  CHECK(r.outcome.age == 60s);
  CHECK(arms(a, timer_id::submit_deadline, 10s));  // now for the second
  CHECK(h.s.outstanding() == 1);
  // A late answer for the expired one is reported for the log, not completed twice.
  a = h.s.on_pdu(submit_resp(p1.sequence, 0, "late"), t0 + 61s);
  CHECK_FALSE(has<action::submit_result>(a));
  CHECK(has<action::problem>(a));
  a = h.s.on_timer(timer_id::submit_deadline, t0 + 70s);
  CHECK(only<action::submit_result>(a).token == 2);
  CHECK_FALSE(arms(a, timer_id::submit_deadline));  // nothing left to wait for
  CHECK(h.s.outstanding() == 0);
}

TEST_CASE("session: the first submit arms the deadline timer for response_timeout") {
  harness h;
  h.bind_ok();
  auto a = h.s.submit(1, text("84900000001"), h.now);
  CHECK(arms(a, timer_id::submit_deadline, 60s));
}

TEST_CASE("session: command_status is mapped through the carrier's table") {
  struct row {
    std::uint32_t st;
    outcome_kind kind;
    session_clock::duration delay;
  };
  for (auto [st, kind, delay] :
       {row{status::throttled, outcome_kind::retry_later, 1s},
        row{status::msgqful, outcome_kind::retry_later, 5s},
        row{status::syserr, outcome_kind::retry_later, 5s},
        row{status::x_t_appn, outcome_kind::retry_later, 5s},
        row{status::invdstadr, outcome_kind::permanent, 0s},
        row{status::invsrcadr, outcome_kind::permanent, 0s}, row{0x48, outcome_kind::permanent, 0s},
        row{status::invexpiry, outcome_kind::permanent, 0s}, row{0xC2, outcome_kind::permanent, 0s}}) {
    CAPTURE(st);
    harness h;
    h.bind_ok();
    auto p = h.submit_sent(9);
    auto a = h.s.on_pdu(submit_resp(p.sequence, st), h.now);
    auto r = only<action::submit_result>(a);
    CHECK(r.outcome.kind == kind);
    CHECK(r.outcome.retry_after == delay);
    CHECK(r.outcome.command_status == st);
    CHECK(r.outcome.error == make_status_error(st));
    CHECK(r.outcome.message_id.empty());
  }
}

TEST_CASE("session: a carrier override in the table wins") {
  auto st = test_settings();
  st.statuses.overrides[status::invdstadr] = status_action::retry;
  harness h{st};
  h.bind_ok();
  auto p = h.submit_sent(1);
  auto r = only<action::submit_result>(h.s.on_pdu(submit_resp(p.sequence, status::invdstadr), h.now));
  CHECK(r.outcome.kind == outcome_kind::retry_later);
}

TEST_CASE("session: ESME_RTHROTTLED slows the shared pacer down to what the carrier accepted") {
  rate_limiter limiter{rate_settings{.tps = 100, .burst = 5, .min_factor = 0.1}, t0};
  harness h{test_settings(), &limiter};
  h.bind_ok();
  auto p = h.submit_sent(1);
  CHECK(limiter.current_tps(t0) == doctest::Approx(100));
  // Throttled with nothing accepted in the second before: down to the floor (10/s).
  h.s.on_pdu(submit_resp(p.sequence, status::throttled), h.now);
  CHECK(limiter.current_tps(t0) == doctest::Approx(10));
  // The next submit waits for the pacer: the session arms its rate timer instead of sending.
  auto a = h.s.submit(2, text("84900000002"), h.now);
  CHECK(sent(a).empty());
  CHECK(arms(a, timer_id::rate));
  h.now += 1s;
  CHECK(sent(h.s.on_timer(timer_id::rate, h.now)).size() == 1);
}

TEST_CASE("session: the rate limiter paces submits through the rate timer") {
  rate_limiter limiter{rate_settings{.tps = 10, .burst = 1, .guard = 0ms}, t0};
  auto st = test_settings();
  st.window = 10;
  harness h{st, &limiter};
  h.bind_ok();
  auto a = h.s.submit(1, text("84900000001"), h.now);
  CHECK(sent(a).size() == 1);
  a = h.s.submit(2, text("84900000002"), h.now);
  CHECK(sent(a).empty());
  CHECK(arms(a, timer_id::rate, 100ms));
  a = h.s.submit(3, text("84900000003"), h.now);
  CHECK_FALSE(arms(a, timer_id::rate));  // already armed
  a = h.s.on_timer(timer_id::rate, t0 + 100ms);
  CHECK(sent(a).size() == 1);
  CHECK(arms(a, timer_id::rate, 100ms));
  a = h.s.on_timer(timer_id::rate, t0 + 200ms);
  CHECK(sent(a).size() == 1);
  CHECK(h.s.queued() == 0);
}

TEST_CASE("session: a rebind status fails the submit as retry and re-binds gracefully") {
  auto st = test_settings();
  st.statuses.overrides[status::invbndsts] = status_action::rebind;
  harness h{st};
  h.bind_ok();
  auto p1 = h.submit_sent(1);
  auto p2 = h.submit_sent(2);
  auto a = h.s.on_pdu(submit_resp(p1.sequence, status::invbndsts), h.now);
  auto r = only<action::submit_result>(a);
  CHECK(r.outcome.kind == outcome_kind::retry_later);
  CHECK(h.s.state() == session_state::unbinding);
  CHECK(sent(a).empty());  // waits for submit 2's answer before the unbind
  CHECK(arms(a, timer_id::unbind_response, 5s));
  // Submits meanwhile wait in the queue for the new bind.
  CHECK(sent(h.s.submit(3, text("84900000003"), h.now)).empty());
  a = h.s.on_pdu(submit_resp(p2.sequence, 0, "m2"), h.now);
  CHECK(only<action::submit_result>(a).outcome.kind == outcome_kind::accepted);
  auto unbind_req = sent(a).at(0);
  CHECK(unbind_req.id == command_id::unbind);
  a = h.s.on_pdu(pdu{command_id::unbind_resp, 0, unbind_req.sequence, empty{}}, h.now);
  CHECK(has<action::close>(a));
  CHECK(has<action::unbound>(a));
  CHECK(arms(a, timer_id::reconnect));
  CHECK(h.s.state() == session_state::disconnected);
  CHECK(h.s.queued() == 1);
}

TEST_CASE("session: generic_nack for a known sequence fails that submit as retry") {
  harness h;
  h.bind_ok();
  auto p = h.submit_sent(5);
  auto a = h.s.on_pdu(pdu{command_id::generic_nack, status::invcmdlen, p.sequence, empty{}}, h.now);
  auto r = only<action::submit_result>(a);
  CHECK(r.token == 5);
  CHECK(r.outcome.kind == outcome_kind::retry_later);
  CHECK(r.outcome.error == error::generic_nack);
  CHECK(r.outcome.command_status == status::invcmdlen);
  CHECK(h.s.outstanding() == 0);
  CHECK(h.s.state() == session_state::bound);
}

TEST_CASE("session: generic_nack with sequence 0 or unknown is only logged") {
  harness h;
  h.bind_ok();
  h.submit_sent(5);
  for (std::uint32_t seq : {0u, 9999u}) {
    auto a = h.s.on_pdu(pdu{command_id::generic_nack, status::invcmdlen, seq, empty{}}, h.now);
    CHECK(only<action::problem>(a).error == error::generic_nack);
    CHECK_FALSE(has<action::submit_result>(a));
    CHECK(sent(a).empty());  // never answer a response
  }
  CHECK(h.s.outstanding() == 1);
  CHECK(h.s.state() == session_state::bound);
}

TEST_CASE("session: an unknown request from the SMSC gets generic_nack ESME_RINVCMDID") {
  harness h;
  h.bind_ok();
  auto a = h.s.on_pdu(pdu{command_id::submit_sm, 0, 31, text("x")}, h.now);
  auto p = sent(a).at(0);
  CHECK(p.id == command_id::generic_nack);
  CHECK(p.status == status::invcmdid);
  CHECK(p.sequence == 31);
}

// ---- enquire_link
// -------------------------------------------------------------------------------------------

TEST_CASE("session: answers the peer's enquire_link") {
  harness h;
  h.bind_ok();
  auto p = sent(h.s.on_pdu(pdu{command_id::enquire_link, 0, 444, empty{}}, h.now)).at(0);
  CHECK(p.id == command_id::enquire_link_resp);
  CHECK(p.sequence == 444);
  CHECK(p.status == 0);
}

TEST_CASE("session: enquire_link when idle, answered in time keeps the bind") {
  harness h;
  h.bind_ok();
  auto a = h.s.on_timer(timer_id::enquire_link, t0 + 30s);
  auto p = sent(a).at(0);
  CHECK(p.id == command_id::enquire_link);
  CHECK(arms(a, timer_id::enquire_link_response, 60s));
  CHECK(arms(a, timer_id::enquire_link, 30s));
  a = h.s.on_pdu(pdu{command_id::enquire_link_resp, 0, p.sequence, empty{}}, t0 + 31s);
  CHECK(cancels(a, timer_id::enquire_link_response));
  CHECK(h.s.on_timer(timer_id::enquire_link_response, t0 + 90s).empty());  // stale: ignored
  CHECK(h.s.state() == session_state::bound);
}

TEST_CASE("session: enquire_now probes a bound link once and reports the round trip") {
  harness h;
  CHECK(sent(h.s.enquire_now(t0)).empty());  // not bound: nothing to probe
  h.bind_ok();
  auto a = h.s.enquire_now(t0 + 1s);
  auto p = sent(a).at(0);
  CHECK(p.id == command_id::enquire_link);
  CHECK(arms(a, timer_id::enquire_link_response, 60s));
  CHECK(sent(h.s.enquire_now(t0 + 1s)).empty());  // one in flight at a time
  a = h.s.on_pdu(pdu{command_id::enquire_link_resp, 0, p.sequence, empty{}}, t0 + 1s + 250ms);
  REQUIRE(has<action::link_alive>(a));
  CHECK(all_of<action::link_alive>(a).front().round_trip == 250ms);
}

TEST_CASE("session: traffic postpones the enquire_link") {
  harness h;
  h.bind_ok();
  h.s.on_pdu(pdu{command_id::deliver_sm, 0, 3, text("x")}, t0 + 20s);
  auto a = h.s.on_timer(timer_id::enquire_link, t0 + 30s);
  CHECK(sent(a).empty());
  CHECK(arms(a, timer_id::enquire_link, 20s));  // 30 s after the deliver_sm
  a = h.s.on_timer(timer_id::enquire_link, t0 + 50s);
  CHECK(sent(a).at(0).id == command_id::enquire_link);
}

TEST_CASE("session: a missing enquire_link_resp means a dead link: close, give back, reconnect") {
  harness h;
  h.bind_ok();
  auto p = h.submit_sent(1);
  (void)p;
  h.s.on_timer(timer_id::enquire_link, t0 + 30s);
  auto a = h.s.on_timer(timer_id::enquire_link_response, t0 + 90s);
  CHECK(has<action::close>(a));
  CHECK(only<action::unbound>(a).reason == error::response_timeout);
  auto r = only<action::submit_result>(a);
  CHECK(r.outcome.kind == outcome_kind::uncertain);
  CHECK(arms(a, timer_id::reconnect, 10s));
  CHECK(h.s.state() == session_state::disconnected);
}

TEST_CASE("session: generic_nack to our enquire_link still proves the link alive") {
  harness h;
  h.bind_ok();
  auto p = sent(h.s.on_timer(timer_id::enquire_link, t0 + 30s)).at(0);
  auto a = h.s.on_pdu(pdu{command_id::generic_nack, status::invcmdid, p.sequence, empty{}}, t0 + 31s);
  CHECK(cancels(a, timer_id::enquire_link_response));
  CHECK_FALSE(has<action::problem>(a));
}

// ---- connection loss, peer unbind
// ---------------------------------------------------------------------------

TEST_CASE(
    "session: connection closed with submits outstanding -> each uncertain with its age, then reconnect") {
  harness h;
  h.bind_ok();
  h.submit_sent(1);
  h.now += 2s;
  h.submit_sent(2);
  h.s.submit(3, text("84900000003"), h.now);  // queued, never sent
  auto a = h.s.on_closed(std::make_error_code(std::errc::connection_reset), t0 + 5s);
  CHECK_FALSE(has<action::close>(a));  // the driver knows already
  auto r = all_of<action::submit_result>(a);
  REQUIRE(r.size() == 2);
  CHECK(r[0].token == 1);
  CHECK(r[0].outcome.kind == outcome_kind::uncertain);
  CHECK(r[0].outcome.error == error::window_closed);
  CHECK(r[0].outcome.age == 5s);
  CHECK(r[1].token == 2);
  CHECK(r[1].outcome.age == 3s);
  CHECK(only<action::unbound>(a).reason == std::make_error_code(std::errc::connection_reset));
  CHECK(arms(a, timer_id::reconnect, 10s));
  CHECK(cancels(a, timer_id::enquire_link));
  CHECK(cancels(a, timer_id::submit_deadline));
  CHECK(h.s.queued() == 1);  // never sent, so it waits for the next bind
  // After the rebind the queued submit goes out.
  h.s.on_timer(timer_id::reconnect, h.now);
  auto bind_req = sent(h.s.on_connected(h.now)).at(0);
  a = h.s.on_pdu(pdu{command_id::bind_transceiver_resp, 0, bind_req.sequence, bind_resp{}}, h.now);
  CHECK(sent(a).size() == 1);
}

TEST_CASE("session: the peer's unbind is answered, the bind closes and reconnects") {
  harness h;
  h.bind_ok();
  h.submit_sent(1);
  auto a = h.s.on_pdu(pdu{command_id::unbind, 0, 50, empty{}}, h.now);
  auto p = sent(a).at(0);
  CHECK(p.id == command_id::unbind_resp);
  CHECK(p.sequence == 50);
  CHECK(index_of<action::send>(a) < index_of<action::close>(a));
  CHECK(only<action::submit_result>(a).outcome.kind == outcome_kind::uncertain);
  CHECK(has<action::unbound>(a));
  CHECK(arms(a, timer_id::reconnect));
  CHECK(h.s.state() == session_state::disconnected);
}

TEST_CASE("session: PDUs after the session closed the connection are ignored") {
  harness h;
  h.bind_ok();
  h.s.on_closed({}, h.now);
  CHECK(h.s.on_pdu(submit_resp(1, 0, "x"), h.now).empty());
  CHECK(h.s.on_closed({}, h.now).empty());
}

// ---- malformed frames
// ---------------------------------------------------------------------------------------

TEST_CASE("session: a bad command_length answers generic_nack and restarts the connection") {
  harness h;
  h.bind_ok();
  h.submit_sent(1);
  malformed_frame f{make_error_code(error::bad_command_length), header{0x47455420, 0x2f20, 0, 0}, "too long",
                    "474554202f20"};
  auto a = h.s.on_malformed(f, h.now);
  auto prob = all_of<action::problem>(a);
  REQUIRE(!prob.empty());
  CHECK(prob[0].detail.find("474554202f20") != std::string::npos);
  auto p = sent(a).at(0);
  CHECK(p.id == command_id::generic_nack);
  CHECK(p.status == status::invcmdlen);
  CHECK(has<action::close>(a));
  CHECK(index_of<action::send>(a) < index_of<action::close>(a));
  CHECK(only<action::submit_result>(a).outcome.kind == outcome_kind::uncertain);
  CHECK(h.s.state() == session_state::disconnected);
}

TEST_CASE("session: an undecodable deliver_sm is answered with an error status and the bind goes on") {
  harness h;
  h.bind_ok();
  malformed_frame f{make_error_code(error::bad_sm_length),
                    header{40, static_cast<std::uint32_t>(command_id::deliver_sm), 0, 88}, "sm_length 200",
                    "00"};
  auto a = h.s.on_malformed(f, h.now);
  auto p = sent(a).at(0);
  CHECK(p.id == command_id::deliver_sm_resp);
  CHECK(p.status == status::invmsglen);
  CHECK(p.sequence == 88);
  CHECK_FALSE(has<action::deliver>(a));
  CHECK_FALSE(has<action::close>(a));
  CHECK(has<action::problem>(a));
  CHECK(h.s.state() == session_state::bound);
}

TEST_CASE("session: an unknown command_id is answered generic_nack ESME_RINVCMDID") {
  harness h;
  h.bind_ok();
  malformed_frame f{make_error_code(error::unknown_command), header{16, 0x00000777, 0, 91}, "", "00"};
  auto p = sent(h.s.on_malformed(f, h.now)).at(0);
  CHECK(p.id == command_id::generic_nack);
  CHECK(p.status == status::invcmdid);
  CHECK(p.sequence == 91);
}

TEST_CASE("session: a submit_sm_resp with an unreadable body: status 0 -> uncertain, error -> mapped") {
  harness h;
  h.bind_ok();
  auto p1 = h.submit_sent(1);
  auto p2 = h.submit_sent(2);
  const auto resp = static_cast<std::uint32_t>(command_id::submit_sm_resp);
  auto a = h.s.on_malformed(
      malformed_frame{make_error_code(error::malformed_body), header{20, resp, 0, p1.sequence}, "", ""},
      h.now);
  auto r = only<action::submit_result>(a);
  CHECK(r.token == 1);
  CHECK(r.outcome.kind == outcome_kind::uncertain);
  CHECK(sent(a).empty());
  a = h.s.on_malformed(malformed_frame{make_error_code(error::malformed_body),
                                       header{20, resp, status::invdstadr, p2.sequence}, "", ""},
                       h.now);
  CHECK(only<action::submit_result>(a).outcome.kind == outcome_kind::permanent);
  CHECK(h.s.state() == session_state::bound);
}

// ---- graceful shutdown
// --------------------------------------------------------------------------------------

TEST_CASE("session: shutdown when bound and idle sends unbind, closes on unbind_resp, ends stopped") {
  harness h;
  h.bind_ok();
  auto a = h.s.shutdown(h.now);
  CHECK(h.s.state() == session_state::unbinding);
  auto p = sent(a).at(0);
  CHECK(p.id == command_id::unbind);
  CHECK(arms(a, timer_id::unbind_response, 5s));
  CHECK(cancels(a, timer_id::enquire_link));
  // New submits are not taken any more.
  auto r = only<action::submit_result>(h.s.submit(9, text("x"), h.now));
  CHECK(r.outcome.kind == outcome_kind::retry_later);
  CHECK(r.outcome.error == error::not_bound);
  a = h.s.on_pdu(pdu{command_id::unbind_resp, 0, p.sequence, empty{}}, h.now);
  CHECK(has<action::close>(a));
  CHECK(has<action::unbound>(a));
  CHECK(has<action::stopped>(a));
  CHECK_FALSE(arms(a, timer_id::reconnect));
  CHECK(h.s.state() == session_state::closed);
}

TEST_CASE("session: shutdown drains outstanding submits before the unbind, queued ones are handed back") {
  harness h;
  h.bind_ok();
  auto p1 = h.submit_sent(1);
  h.submit_sent(2);
  h.s.submit(3, text("84900000003"), h.now);
  auto a = h.s.shutdown(h.now);
  CHECK(sent(a).empty());
  auto r = only<action::submit_result>(a);
  CHECK(r.token == 3);
  CHECK(r.outcome.kind == outcome_kind::retry_later);
  a = h.s.on_pdu(submit_resp(p1.sequence, 0, "m1"), h.now);
  CHECK(sent(a).empty());  // submit 2 is still out
  CHECK_FALSE(has<action::slots_free>(a));
  // Submit 2 is never answered: the unbind deadline ends the wait.
  a = h.s.on_timer(timer_id::unbind_response, h.now + 5s);
  CHECK(has<action::close>(a));
  auto left = only<action::submit_result>(a);
  CHECK(left.token == 2);
  CHECK(left.outcome.kind == outcome_kind::uncertain);
  CHECK(has<action::stopped>(a));
  CHECK(h.s.state() == session_state::closed);
}

TEST_CASE("session: no unbind_resp in time -> close anyway") {
  harness h;
  h.bind_ok();
  h.s.shutdown(h.now);
  auto a = h.s.on_timer(timer_id::unbind_response, h.now + 5s);
  CHECK(has<action::close>(a));
  CHECK(has<action::stopped>(a));
  CHECK(h.s.state() == session_state::closed);
}

TEST_CASE("session: shutdown before the bind closes at once") {
  SUBCASE("disconnected, waiting to reconnect") {
    harness h;
    h.s.start(h.now);
    h.s.on_connect_failed(std::make_error_code(std::errc::connection_refused), h.now);
    auto a = h.s.shutdown(h.now);
    CHECK(cancels(a, timer_id::reconnect));
    CHECK(has<action::stopped>(a));
  }
  SUBCASE("connecting") {
    harness h;
    h.s.start(h.now);
    h.s.submit(1, text("x"), h.now);
    auto a = h.s.shutdown(h.now);
    CHECK(has<action::close>(a));
    CHECK(has<action::stopped>(a));
    CHECK(only<action::submit_result>(a).outcome.kind == outcome_kind::retry_later);
  }
  SUBCASE("binding") {
    harness h;
    h.s.start(h.now);
    h.s.on_connected(h.now);
    auto a = h.s.shutdown(h.now);
    CHECK(has<action::close>(a));
    CHECK(has<action::stopped>(a));
    CHECK_FALSE(has<action::unbound>(a));
  }
  harness h;
  h.bind_ok();
  h.s.shutdown(h.now);
  h.s.on_timer(timer_id::unbind_response, h.now + 5s);
  CHECK(h.s.state() == session_state::closed);
  CHECK(has<action::stopped>(h.s.shutdown(h.now)));  // twice is harmless
}

TEST_CASE("session: the peer's unbind during our unbind also ends the shutdown") {
  harness h;
  h.bind_ok();
  h.s.shutdown(h.now);
  auto a = h.s.on_pdu(pdu{command_id::unbind, 0, 60, empty{}}, h.now);
  CHECK(sent(a).at(0).id == command_id::unbind_resp);
  CHECK(has<action::stopped>(a));
}

TEST_CASE("session: deliver_sm during unbinding is still answered and handed up") {
  harness h;
  h.bind_ok();
  h.submit_sent(1);
  h.s.shutdown(h.now);
  auto a = h.s.on_pdu(pdu{command_id::deliver_sm, 0, 70, text("x")}, h.now);
  CHECK(sent(a).at(0).status == 0);
  CHECK(has<action::deliver>(a));
}

TEST_CASE("session: sequence numbers wrap from 0x7FFFFFFF back to 1") {
  auto st = test_settings();
  st.first_sequence = 0x7FFFFFFE;
  harness h{st};
  h.s.start(h.now);
  CHECK(sent(h.s.on_connected(h.now)).at(0).sequence == 0x7FFFFFFEu);
  h.s.on_pdu(pdu{command_id::bind_transceiver_resp, 0, 0x7FFFFFFE, bind_resp{}}, h.now);
  CHECK(h.submit_sent(1).sequence == 0x7FFFFFFFu);
  CHECK(h.submit_sent(2).sequence == 1u);
}

TEST_CASE("session: shutdown during a rebind ends for good instead of reconnecting") {
  auto st = test_settings();
  st.statuses.overrides[status::invbndsts] = status_action::rebind;
  harness h{st};
  h.bind_ok();
  auto p = h.submit_sent(1);
  auto a = h.s.on_pdu(submit_resp(p.sequence, status::invbndsts), h.now);
  auto unbind_req = sent(a).at(0);
  CHECK(unbind_req.id == command_id::unbind);
  h.s.shutdown(h.now);
  a = h.s.on_pdu(pdu{command_id::unbind_resp, 0, unbind_req.sequence, empty{}}, h.now);
  CHECK(has<action::stopped>(a));
  CHECK_FALSE(arms(a, timer_id::reconnect));
  CHECK(h.s.state() == session_state::closed);
}

TEST_CASE("session: free_capacity counts window slots not claimed by the queue") {
  auto st = test_settings();
  st.window = 3;
  harness h{st};
  CHECK(h.s.free_capacity() == 3);
  h.s.start(h.now);
  h.s.submit(1, text("x"), h.now);  // not bound: queued, but it will claim a slot
  CHECK(h.s.free_capacity() == 2);
}

TEST_CASE("session: states, outcomes and timers have names for the owner's log") {
  CHECK(to_string(session_state::unbinding) == "unbinding");
  CHECK(to_string(outcome_kind::uncertain) == "uncertain");
  CHECK(to_string(timer_id::enquire_link_response) == "enquire_link_response");
  CHECK(format_as(session_state::bound) == "bound");
}

// ---- random walks
// ---------------------------------------------------------------------------------------------

// A pretend driver that takes random steps (answers, timers, drops, junk, submits) and checks after every
// step what must always hold: each submit gets at most one result, the window is never exceeded, nothing is
// sent after a close in the same step, connect only when connecting; and at the end, after a shutdown, every
// submit has exactly one result.
TEST_CASE("session: random event sequences keep the invariants") {
  constexpr std::size_t window_size = 3;
  std::map<outcome_kind, int> kinds;  // over all walks: the walks must reach every outcome
  int full_window_steps = 0;
  for (std::uint32_t seed = 1; seed <= 200; ++seed) {
    CAPTURE(seed);
    std::mt19937 rng(seed);
    auto pick = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); };
    auto st = test_settings();
    st.window = window_size;
    st.response_timeout = 2s;
    st.enquire_link_interval = 1s;
    rate_limiter limiter{rate_settings{.tps = 20, .burst = 2}, t0};
    session s{st, pick(2) ? &limiter : nullptr};
    session_clock::time_point now = t0;
    std::map<std::uint64_t, int> results;
    std::uint64_t next_token = 1;
    bool connected = false;
    std::vector<pdu> unanswered;  // requests the session sent on the current connection
    bool ok = true;
    auto apply = [&](const session_actions& acts) {
      bool closed = false;
      for (const auto& a : acts) {
        if (std::holds_alternative<action::connect>(a)) ok &= s.state() == session_state::connecting;
        if (const auto* x = std::get_if<action::send>(&a)) {
          ok &= !closed;
          if (!is_response(x->value.id)) unanswered.push_back(x->value);
        }
        if (std::holds_alternative<action::close>(a)) {
          closed = true;
          connected = false;
          unanswered.clear();
        }
        if (const auto* r = std::get_if<action::submit_result>(&a)) {
          ok &= ++results[r->token] == 1;
          ++kinds[r->outcome.kind];
        }
      }
      ok &= s.outstanding() <= window_size;
      if (s.outstanding() == window_size) ++full_window_steps;
    };
    apply(s.start(now));
    for (int step = 0; step < 300 && ok; ++step) {
      now += std::chrono::milliseconds{pick(300)};
      switch (pick(10)) {
        case 0:
        case 1:
          apply(s.submit(next_token++, text("84900000000"), now));
          break;
        case 2:
          if (s.state() == session_state::connecting) {
            if (pick(4) != 0) {
              connected = true;
              apply(s.on_connected(now));
            } else {
              apply(s.on_connect_failed(std::make_error_code(std::errc::connection_refused), now));
            }
          }
          break;
        case 3:
        case 4:
          if (connected && !unanswered.empty()) {
            const auto i = pick(static_cast<std::uint32_t>(unanswered.size()));
            const pdu req = unanswered[i];
            unanswered.erase(unanswered.begin() + i);
            static constexpr std::uint32_t statuses[] = {0, 0, 0, 0, 0x58, 0x14, 0x0B, 0x04, 0x0E, 0x08};
            const auto status = statuses[pick(10)];
            if (pick(10) == 0)
              apply(s.on_pdu(pdu{command_id::generic_nack, status::syserr, req.sequence, empty{}}, now));
            else if (req.id == command_id::submit_sm)
              apply(s.on_pdu(submit_resp(req.sequence, status, "id"), now));
            else if (req.id == command_id::enquire_link || req.id == command_id::unbind)
              apply(s.on_pdu(pdu{response_id(req.id), 0, req.sequence, empty{}}, now));
            else
              apply(s.on_pdu(pdu{response_id(req.id), status, req.sequence, bind_resp{}}, now));
          }
          break;
        case 5:
          apply(s.on_timer(static_cast<timer_id>(pick(7)), now));
          break;
        case 6:
          if (connected && pick(4) == 0) {
            connected = false;
            unanswered.clear();
            apply(s.on_closed(std::make_error_code(std::errc::connection_reset), now));
          }
          break;
        case 7:
          if (connected) apply(s.on_pdu(pdu{command_id::deliver_sm, 0, 1000 + pick(100), text("x")}, now));
          break;
        case 8:
          if (connected && pick(5) == 0) apply(s.on_pdu(pdu{command_id::unbind, 0, 2000, empty{}}, now));
          break;
        case 9:
          if (connected) {
            const bool fatal = pick(5) == 0;
            malformed_frame f{make_error_code(fatal ? error::bad_command_length : error::malformed_body),
                              header{20, pick(2) ? 0x80000004u : 0x00000005u, 0, pick(20)}, "junk", "00"};
            apply(s.on_malformed(f, now));
          }
          break;
      }
    }
    REQUIRE(ok);
    apply(s.shutdown(now));
    if (s.state() != session_state::closed) apply(s.on_timer(timer_id::unbind_response, now + 10s));
    REQUIRE(ok);
    CHECK(s.state() == session_state::closed);
    for (std::uint64_t t = 1; t < next_token; ++t) {
      CAPTURE(t);
      CHECK(results[t] == 1);
    }
  }
  MESSAGE("accepted ", kinds[outcome_kind::accepted], ", retry ", kinds[outcome_kind::retry_later],
          ", permanent ", kinds[outcome_kind::permanent], ", uncertain ", kinds[outcome_kind::uncertain],
          ", full-window steps ", full_window_steps);
  CHECK(kinds[outcome_kind::accepted] > 0);
  CHECK(kinds[outcome_kind::retry_later] > 0);
  CHECK(kinds[outcome_kind::permanent] > 0);
  CHECK(kinds[outcome_kind::uncertain] > 0);
  CHECK(full_window_steps > 0);
}
