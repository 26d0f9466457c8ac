// The direct writer (gateway/smpp/direct_writer.cpp) against libsmpp34 (encode_with_smpp34): for every field
// combination the gateway sends in a submit_sm, and for the deliver_sm, submit_sm_resp and deliver_sm_resp it
// writes, both give the same octets, and both refuse the same bodies. Golden bytes taken from libsmpp34 itself.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "gateway/smpp/codec.hpp"
#include "gateway/smpp/direct_writer.hpp"
#include "gateway/smpp/smpp34_bridge.hpp"

using namespace loa::smpp;

namespace {

struct packed {
  std::error_code ec;
  std::vector<std::uint8_t> bytes;
};

packed direct(const pdu& p) {
  packed r;
  r.ec = encode(p, r.bytes);
  return r;
}

packed reference(const pdu& p) {
  packed r;
  r.ec = encode_with_smpp34(p, r.bytes);
  return r;
}

// Both writers agree on p: the same refusal, or the same octets; returns whether they agreed.
bool same_both_ways(const pdu& p) {
  const auto a = direct(p);
  const auto b = reference(p);
  if (static_cast<bool>(a.ec) != static_cast<bool>(b.ec)) return false;
  return a.ec || a.bytes == b.bytes;
}

// A body as gateway/carrier_link.cpp builds one (carrier source and destination, validity, receipts).
short_message typical() {
  short_message m;
  m.source = {5, 0, "UBND LThuy"};
  m.destination = {1, 1, "84912345678"};
  m.registered_delivery = 1;
  m.validity_period = "000001000000000R";
  const std::string text = "UBND phuong Long Thuy: lich tiem chung dot 2";
  m.message.assign(text.begin(), text.end());
  return m;
}

std::vector<std::uint8_t> octets(std::size_t n, std::uint8_t first = 0) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(first + i);
  return v;
}

// Part 2 of 3 of a UCS-2 text with an 8-bit concatenation UDH, as segments/ writes it.
std::vector<std::uint8_t> ucs2_udh_part() {
  std::vector<std::uint8_t> v{0x05, 0x00, 0x03, 0x34, 0x03, 0x02};
  for (int i = 0; i < 67; ++i) {
    v.push_back(0x1e);
    v.push_back(static_cast<std::uint8_t>(0xa1 + i % 40));
  }
  return v;
}

std::vector<tlv> sar_tlvs() {
  return {make_tlv_u16(tag::sar_msg_ref_num, 0x1234), make_tlv_u8(tag::sar_total_segments, 3),
          make_tlv_u8(tag::sar_segment_seqnum, 2)};
}

}  // namespace

TEST_CASE("direct writer: every submit_sm field combination the gateway sends packs as libsmpp34 packs it") {
  struct address_pair {
    address source, destination;
  };
  const address_pair addresses[] = {{{5, 0, "UBND LThuy"}, {1, 1, "84912345678"}},
                                    {{1, 1, "84900000001"}, {0, 1, "0912345678"}},
                                    {{0, 0, ""}, {2, 8, "912345678"}},
                                    {{6, 18, "1234"}, {4, 9, "84987654321"}}};
  const std::uint8_t codings[] = {0x00, 0x01, 0x08};  // GSM default as 0 or as 1 (the GSM flag), UCS-2
  const std::uint8_t esm_classes[] = {0x00, esm::udhi, 0x03};
  const std::uint8_t receipts[] = {0, 1, 2, 0x11};
  const std::string validities[] = {"", "000001000000000R", "261205120000032+"};
  const std::string schedules[] = {"", "261205080000000R"};
  const std::vector<std::uint8_t> messages[] = {{}, octets(44, 0x41), ucs2_udh_part(), octets(253), octets(254)};
  const std::vector<tlv> tlv_sets[] = {{}, sar_tlvs(), {tlv{tag::message_payload, octets(300, 0x20)}}};

  std::size_t checked = 0, disagreed = 0;
  std::string first_disagreement;
  for (const auto& a : addresses)
    for (auto coding : codings)
      for (auto esm_class : esm_classes)
        for (auto rd : receipts)
          for (const auto& validity : validities)
            for (const auto& schedule : schedules)
              for (const auto& message : messages)
                for (const auto& tlvs : tlv_sets) {
                  short_message m;
                  m.source = a.source;
                  m.destination = a.destination;
                  m.data_coding = coding;
                  m.esm_class = esm_class;
                  m.registered_delivery = rd;
                  m.validity_period = validity;
                  m.schedule_delivery_time = schedule;
                  m.message = message;
                  m.tlvs = tlvs;
                  const pdu p{command_id::submit_sm, 0, static_cast<std::uint32_t>(checked + 1), m};
                  ++checked;
                  if (reference(p).ec) {
                    disagreed++;
                    if (first_disagreement.empty()) first_disagreement = "the reference refused a body we send";
                  } else if (!same_both_ways(p)) {
                    disagreed++;
                    if (first_disagreement.empty())
                      first_disagreement = to_hex(direct(p).bytes) + " != " + to_hex(reference(p).bytes);
                  }
                }
  INFO(first_disagreement);
  CHECK(checked == 4 * 3 * 3 * 4 * 3 * 2 * 5 * 3);
  CHECK(disagreed == 0);
}

