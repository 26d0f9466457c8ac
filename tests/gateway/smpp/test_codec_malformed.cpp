// DOMAIN.md "Bad input that has broken gateways": each case must give a named error, never a crash or a read
// past the buffer (run under -DLOA_SANITIZE=ON to see the latter).
#include <doctest/doctest.h>

#include "gateway/smpp/codec.hpp"

using namespace loa::smpp;

namespace {

// A submit_sm with sm_length 5 "Hello" (see test_codec.cpp), for cutting up.
const char* const submit_hex =
    "00000039 00000004 00000000 00000002"
    "00 05 00 4c6f6e675468757900 01 01 383439313233343536373800 00 00 00 00 00 01 00 00 00 05 48656c6c6f";

// Rewrites command_length to the size of the bytes.
std::vector<std::uint8_t> fix_length(std::vector<std::uint8_t> b) {
  const auto n = static_cast<std::uint32_t>(b.size());
  b[0] = static_cast<std::uint8_t>(n >> 24);
  b[1] = static_cast<std::uint8_t>(n >> 16);
  b[2] = static_cast<std::uint8_t>(n >> 8);
  b[3] = static_cast<std::uint8_t>(n);
  return b;
}

}  // namespace

TEST_CASE("probe_frame: need more, complete, and command_length out of range before any body is read") {
  const auto full = from_hex(submit_hex);
  CHECK(probe_frame(std::span(full).first(0)).state == frame_state::need_more);
  CHECK(probe_frame(std::span(full).first(3)).state == frame_state::need_more);
  auto p = probe_frame(std::span(full).first(4));
  CHECK(p.state == frame_state::need_more);
  CHECK(p.length == 0x39);
  p = probe_frame(std::span(full).first(0x38));
  CHECK(p.state == frame_state::need_more);
  // Two frames back to back: the first is complete.
  auto two = full;
  two.insert(two.end(), full.begin(), full.end());
  p = probe_frame(two);
  CHECK(p.state == frame_state::complete);
  CHECK(p.length == full.size());

  SUBCASE("command_length below 16 (and below 8)") {
    for (std::uint8_t len : {std::uint8_t{0}, std::uint8_t{4}, std::uint8_t{8}, std::uint8_t{15}}) {
      const std::vector<std::uint8_t> b{0, 0, 0, len, 0, 0, 0, 0x15};
      p = probe_frame(b);
      CHECK(p.state == frame_state::invalid);
      CHECK(p.ec == error::bad_command_length);
    }
  }
  SUBCASE("absurd command_length: an HTTP request and a TLS ClientHello read as lengths") {
    const std::string http = "GET / HTTP/1.1\r\n";
    p = probe_frame(std::span(reinterpret_cast<const std::uint8_t*>(http.data()), http.size()));
    CHECK(p.state == frame_state::invalid);
    CHECK(p.ec == error::bad_command_length);
    CHECK(probe_frame(from_hex("16030100")).state == frame_state::invalid);  // 0x16030100 > 64 KiB
  }
  SUBCASE("the cap is configurable") {
    CHECK(probe_frame(full, 0x38).state == frame_state::invalid);
    CHECK(probe_frame(full, 0x39).state == frame_state::complete);
    CHECK(probe_frame(from_hex("00010001"), 70000).state == frame_state::need_more);
  }
}

TEST_CASE("decode: command_length below 16 or larger than the bytes given") {
  auto r = decode(from_hex("0000000c 00000015 00000000 00000001"));
  CHECK(r.ec == error::bad_command_length);
  r = decode(from_hex("00000015 00000015 00000000"));
  CHECK(r.ec == error::truncated);
  auto cut = from_hex(submit_hex);
  cut.resize(40);
  r = decode(cut);
  CHECK(r.ec == error::truncated);
  CHECK(r.head.sequence == 2);
}

TEST_CASE("decode: sm_length larger than the octets present") {
  auto b = from_hex(submit_hex);
  b[b.size() - 6] = 10;  // sm_length 10, 5 octets follow
  const auto r = decode(b);
  CHECK(r.ec == error::bad_sm_length);
  CHECK(r.head.sequence == 2);
  CHECK(!r.detail.empty());
}

TEST_CASE("decode: sm_length smaller than the octets present leaves octets that are not a valid TLV") {
  auto b = from_hex(submit_hex);
  b[b.size() - 6] = 2;  // "He" then "llo" would be read as a TLV header: too short
  CHECK(decode(b).ec == error::bad_tlv);
}

