// loa-smsc-sim keeps what it owes a system_id when the bind goes away, as a real SMSC does: receipts (and
// citizens' messages) that come due while no bind of that system_id can receive, and deliver_sm sent but
// never acknowledged, are stored and delivered, in order, on the next receiver or transceiver bind of the
// system_id.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gateway/smpp/receipt.hpp"
#include "tests/integration/fixtures/process.hpp"
#include "tests/integration/fixtures/smpp_client.hpp"

using namespace loa;
using smpp::command_id;
using namespace std::chrono_literals;

namespace {

// Binds a new connection as `kind` (system_id "loa" unless told).
std::unique_ptr<test::smpp_client> bound(const test::smsc_sim& sim, command_id kind,
                                         const std::string& system_id = "loa") {
  auto c = std::make_unique<test::smpp_client>(sim.port);
  const auto r = c->bind(kind, system_id, "pw");
  REQUIRE(r);
  REQUIRE(r->status == 0);
  return c;
}

// Sends `n` submits asking for a receipt (all before reading any answer) and returns the message ids of their
// submit_sm_resp in the order the submits were sent.
std::vector<std::string> submit_n(test::smpp_client& c, int n) {
  std::vector<std::uint32_t> sequences;
  for (int i = 0; i < n; ++i)
    sequences.push_back(
        c.send(command_id::submit_sm, test::text_message("84912345678", "msg " + std::to_string(i), 1)));
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    const auto r = c.read_until(command_id::submit_sm_resp);
    REQUIRE(r);
    REQUIRE(r->status == 0);
    REQUIRE(r->sequence == sequences[static_cast<std::size_t>(i)]);  // the simulator answers in order
    ids.push_back(std::get<smpp::message_resp>(r->content).message_id);
  }
  return ids;
}

// Reads the next deliver_sm, which must be a receipt, acknowledging it when `ack`; returns its message id.
std::string receipt_id(test::smpp_client& c, bool ack = true) {
  const auto d = c.read_until(command_id::deliver_sm, 5s);
  REQUIRE(d);
  const auto& m = std::get<smpp::short_message>(d->content);
  REQUIRE(smpp::is_delivery_receipt(m));
  if (ack) c.send(smpp::pdu{command_id::deliver_sm_resp, 0, d->sequence, smpp::message_resp{}});
  const auto r = smpp::parse_receipt(m);
  REQUIRE(r);
  return r->id;
}

std::vector<std::string> receipt_ids(test::smpp_client& c, std::size_t n, bool ack = true) {
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < n; ++i) ids.push_back(receipt_id(c, ack));
  return ids;
}

// Nothing more is on its way to `c` (within `quiet`): the next PDU is the answer to an enquire_link.
void check_nothing_more(test::smpp_client& c, std::chrono::milliseconds quiet = 300ms) {
  std::this_thread::sleep_for(quiet);
  c.send(command_id::enquire_link, smpp::empty{});
  const auto next = c.read(5s);
  REQUIRE(next);
  REQUIRE(*next);
  CHECK(next->value.id == command_id::enquire_link_resp);
}

// Leaves an answer unread in the client's socket, so that closing it sends a TCP RST rather than a FIN.
void prepare_reset(test::smpp_client& c) {
  c.send(command_id::enquire_link, smpp::empty{});
  std::this_thread::sleep_for(100ms);  // the enquire_link_resp reaches our socket and stays unread
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

constexpr int n_messages = 25;

}  // namespace

TEST_CASE(
    "sim store: a transceiver reset before its receipts are due gets them all, in order, when it rebinds") {
  test::smsc_sim sim({"--receipt-delay-ms", "300"});
  std::vector<std::string> ids;
  {
    auto c = bound(sim, command_id::bind_transceiver);
    ids = submit_n(*c, n_messages);
    prepare_reset(*c);
  }  // closed without unbind, with a TCP RST, well before the 300 ms are over
  std::this_thread::sleep_for(700ms);  // every receipt comes due while nobody of "loa" can receive
  auto again = bound(sim, command_id::bind_transceiver);
  CHECK(receipt_ids(*again, ids.size()) == ids);
  check_nothing_more(*again);
}

TEST_CASE("sim store: transmitter + receiver, the receiver goes away and a new receiver gets the receipts") {
  test::smsc_sim sim({"--receipt-delay-ms", "300"});
  auto tx = bound(sim, command_id::bind_transmitter);
  auto rx = bound(sim, command_id::bind_receiver);
  const auto ids = submit_n(*tx, n_messages);
  rx.reset();  // closed without unbind, before the receipts are due
  std::this_thread::sleep_for(700ms);
  // A bind of another system_id gets none of them.
  auto other = bound(sim, command_id::bind_receiver, "other");
  auto rx2 = bound(sim, command_id::bind_receiver);
  CHECK(receipt_ids(*rx2, ids.size()) == ids);
  check_nothing_more(*rx2);
  check_nothing_more(*other, 0ms);
  check_nothing_more(*tx, 0ms);  // a transmitter never gets receipts
  // New receipts still flow to the new receiver once it is up.
  const auto more = submit_n(*tx, 3);
  CHECK(receipt_ids(*rx2, more.size()) == more);
}

