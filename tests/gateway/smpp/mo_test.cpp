#include "gateway/smpp/mo.hpp"
#include "gateway/smpp/deliver.hpp"

#include <algorithm>

#include <doctest/doctest.h>

#include "gateway/smpp/codec.hpp"
#include "segments/split.hpp"

using namespace loa;
using namespace loa::smpp;
using namespace std::chrono_literals;

namespace {

// The deliver_sm bodies a carrier would send for `text` split with `method`.
std::vector<short_message> as_deliver(std::string_view text, segments::concat_method method,
                                      std::uint16_t ref) {
  segments::message m;
  REQUIRE(segments::split(text, {.concat = method, .reference = ref, .max_parts = 20}, m));
  std::vector<short_message> out;
  for (std::size_t i = 0; i < m.parts.size(); ++i) {
    short_message sm;
    sm.source = {1, 1, "84912345678"};
    sm.destination = {0, 0, "8088"};
    sm.esm_class = m.esm_class;
    sm.data_coding = m.data_coding;
    const auto body = m.short_message(i);
    sm.message.assign(body.begin(), body.end());
    if (auto sar = m.sar(i)) {
      sm.tlvs.push_back(make_tlv_u16(tag::sar_msg_ref_num, sar->reference));
      sm.tlvs.push_back(make_tlv_u8(tag::sar_total_segments, sar->total));
      sm.tlvs.push_back(make_tlv_u8(tag::sar_segment_seqnum, sar->sequence));
    }
    if (m.uses_payload()) {
      const auto payload = m.message_payload();
      sm.tlvs.push_back({tag::message_payload, {payload.begin(), payload.end()}});
    }
    out.push_back(std::move(sm));
  }
  return out;
}

}  // namespace

TEST_CASE("mo: a one-part reply is decoded at once") {
  mo_reassembler r;
  auto parts = as_deliver("HUY", segments::concat_method::udh8, 0);
  auto m = r.add(parts.at(0), mo_reassembler::clock::now());
  REQUIRE(m);
  CHECK(m->text == "HUY");
  CHECK(m->from == "84912345678");
  CHECK(m->to == "8088");
  CHECK(m->parts == 1);
}

TEST_CASE("mo: a Vietnamese reply in two parts, in any order and by any method, comes out whole") {
  const std::string text =
      "Tôi xin hủy nhận tin nhắn của phường vì đã chuyển nhà sang quận khác từ tháng trước ạ. Cảm ơn";
  for (auto method : {segments::concat_method::udh8, segments::concat_method::udh16,
                      segments::concat_method::sar, segments::concat_method::payload}) {
    CAPTURE(segments::to_string(method));
    mo_reassembler r;
    auto parts = as_deliver(text, method, 0x1234);
    std::reverse(parts.begin(), parts.end());
    std::optional<mo_message> whole;
    for (const auto& p : parts) {
      CHECK_FALSE(whole);
      whole = r.add(p, mo_reassembler::clock::now());
    }
    REQUIRE(whole);
    CHECK(whole->text == text);
    CHECK(r.pending() == 0);
  }
}

TEST_CASE("mo: parts of two senders with the same reference do not mix") {
  mo_reassembler r;
  auto a = as_deliver(std::string(200, 'a'), segments::concat_method::udh8, 7);
  auto b = as_deliver(std::string(200, 'b'), segments::concat_method::udh8, 7);
  for (auto& p : b) p.source.addr = "84987654321";
  const auto now = mo_reassembler::clock::now();
  CHECK_FALSE(r.add(a[0], now));
  CHECK_FALSE(r.add(b[0], now));
  auto whole_a = r.add(a[1], now);
  REQUIRE(whole_a);
  CHECK(whole_a->text == std::string(200, 'a'));
  auto whole_b = r.add(b[1], now);
  REQUIRE(whole_b);
  CHECK(whole_b->from == "84987654321");
}

TEST_CASE("mo: a part that never comes: what arrived is handed over, marked incomplete") {
  mo_reassembler r({.timeout = 60s});
  auto parts = as_deliver(std::string(300, 'x'), segments::concat_method::udh8, 9);
  REQUIRE(parts.size() == 2);
  const auto t0 = mo_reassembler::clock::now();
  CHECK_FALSE(r.next_expiry());
  CHECK_FALSE(r.add(parts[0], t0));
  REQUIRE(r.next_expiry());
  CHECK(*r.next_expiry() == t0 + 60s);
  CHECK(r.expire(t0 + 30s).empty());
  auto given_up = r.expire(t0 + 61s);
  REQUIRE(given_up.size() == 1);
  CHECK_FALSE(given_up[0].complete);
  CHECK(given_up[0].text == std::string(153, 'x'));
  CHECK(r.pending() == 0);
  CHECK(r.pending_bytes() == 0);
  CHECK(r.expired() == 1);
  CHECK_FALSE(r.next_expiry());
}

TEST_CASE("mo: a HUY whose second part never comes is handed over as HUY once the timeout is over") {
  mo_reassembler r({.timeout = 300s});
  auto sm = as_deliver("HUY", segments::concat_method::udh8, 0).at(0);
  sm.esm_class = esm::udhi;  // the first of two parts, as a handset that lost the second sends it
  std::vector<std::uint8_t> udh{0x05, 0x00, 0x03, 0x42, 0x02, 0x01};
  sm.message.insert(sm.message.begin(), udh.begin(), udh.end());
  const auto t0 = mo_reassembler::clock::now();
  CHECK_FALSE(r.add(sm, t0));
  CHECK(r.expire(t0 + 299s).empty());
  const auto late = r.expire(t0 + 300s);
  REQUIRE(late.size() == 1);
  CHECK(late[0].text == "HUY");
  CHECK_FALSE(late[0].complete);
}

