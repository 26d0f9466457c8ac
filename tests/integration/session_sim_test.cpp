// bind_driver against the real simulator (build/bin/loa-smsc-sim) on 127.0.0.1, port 0. Timers are short so
// that every case ends in a few seconds; waits are bounded and nothing asserts on elapsed time.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <cstdio>

#include <fstream>
#include <map>
#include <optional>

#include "gateway/smpp/bind_driver.hpp"
#include "gateway/smpp/receipt.hpp"
#include "tests/integration/fixtures/process.hpp"
#include "tests/integration/session_fake_smsc.hpp"
#include "tests/integration/session_support.hpp"  // run_until

using namespace std::chrono_literals;
using namespace loa::smpp;
using loa::test::run_until;
using loa::test::smsc_sim;
namespace asio = boost::asio;
using loa::test::owner;
using loa::test::settings_for;
using loa::test::text;

namespace {

// How many times the simulator's JSON-lines log shows each destination submitted.
std::map<std::string, int> submits_by_destination(const std::string& path) {
  std::ifstream in(path);
  std::map<std::string, int> n;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const auto v = boost::json::parse(line).as_object();
    if (v.at("event").as_string() == "submit") ++n[std::string(v.at("destination").as_string())];
  }
  return n;
}

}  // namespace

TEST_CASE("session against the simulator: bind, enquire_link, submit -> accepted id") {
  smsc_sim sim{{"--system-id", "loa", "--password", "secret"}};
  asio::io_context io;
  rate_limiter limiter{rate_settings{}};
  owner o;
  auto s = settings_for(sim.port);
  s.session.enquire_link_interval = 50ms;
  s.session.response_timeout = 200ms;
  bind_driver d{io, s, limiter, o.callbacks()};
  d.start();
  REQUIRE(run_until(io, [&] { return o.bound == 1; }));
  // Several idle enquire_link rounds, each of which would end the bind if the simulator did not answer.
  run_until(
      io, [] { return false; }, 500ms);
  CHECK(o.bound == 1);
  CHECK(o.unbound == 0);
  std::optional<submit_outcome> out;
  d.async_submit(text("84912345678"), [&](submit_outcome r) { out = r; });
  REQUIRE(run_until(io, [&] { return out.has_value(); }));
  CHECK(out->kind == outcome_kind::accepted);
  CHECK_FALSE(out->message_id.empty());
  bool stopped = false;
  d.async_stop([&] { stopped = true; });
  REQUIRE(run_until(io, [&] { return stopped; }));
  CHECK(o.unbound == 1);
}

TEST_CASE("session against the simulator: a wrong password is surfaced as a refused bind") {
  smsc_sim sim{{"--system-id", "loa", "--password", "right"}};
  asio::io_context io;
  rate_limiter limiter{rate_settings{}};
  owner o;
  bind_driver d{io, settings_for(sim.port), limiter, o.callbacks()};  // password "secret"
  d.start();
  REQUIRE(run_until(io, [&] { return !o.refused.empty(); }));
  CHECK(o.refused[0].first == make_status_error(status::invpaswd));
  CHECK(o.refused[0].second);  // credentials: alert and reconnect slowly
  CHECK(o.bound == 0);
  bool stopped = false;
  d.async_stop([&] { stopped = true; });
  REQUIRE(run_until(io, [&] { return stopped; }));
}

TEST_CASE("session against the simulator: the window is respected while the SMSC is slow to answer") {
  smsc_sim sim{{"--fault", "no-submit-resp"}};
  asio::io_context io;
  rate_limiter limiter{rate_settings{}};
  owner o;
  auto s = settings_for(sim.port);
  s.session.response_timeout = 300ms;
  bind_driver d{io, s, limiter, o.callbacks()};  // window 2
  d.start();
  REQUIRE(run_until(io, [&] { return o.bound == 1; }));
  std::vector<submit_outcome> outs;
  std::size_t max_outstanding = 0;
  for (int i = 0; i < 5; ++i)
    d.async_submit(text("8490000000" + std::to_string(i)), [&](submit_outcome r) {
      outs.push_back(r);
      max_outstanding = std::max(max_outstanding, d.outstanding());
    });
  max_outstanding = std::max(max_outstanding, d.outstanding());
  CHECK(d.outstanding() == 2);
  CHECK(d.queued() == 3);
  REQUIRE(run_until(io, [&] { return outs.size() == 5; }));
  CHECK(max_outstanding <= 2);
  for (const auto& r : outs) {
    CHECK(r.kind == outcome_kind::uncertain);  // sent, never answered: not dropped, not "failed"
    CHECK(r.error == error::response_timeout);
  }
}

