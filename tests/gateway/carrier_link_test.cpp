#include "gateway/carrier_link.hpp"

#include <doctest/doctest.h>

using namespace loa;
using namespace std::chrono_literals;

namespace {

config::carrier_config viettel() {
  config::carrier_config c;
  c.name = "viettel";
  c.host = "127.0.0.1";
  c.port = 2775;
  c.system_id = "loa";
  c.password = config::secret("secret");
  c.window = 50;
  c.tps = 200;
  c.enquire_link = 30s;
  c.command_status = {{0x58, config::status_action::slow_down}, {0x45, config::status_action::retry}};
  c.other_status = config::status_action::retry;
  return c;
}

segments::message split_ok(std::string_view text, const segments::split_options& o) {
  segments::message m;
  REQUIRE(segments::split(text, o, m));
  return m;
}

}  // namespace

TEST_CASE("carrier_link: bind settings come from the carrier's configuration") {
  const auto b = gateway::bind_settings_for(viettel());
  CHECK(b.host == "127.0.0.1");
  CHECK(b.port == 2775);
  CHECK(b.session.system_id == "loa");
  CHECK(b.session.password == "secret");
  CHECK(b.session.window == 50);
  CHECK(b.session.mode == smpp::bind_mode::transceiver);
  CHECK(smpp::classify(b.session.statuses, 0x58) == smpp::status_action::retry_slow_down);
  CHECK(smpp::classify(b.session.statuses, 0x45) == smpp::status_action::retry);
  CHECK(smpp::classify(b.session.statuses, 0x0B) == smpp::status_action::permanent);  // DOMAIN.md default
  CHECK(smpp::classify(b.session.statuses, 0x99) == smpp::status_action::retry);      // other
  CHECK(gateway::rate_settings_for(viettel()).tps == 200);
}

TEST_CASE("carrier_link: split options follow the carrier, its cap falling back to the limits") {
  auto c = viettel();
  c.concat = config::concat_method::sar;
  c.data_coding_gsm = 1;
  config::limits_config limits;
  limits.max_parts = 7;
  auto o = gateway::split_options_for(c, limits, segments::accents::strip, 42);
  CHECK(o.concat == segments::concat_method::sar);
  CHECK(o.gsm7_data_coding == 1);
  CHECK(o.max_parts == 7);
  CHECK(o.reference == 42);
  CHECK(o.accent_policy == segments::accents::strip);
  c.max_parts = 3;
  CHECK(gateway::split_options_for(c, limits, segments::accents::keep, 0).max_parts == 3);
}

TEST_CASE("carrier_link: validity as SMPP relative time") {
  CHECK(gateway::relative_validity(24h) == "000001000000000R");
  CHECK(gateway::relative_validity(90min) == "000000013000000R");
  CHECK(gateway::relative_validity(std::chrono::seconds(2 * 86400 + 3 * 3600 + 4 * 60 + 5)) ==
        "000002030405000R");
}

TEST_CASE("carrier_link: submit bodies carry the parts, addresses and receipts request") {
  auto c = viettel();
  const auto m =
      split_ok(std::string(200, 'a'), gateway::split_options_for(c, {}, segments::accents::keep, 7));
  const auto bodies = gateway::submit_bodies(m, c, {"UBND LThuy", "84912345678", true, 24h});
  REQUIRE(bodies.size() == 2);
  CHECK(bodies[0].source == smpp::address{5, 0, "UBND LThuy"});
  CHECK(bodies[0].destination == smpp::address{1, 1, "84912345678"});
  CHECK(bodies[0].esm_class == 0x40);
  CHECK(bodies[0].registered_delivery == 1);
  CHECK(bodies[0].validity_period == "000001000000000R");
  CHECK(bodies[0].message.size() == 6 + 153);
  CHECK(bodies[1].message[5] == 2);  // UDH sequence number of part 2
}

TEST_CASE("carrier_link: SAR TLVs, message_payload and the national number form") {
  auto c = viettel();
  c.concat = config::concat_method::sar;
  c.dest = {2, 1};
  c.dest_number = config::number_form::national;
  auto m =
      split_ok(std::string(200, 'b'), gateway::split_options_for(c, {}, segments::accents::keep, 0x0102));
  auto bodies = gateway::submit_bodies(m, c, {"UBND", "84912345678", false, 1h});
  REQUIRE(bodies.size() == 2);
  CHECK(bodies[1].destination == smpp::address{2, 1, "0912345678"});
  CHECK(bodies[1].esm_class == 0);
  CHECK(bodies[1].registered_delivery == 0);
  CHECK(smpp::tlv_integer(*smpp::find_tlv(bodies[1].tlvs, smpp::tag::sar_msg_ref_num)) == 0x0102);
  CHECK(smpp::tlv_integer(*smpp::find_tlv(bodies[1].tlvs, smpp::tag::sar_total_segments)) == 2);
  CHECK(smpp::tlv_integer(*smpp::find_tlv(bodies[1].tlvs, smpp::tag::sar_segment_seqnum)) == 2);

  c.concat = config::concat_method::payload;
  m = split_ok(std::string(200, 'c'), gateway::split_options_for(c, {}, segments::accents::keep, 0));
  bodies = gateway::submit_bodies(m, c, {"UBND", "84912345678", true, 1h});
  REQUIRE(bodies.size() == 1);
  CHECK(bodies[0].message.empty());
  CHECK(smpp::find_tlv(bodies[0].tlvs, smpp::tag::message_payload)->value.size() == 200);
}
