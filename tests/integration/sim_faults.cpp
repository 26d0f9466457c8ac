// loa-smsc-sim's --fault modes: each one misbehaves as DOMAIN.md's "fake SMSC worth having" describes.
#include <doctest/doctest.h>

#include <memory>

#include "gateway/smpp/receipt.hpp"
#include "tests/integration/fixtures/process.hpp"
#include "tests/integration/fixtures/smpp_client.hpp"

using namespace loa;
using smpp::command_id;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<test::smpp_client> bound(const test::smsc_sim& sim,
                                         command_id kind = command_id::bind_transceiver) {
  auto c = std::make_unique<test::smpp_client>(sim.port);
  const auto r = c->bind(kind, "loa", "pw");
  REQUIRE(r);
  REQUIRE(r->status == 0);
  return c;
}

std::uint32_t submit(test::smpp_client& c, std::uint8_t registered_delivery = 0) {
  return c.send(command_id::submit_sm, test::text_message("84912345678", "x", registered_delivery));
}

}  // namespace

TEST_CASE("fault bind-error=0x0D refuses every bind with that status") {
  test::smsc_sim sim({"--fault", "bind-error=0x0D"});
  test::smpp_client c(sim.port);
  const auto r = c.bind(command_id::bind_transceiver, "loa", "pw");
  REQUIRE(r);
  CHECK(r->status == smpp::status::bindfail);
}

TEST_CASE("fault never-answer: the bind gets no answer") {
  test::smsc_sim sim({"--fault", "never-answer"});
  test::smpp_client c(sim.port);
  CHECK_FALSE(c.bind(command_id::bind_transceiver, "loa", "pw", 300ms));
  CHECK_FALSE(c.closed());
}

TEST_CASE("fault no-submit-resp: binds and enquire_link work, submits get nothing") {
  test::smsc_sim sim({"--fault", "no-submit-resp"});
  auto c = bound(sim);
  submit(*c);
  c->send(command_id::enquire_link, smpp::empty{});
  const auto r = c->read();
  REQUIRE(r);
  CHECK(r->value.id == command_id::enquire_link_resp);  // the submit's answer would have come first
}

TEST_CASE("fault generic-nack and generic-nack-zero-seq") {
  {
    test::smsc_sim sim({"--fault", "generic-nack"});
    auto c = bound(sim);
    const auto seq = submit(*c);
    const auto n = c->read_until(command_id::generic_nack);
    REQUIRE(n);
    CHECK(n->sequence == seq);
  }
  {
    test::smsc_sim sim({"--fault", "generic-nack-zero-seq"});
    auto c = bound(sim);
    submit(*c);
    const auto n = c->read_until(command_id::generic_nack);
    REQUIRE(n);
    CHECK(n->sequence == 0);
  }
}

TEST_CASE("fault submit-error=0x58 answers every submit with that status") {
  test::smsc_sim sim({"--fault", "submit-error=0x58"});
  auto c = bound(sim);
  const auto seq = submit(*c);
  const auto r = c->read_until(command_id::submit_sm_resp);
  REQUIRE(r);
  CHECK(r->sequence == seq);
  CHECK(r->status == smpp::status::throttled);
}

TEST_CASE("fault unbind-after=2: the SMSC unbinds after two answered submits, closes on unbind_resp") {
  test::smsc_sim sim({"--fault", "unbind-after=2"});
  auto c = bound(sim);
  submit(*c);
  submit(*c);
  const auto u = c->read_until(command_id::unbind);
  REQUIRE(u);
  c->send(smpp::pdu{command_id::unbind_resp, 0, u->sequence, smpp::empty{}});
  CHECK(c->wait_closed());
}

TEST_CASE("fault unbind-no-answer: our unbind is ignored, the connection stays") {
  test::smsc_sim sim({"--fault", "unbind-no-answer"});
  auto c = bound(sim);
  c->send(command_id::unbind, smpp::empty{});
  c->send(command_id::enquire_link, smpp::empty{});
  const auto r = c->read();
  REQUIRE(r);
  CHECK(r->value.id == command_id::enquire_link_resp);
}

TEST_CASE("fault short-length and long-length answer the first submit with a bad command_length") {
  for (const char* fault : {"short-length", "long-length"}) {
    test::smsc_sim sim({"--fault", fault});
    auto c = bound(sim);
    submit(*c);
    const auto r = c->read();
    REQUIRE(r);
    CHECK(r->ec == smpp::error::bad_command_length);
  }
}

TEST_CASE("fault deliver-before-bind: a deliver_sm arrives before any bind") {
  test::smsc_sim sim({"--fault", "deliver-before-bind"});
  test::smpp_client c(sim.port);
  const auto d = c.read_until(command_id::deliver_sm);
  REQUIRE(d);
  CHECK_FALSE(smpp::is_delivery_receipt(std::get<smpp::short_message>(d->content)));
}

TEST_CASE("fault receipt-before-resp: the receipt precedes the submit_sm_resp") {
  test::smsc_sim sim({"--fault", "receipt-before-resp"});
  auto c = bound(sim);
  submit(*c, 1);
  const auto first = c->read();
  REQUIRE(first);
  CHECK(first->value.id == command_id::deliver_sm);
  const auto second = c->read();
  REQUIRE(second);
  CHECK(second->value.id == command_id::submit_sm_resp);
}

TEST_CASE("several faults at once") {
  test::smsc_sim sim({"--fault", "submit-error=0x14", "--fault", "deliver-before-bind"});
  test::smpp_client c(sim.port);
  REQUIRE(c.read_until(command_id::deliver_sm));
  REQUIRE(c.bind(command_id::bind_transmitter, "loa", "pw")->status == 0);
  submit(c);
  const auto r = c.read_until(command_id::submit_sm_resp);
  REQUIRE(r);
  CHECK(r->status == smpp::status::msgqful);
}
