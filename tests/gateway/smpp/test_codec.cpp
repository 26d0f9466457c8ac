// Golden bytes for every PDU kind the codec supports, written down by hand from SMPP 3.4 chapter 4
// (header: command_length, command_id, command_status, sequence_number; then the body fields in order).
#include <doctest/doctest.h>

#include "gateway/smpp/codec.hpp"

using namespace loa::smpp;

namespace {

std::vector<std::uint8_t> encoded(const pdu& p) {
  std::error_code ec;
  auto bytes = encode(p, ec);
  REQUIRE_MESSAGE(!ec, std::string(ec.message()));
  return bytes;
}

pdu decoded(const std::vector<std::uint8_t>& bytes) {
  auto r = decode(bytes);
  REQUIRE_MESSAGE(r, std::string(r.ec.message() + ": " + r.detail));
  return r.value;
}

// encode(p) gives exactly `hex`, decode(hex) gives back p, and probe_frame sees one complete frame.
void golden(const pdu& p, std::string_view hex) {
  const auto bytes = from_hex(hex);
  CHECK(to_hex(encoded(p)) == to_hex(bytes));
  CHECK(decoded(bytes) == p);
  const auto probe = probe_frame(bytes);
  CHECK(probe.state == frame_state::complete);
  CHECK(probe.length == bytes.size());
}

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_CASE("header-only PDUs: enquire_link, enquire_link_resp, unbind, unbind_resp, generic_nack") {
  golden({command_id::enquire_link, 0, 1, empty{}}, "00000010 00000015 00000000 00000001");
  golden({command_id::enquire_link_resp, 0, 1, empty{}}, "00000010 80000015 00000000 00000001");
  golden({command_id::unbind, 0, 7, empty{}}, "00000010 00000006 00000000 00000007");
  golden({command_id::unbind_resp, 0, 7, empty{}}, "00000010 80000006 00000000 00000007");
  // generic_nack with ESME_RINVCMDID and sequence 0: both refused by libsmpp34, legal in SMPP.
  golden(make_generic_nack(0, status::invcmdid), "00000010 80000000 00000003 00000000");
  golden(make_generic_nack(0x7fffffff, status::invcmdlen), "00000010 80000000 00000002 7fffffff");
}

TEST_CASE("bind_transmitter, bind_receiver, bind_transceiver") {
  bind b{"loa", "secret", "", 0x34, {0, 0, ""}};
  // body: "loa\0" "secret\0" "\0" 34 00 00 "\0" = 4+7+1+1+1+1+1 = 16, total 32
  golden({command_id::bind_transmitter, 0, 1, b},
         "00000020 00000002 00000000 00000001 6c6f6100 73656372657400 00 34 00 00 00");
  golden({command_id::bind_receiver, 0, 2, b},
         "00000020 00000001 00000000 00000002 6c6f6100 73656372657400 00 34 00 00 00");
  bind t{"loa", "pw", "SMS", 0x34, {1, 1, "849"}};
  // "loa\0" "pw\0" "SMS\0" 34 01 01 "849\0" = 4+3+4+3+4 = 18, total 34
  golden({command_id::bind_transceiver, 0, 3, t},
         "00000022 00000009 00000000 00000003 6c6f6100 707700 534d5300 34 01 01 38343900");
}

TEST_CASE("bind with interface_version 0x33 survives although libsmpp34 only knows 0x34") {
  bind b{"loa", "pw", "", 0x33, {0, 0, ""}};
  golden({command_id::bind_transmitter, 0, 1, b},
         "0000001c 00000002 00000000 00000001 6c6f6100 707700 00 33 00 00 00");
}

TEST_CASE("bind responses, with and without sc_interface_version") {
  golden({command_id::bind_transmitter_resp, 0, 1, bind_resp{"SMSC", std::nullopt}},
         "00000015 80000002 00000000 00000001 534d534300");
  golden({command_id::bind_transceiver_resp, 0, 1, bind_resp{"SMSC", 0x34}},
         "0000001a 80000009 00000000 00000001 534d534300 0210 0001 34");
  golden({command_id::bind_receiver_resp, 0, 9, bind_resp{"S", std::nullopt}},
         "00000012 80000001 00000000 00000009 5300");
  // SMPP 3.4 4.1.2: no body when command_status is non-zero.
  golden({command_id::bind_transmitter_resp, status::invpaswd, 1, bind_resp{}},
         "00000010 80000002 0000000e 00000001");
}

TEST_CASE("outbind") {
  golden({command_id::outbind, 0, 1, outbind{"SMSC", "pw"}}, "00000018 0000000b 00000000 00000001 534d534300 707700");
}

TEST_CASE("submit_sm with a brandname sender and registered_delivery") {
  short_message m;
  m.source = {5, 0, "LongThuy"};
  m.destination = {1, 1, "84912345678"};
  m.registered_delivery = 1;
  m.message = bytes_of("Hello");
  // body: "\0" 05 00 "LongThuy\0" 01 01 "84912345678\0" 00 00 00 "\0" "\0" 01 00 00 00 05 "Hello"
  //       1 + 2 + 9 + 2 + 12 + 3 + 1 + 1 + 4 + 1 + 5 = 41, total 57
  golden({command_id::submit_sm, 0, 2, m},
         "00000039 00000004 00000000 00000002"
         "00 05 00 4c6f6e675468757900 01 01 383439313233343536373800 00 00 00 00 00 01 00 00 00 05 48656c6c6f");
}

TEST_CASE("submit_sm whose short_message holds 0x00 octets (GSM '@') and UDH, with SAR TLVs") {
  short_message m;
  m.destination = {1, 1, "84"};
  m.esm_class = esm::udhi;
  m.data_coding = 0;
  m.message = {0x05, 0x00, 0x03, 0x2a, 0x02, 0x01, 0x00, 0x41, 0x00};
  m.tlvs = {make_tlv_u16(tag::sar_msg_ref_num, 0x2a), make_tlv_u8(tag::sar_total_segments, 2),
            make_tlv_u8(tag::sar_segment_seqnum, 1)};
  // body: 00 | 00 00 00 | 01 01 "84\0" | 40 00 00 | 00 | 00 | 00 00 00 00 | 09 <9 octets>
  //       1 + 3 + 5 + 3 + 1 + 1 + 4 + 1 + 9 = 28; TLVs 6 + 5 + 5 = 16; total 60
  golden({command_id::submit_sm, 0, 3, m},
         "0000003c 00000004 00000000 00000003"
         "00 00 00 00 01 01 383400 40 00 00 00 00 00 00 00 00 09 050003 2a 02 01 004100"
         "020c 0002 002a 020e 0001 02 020f 0001 01");
}

TEST_CASE("submit_sm_resp with an id, and with an error status and no body") {
  golden({command_id::submit_sm_resp, 0, 2, message_resp{"1a2b", {}}},
         "00000015 80000004 00000000 00000002 3161326200");
  golden({command_id::submit_sm_resp, status::throttled, 2, message_resp{}}, "00000010 80000004 00000058 00000002");
  // A vendor-specific status (libsmpp34 does not list it) still decodes.
  golden({command_id::submit_sm_resp, 0x0400, 5, message_resp{}}, "00000010 80000004 00000400 00000005");
}

TEST_CASE("submit_sm_resp with an error status but a body (some SMSCs send one) decodes") {
  const auto p = decoded(from_hex("00000013 80000004 00000045 00000002 783100"));
  CHECK(p.status == status::submitfail);
  CHECK(std::get<message_resp>(p.content).message_id == "x1");
}

TEST_CASE("deliver_sm receipt with text and TLVs, and deliver_sm_resp") {
  short_message m;
  m.source = {1, 1, "84912345678"};
  m.destination = {5, 0, "LOA"};
  m.esm_class = esm::delivery_receipt;
  m.message = bytes_of("id:1 stat:DELIVRD");
  m.tlvs = {make_tlv_cstring(tag::receipted_message_id, "1"), make_tlv_u8(tag::message_state, 2)};
  // body: 00 | 01 01 "84912345678\0" | 05 00 "LOA\0" | 04 00 00 | 00 | 00 | 00 00 00 00 | 11 "id:1 stat:DELIVRD"
  //       1 + 14 + 6 + 3 + 1 + 1 + 4 + 1 + 17 = 48; TLVs 001e 0002 3100 (6) + 0427 0001 02 (5); total 75
  golden({command_id::deliver_sm, 0, 0x10, m},
         "0000004b 00000005 00000000 00000010"
         "00 01 01 383439313233343536373800 05 00 4c4f4100 04 00 00 00 00 00 00 00 00 11"
         "69643a3120737461743a44454c49565244"
         "001e 0002 3100 0427 0001 02");
  golden({command_id::deliver_sm_resp, 0, 0x10, message_resp{}}, "00000011 80000005 00000000 00000010 00");
}

TEST_CASE("data_sm with message_payload, and data_sm_resp") {
  data_message d;
  d.source = {5, 0, "LOA"};
  d.destination = {1, 1, "84"};
  d.registered_delivery = 1;
  d.data_coding = 8;
  d.tlvs = {{tag::message_payload, {0x00, 0x41, 0x1e, 0xa1}}};
  // body: 00 | 05 00 "LOA\0" | 01 01 "84\0" | 00 01 08 = 1 + 6 + 5 + 3 = 15; TLV 0424 0004 + 4 = 8; total 39
  golden({command_id::data_sm, 0, 4, d},
         "00000027 00000103 00000000 00000004 00 05 00 4c4f4100 01 01 383400 00 01 08 0424 0004 0041 1ea1");
  golden({command_id::data_sm_resp, 0, 4, message_resp{"77", {}}}, "00000013 80000103 00000000 00000004 373700");
}

TEST_CASE("round trips beyond libsmpp34's limits") {
  SUBCASE("message_payload of 3000 octets (libsmpp34 stops at 1024)") {
    short_message m;
    m.destination = {1, 1, "84912345678"};
    m.data_coding = 8;
    m.tlvs = {{tag::message_payload, std::vector<std::uint8_t>(3000, 0x41)}};
    const auto bytes = encoded({command_id::submit_sm, 0, 9, m});
    CHECK(bytes.size() == 16 + 1 + 3 + 14 + 3 + 2 + 4 + 1 + 4 + 3000);
    CHECK(decoded(bytes) == pdu{command_id::submit_sm, 0, 9, m});
  }
  SUBCASE("short_message of 254 octets (libsmpp34's pack stops at 253)") {
    short_message m;
    m.destination = {1, 1, "84"};
    m.message = std::vector<std::uint8_t>(254, 0x00);
    const auto bytes = encoded({command_id::submit_sm, 0, 9, m});
    CHECK(bytes.size() == 16 + 28 - 9 + 254);
    CHECK(decoded(bytes) == pdu{command_id::submit_sm, 0, 9, m});
  }
  SUBCASE("several unknown TLVs keep their order and bytes") {
    short_message m;
    m.destination = {1, 1, "84"};
    m.tlvs = {{0x1234, {0xab, 0xcd}}, {0x0005, {}}, {0x1500, {1, 2, 3}}, {0xfffe, {9}}};
    CHECK(decoded(encoded({command_id::deliver_sm, 0, 1, m})) == pdu{command_id::deliver_sm, 0, 1, m});
  }
  SUBCASE("sequence numbers at the top of the range") {
    const pdu p{command_id::submit_sm_resp, 0, 0xffffffffu, message_resp{"abc", {}}};
    CHECK(decoded(encoded(p)) == p);
  }
}

TEST_CASE("encode refuses what does not fit instead of truncating") {
  std::error_code ec;
  short_message m;
  m.destination = {1, 1, std::string(21, '8')};  // 20 digits + NUL is the most
  CHECK(encode({command_id::submit_sm, 0, 1, m}, ec).empty());
  CHECK(ec == error::encode_failed);

  m.destination.addr = "84";
  m.message.assign(255, 0x41);
  encode({command_id::submit_sm, 0, 1, m}, ec);
  CHECK(ec == error::encode_failed);

  bind b{std::string("lo\0a", 4), "pw", "", 0x34, {}};
  std::vector<std::uint8_t> out{0xee};
  CHECK(encode({command_id::bind_transmitter, 0, 1, b}, out) == error::encode_failed);
  CHECK(out.size() == 1);  // untouched on error

  // A body that does not belong to the command_id.
  CHECK(encode({command_id::submit_sm, 0, 1, empty{}}, out) == error::encode_failed);
  CHECK(encode({command_id::enquire_link, 0, 1, empty{}}, out) == std::error_code{});
  CHECK(out.size() == 17);  // appended after the existing octet
}

TEST_CASE("helpers: response ids and TLV values") {
  CHECK(response_id(command_id::bind_transceiver) == command_id::bind_transceiver_resp);
  CHECK(response_id(command_id::submit_sm) == command_id::submit_sm_resp);
  CHECK(response_id(command_id::submit_sm_resp) == command_id::generic_nack);
  CHECK(tlv_integer(make_tlv_u16(1, 0x1234)) == 0x1234);
  CHECK(tlv_integer(make_tlv_u8(1, 7)) == 7);
  CHECK(tlv_integer(tlv{1, {1, 2, 3}}) == -1);
  CHECK(tlv_string(make_tlv_cstring(1, "abc")) == "abc");
  CHECK(to_hex(from_hex("00 Ff 10")) == "00ff10");
  CHECK_THROWS(from_hex("0"));
}

TEST_CASE("error categories name things") {
  CHECK(make_error_code(error::bad_command_length).category().name() == std::string("loa.smpp"));
  CHECK(make_status_error(0x58).message() == "ESME_RTHROTTLED: throttling error");
  CHECK(make_status_error(0x0400).message() == "command_status 0x00000400");
  CHECK(std::string(status_name(0x0E)) == "ESME_RINVPASWD");
  CHECK(std::string(status_name(0x09)).empty());
}
