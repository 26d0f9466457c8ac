// bind_driver over real TCP on 127.0.0.1 against the in-process fake SMSC: the Asio edge of the session, and
// the error paths the bundled simulator cannot take (junk bytes, mute peers, refused binds).
#include "gateway/smpp/bind_driver.hpp"

#include <doctest/doctest.h>

#include <map>
#include <optional>

#include "tests/fixtures/redis_server.hpp"
#include "tests/integration/session_fake_smsc.hpp"
#include "tests/integration/session_support.hpp"

using namespace std::chrono_literals;
using namespace loa::smpp;
using loa::test::fake_link;
using loa::test::fake_smsc;
using loa::test::run_until;
namespace asio = boost::asio;
using loa::test::owner;
using loa::test::settings_for;
using loa::test::text;

namespace {}  // namespace

TEST_CASE("bind_driver: binds, submits, gets the message_id, and stops with unbind") {
  asio::io_context io;
  fake_smsc smsc{io};
  rate_limiter limiter{rate_settings{}};
  owner o;
  bind_driver d{io, settings_for(smsc.port()), limiter, o.callbacks()};
  d.start();
  REQUIRE(run_until(io, [&] { return o.bound == 1; }));
  auto binds = smsc.received_of(command_id::bind_transceiver);
  REQUIRE(binds.size() == 1);
  CHECK(std::get<loa::smpp::bind>(binds[0].content).system_id == "loa");
  CHECK(std::get<loa::smpp::bind>(binds[0].content).password == "secret");

  std::optional<submit_outcome> out;
  d.async_submit(text("84912345678"), [&](submit_outcome r) { out = r; });
  REQUIRE(run_until(io, [&] { return out.has_value(); }));
  CHECK(out->kind == outcome_kind::accepted);
  auto submits = smsc.received_of(command_id::submit_sm);
  REQUIRE(submits.size() == 1);
  CHECK(out->message_id == "m" + std::to_string(submits[0].sequence));
  CHECK(std::get<short_message>(submits[0].content).destination.addr == "84912345678");

  bool stopped = false;
  d.async_stop([&] { stopped = true; });
  REQUIRE(run_until(io, [&] { return stopped; }));
  CHECK(smsc.received_of(command_id::unbind).size() == 1);
  CHECK(d.state() == session_state::closed);
}

TEST_CASE("bind_driver: async_submit works as a coroutine") {
  asio::io_context io;
  fake_smsc smsc{io};
  rate_limiter limiter{rate_settings{}};
  bind_driver d{io, settings_for(smsc.port()), limiter};
  d.start();
  std::optional<submit_outcome> out;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        out = co_await d.async_submit(text("84900000001"), asio::use_awaitable);
      },
      asio::detached);
  REQUIRE(run_until(io, [&] { return out.has_value(); }));
  CHECK(out->kind == outcome_kind::accepted);
}

TEST_CASE("bind_driver: the window bounds what is in flight, the rest waits and all are accepted") {
  asio::io_context io;
  fake_smsc smsc{io};
  std::vector<pdu> held;
  std::shared_ptr<fake_link> link;
  std::size_t max_in_flight = 0;
  smsc.on_pdu = [&](fake_link& l, const pdu& p) {
    if (p.id != command_id::submit_sm) return smsc.answer(l, p);
    held.push_back(p);  // answer later, in reverse order
    max_in_flight = std::max(max_in_flight, held.size());
    link = l.shared_from_this();
  };
  rate_limiter limiter{rate_settings{}};
  bind_driver d{io, settings_for(smsc.port()), limiter};  // window 2
  d.start();
  std::vector<submit_outcome> outs;
  for (int i = 0; i < 6; ++i)
    d.async_submit(text("8490000000" + std::to_string(i)), [&](submit_outcome r) { outs.push_back(r); });
  while (outs.size() < 6) {
    REQUIRE(
        run_until(io, [&] { return held.size() == 2 || (held.size() + outs.size() == 6 && !held.empty()); }));
    CHECK(d.queued() + d.outstanding() + outs.size() == 6);
    for (auto it = held.rbegin(); it != held.rend(); ++it)
      link->write({command_id::submit_sm_resp, 0, it->sequence,
                   message_resp{"id" + std::to_string(it->sequence), {}}});
    const auto expect = outs.size() + held.size();
    held.clear();
    REQUIRE(run_until(io, [&] { return outs.size() == expect; }));
  }
  CHECK(max_in_flight == 2);
  for (const auto& r : outs) CHECK(r.kind == outcome_kind::accepted);
}