TEST_CASE(
    "session against the simulator: --drop-after: outstanding ones come back uncertain, then it rebinds") {
  smsc_sim sim{{"--drop-after", "3"}};
  asio::io_context io;
  rate_limiter limiter{rate_settings{}};
  owner o;
  bind_driver d{io, settings_for(sim.port), limiter, o.callbacks()};
  d.start();
  REQUIRE(run_until(io, [&] { return o.bound == 1; }));
  std::vector<submit_outcome> outs;
  for (int i = 0; i < 5; ++i)
    d.async_submit(text("8490000000" + std::to_string(i)), [&](submit_outcome r) { outs.push_back(r); });
  // Submits 1-3 are answered; the 4th makes the simulator hang up, leaving the 4th (and the 5th if it was
  // already sent) without an answer. A 5th that was still queued goes out on the new bind and is accepted.
  REQUIRE(run_until(io, [&] { return outs.size() == 5 && o.bound == 2; }));
  int accepted = 0, uncertain = 0;
  for (const auto& r : outs) {
    if (r.kind == outcome_kind::accepted) ++accepted;
    if (r.kind == outcome_kind::uncertain) {
      ++uncertain;
      CHECK(r.error == error::window_closed);
    }
  }
  CHECK(accepted + uncertain == 5);
  CHECK(accepted >= 3);
  CHECK(uncertain >= 1);
  CHECK(o.unbound == 1);
  std::optional<submit_outcome> after;
  d.async_submit(text("84900000009"), [&](submit_outcome r) { after = r; });
  REQUIRE(run_until(io, [&] { return after.has_value(); }));
  CHECK(after->kind == outcome_kind::accepted);
}

TEST_CASE("session against the simulator: --tps throttling is retried and nothing is lost or doubled") {
  const auto log = loa::test::temp_path("session-tps-log");
  smsc_sim sim{{"--tps", "40", "--log", log}};
  asio::io_context io;
  // We believe the carrier allows 200/s; it allows 40/s and says so with ESME_RTHROTTLED.
  rate_limiter limiter{rate_settings{.tps = 200, .burst = 20}};
  owner o;
  auto s = settings_for(sim.port);
  s.session.window = 10;
  bind_driver d{io, s, limiter, o.callbacks()};
  d.start();
  REQUIRE(run_until(io, [&] { return o.bound == 1; }));

  // A minimal dispatcher: resend what comes back retry_later after its delay, until everything is accepted.
  constexpr int total = 60;
  std::map<int, std::string> accepted;
  int throttled = 0, other = 0;
  std::function<void(int)> send_one = [&](int i) {
    d.async_submit(text("849100000" + std::to_string(10 + i)), [&, i](submit_outcome r) {
      if (r.kind == outcome_kind::accepted) {
        accepted[i] = r.message_id;
      } else if (r.kind == outcome_kind::retry_later && r.command_status == status::throttled) {
        ++throttled;
        auto t = std::make_shared<asio::steady_timer>(io, r.retry_after);
        t->async_wait([t, i, &send_one](boost::system::error_code) { send_one(i); });
      } else {
        ++other;
      }
    });
  };
  for (int i = 0; i < total; ++i) send_one(i);
  REQUIRE(run_until(
      io, [&] { return accepted.size() == total || other > 0; }, 8000ms));
  CHECK(other == 0);
  CHECK(accepted.size() == total);
  CHECK(throttled > 0);
  CHECK(limiter.current_tps(rate_limiter::clock::now()) < 200);  // it learned to slow down
  bool stopped = false;
  d.async_stop([&] { stopped = true; });
  REQUIRE(run_until(io, [&] { return stopped; }));
  sim.process.stop();
  const auto seen = submits_by_destination(log);
  CHECK(seen.size() == total);  // nothing lost ...
  for (const auto& [to, times] : seen) {
    CAPTURE(to);
    CHECK(times == 1);  // ... and nothing accepted twice
  }
  std::remove(log.c_str());
}

