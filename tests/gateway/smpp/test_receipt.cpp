#include <doctest/doctest.h>

#include "gateway/smpp/codec.hpp"
#include "gateway/smpp/receipt.hpp"

using namespace loa::smpp;

TEST_CASE("receipt text: the SMPP 3.4 appendix B form") {
  const auto r = parse_receipt_text(
      "id:0123456789 sub:001 dlvrd:001 submit date:2611221030 done date:2611221031 stat:DELIVRD err:000 "
      "text:Thong bao hop to dan pho");
  REQUIRE(r);
  CHECK(r->id == "0123456789");
  CHECK(r->state == receipt_state::delivered);
  CHECK(r->error == "000");
  CHECK(r->submit_date == "2611221030");
  CHECK(r->done_date == "2611221031");
  CHECK(r->text == "Thong bao hop to dan pho");
}

TEST_CASE("receipt text: lenient about case, spaces, underscores and missing fields") {
  auto r = parse_receipt_text("ID:ab12  SUB:1 DLVRD:0 Submit_Date:2611221030 DONE  DATE : 261122103059 Stat:undeliv");
  REQUIRE(r);
  CHECK(r->id == "ab12");
  CHECK(r->state == receipt_state::undeliverable);
  CHECK(r->submit_date == "2611221030");
  CHECK(r->done_date == "261122103059");
  CHECK(r->error.empty());

  r = parse_receipt_text("id:77 stat:EXPIRED");
  REQUIRE(r);
  CHECK(r->state == receipt_state::expired);

  r = parse_receipt_text("id:  77   stat:REJECTD err:0x0b");
  REQUIRE(r);
  CHECK(r->id == "77");
  CHECK(r->state == receipt_state::rejected);
  CHECK(r->error == "0x0b");

  // `text:` runs to the end even when it looks like keys.
  r = parse_receipt_text("id:5 stat:ACCEPTD text:stat:DELIVRD id:9");
  REQUIRE(r);
  CHECK(r->id == "5");
  CHECK(r->state == receipt_state::accepted);
  CHECK(r->text == "stat:DELIVRD id:9");

  // A word that merely ends in a key name is not a key.
  r = parse_receipt_text("id:5 nstat:DELIVRD");
  REQUIRE(r);
  CHECK(r->state == receipt_state::unknown);

  CHECK_FALSE(parse_receipt_text("Xin chao, toi muon huy"));
  CHECK_FALSE(parse_receipt_text("id: stat:DELIVRD"));
  CHECK_FALSE(parse_receipt_text(""));
}

TEST_CASE("receipt states: every stat word and message_state value") {
  CHECK(parse_receipt_state("DELIVRD") == receipt_state::delivered);
  CHECK(parse_receipt_state("expired") == receipt_state::expired);
  CHECK(parse_receipt_state("DELETED") == receipt_state::deleted);
  CHECK(parse_receipt_state("UNDELIV") == receipt_state::undeliverable);
  CHECK(parse_receipt_state("ACCEPTD") == receipt_state::accepted);
  CHECK(parse_receipt_state("UNKNOWN") == receipt_state::unknown);
  CHECK(parse_receipt_state("REJECTD") == receipt_state::rejected);
  CHECK(parse_receipt_state("ENROUTE") == receipt_state::enroute);
  CHECK(parse_receipt_state("whatever") == receipt_state::unknown);
  for (std::uint8_t v = 1; v <= 8; ++v) CHECK(message_state_value(receipt_state_from_tlv(v)) == v);
  for (auto s : {receipt_state::delivered, receipt_state::undeliverable, receipt_state::rejected})
    CHECK(parse_receipt_state(stat_word(s)) == s);
}

