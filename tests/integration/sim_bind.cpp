// loa-smsc-sim: binds, enquire_link, unbind, shutdown.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "tests/integration/fixtures/process.hpp"
#include "tests/integration/fixtures/smpp_client.hpp"

using namespace loa;
using smpp::command_id;

TEST_CASE("sim: the three bind kinds succeed with the right credentials") {
  test::smsc_sim sim({"--system-id", "loa", "--password", "secret"});
  for (auto kind : {command_id::bind_transmitter, command_id::bind_receiver, command_id::bind_transceiver}) {
    test::smpp_client c(sim.port);
    const auto resp = c.bind(kind, "loa", "secret");
    REQUIRE(resp);
    CHECK(resp->id == smpp::response_id(kind));
    CHECK(resp->status == smpp::status::ok);
    CHECK(std::get<smpp::bind_resp>(resp->content).system_id == "loa-smsc-sim");
    CHECK(std::get<smpp::bind_resp>(resp->content).sc_interface_version == 0x34);
  }
}

TEST_CASE("sim: wrong password gives ESME_RINVPASWD, wrong system_id ESME_RINVSYSID") {
  test::smsc_sim sim({"--system-id", "loa", "--password", "secret"});
  test::smpp_client c(sim.port);
  auto resp = c.bind(command_id::bind_transceiver, "loa", "wrong");
  REQUIRE(resp);
  CHECK(resp->status == smpp::status::invpaswd);
  resp = c.bind(command_id::bind_transceiver, "other", "secret");
  REQUIRE(resp);
  CHECK(resp->status == smpp::status::invsysid);
  // Still not bound: a submit is refused with ESME_RINVBNDSTS.
  const auto seq = c.send(command_id::submit_sm, test::text_message("84912345678", "x"));
  const auto r = c.read_until(command_id::submit_sm_resp);
  REQUIRE(r);
  CHECK(r->sequence == seq);
  CHECK(r->status == smpp::status::invbndsts);
  // A second bind on a bound session is refused.
  REQUIRE(c.bind(command_id::bind_transceiver, "loa", "secret")->status == 0);
  CHECK(c.bind(command_id::bind_transceiver, "loa", "secret")->status == smpp::status::alybnd);
}

TEST_CASE("sim: enquire_link is answered, unbind is answered and the connection closes") {
  test::smsc_sim sim;
  test::smpp_client c(sim.port);
  REQUIRE(c.bind(command_id::bind_transmitter, "any", "any")->status == 0);
  const auto seq = c.send(command_id::enquire_link, smpp::empty{});
  const auto el = c.read_until(command_id::enquire_link_resp);
  REQUIRE(el);
  CHECK(el->sequence == seq);
  c.send(command_id::unbind, smpp::empty{});
  CHECK(c.read_until(command_id::unbind_resp));
  CHECK(c.wait_closed());
}

TEST_CASE("sim: SIGTERM and SIGINT stop it cleanly, with clients connected") {
  for (int sig : {SIGTERM, SIGINT}) {
    test::smsc_sim sim;
    test::smpp_client c(sim.port);
    REQUIRE(c.bind(command_id::bind_transceiver, "loa", "x"));
    CHECK(sim.process.stop(sig) == 0);
    CHECK(c.wait_closed());
  }
}

TEST_CASE("sim: bad usage exits with 1") {
  test::child_process p(test::smsc_sim_path(), {"--port", "0", "--fault", "nonsense"}, "/dev/null");
  CHECK(p.stop(0, std::chrono::seconds(10)) == 1);
}

TEST_CASE("sim: --refuse-binds N answers the first N binds with ESME_RBINDFAIL, then binds") {
  test::smsc_sim sim({"--refuse-binds", "2"});
  {
    test::smpp_client c(sim.port);
    CHECK(c.bind(command_id::bind_transceiver, "loa", "pw")->status == smpp::status::bindfail);
  }
  test::smpp_client c(sim.port);  // counted across connections, and a refused session may try again
  CHECK(c.bind(command_id::bind_transmitter, "loa", "pw")->status == smpp::status::bindfail);
  const auto resp = c.bind(command_id::bind_transmitter, "loa", "pw");
  REQUIRE(resp);
  CHECK(resp->status == smpp::status::ok);
  CHECK(c.bind(command_id::bind_transmitter, "loa", "pw")->status == smpp::status::alybnd);
}

TEST_CASE("sim: --refuse-binds-ms refuses binds during the window, accepts them after it") {
  test::smsc_sim sim({"--refuse-binds-ms", "1000"});
  test::smpp_client c(sim.port);
  CHECK(c.bind(command_id::bind_transceiver, "loa", "pw")->status == smpp::status::bindfail);
  // Retry as a gateway would, with a bound on the whole test.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::uint32_t status = smpp::status::bindfail;
  while (status == smpp::status::bindfail && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = c.bind(command_id::bind_transceiver, "loa", "pw")->status;
  }
  CHECK(status == smpp::status::ok);
}

TEST_CASE("sim: a window of --refuse-binds-ms longer than the test refuses every bind") {
  test::smsc_sim sim({"--refuse-binds-ms", "600000"});
  for (int i = 0; i < 3; ++i) {
    test::smpp_client c(sim.port);
    CHECK(c.bind(command_id::bind_receiver, "loa", "pw")->status == smpp::status::bindfail);
  }
}