TEST_CASE(
    "session against the simulator: tps matching a carrier that counts in fixed windows -> nothing "
    "throttled") {
  // The simulator counts like a real SMSC: at most 100 submits in each one-second window since it started;
  // the configuration says 100 too. Two binds share the carrier's pacer, as the gateway's do.
  smsc_sim sim{{"--tps", "100", "--tps-window", "fixed"}};
  asio::io_context io;
  rate_limiter limiter{rate_settings{.tps = 100}};
  owner o;
  auto s = settings_for(sim.port);
  s.session.window = 10;
  bind_driver a{io, s, limiter, o.callbacks()};
  bind_driver b{io, s, limiter, o.callbacks()};
  a.start();
  b.start();
  REQUIRE(run_until(io, [&] { return o.bound == 2; }));

  // 250 submits at once, half on each bind: about 2.5 s at 100/s.
  constexpr int total = 250;
  int accepted = 0, throttled = 0, other = 0;
  for (int i = 0; i < total; ++i) {
    (i % 2 == 0 ? a : b).async_submit(text("849100" + std::to_string(10000 + i)), [&](submit_outcome r) {
      if (r.kind == outcome_kind::accepted)
        ++accepted;
      else if (r.command_status == status::throttled)
        ++throttled;
      else
        ++other;
    });
  }
  REQUIRE(run_until(
      io, [&] { return accepted + throttled + other == total; }, 10000ms));
  CHECK(throttled == 0);
  CHECK(other == 0);
  CHECK(accepted == total);
  CHECK(limiter.current_tps(rate_limiter::clock::now()) == doctest::Approx(100));  // nothing to learn
  int stopped = 0;
  a.async_stop([&] { ++stopped; });
  b.async_stop([&] { ++stopped; });
  REQUIRE(run_until(io, [&] { return stopped == 2; }));
}

TEST_CASE("session against the simulator: the delivery receipt is handed up and matches the message_id") {
  smsc_sim sim{{"--receipt-delay-ms", "10", "--id-base", "hex"}};
  asio::io_context io;
  rate_limiter limiter{rate_settings{}};
  owner o;
  bind_driver d{io, settings_for(sim.port), limiter, o.callbacks()};
  d.start();
  std::optional<submit_outcome> out;
  d.async_submit(text("84912345678", 1), [&](submit_outcome r) { out = r; });
  REQUIRE(run_until(io, [&] { return out.has_value() && !o.delivered.empty(); }));
  REQUIRE(out->kind == outcome_kind::accepted);
  const auto& m = std::get<short_message>(o.delivered[0].content);
  CHECK(is_delivery_receipt(m));
  auto r = parse_receipt(m);
  REQUIRE(r);
  CHECK(r->id == out->message_id);
  CHECK(r->state == receipt_state::delivered);
}

// ---- the simulator's faults (DOMAIN.md "A fake SMSC worth having")
// -----------------------------------------

namespace {
// A driver with a log, bound (unless told not to wait) to a simulator started with `args`.
struct rig {
  explicit rig(const std::vector<std::string>& args, bool wait_bound = true) : sim(args) {
    auto s = settings_for(sim.port);
    s.session.response_timeout = 300ms;
    auto cb = o.callbacks();
    cb.on_log = [this](std::error_code ec, std::string_view detail) {
      logs.push_back(ec.message() + ": " + std::string(detail));
    };
    d.emplace(io, s, limiter, cb);
    d->start();
    if (wait_bound) REQUIRE(run_until(io, [&] { return o.bound == 1; }));
  }
  bool logged(std::string_view needle) const {
    for (const auto& l : logs)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }
  std::optional<submit_outcome> submit_one(const std::string& to, std::uint8_t registered_delivery = 0) {
    std::optional<submit_outcome> out;
    d->async_submit(text(to, registered_delivery), [&](submit_outcome r) { out = r; });
    run_until(io, [&] { return out.has_value(); });
    return out;
  }
  void stop() {
    bool stopped = false;
    d->async_stop([&] { stopped = true; });
    REQUIRE(run_until(io, [&] { return stopped; }));
    CHECK(d->state() == session_state::closed);
  }
  smsc_sim sim;
  asio::io_context io;
  rate_limiter limiter{rate_settings{}};
  owner o;
  std::vector<std::string> logs;
  std::optional<bind_driver> d;
};
}  // namespace