TEST_CASE("receipt from a deliver_sm: TLVs win over the text") {
  short_message m;
  m.esm_class = esm::delivery_receipt;
  const std::string text = "id:1a2b sub:001 dlvrd:000 submit date:2611221030 done date:2611221031 stat:UNDELIV err:021";
  m.message.assign(text.begin(), text.end());
  CHECK(is_delivery_receipt(m));

  auto r = parse_receipt(m);
  REQUIRE(r);
  CHECK(r->id == "1a2b");
  CHECK(r->state == receipt_state::undeliverable);
  CHECK(r->error == "021");

  m.tlvs = {make_tlv_cstring(tag::receipted_message_id, "6699"), make_tlv_u8(tag::message_state, 2)};
  r = parse_receipt(m);
  REQUIRE(r);
  CHECK(r->id == "6699");
  CHECK(r->state == receipt_state::delivered);
  CHECK(r->done_date == "2611221031");  // the text still fills what TLVs lack

  short_message only_tlv;
  only_tlv.esm_class = esm::delivery_receipt;
  only_tlv.tlvs = {make_tlv_cstring(tag::receipted_message_id, "42"), make_tlv_u8(tag::message_state, 5),
                   tlv{tag::network_error_code, {0x03, 0x00, 0x0b}}};
  r = parse_receipt(only_tlv);
  REQUIRE(r);
  CHECK(r->id == "42");
  CHECK(r->state == receipt_state::undeliverable);
  CHECK(r->error == "03000b");

  short_message mo;  // a citizen's reply is not a receipt
  mo.message = {'H', 'U', 'Y'};
  CHECK_FALSE(is_delivery_receipt(mo));
  CHECK_FALSE(parse_receipt(mo));
}

TEST_CASE("receipt id normalisation: as-is differs only in case and leading zeros") {
  const auto m = receipt_id_mode::as_is;
  CHECK(normalise_receipt_id("00AB12", m, id_origin::submit_resp) == normalise_receipt_id("ab12", m, id_origin::receipt));
  CHECK(normalise_receipt_id(" 0042 ", m, id_origin::receipt) == "42");
  CHECK(normalise_receipt_id("000", m, id_origin::receipt) == "0");
  CHECK(normalise_receipt_id("msg-7f", m, id_origin::receipt) == "msg-7f");
  CHECK(normalise_receipt_id("42", m, id_origin::receipt) != normalise_receipt_id("2a", m, id_origin::submit_resp));
}

TEST_CASE("receipt id normalisation: hex submit ids, decimal receipt ids (receipt_id: dec)") {
  const auto m = receipt_id_mode::dec;
  // 0x1A2B = 6699
  const auto key = normalise_receipt_id("1A2B", m, id_origin::submit_resp);
  CHECK(key == "6699");
  CHECK(normalise_receipt_id("6699", m, id_origin::receipt) == key);
  CHECK(normalise_receipt_id("0000006699", m, id_origin::receipt) == key);
  CHECK(normalise_receipt_id("00001a2b", m, id_origin::submit_resp) == key);
  // A receipt that kept hex after all (letters present) still matches.
  CHECK(normalise_receipt_id("1a2b", m, id_origin::receipt) == key);
  // Digits-only hex ids: "10" from the SMSC is 16.
  CHECK(normalise_receipt_id("10", m, id_origin::submit_resp) == normalise_receipt_id("16", m, id_origin::receipt));
  // Beyond 64 bits or not a number: the as-is form, so equal strings still match.
  const std::string huge = "ffffffffffffffffffff";
  CHECK(normalise_receipt_id(huge, m, id_origin::submit_resp) == huge);
  CHECK(normalise_receipt_id("x-1", m, id_origin::receipt) == "x-1");
}

TEST_CASE("receipt id normalisation: decimal submit ids, hex receipt ids (receipt_id: hex)") {
  const auto m = receipt_id_mode::hex;
  CHECK(normalise_receipt_id("6699", m, id_origin::submit_resp) == normalise_receipt_id("1A2B", m, id_origin::receipt));
  CHECK(normalise_receipt_id("06699", m, id_origin::submit_resp) == normalise_receipt_id("00001a2b", m, id_origin::receipt));
  CHECK(normalise_receipt_id("16", m, id_origin::submit_resp) == normalise_receipt_id("10", m, id_origin::receipt));
  CHECK(parse_receipt_id_mode("as-is") == receipt_id_mode::as_is);
  CHECK(parse_receipt_id_mode("dec") == receipt_id_mode::dec);
  CHECK_FALSE(parse_receipt_id_mode("octal"));
}
