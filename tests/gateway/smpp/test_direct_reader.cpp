// The direct reader (gateway/smpp/direct_reader.cpp) against libsmpp34 (decode_with_smpp34): the PDUs the
// gateway reads per message (submit_sm_resp, deliver_sm receipts) and the bodies the simulator reads decode to
// the same PDU both ways, and what libsmpp34 refuses the reader refuses, naming the field.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "gateway/smpp/codec.hpp"
#include "gateway/smpp/smpp34_bridge.hpp"

using namespace loa::smpp;

namespace {

// decode and decode_with_smpp34 agree on the frame: the same error, or the same PDU.
bool same_both_ways(const std::vector<std::uint8_t>& frame) {
  const auto a = decode(frame);
  const auto b = decode_with_smpp34(frame);
  if (a.ec != b.ec) return false;
  return a.ec || a.value == b.value;
}

std::vector<std::uint8_t> wire(const pdu& p) {
  std::vector<std::uint8_t> out;
  REQUIRE(!encode(p, out));
  return out;
}

short_message receipt() {
  short_message m;
  m.source = {1, 1, "84912345678"};
  m.destination = {5, 0, "UBND LThuy"};
  m.esm_class = esm::delivery_receipt;
  const std::string text =
      "id:0a1b2c3d4e sub:001 dlvrd:001 submit date:2612050700 done date:2612050700 stat:DELIVRD err:000 text:";
  m.message.assign(text.begin(), text.end());
  m.tlvs = {make_tlv_cstring(tag::receipted_message_id, "0a1b2c3d4e"), make_tlv_u8(tag::message_state, 2)};
  return m;
}

// Sets the octet at `offset` of the frame (after the header) to `value`.
std::vector<std::uint8_t> with(std::vector<std::uint8_t> frame, std::size_t offset, std::uint8_t value) {
  frame.at(header_size + offset) = value;
  return frame;
}

}  // namespace

TEST_CASE("direct reader: receipts, submit_sm_resp and the simulator's bodies read as libsmpp34 reads them") {
  CHECK(same_both_ways(wire({command_id::deliver_sm, 0, 0x10, receipt()})));
  CHECK(decode(wire({command_id::deliver_sm, 0, 0x10, receipt()})).value ==
        pdu{command_id::deliver_sm, 0, 0x10, receipt()});
  for (const auto& id : {std::string(), std::string("0a1b2c3d4e"), std::string(64, '9')})
    CHECK(same_both_ways(wire({command_id::submit_sm_resp, 0, 7, message_resp{id, {}}})));
  CHECK(same_both_ways(wire({command_id::deliver_sm_resp, 0, 7, message_resp{}})));
  CHECK(same_both_ways(wire({command_id::deliver_sm_resp, 0x14, 7, message_resp{}})));
  short_message m;
  m.source = {5, 0, "UBND LThuy"};
  m.destination = {1, 1, "84912345678"};
  m.registered_delivery = 1;
  m.validity_period = "000001000000000R";
  m.schedule_delivery_time = "261205080000000R";
  m.service_type = "CMT";
  m.esm_class = esm::udhi;
  m.data_coding = 8;
  m.message.assign(254, 0x1e);
  m.tlvs = {make_tlv_u16(tag::sar_msg_ref_num, 7), tlv{0x1403, {}}};
  CHECK(same_both_ways(wire({command_id::submit_sm, 0, 9, m})));
  m.message.clear();
  CHECK(same_both_ways(wire({command_id::submit_sm, 0, 9, m})));
}