TEST_CASE("session against the simulator: generic_nack to a submit -> retry") {
  rig r{{"--fault", "generic-nack"}};
  auto out = r.submit_one("84900000001");
  REQUIRE(out);
  CHECK(out->kind == outcome_kind::retry_later);
  CHECK(out->error == error::generic_nack);
  CHECK(r.d->state() == session_state::bound);
  r.stop();
}

TEST_CASE(
    "session against the simulator: generic_nack with sequence 0 is logged; the submit ends uncertain") {
  rig r{{"--fault", "generic-nack-zero-seq"}};
  auto out = r.submit_one("84900000001");
  REQUIRE(out);
  CHECK(out->kind == outcome_kind::uncertain);
  CHECK(out->error == error::response_timeout);
  CHECK(r.logged("generic_nack for no request of ours"));
  CHECK(r.o.bound == 1);
  r.stop();
}

TEST_CASE("session against the simulator: submit-error=0x0B is permanent, 0x14 is retry") {
  {
    rig r{{"--fault", "submit-error=0x0B"}};
    auto out = r.submit_one("84900000001");
    REQUIRE(out);
    CHECK(out->kind == outcome_kind::permanent);
    CHECK(out->command_status == status::invdstadr);
  }
  rig r{{"--fault", "submit-error=0x14"}};
  auto out = r.submit_one("84900000001");
  REQUIRE(out);
  CHECK(out->kind == outcome_kind::retry_later);
  CHECK(out->command_status == status::msgqful);
}

TEST_CASE("session against the simulator: the SMSC's unbind is answered and the bind comes back") {
  rig r{{"--fault", "unbind-after=2"}};
  CHECK(r.submit_one("84900000001")->kind == outcome_kind::accepted);
  CHECK(r.submit_one("84900000002")->kind == outcome_kind::accepted);
  REQUIRE(run_until(r.io, [&] { return r.o.bound == 2; }));
  CHECK(r.o.unbound == 1);
  CHECK(r.submit_one("84900000003")->kind == outcome_kind::accepted);
}

TEST_CASE("session against the simulator: an unanswered unbind still ends the stop (deadline)") {
  rig r{{"--fault", "unbind-no-answer"}};
  r.stop();
}

TEST_CASE("session against the simulator: command_length too long or too short -> generic_nack, rebind") {
  for (const char* fault : {"long-length", "short-length"}) {
    CAPTURE(fault);
    rig r{{"--fault", fault}};
    auto out = r.submit_one("84900000001");
    REQUIRE(out);
    CHECK(out->kind == outcome_kind::uncertain);  // its answer was the garbage
    CHECK(r.logged("out of range"));
    CHECK(run_until(r.io, [&] { return r.o.bound == 2; }));  // a new connection, bound again
  }
}

TEST_CASE("session against the simulator: deliver_sm before bind is refused, the bind goes on") {
  rig r{{"--fault", "deliver-before-bind"}};
  CHECK(r.logged("deliver_sm before bind"));
  CHECK(r.o.delivered.empty());
  CHECK(r.submit_one("84900000001")->kind == outcome_kind::accepted);
}

TEST_CASE("session against the simulator: a receipt before the submit_sm_resp is handed up all the same") {
  rig r{{"--fault", "receipt-before-resp"}};
  auto out = r.submit_one("84900000001", 1);
  REQUIRE(out);
  CHECK(out->kind == outcome_kind::accepted);
  REQUIRE(run_until(r.io, [&] { return !r.o.delivered.empty(); }));
  auto rc = parse_receipt(std::get<short_message>(r.o.delivered[0].content));
  REQUIRE(rc);
  CHECK(rc->id == out->message_id);
}

TEST_CASE(
    "session against the simulator: an SMSC that never answers the bind -> bind timeout, retries, stop") {
  rig r{{"--fault", "never-answer"}, false};
  REQUIRE(run_until(
      r.io, [&] { return r.logged("no bind_resp"); }, 3000ms));
  CHECK(r.o.bound == 0);
  r.stop();
}
