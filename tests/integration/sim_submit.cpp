// loa-smsc-sim: submit_sm, its response, the receipt, throttling and dropping the connection.
#include <doctest/doctest.h>

#include <thread>

#include "gateway/smpp/receipt.hpp"
#include "tests/integration/fixtures/process.hpp"
#include "tests/integration/fixtures/smpp_client.hpp"

using namespace loa;
using smpp::command_id;

namespace {

// Sends one submit and returns its submit_sm_resp.
smpp::pdu submit(test::smpp_client& c, const std::string& text, std::uint8_t registered_delivery = 1) {
  const auto seq =
      c.send(command_id::submit_sm, test::text_message("84912345678", text, registered_delivery));
  auto r = c.read_until(command_id::submit_sm_resp);
  REQUIRE(r);
  CHECK(r->sequence == seq);
  return *r;
}

// Reads the next receipt and acknowledges it.
smpp::receipt next_receipt(test::smpp_client& c) {
  const auto d = c.read_until(command_id::deliver_sm);
  REQUIRE(d);
  const auto& m = std::get<smpp::short_message>(d->content);
  CHECK(smpp::is_delivery_receipt(m));
  c.send(smpp::pdu{command_id::deliver_sm_resp, 0, d->sequence, smpp::message_resp{}});
  auto r = smpp::parse_receipt(m);
  REQUIRE(r);
  // The text form and the TLVs agree.
  std::string text(m.message.begin(), m.message.end());
  const auto from_text = smpp::parse_receipt_text(text);
  REQUIRE(from_text);
  CHECK(from_text->id == r->id);
  CHECK(from_text->state == r->state);
  CHECK(m.source.addr == "84912345678");  // the receipt comes from the handset
  return *r;
}

}  // namespace

TEST_CASE("sim: submit_sm -> submit_sm_resp with unique hex ids -> DELIVRD receipt on the transceiver") {
  test::smsc_sim sim;
  test::smpp_client c(sim.port);
  REQUIRE(c.bind(command_id::bind_transceiver, "loa", "pw")->status == 0);
  const auto a = submit(c, "first");
  const auto b = submit(c, "second");
  CHECK(a.status == 0);
  const auto id_a = std::get<smpp::message_resp>(a.content).message_id;
  const auto id_b = std::get<smpp::message_resp>(b.content).message_id;
  CHECK(id_a.size() == 8);  // hex, upper case, leading zeros
  CHECK(id_a != id_b);
  const auto ra = next_receipt(c);
  const auto rb = next_receipt(c);
  CHECK(ra.id == id_a);
  CHECK(rb.id == id_b);
  CHECK(ra.state == smpp::receipt_state::delivered);
  CHECK(ra.text == "first");
}

TEST_CASE("sim: --receipt-id-base dec reports hex ids in decimal, and the gateway's key matches them") {
  test::smsc_sim sim({"--id-base", "hex", "--receipt-id-base", "dec"});
  test::smpp_client c(sim.port);
  REQUIRE(c.bind(command_id::bind_transceiver, "loa", "pw")->status == 0);
  const auto resp_id = std::get<smpp::message_resp>(submit(c, "x").content).message_id;
  const auto r = next_receipt(c);
  CHECK(r.id != resp_id);
  CHECK(smpp::normalise_receipt_id(resp_id, smpp::receipt_id_mode::dec, smpp::id_origin::submit_resp) ==
        smpp::normalise_receipt_id(r.id, smpp::receipt_id_mode::dec, smpp::id_origin::receipt));
}

TEST_CASE("sim: --id-base dec gives decimal ids") {
  test::smsc_sim sim({"--id-base", "dec"});
  test::smpp_client c(sim.port);
  REQUIRE(c.bind(command_id::bind_transceiver, "loa", "pw")->status == 0);
  const auto id = std::get<smpp::message_resp>(submit(c, "x").content).message_id;
  CHECK(id == "4096");  // ids start at 0x1000
  CHECK(next_receipt(c).id == "4096");
}