TEST_CASE("direct reader: what libsmpp34 refuses in these bodies is refused, naming the field") {
  const auto r = wire({command_id::deliver_sm, 0, 0x10, receipt()});
  // body: service_type "\0" (0), source_addr_ton (1), source_addr_npi (2), source_addr (3..14), dest ton (15) ...
  SUBCASE("an unknown type of number") {
    const auto bad = with(r, 1, 7);
    CHECK(same_both_ways(bad));
    CHECK(decode(bad).ec == error::malformed_body);
    CHECK(decode(bad).detail == "deliver_sm source_addr_ton: 7 is not a type of number libsmpp34 knows");
  }
  SUBCASE("an unknown numbering plan") {
    const auto bad = with(r, 16, 2);
    CHECK(same_both_ways(bad));
    CHECK(decode(bad).detail == "deliver_sm dest_addr_npi: 2 is not a numbering plan libsmpp34 knows");
  }
  SUBCASE("a validity_period in a deliver_sm (SMPP 3.4: NULL there)") {
    // Neither writer sends one, so it is put in by hand.
    auto frame = wire({command_id::deliver_sm, 0, 1, receipt()});
    // validity_period is the C-string after schedule_delivery_time: insert '0' before its NUL.
    const std::size_t at = header_size + 1 + 2 + 12 + 2 + 11 + 3 + 1;
    REQUIRE(frame.at(at) == 0);
    frame.insert(frame.begin() + static_cast<std::ptrdiff_t>(at), '0');
    frame[3] = static_cast<std::uint8_t>(frame.size());
    CHECK(same_both_ways(frame));
    CHECK(decode(frame).detail == "deliver_sm validity_period: 1 octets, at most 0");
  }
  SUBCASE("a destination_addr of 21 characters") {
    auto m = receipt();
    m.destination.addr = std::string(20, '8');
    auto frame = wire({command_id::deliver_sm, 0, 1, m});
    const std::size_t at = header_size + 1 + 2 + 12 + 2;
    frame.insert(frame.begin() + static_cast<std::ptrdiff_t>(at), '8');
    frame[3] = static_cast<std::uint8_t>(frame.size());
    CHECK(same_both_ways(frame));
    CHECK(decode(frame).detail == "deliver_sm destination_addr: 21 octets, at most 20");
  }
  SUBCASE("sm_length 255") {
    short_message m;
    m.message.assign(254, 'x');
    auto frame = wire({command_id::submit_sm, 0, 1, m});
    const std::size_t sm_length_at = header_size + 1 + 2 + 1 + 2 + 1 + 3 + 1 + 1 + 4;
    REQUIRE(frame.at(sm_length_at) == 254);
    frame[sm_length_at] = 255;
    frame.push_back('x');
    frame[2] = static_cast<std::uint8_t>(frame.size() >> 8);
    frame[3] = static_cast<std::uint8_t>(frame.size());
    CHECK(same_both_ways(frame));
    CHECK(decode(frame).detail == "submit_sm sm_length: 255, at most 254");
  }
  SUBCASE("a submit_sm_resp message_id of 65 characters, and a deliver_sm_resp with one") {
    auto frame = wire({command_id::submit_sm_resp, 0, 1, message_resp{std::string(64, 'a'), {}}});
    frame.insert(frame.begin() + header_size, 'a');
    frame[3] = static_cast<std::uint8_t>(frame.size());
    CHECK(same_both_ways(frame));
    CHECK(decode(frame).detail == "submit_sm_resp message_id: 65 octets, at most 64");
    auto resp = wire({command_id::deliver_sm_resp, 0, 1, message_resp{}});
    resp.insert(resp.begin() + header_size, 'a');
    resp[3] = static_cast<std::uint8_t>(resp.size());
    CHECK(same_both_ways(resp));
    CHECK(decode(resp).ec == error::malformed_body);
  }
}

TEST_CASE("direct reader: every TON and NPI octet in a receipt is read or refused as libsmpp34 does") {
  const auto r = wire({command_id::deliver_sm, 0, 0x10, receipt()});
  std::size_t disagreed = 0;
  for (int v = 0; v < 256; ++v)
    for (std::size_t at : {std::size_t{1}, std::size_t{2}, std::size_t{15}, std::size_t{16}})
      if (!same_both_ways(with(r, at, static_cast<std::uint8_t>(v)))) ++disagreed;
  CHECK(disagreed == 0);
}