TEST_CASE("bind_driver: a refused bind is surfaced as an alert") {
  asio::io_context io;
  fake_smsc smsc{io};
  smsc.bind_status = status::invpaswd;
  rate_limiter limiter{rate_settings{}};
  owner o;
  bind_driver d{io, settings_for(smsc.port()), limiter, o.callbacks()};
  d.start();
  REQUIRE(run_until(io, [&] { return !o.refused.empty(); }));
  CHECK(o.refused[0].first == make_status_error(status::invpaswd));
  CHECK(o.refused[0].second);
  CHECK(o.bound == 0);
  // A submit meanwhile waits (the bind is down) and comes back as retry when stopped.
  std::optional<submit_outcome> out;
  d.async_submit(text("84900000001"), [&](submit_outcome r) { out = r; });
  bool stopped = false;
  d.async_stop([&] { stopped = true; });
  REQUIRE(run_until(io, [&] { return stopped && out.has_value(); }));
  CHECK(out->kind == outcome_kind::retry_later);
}

TEST_CASE(
    "bind_driver: connection dropped with submits outstanding -> uncertain, then it rebinds by itself") {
  asio::io_context io;
  fake_smsc smsc{io};
  int submits_seen = 0;
  smsc.on_pdu = [&](fake_link& l, const pdu& p) {
    if (p.id == command_id::submit_sm && ++submits_seen <= 2) {
      if (submits_seen == 2) l.close();  // never answers either of the first two
      return;
    }
    smsc.answer(l, p);
  };
  rate_limiter limiter{rate_settings{}};
  owner o;
  bind_driver d{io, settings_for(smsc.port()), limiter, o.callbacks()};
  d.start();
  std::vector<submit_outcome> outs;
  d.async_submit(text("84900000001"), [&](submit_outcome r) { outs.push_back(r); });
  d.async_submit(text("84900000002"), [&](submit_outcome r) { outs.push_back(r); });
  REQUIRE(run_until(io, [&] { return outs.size() == 2; }));
  for (const auto& r : outs) {
    CHECK(r.kind == outcome_kind::uncertain);
    CHECK(r.error == error::window_closed);
  }
  REQUIRE(run_until(io, [&] { return o.bound == 2; }));
  CHECK(o.unbound == 1);
  CHECK(smsc.connections == 2);
  std::optional<submit_outcome> after;
  d.async_submit(text("84900000003"), [&](submit_outcome r) { after = r; });
  REQUIRE(run_until(io, [&] { return after.has_value(); }));
  CHECK(after->kind == outcome_kind::accepted);
}

TEST_CASE("bind_driver: a deliver_sm receipt is answered and handed up") {
  asio::io_context io;
  fake_smsc smsc{io};
  smsc.on_pdu = [&](fake_link& l, const pdu& p) {
    smsc.answer(l, p);
    if (p.id == command_id::bind_transceiver) {
      short_message r;
      r.esm_class = esm::delivery_receipt;
      r.source = {1, 1, "84912345678"};
      const std::string body =
          "id:m2 sub:001 dlvrd:001 submit date:2611221000 done date:2611221001 stat:DELIVRD err:000 text:hi";
      r.message.assign(body.begin(), body.end());
      l.write({command_id::deliver_sm, 0, 900, r});
    }
  };
  rate_limiter limiter{rate_settings{}};
  owner o;
  bind_driver d{io, settings_for(smsc.port()), limiter, o.callbacks()};
  d.start();
  REQUIRE(run_until(
      io, [&] { return !o.delivered.empty() && !smsc.received_of(command_id::deliver_sm_resp).empty(); }));
  CHECK(std::get<short_message>(o.delivered[0].content).esm_class == esm::delivery_receipt);
  auto resp = smsc.received_of(command_id::deliver_sm_resp)[0];
  CHECK(resp.sequence == 900);
  CHECK(resp.status == 0);
}

TEST_CASE("bind_driver: an undecodable PDU is logged in hex and answered, the bind survives") {
  asio::io_context io;
  fake_smsc smsc{io};
  smsc.on_pdu = [&](fake_link& l, const pdu& p) {
    smsc.answer(l, p);
    if (p.id == command_id::bind_transceiver) {
      // A deliver_sm whose body is cut short (service_type without its NUL), then an unknown command_id.
      l.write_raw(from_hex("00000014 00000005 00000000 00000321 41424344"));
      l.write_raw(from_hex("00000010 00000777 00000000 00000322"));
    }
  };
  rate_limiter limiter{rate_settings{}};
  owner o;
  bind_driver d{io, settings_for(smsc.port()), limiter, o.callbacks()};
  d.start();
  REQUIRE(run_until(io, [&] {
    return !smsc.received_of(command_id::deliver_sm_resp).empty() &&
           !smsc.received_of(command_id::generic_nack).empty();
  }));
  auto resp = smsc.received_of(command_id::deliver_sm_resp)[0];
  CHECK(resp.sequence == 0x321);
  CHECK(resp.status != 0);
  auto nack = smsc.received_of(command_id::generic_nack)[0];
  CHECK(nack.sequence == 0x322);
  CHECK(nack.status == status::invcmdid);
  CHECK(o.logged("0000001400000005"));
  CHECK(o.delivered.empty());
  // Still the same bind: a submit goes through on the same connection.
  std::optional<submit_outcome> out;
  d.async_submit(text("84900000001"), [&](submit_outcome r) { out = r; });
  REQUIRE(run_until(io, [&] { return out.has_value(); }));
  CHECK(out->kind == outcome_kind::accepted);
  CHECK(smsc.connections == 1);
}