TEST_CASE("sim store: a transmitter's receipts go round robin to the receiving binds of its system_id") {
  test::smsc_sim sim;
  auto tx = bound(sim, command_id::bind_transmitter);
  auto rx1 = bound(sim, command_id::bind_receiver);
  auto trx = bound(sim, command_id::bind_transceiver);
  auto other = bound(sim, command_id::bind_receiver, "other");
  const auto ids = submit_n(*tx, 10);
  const auto got1 = receipt_ids(*rx1, 5);
  const auto got2 = receipt_ids(*trx, 5);
  std::set<std::string> all(got1.begin(), got1.end());
  all.insert(got2.begin(), got2.end());
  CHECK(all == std::set<std::string>(ids.begin(), ids.end()));
  check_nothing_more(*rx1);
  check_nothing_more(*trx, 0ms);
  check_nothing_more(*tx, 0ms);
  check_nothing_more(*other, 0ms);
}

TEST_CASE("sim store: receipts sent but not acknowledged when the bind drops are delivered again") {
  test::smsc_sim sim;
  std::vector<std::string> ids;
  {
    auto c = bound(sim, command_id::bind_transceiver);
    ids = submit_n(*c, n_messages);
    // The first ten are acknowledged; the rest are read (so the bind saw them) but never answered.
    CHECK(receipt_ids(*c, 10, true) == std::vector<std::string>(ids.begin(), ids.begin() + 10));
    CHECK(receipt_ids(*c, ids.size() - 10, false) == std::vector<std::string>(ids.begin() + 10, ids.end()));
    std::this_thread::sleep_for(100ms);  // the last deliver_sm_resp reaches the simulator
  }
  auto again = bound(sim, command_id::bind_transceiver);
  CHECK(receipt_ids(*again, ids.size() - 10) == std::vector<std::string>(ids.begin() + 10, ids.end()));
  check_nothing_more(*again);
}

TEST_CASE("sim store: what one receiver left unacknowledged goes to another receiver that is still up") {
  test::smsc_sim sim;
  auto tx = bound(sim, command_id::bind_transmitter);
  auto rx1 = bound(sim, command_id::bind_receiver);
  auto rx2 = bound(sim, command_id::bind_receiver);
  const auto ids = submit_n(*tx, 10);
  const auto kept = receipt_ids(*rx2, 5);               // rx2 answers its share
  const auto unanswered = receipt_ids(*rx1, 5, false);  // rx1 reads its share and goes away
  rx1.reset();
  CHECK(receipt_ids(*rx2, 5) == unanswered);
  std::set<std::string> all(kept.begin(), kept.end());
  all.insert(unanswered.begin(), unanswered.end());
  CHECK(all == std::set<std::string>(ids.begin(), ids.end()));
  check_nothing_more(*rx2);
}

TEST_CASE("sim store: --store-max caps what is kept, the oldest go, with a line on stderr") {
  const auto err = test::temp_path("sim-store-err");
  {
    test::smsc_sim sim({"--store-max", "5"}, err);
    auto tx = bound(sim, command_id::bind_transmitter);
    const auto ids = submit_n(*tx, 8);
    std::this_thread::sleep_for(200ms);  // due at once (no delay), nobody can receive: all 8 meet the cap
    auto rx = bound(sim, command_id::bind_receiver);
    CHECK(receipt_ids(*rx, 5) == std::vector<std::string>(ids.begin() + 3, ids.end()));
    check_nothing_more(*rx);
    // The first drop is reported at once, the next two within a second (at most one line a second).
    std::string text;
    for (auto deadline = std::chrono::steady_clock::now() + 3s;
         text.find("; 3 in all") == std::string::npos && std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(50ms))
      text = read_file(err);
    INFO(text);
    CHECK(text.find("store full (5 deliver_sm kept): dropped 1 oldest") != std::string::npos);
    CHECK(text.find("; 3 in all") != std::string::npos);
  }
  std::filesystem::remove(err);
}

TEST_CASE("sim store: an MO read but not acknowledged before the receiver vanished comes again") {
  const auto mo_path = test::temp_path("sim-store-mo");
  std::ofstream(mo_path) << "84912345678,8088,HUY\n";
  {
    test::smsc_sim sim({"--mo", mo_path});
    {
      auto rx = bound(sim, command_id::bind_receiver);
      const auto d = rx->read_until(command_id::deliver_sm);
      REQUIRE(d);
      CHECK_FALSE(smpp::is_delivery_receipt(std::get<smpp::short_message>(d->content)));
    }  // gone without a deliver_sm_resp
    auto rx = bound(sim, command_id::bind_receiver);
    const auto d = rx->read_until(command_id::deliver_sm);
    REQUIRE(d);
    const auto& m = std::get<smpp::short_message>(d->content);
    CHECK(m.source.addr == "84912345678");
    CHECK(std::string(m.message.begin(), m.message.end()) == "HUY");
    rx->send(smpp::pdu{command_id::deliver_sm_resp, 0, d->sequence, smpp::message_resp{}});
    check_nothing_more(*rx);
  }
  std::filesystem::remove(mo_path);
}
