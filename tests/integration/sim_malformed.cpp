// loa-smsc-sim facing bad input: answer generic_nack, log the octets in hex, go on; hang up only when the
// stream cannot be trusted any more (command_length out of range).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "tests/integration/fixtures/process.hpp"
#include "tests/integration/fixtures/smpp_client.hpp"

using namespace loa;
using smpp::command_id;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void expect_enquire_link_works(test::smpp_client& c) {
  const auto seq = c.send(command_id::enquire_link, smpp::empty{});
  const auto r = c.read_until(command_id::enquire_link_resp);
  REQUIRE(r);
  CHECK(r->sequence == seq);
}

}  // namespace

TEST_CASE("sim: a submit_sm whose sm_length overruns the PDU gets generic_nack, the session goes on") {
  const auto err = test::temp_path("sim-stderr");
  {
    test::smsc_sim sim({}, err);
    test::smpp_client c(sim.port);
    REQUIRE(c.bind(command_id::bind_transceiver, "loa", "pw")->status == 0);
    // submit_sm, sequence 0x42, sm_length 10 but 5 octets.
    c.send_raw(
        smpp::from_hex("00000039 00000004 00000000 00000042"
                       "00 05 00 4c6f6e675468757900 01 01 383439313233343536373800 00 00 00 00 00 01 00 00 00"
                       "0a 48656c6c6f"));
    const auto nack = c.read_until(command_id::generic_nack);
    REQUIRE(nack);
    CHECK(nack->sequence == 0x42);
    CHECK(nack->status == smpp::status::invmsglen);
    expect_enquire_link_works(c);

    // Unterminated C-string at the end (CVE-2026-75895 shape).
    c.send_raw(
        smpp::from_hex("00000014 80000004 00000000 00000043 31613262"));  // a response: logged, not nacked
    c.send_raw(
        smpp::from_hex("00000021 00000002 00000000 00000044 6c6f6100 73656372657400 00 34 00 00 41 41"));
    const auto nack2 = c.read_until(command_id::generic_nack);
    REQUIRE(nack2);
    CHECK(nack2->sequence == 0x44);
    expect_enquire_link_works(c);
    sim.process.stop();
  }
  const auto log = read_file(err);
  CHECK(log.find("hex=0000003900000004") != std::string::npos);
  CHECK(log.find("sm_length") != std::string::npos);
  std::remove(err.c_str());
}

TEST_CASE("sim: an unknown command_id gets generic_nack ESME_RINVCMDID with its sequence number") {
  test::smsc_sim sim;
  test::smpp_client c(sim.port);
  c.send_raw(smpp::from_hex("00000010 00000003 00000000 00000007"));  // query_sm, not supported
  const auto nack = c.read_until(command_id::generic_nack);
  REQUIRE(nack);
  CHECK(nack->sequence == 7);
  CHECK(nack->status == smpp::status::invcmdid);
  expect_enquire_link_works(c);
}

TEST_CASE("sim: a truncated TLV gets generic_nack ESME_RINVOPTPARSTREAM") {
  test::smsc_sim sim;
  test::smpp_client c(sim.port);
  REQUIRE(c.bind(command_id::bind_transmitter, "loa", "pw")->status == 0);
  c.send_raw(
      smpp::from_hex("0000003f 00000004 00000000 00000009"
                     "00 05 00 4c6f6e675468757900 01 01 383439313233343536373800 00 00 00 00 00 01 00 00 00"
                     "05 48656c6c6f 0424 0010 4142"));
  const auto nack = c.read_until(command_id::generic_nack);
  REQUIRE(nack);
  CHECK(nack->sequence == 9);
  CHECK(nack->status == smpp::status::invoptparstream);
}

TEST_CASE("sim: command_length out of range (an HTTP request) gets generic_nack and the connection closes") {
  test::smsc_sim sim;
  {
    test::smpp_client c(sim.port);
    const std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    c.send_raw({http.begin(), http.end()});
    const auto nack = c.read_until(command_id::generic_nack);
    REQUIRE(nack);
    CHECK(nack->status == smpp::status::invcmdlen);
    CHECK(c.wait_closed());
  }
  // The simulator itself is fine.
  test::smpp_client c(sim.port);
  REQUIRE(c.bind(command_id::bind_transmitter, "loa", "pw")->status == 0);
}