TEST_CASE(
    "bind_driver: a bad command_length (an HTTP request) is answered generic_nack and the bind restarts") {
  asio::io_context io;
  fake_smsc smsc{io};
  bool junk_sent = false;
  smsc.on_pdu = [&](fake_link& l, const pdu& p) {
    smsc.answer(l, p);
    if (p.id == command_id::bind_transceiver && !junk_sent) {
      junk_sent = true;
      const std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
      l.write_raw(std::vector<std::uint8_t>(http.begin(), http.end()));
    }
  };
  rate_limiter limiter{rate_settings{}};
  owner o;
  bind_driver d{io, settings_for(smsc.port()), limiter, o.callbacks()};
  d.start();
  REQUIRE(run_until(io, [&] { return o.bound == 2; }));
  auto nacks = smsc.received_of(command_id::generic_nack);
  REQUIRE(nacks.size() == 1);
  CHECK(nacks[0].status == status::invcmdlen);
  CHECK(o.logged("474554"));  // "GET" in hex
  CHECK(smsc.connections == 2);
}

TEST_CASE("bind_driver: an unanswered enquire_link is a dead link: reconnect") {
  asio::io_context io;
  fake_smsc smsc{io};
  smsc.on_pdu = [&](fake_link& l, const pdu& p) {
    if (p.id == command_id::enquire_link) return;  // mute
    smsc.answer(l, p);
  };
  rate_limiter limiter{rate_settings{}};
  auto s = settings_for(smsc.port());
  s.session.enquire_link_interval = 50ms;
  s.session.response_timeout = 100ms;
  owner o;
  bind_driver d{io, s, limiter, o.callbacks()};
  d.start();
  REQUIRE(run_until(io, [&] { return o.bound >= 2; }));
  CHECK(!smsc.received_of(command_id::enquire_link).empty());
  CHECK(o.unbound >= 1);
}

TEST_CASE("bind_driver: an unanswered submit comes back uncertain after the response timeout") {
  asio::io_context io;
  fake_smsc smsc{io};
  smsc.on_pdu = [&](fake_link& l, const pdu& p) {
    if (p.id == command_id::submit_sm) return;  // never answers submits
    smsc.answer(l, p);
  };
  rate_limiter limiter{rate_settings{}};
  auto s = settings_for(smsc.port());
  s.session.response_timeout = 100ms;
  bind_driver d{io, s, limiter};
  d.start();
  std::optional<submit_outcome> out;
  d.async_submit(text("84900000001"), [&](submit_outcome r) { out = r; });
  REQUIRE(run_until(io, [&] { return out.has_value(); }));
  CHECK(out->kind == outcome_kind::uncertain);
  CHECK(out->error == error::response_timeout);
  CHECK(out->age >= 100ms);
  CHECK(d.state() == session_state::bound);
}

TEST_CASE("bind_driver: ESME_RTHROTTLED -> retry_later and the carrier's limiter slows down") {
  asio::io_context io;
  fake_smsc smsc{io};
  smsc.on_pdu = [&](fake_link& l, const pdu& p) {
    if (p.id == command_id::submit_sm) {
      l.write({command_id::submit_sm_resp, status::throttled, p.sequence, message_resp{}});
      return;
    }
    smsc.answer(l, p);
  };
  rate_limiter limiter{rate_settings{.tps = 100, .burst = 10}};
  bind_driver d{io, settings_for(smsc.port()), limiter};
  d.start();
  std::optional<submit_outcome> out;
  d.async_submit(text("84900000001"), [&](submit_outcome r) { out = r; });
  REQUIRE(run_until(io, [&] { return out.has_value(); }));
  CHECK(out->kind == outcome_kind::retry_later);
  CHECK(out->command_status == status::throttled);
  CHECK(limiter.current_tps(rate_limiter::clock::now()) < 100);
}