TEST_CASE("sim: a transmitter's receipts go to a receiver bind of the same system_id") {
  test::smsc_sim sim;
  test::smpp_client tx(sim.port);
  REQUIRE(tx.bind(command_id::bind_transmitter, "loa", "pw")->status == 0);
  const auto id = std::get<smpp::message_resp>(submit(tx, "x").content).message_id;
  // The receiver binds after the receipt was due: it was held for it.
  test::smpp_client rx(sim.port);
  REQUIRE(rx.bind(command_id::bind_receiver, "loa", "pw")->status == 0);
  CHECK(next_receipt(rx).id == id);
  // A receiver cannot submit.
  CHECK(submit(rx, "y").status == smpp::status::invbndsts);
}

TEST_CASE("sim: --fail-rate 1 reports failures, registered_delivery 0 asks for none") {
  test::smsc_sim sim({"--fail-rate", "1"});
  test::smpp_client c(sim.port);
  REQUIRE(c.bind(command_id::bind_transceiver, "loa", "pw")->status == 0);
  submit(c, "no receipt wanted", 0);
  for (int i = 0; i < 3; ++i) submit(c, "x");
  std::vector<smpp::receipt_state> states;
  for (int i = 0; i < 3; ++i) states.push_back(next_receipt(c).state);
  CHECK(states == std::vector{smpp::receipt_state::undeliverable, smpp::receipt_state::expired,
                              smpp::receipt_state::rejected});
  // Nothing else is on its way: an enquire_link is answered next.
  c.send(command_id::enquire_link, smpp::empty{});
  const auto next = c.read();
  REQUIRE(next);
  CHECK(next->value.id == command_id::enquire_link_resp);
}

TEST_CASE("sim: above --tps submits are answered ESME_RTHROTTLED") {
  test::smsc_sim sim({"--tps", "5"});
  test::smpp_client c(sim.port);
  REQUIRE(c.bind(command_id::bind_transmitter, "loa", "pw")->status == 0);
  // 20 submits back to back: the bucket holds 5, far fewer than 15 more can be earned meanwhile.
  for (int i = 0; i < 20; ++i) c.send(command_id::submit_sm, test::text_message("84912345678", "x", 0));
  int ok = 0, throttled = 0;
  for (int i = 0; i < 20; ++i) {
    const auto r = c.read_until(command_id::submit_sm_resp);
    REQUIRE(r);
    if (r->status == 0) ++ok;
    if (r->status == smpp::status::throttled) ++throttled;
  }
  CHECK(ok + throttled == 20);
  CHECK(ok >= 5);
  CHECK(throttled >= 1);
}

TEST_CASE("sim: --tps-per-bind gives each bind its own budget") {
  test::smsc_sim sim({"--tps-per-bind", "5"});
  test::smpp_client a(sim.port);
  test::smpp_client b(sim.port);
  REQUIRE(a.bind(command_id::bind_transmitter, "loa", "pw")->status == 0);
  REQUIRE(b.bind(command_id::bind_transceiver, "loa", "pw")->status == 0);
  // n submits back to back on one bind; returns {accepted, throttled}.
  auto burst = [](test::smpp_client& c, int n) {
    for (int i = 0; i < n; ++i) c.send(command_id::submit_sm, test::text_message("84912345678", "x", 0));
    std::pair<int, int> counts{0, 0};
    for (int i = 0; i < n; ++i) {
      const auto r = c.read_until(command_id::submit_sm_resp);
      REQUIRE(r);
      if (r->status == 0) ++counts.first;
      if (r->status == smpp::status::throttled) ++counts.second;
    }
    CHECK(counts.first + counts.second == n);
    return counts;
  };
  // The first bind spends its 5 and is throttled above them ...
  const auto [a_ok, a_throttled] = burst(a, 20);
  CHECK(a_ok >= 5);
  CHECK(a_ok < 20);
  CHECK(a_throttled >= 1);
  // ... while the second still has all of its own: with one bucket for the server (--tps 5) these would be
  // throttled.
  const auto [b_ok, b_throttled] = burst(b, 5);
  CHECK(b_ok == 5);
  CHECK(b_throttled == 0);
  // And the second is held to its own 5 per second as well.
  const auto [b_more_ok, b_more_throttled] = burst(b, 20);
  CHECK(b_more_ok < 20);
  CHECK(b_more_throttled >= 1);
}