TEST_CASE("direct writer: submit_sm golden bytes of a one-part GSM message with a receipt") {
  const auto p = pdu{command_id::submit_sm, 0, 2, typical()};
  const auto a = direct(p);
  REQUIRE(!a.ec);
  CHECK(to_hex(a.bytes) == to_hex(reference(p).bytes));
  // Header, then: service_type "" | 05 00 "UBND LThuy\0" | 01 01 "84912345678\0" | esm 00, pid 00, prio 00 |
  // schedule "" | validity "000001000000000R\0" | rd 01, replace 00, dcs 00, default 00 | sm_length 2c | text.
  CHECK(to_hex(std::span(a.bytes).first(16)) == "00000072000000040000000000000002");
  CHECK(to_hex(std::span(a.bytes).subspan(16, 54)) ==
        "00" "0500" "55424e44204c5468757900" "0101" "383439313233343536373800" "000000" "00"
        "3030303030313030303030303030305200" "01000000" "2c");
}

TEST_CASE("direct writer: every field at its maximum length packs, one octet more is refused by both") {
  short_message m = typical();
  m.service_type = "12345";
  m.source.addr = std::string(20, '7');
  m.destination.addr = std::string(20, '8');
  m.schedule_delivery_time = std::string(16, '1');
  m.validity_period = std::string(16, '2');
  m.message = octets(254);
  const pdu p{command_id::submit_sm, 0, 9, m};
  REQUIRE(!reference(p).ec);
  CHECK(to_hex(direct(p).bytes) == to_hex(reference(p).bytes));
  CHECK(encodable(m));

  const auto refused = [](short_message bad, const std::string& field) {
    const pdu q{command_id::submit_sm, 0, 9, bad};
    CHECK(reference(q).ec == error::encode_failed);
    CHECK(direct(q).ec == error::encode_failed);
    CHECK(!encodable(bad));
    const auto why = detail::sm_problem(command_id::submit_sm, bad);
    INFO(why);
    CHECK(why.find("submit_sm " + field + ":") == 0);
  };
  auto bad = m;
  bad.service_type += "6";
  refused(bad, "service_type");
  bad = m;
  bad.source.addr += "7";
  refused(bad, "source_addr");
  bad = m;
  bad.destination.addr += "8";
  refused(bad, "destination_addr");
  bad = m;
  bad.schedule_delivery_time += "1";
  refused(bad, "schedule_delivery_time");
  bad = m;
  bad.validity_period += "2";
  refused(bad, "validity_period");
  bad = m;
  bad.message.push_back(0);
  refused(bad, "short_message");
  bad = m;
  bad.destination.addr = std::string("849\0" "1", 5);
  refused(bad, "destination_addr");
  bad = m;
  bad.tlvs = {tlv{tag::message_payload, std::vector<std::uint8_t>(0x10000)}};
  refused(bad, "optional parameter");
}

TEST_CASE("direct writer: source and destination TON and NPI are refused exactly where libsmpp34 refuses them") {
  std::size_t disagreed = 0, accepted = 0;
  for (int v = 0; v < 256; ++v) {
    const auto b = static_cast<std::uint8_t>(v);
    for (int which = 0; which < 4; ++which) {
      auto m = typical();
      (which == 0 ? m.source.ton : which == 1 ? m.source.npi : which == 2 ? m.destination.ton : m.destination.npi) = b;
      const pdu p{command_id::submit_sm, 0, 1, m};
      if (!same_both_ways(p) || encodable(m) != !reference(p).ec) ++disagreed;
      if (!reference(p).ec) ++accepted;
    }
  }
  CHECK(disagreed == 0);
  CHECK(accepted == 2 * 7 + 2 * 10);  // TON 0-6; NPI 0 1 3 4 6 8 9 10 14 18
  auto m = typical();
  m.destination.ton = 7;
  CHECK(detail::sm_problem(command_id::submit_sm, m) == "submit_sm dest_addr_ton: 7 is not a type of number libsmpp34 knows");
}

TEST_CASE("direct writer: the TLVs we send are the octets libsmpp34 packs for them") {
  const std::vector<tlv> sets[] = {sar_tlvs(),
                                   {tlv{tag::message_payload, octets(1)}},
                                   {tlv{tag::message_payload, octets(1024, 7)}},
                                   {tlv{tag::message_payload, {}}},
                                   {make_tlv_u16(tag::sar_msg_ref_num, 0xfffe), make_tlv_u8(tag::sar_total_segments, 255),
                                    make_tlv_u8(tag::sar_segment_seqnum, 255)}};
  for (const auto& tlvs : sets) {
    std::vector<std::uint8_t> theirs;
    REQUIRE(!detail::smpp34_pack_submit_sm_tlvs(tlvs, theirs));
    auto m = typical();
    m.tlvs = tlvs;
    const auto ours = direct({command_id::submit_sm, 0, 1, m});
    REQUIRE(!ours.ec);
    REQUIRE(ours.bytes.size() >= theirs.size());
    CHECK(to_hex(std::span(ours.bytes).last(theirs.size())) == to_hex(theirs));
  }
  std::vector<std::uint8_t> sar;
  REQUIRE(!detail::smpp34_pack_submit_sm_tlvs(sar_tlvs(), sar));
  CHECK(to_hex(sar) == "020c00021234" "020e000103" "020f000102");
}