TEST_CASE("bind_driver: nobody listening -> connect keeps retrying, stop ends it, queued submits retry") {
  asio::io_context io;
  // A reserved port nobody listens on (not an ephemeral one, which another test's server could take meanwhile):
  // connecting there is refused.
  const std::uint16_t port = loa::test::free_port();
  rate_limiter limiter{rate_settings{}};
  owner o;
  bind_driver d{io, settings_for(port), limiter, o.callbacks()};
  d.start();
  REQUIRE(run_until(io, [&] { return o.logs.size() >= 2; }));
  CHECK(o.logged("connect failed"));
  std::optional<submit_outcome> out;
  d.async_submit(text("84900000001"), [&](submit_outcome r) { out = r; });
  bool stopped = false;
  d.async_stop([&] { stopped = true; });
  REQUIRE(run_until(io, [&] { return stopped && out.has_value(); }));
  CHECK(out->kind == outcome_kind::retry_later);
  CHECK(d.state() == session_state::closed);
}

TEST_CASE("bind_driver: a body that cannot be encoded fails at once as permanent") {
  asio::io_context io;
  fake_smsc smsc{io};
  rate_limiter limiter{rate_settings{}};
  bind_driver d{io, settings_for(smsc.port()), limiter};
  d.start();
  auto m = text("84900000001");
  m.message.assign(300, 'x');  // short_message holds at most 254 octets
  std::optional<submit_outcome> out;
  d.async_submit(m, [&](submit_outcome r) { out = r; });
  REQUIRE(run_until(io, [&] { return out.has_value(); }));
  CHECK(out->kind == outcome_kind::permanent);
  CHECK(out->error == error::encode_failed);
  CHECK(smsc.received_of(command_id::submit_sm).empty());
}

TEST_CASE("bind_driver: destroying it settles pending submits without callbacks") {
  asio::io_context io;
  fake_smsc smsc{io};
  smsc.on_pdu = [&](fake_link& l, const pdu& p) {
    if (p.id == command_id::submit_sm) return;
    smsc.answer(l, p);
  };
  rate_limiter limiter{rate_settings{}};
  owner o;
  std::vector<submit_outcome> outs;
  {
    bind_driver d{io, settings_for(smsc.port()), limiter, o.callbacks()};
    d.start();
    REQUIRE(run_until(io, [&] { return o.bound == 1; }));
    for (int i = 0; i < 3; ++i)
      d.async_submit(text("84900000001"), [&](submit_outcome r) { outs.push_back(r); });
    REQUIRE(run_until(io, [&] { return smsc.received_of(command_id::submit_sm).size() == 2; }));
  }
  REQUIRE(run_until(io, [&] { return outs.size() == 3; }));
  int uncertain = 0, retry = 0;
  for (const auto& r : outs) {
    uncertain += r.kind == outcome_kind::uncertain;
    retry += r.kind == outcome_kind::retry_later;
  }
  CHECK(uncertain == 2);
  CHECK(retry == 1);
  CHECK(o.unbound == 0);
}

TEST_CASE("bind_driver: the SMSC hangs up at its N-th PDU, every N in turn: every submit ends exactly once") {
  // The SMSC receives 5 PDUs in a run: the bind and 4 submits. The hang-up lands before the bind is answered,
  // between submits, and with submits in flight; each time the driver must settle every submit and bind
  // again.
  for (int n = 1; n <= 5; ++n) {
    CAPTURE(n);
    asio::io_context io;
    fake_smsc smsc{io};
    int seen = 0;
    smsc.on_pdu = [&](fake_link& l, const pdu& p) {
      if (++seen == n) return l.close();
      smsc.answer(l, p);
    };
    rate_limiter limiter{rate_settings{}};
    owner o;
    bind_driver d{io, settings_for(smsc.port()), limiter, o.callbacks()};
    d.start();
    std::map<int, int> completions;
    std::vector<submit_outcome> outs;
    for (int i = 0; i < 4; ++i)
      d.async_submit(text("8490000000" + std::to_string(i)), [&, i](submit_outcome r) {
        ++completions[i];
        outs.push_back(r);
      });
    REQUIRE(run_until(io, [&] { return outs.size() == 4; }));
    for (int i = 0; i < 4; ++i) CHECK(completions[i] == 1);
    for (const auto& r : outs) CHECK((r.kind == outcome_kind::accepted || r.kind == outcome_kind::uncertain));
    // It comes back by itself, on a second connection.
    REQUIRE(run_until(io, [&] { return smsc.connections == 2 && d.state() == session_state::bound; }));
    std::optional<submit_outcome> after;
    d.async_submit(text("84900000009"), [&](submit_outcome r) { after = r; });
    REQUIRE(run_until(io, [&] { return after.has_value(); }));
    CHECK(after->kind == outcome_kind::accepted);
  }
}