TEST_CASE("mo: more incomplete messages than allowed: the oldest give way and are counted") {
  mo_reassembler r({.timeout = 300s, .max_messages = 3, .max_bytes = 1'000'000});
  std::vector<std::vector<short_message>> messages;
  for (std::uint16_t ref = 1; ref <= 5; ++ref)
    messages.push_back(
        as_deliver(std::string(200, static_cast<char>('a' + ref)), segments::concat_method::udh8, ref));
  auto t = mo_reassembler::clock::now();
  for (auto& m : messages) CHECK_FALSE(r.add(m.at(0), t += 1s));
  CHECK(r.pending() == 3);
  CHECK(r.dropped() == 2);
  CHECK(r.pending_bytes() == 3 * 153);
  // The third (the oldest kept) still completes; the first was dropped, so its second part starts afresh.
  auto third = r.add(messages[2].at(1), t += 1s);
  REQUIRE(third);
  CHECK(third->text == std::string(200, 'd'));
  CHECK_FALSE(r.add(messages[0].at(1), t += 1s));
  CHECK(r.pending() == 3);
  // The expiry takes the oldest first: the fourth message's first part.
  REQUIRE(r.next_expiry());
  auto expired = r.expire(*r.next_expiry());
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].text == std::string(153, 'e'));
}

TEST_CASE("mo: the octets held are bounded too, and a part sent again is not counted twice") {
  mo_reassembler r({.timeout = 300s, .max_messages = 1'000, .max_bytes = 400});
  auto a = as_deliver(std::string(300, 'a'), segments::concat_method::udh8, 1);
  auto b = as_deliver(std::string(300, 'b'), segments::concat_method::udh8, 2);
  auto c = as_deliver(std::string(300, 'c'), segments::concat_method::udh8, 3);
  const auto t = mo_reassembler::clock::now();
  CHECK_FALSE(r.add(a.at(0), t));
  CHECK_FALSE(r.add(a.at(0), t));  // again: replaces the first copy
  CHECK(r.pending_bytes() == 153);
  CHECK_FALSE(r.add(b.at(0), t));
  CHECK(r.pending_bytes() == 306);
  CHECK_FALSE(r.add(c.at(0), t));  // 459 > 400: a gives way
  CHECK(r.pending() == 2);
  CHECK(r.pending_bytes() == 306);
  CHECK(r.dropped() == 1);
  auto whole_b = r.add(b.at(1), t);
  REQUIRE(whole_b);
  CHECK(whole_b->text == std::string(300, 'b'));
  CHECK(r.pending_bytes() == 153);
}

TEST_CASE("mo: 20,000 first parts from as many numbers are held within the bounds") {
  mo_reassembler r({.timeout = 300s, .max_messages = 1'000, .max_bytes = 1'000'000});
  auto parts = as_deliver(std::string(200, 'x'), segments::concat_method::udh8, 7);
  auto t = mo_reassembler::clock::now();
  for (int i = 0; i < 20'000; ++i) {
    parts[0].source.addr = "8491" + std::to_string(1'000'000 + i);
    CHECK_FALSE(r.add(parts[0], t += 1ms));
  }
  CHECK(r.pending() == 1'000);
  CHECK(r.dropped() == 19'000);
  CHECK(r.pending_bytes() == 1'000 * 153);
  CHECK(r.expire(t + 300s).size() == 1'000);
  CHECK(r.pending() == 0);
}

TEST_CASE("mo: a broken UDH does not take the bind down") {
  mo_reassembler r;
  short_message sm;
  sm.esm_class = esm::udhi;
  sm.message = {0x09, 0x00, 0x03};  // UDH length past the end
  auto m = r.add(sm, mo_reassembler::clock::now());
  REQUIRE(m);          // handed over as a one-part message with what could be read
  sm.message.clear();  // UDHI with an empty short_message
  CHECK(r.add(sm, mo_reassembler::clock::now()));
}

TEST_CASE("mo: the deliver sorter sends receipts and citizens' messages to their own callbacks") {
  std::vector<receipt> receipts;
  std::vector<mo_message> messages;
  std::vector<std::string> problems;
  deliver_sorter sort([&](receipt r) { receipts.push_back(std::move(r)); },
                      [&](mo_message m) { messages.push_back(std::move(m)); },
                      [&](std::string_view p) { problems.emplace_back(p); });
  short_message dlr;
  dlr.esm_class = esm::delivery_receipt;
  const std::string text =
      "id:0A1B sub:001 dlvrd:001 submit date:2611221030 done date:2611221031 stat:DELIVRD err:000 text:Lich";
  dlr.message.assign(text.begin(), text.end());
  sort(pdu{command_id::deliver_sm, 0, 5, dlr});
  REQUIRE(receipts.size() == 1);
  CHECK(receipts[0].id == "0A1B");
  CHECK(receipts[0].state == receipt_state::delivered);

  sort(pdu{command_id::deliver_sm, 0, 6, as_deliver("DK", segments::concat_method::udh8, 0).at(0)});
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].text == "DK");

  short_message no_id;
  no_id.esm_class = esm::delivery_receipt;
  sort(pdu{command_id::deliver_sm, 0, 7, no_id});
  CHECK(problems.size() == 1);
}