TEST_CASE("decode: unterminated C-string at the end of the PDU (CVE-2026-75895)") {
  SUBCASE("submit_sm_resp message_id without NUL") {
    const auto r = decode(from_hex("00000014 80000004 00000000 00000002 31613262"));
    CHECK(r.ec == error::malformed_body);
    CHECK(r.head.sequence == 2);
  }
  SUBCASE("bind_transmitter whose address_range runs to the end") {
    const auto r = decode(from_hex("00000021 00000002 00000000 00000001 6c6f6100 73656372657400 00 34 00 00 41 41"));
    CHECK(r.ec == error::malformed_body);
  }
  SUBCASE("submit_sm cut inside destination_addr") {
    auto b = from_hex(submit_hex);
    b.resize(16 + 1 + 2 + 9 + 2 + 5);
    CHECK(decode(fix_length(b)).ec == error::malformed_body);
  }
  SUBCASE("submit_sm cut right after the C-strings, before the 1-octet fields") {
    auto b = from_hex(submit_hex);
    b.resize(16 + 1 + 2 + 9 + 2 + 12);
    CHECK(decode(fix_length(b)).ec == error::truncated);
  }
}

TEST_CASE("decode: C-string longer than SMPP 3.4 allows is refused by libsmpp34") {
  // system_id of 16 characters + NUL (at most 15 + NUL).
  const auto r = decode(fix_length(from_hex("00000000 00000002 00000000 00000001"
                                            "4141414141414141414141414141414100 00 00 34 00 00 00")));
  CHECK(r.ec == error::malformed_body);
  CHECK(r.detail.find("libsmpp34") != std::string::npos);
}

TEST_CASE("decode: unknown TLV is kept raw") {
  auto b = from_hex(submit_hex);
  for (auto x : from_hex("1234 0003 abcdef 0005 0001 07")) b.push_back(x);
  const auto r = decode(fix_length(b));
  REQUIRE(r);
  const auto& m = std::get<short_message>(r.value.content);
  REQUIRE(m.tlvs.size() == 2);
  CHECK(m.tlvs[0] == tlv{0x1234, {0xab, 0xcd, 0xef}});
  CHECK(m.tlvs[1] == tlv{0x0005, {0x07}});
}

TEST_CASE("decode: truncated TLV") {
  SUBCASE("length beyond the PDU") {
    auto b = from_hex(submit_hex);
    for (auto x : from_hex("0424 0010 4142")) b.push_back(x);
    const auto r = decode(fix_length(b));
    CHECK(r.ec == error::bad_tlv);
    CHECK(r.head.sequence == 2);
  }
  SUBCASE("header cut after the tag") {
    auto b = from_hex(submit_hex);
    for (auto x : from_hex("0424 00")) b.push_back(x);
    CHECK(decode(fix_length(b)).ec == error::bad_tlv);
  }
}

TEST_CASE("decode: unknown command_id gives what generic_nack needs") {
  // query_sm (0x03) is valid SMPP but not handled by loa; 0x12345678 is nothing at all.
  for (const char* hex : {"00000013 00000003 00000000 0000002a 313200", "00000010 12345678 00000000 0000002a"}) {
    const auto r = decode(from_hex(hex));
    CHECK(r.ec == error::unknown_command);
    CHECK(r.head.sequence == 0x2a);
    std::error_code ec;
    const auto nack = encode(make_generic_nack(r.head.sequence, status::invcmdid), ec);
    CHECK(to_hex(nack) == "000000108000000000000003" "0000002a");
  }
}

TEST_CASE("decode: header-only PDU with trailing octets is accepted, a header shorter than 16 is not") {
  const auto r = decode(from_hex("00000012 00000015 00000000 00000001 0000"));
  CHECK(r);
  CHECK(r.value.id == command_id::enquire_link);
  CHECK(decode(from_hex("00000010 000000")).ec == error::truncated);
}

TEST_CASE("decode: UDHI set with an empty short_message is passed on (the caller decides)") {
  auto b = from_hex("00000023 00000004 00000000 00000002 00 00 00 00 01 01 383400 40 00 00 00 00 00 00 00 00 00");
  const auto r = decode(fix_length(b));
  REQUIRE(r);
  const auto& m = std::get<short_message>(r.value.content);
  CHECK(m.esm_class == esm::udhi);
  CHECK(m.message.empty());
}

TEST_CASE("decode: TON outside SMPP 3.4's list is refused") {
  auto b = from_hex(submit_hex);
  b[16 + 1] = 0x07;  // source_addr_ton 7 is reserved
  CHECK(decode(b).ec == error::malformed_body);
}

TEST_CASE("decode never reads past a frame: every prefix of every golden PDU is refused cleanly") {
  const char* samples[] = {
      submit_hex,
      "0000001a 80000009 00000000 00000001 534d534300 0210 0001 34",
      "00000020 00000002 00000000 00000001 6c6f6100 73656372657400 00 34 00 00 00",
      "00000027 00000103 00000000 00000004 00 05 00 4c4f4100 01 01 383400 00 01 08 0424 0004 0041 1ea1",
  };
  for (const char* hex : samples) {
    const auto full = from_hex(hex);
    CHECK(decode(full));
    for (std::size_t n = 16; n < full.size(); ++n) {
      std::vector<std::uint8_t> part(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
      const auto r = decode(fix_length(part));
      // Shorter bodies of responses can still be valid (a resp without TLVs); the rest must fail with a name.
      if (!r) CHECK(r.ec.category() == error_category());
    }
  }
}