TEST_CASE("sim: --drop-after 2 answers two submits and closes on the third without answering") {
  test::smsc_sim sim({"--drop-after", "2"});
  test::smpp_client c(sim.port);
  REQUIRE(c.bind(command_id::bind_transmitter, "loa", "pw")->status == 0);
  CHECK(submit(c, "1", 0).status == 0);
  CHECK(submit(c, "2", 0).status == 0);
  c.send(command_id::submit_sm, test::text_message("84912345678", "3", 0));
  CHECK_FALSE(c.read_until(command_id::submit_sm_resp));
  CHECK(c.closed());
  // The next connection starts counting afresh.
  test::smpp_client again(sim.port);
  REQUIRE(again.bind(command_id::bind_transmitter, "loa", "pw")->status == 0);
  CHECK(submit(again, "4", 0).status == 0);
}

TEST_CASE("sim: data_sm with message_payload is answered with data_sm_resp and a receipt") {
  test::smsc_sim sim;
  test::smpp_client c(sim.port);
  REQUIRE(c.bind(command_id::bind_transceiver, "loa", "pw")->status == 0);
  smpp::data_message d;
  d.source = {5, 0, "LOA"};
  d.destination = {1, 1, "84912345678"};
  d.registered_delivery = 1;
  d.tlvs = {{smpp::tag::message_payload, {'h', 'i'}}};
  const auto seq = c.send(command_id::data_sm, d);
  const auto r = c.read_until(command_id::data_sm_resp);
  REQUIRE(r);
  CHECK(r->sequence == seq);
  CHECK(r->status == 0);
  const auto id = std::get<smpp::message_resp>(r->content).message_id;
  CHECK(next_receipt(c).id == id);
}

TEST_CASE(
    "sim: --tps counts in fixed one-second windows: the first N of each window pass, the rest are "
    "throttled") {
  test::smsc_sim sim({"--tps", "10", "--tps-window", "fixed"});
  test::smpp_client c(sim.port);
  REQUIRE(c.bind(command_id::bind_transmitter, "loa", "pw")->status == 0);
  // One submit every 20 ms (50/s offered) for 2.5 s: each window passes its first 10 in a row and throttles
  // the rest. A token bucket would instead pass one in five, spread out, once its first second's worth was
  // spent.
  std::vector<bool> ok;
  for (int i = 0; i < 125; ++i) {
    ok.push_back(submit(c, "x", 0).status == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::vector<int> runs;  // lengths of the runs of accepted submits, in order
  for (std::size_t i = 0; i < ok.size(); ++i)
    if (ok[i]) {
      if (i == 0 || !ok[i - 1]) runs.push_back(0);
      ++runs.back();
    }
  CAPTURE(runs.size());
  REQUIRE(runs.size() >= 3);
  // The first window was partly over when we began; every later one passes exactly 10, in a row.
  for (std::size_t i = 1; i + 1 < runs.size(); ++i) CHECK(runs[i] == 10);
  CHECK(runs.back() <= 10);
}

TEST_CASE("sim: --receipt-window holds further receipts until the bind answers those it has") {
  test::smsc_sim sim({"--receipt-window", "2"});
  test::smpp_client c(sim.port);
  REQUIRE(c.bind(command_id::bind_transceiver, "loa", "pw")->status == 0);
  for (int i = 0; i < 4; ++i) REQUIRE(submit(c, "r" + std::to_string(i)).status == 0);
  // Two receipts come, unanswered; the third waits.
  const auto first = c.read_until(command_id::deliver_sm);
  const auto second = c.read_until(command_id::deliver_sm);
  REQUIRE(first);
  REQUIRE(second);
  CHECK_FALSE(c.read_until(command_id::deliver_sm, std::chrono::milliseconds(300)));
  // One answered: one more comes.
  c.send(smpp::pdu{command_id::deliver_sm_resp, 0, first->sequence, smpp::message_resp{}});
  const auto third = c.read_until(command_id::deliver_sm);
  REQUIRE(third);
  CHECK(smpp::parse_receipt(std::get<smpp::short_message>(third->content))->text == "r2");
  CHECK_FALSE(c.read_until(command_id::deliver_sm, std::chrono::milliseconds(300)));
  c.send(smpp::pdu{command_id::deliver_sm_resp, 0, second->sequence, smpp::message_resp{}});
  const auto fourth = c.read_until(command_id::deliver_sm);
  REQUIRE(fourth);
  CHECK(smpp::parse_receipt(std::get<smpp::short_message>(fourth->content))->text == "r3");
}