TEST_CASE("direct writer: deliver_sm (receipts, citizens' messages) packs as libsmpp34 packs it") {
  short_message m;
  m.source = {1, 1, "84912345678"};
  m.destination = {5, 0, "UBND LThuy"};
  m.esm_class = esm::delivery_receipt;
  const std::string text = "id:0a1b sub:001 dlvrd:001 submit date:2612050700 done date:2612050700 stat:DELIVRD err:000 text:";
  m.message.assign(text.begin(), text.end());
  m.tlvs = {make_tlv_cstring(tag::receipted_message_id, "0a1b"), make_tlv_u8(tag::message_state, 2)};
  CHECK(same_both_ways({command_id::deliver_sm, 0, 0x10, m}));
  CHECK(!direct({command_id::deliver_sm, 0, 0x10, m}).ec);
  m.esm_class = esm::udhi;
  m.data_coding = 8;
  m.message = ucs2_udh_part();
  m.tlvs.clear();
  CHECK(same_both_ways({command_id::deliver_sm, 0, 0, m}));
  // SMPP 3.4 4.6.1: schedule_delivery_time and validity_period are NULL in a deliver_sm.
  m.validity_period = "000001000000000R";
  CHECK(direct({command_id::deliver_sm, 0, 1, m}).ec == error::encode_failed);
  CHECK(reference({command_id::deliver_sm, 0, 1, m}).ec == error::encode_failed);
  CHECK(detail::sm_problem(command_id::deliver_sm, m) == "deliver_sm validity_period: 16 octets, at most 0");
}

TEST_CASE("direct writer: submit_sm_resp and deliver_sm_resp pack as libsmpp34 packs them") {
  for (const auto& id : {std::string(), std::string("0a1b2c3d4e"), std::string(64, 'f')})
    CHECK(same_both_ways({command_id::submit_sm_resp, 0, 7, message_resp{id, {}}}));
  CHECK(direct({command_id::submit_sm_resp, 0, 7, message_resp{std::string(65, 'f'), {}}}).ec ==
        error::encode_failed);
  CHECK(reference({command_id::submit_sm_resp, 0, 7, message_resp{std::string(65, 'f'), {}}}).ec ==
        error::encode_failed);
  // An error status: no body (SMPP 3.4 4.4.2), the same header either way.
  CHECK(same_both_ways({command_id::submit_sm_resp, status::throttled, 7, message_resp{"x", {}}}));

  CHECK(same_both_ways({command_id::deliver_sm_resp, 0, 0x10, message_resp{}}));
  CHECK(to_hex(direct({command_id::deliver_sm_resp, 0, 0x10, message_resp{}}).bytes) ==
        "00000011800000050000000000000010" "00");
  // deliver_sm_resp keeps its NULL message_id whatever the status (our retry-later answer to a receipt).
  CHECK(same_both_ways({command_id::deliver_sm_resp, 0x00000014, 0, message_resp{}}));
  CHECK(same_both_ways({command_id::deliver_sm_resp, 0, 0xffffffffu, message_resp{}}));
  CHECK(direct({command_id::deliver_sm_resp, 0, 1, message_resp{"x", {}}}).ec == error::encode_failed);
  CHECK(reference({command_id::deliver_sm_resp, 0, 1, message_resp{"x", {}}}).ec == error::encode_failed);
  CHECK(same_both_ways({command_id::deliver_sm_resp, 0, 3, message_resp{"", {make_tlv_u8(0x1403, 1)}}}));
}

TEST_CASE("direct writer: appends to what the output buffer already holds and leaves it alone on a refusal") {
  std::vector<std::uint8_t> out{0xaa, 0xbb};
  REQUIRE(!encode({command_id::submit_sm, 0, 1, typical()}, out));
  REQUIRE(!encode({command_id::deliver_sm_resp, 0, 2, message_resp{}}, out));
  std::vector<std::uint8_t> expected{0xaa, 0xbb};
  REQUIRE(!encode_with_smpp34({command_id::submit_sm, 0, 1, typical()}, expected));
  REQUIRE(!encode_with_smpp34({command_id::deliver_sm_resp, 0, 2, message_resp{}}, expected));
  CHECK(to_hex(out) == to_hex(expected));
  auto bad = typical();
  bad.source.addr = std::string(21, 'x');
  CHECK(encode({command_id::submit_sm, 0, 3, bad}, out) == error::encode_failed);
  CHECK(to_hex(out) == to_hex(expected));
  CHECK(encode({command_id::submit_sm, 0, 3, message_resp{}}, out) == error::encode_failed);
  CHECK(to_hex(out) == to_hex(expected));
}
