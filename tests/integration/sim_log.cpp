// loa-smsc-sim's JSON lines: one per accepted submit, one per complete message with the reassembled text.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fstream>

#include "tests/integration/fixtures/process.hpp"
#include "tests/integration/fixtures/smpp_client.hpp"

using namespace loa;
using smpp::command_id;

namespace {

std::vector<boost::json::object> read_lines(const std::string& path) {
  std::vector<boost::json::object> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) out.push_back(boost::json::parse(line).as_object());
  return out;
}

std::vector<boost::json::object> events(const std::vector<boost::json::object>& lines,
                                        std::string_view kind) {
  std::vector<boost::json::object> out;
  for (const auto& o : lines)
    if (o.at("event").as_string() == kind) out.push_back(o);
  return out;
}

void submit_ok(test::smpp_client& c, smpp::short_message m) {
  const auto seq = c.send(command_id::submit_sm, std::move(m));
  const auto r = c.read_until(command_id::submit_sm_resp);
  REQUIRE(r);
  CHECK(r->sequence == seq);
  CHECK(r->status == 0);
}

}  // namespace

TEST_CASE("sim log: a 2-part UDH message is reassembled, parts out of order") {
  const auto path = test::temp_path("sim-log");
  {
    test::smsc_sim sim({"--log", path});
    test::smpp_client c(sim.port);
    REQUIRE(c.bind(command_id::bind_transmitter, "loa", "pw")->status == 0);
    auto part = [](std::uint8_t seq, const std::string& text) {
      auto m = test::text_message("84912345678", "", 0);
      m.esm_class = smpp::esm::udhi;
      m.message = {0x05, 0x00, 0x03, 0x2a, 0x02, seq};
      m.message.insert(m.message.end(), text.begin(), text.end());
      return m;
    };
    submit_ok(c, part(2, "world"));
    submit_ok(c, part(1, "Hello "));
  }
  const auto lines = read_lines(path);
  CHECK(events(lines, "submit").size() == 2);
  const auto done = events(lines, "message");
  REQUIRE(done.size() == 1);
  CHECK(done[0].at("text").as_string() == "Hello world");
  CHECK(done[0].at("parts").as_int64() == 2);
  CHECK(done[0].at("method").as_string() == "udh8");
  CHECK(done[0].at("destination").as_string() == "84912345678");
  CHECK(done[0].at("ids").as_array().size() == 2);
  std::remove(path.c_str());
}

TEST_CASE("sim log: SAR TLVs with UCS-2 text, a 16-bit UDH, message_payload and a single part") {
  const auto path = test::temp_path("sim-log");
  {
    test::smsc_sim sim({"--log", path});
    test::smpp_client c(sim.port);
    REQUIRE(c.bind(command_id::bind_transceiver, "loa", "pw")->status == 0);
    // SAR, UCS-2: "Đi" + "ện" = "Điện"
    for (std::uint8_t seq : {std::uint8_t{1}, std::uint8_t{2}}) {
      auto m = test::text_message("84987654321", "", 0);
      m.data_coding = 8;
      m.message = seq == 1 ? std::vector<std::uint8_t>{0x01, 0x10, 0x00, 0x69}
                           : std::vector<std::uint8_t>{0x1e, 0xc7, 0x00, 0x6e};
      m.tlvs = {smpp::make_tlv_u16(smpp::tag::sar_msg_ref_num, 0x1234),
                smpp::make_tlv_u8(smpp::tag::sar_total_segments, 2),
                smpp::make_tlv_u8(smpp::tag::sar_segment_seqnum, seq)};
      submit_ok(c, m);
    }
    // 16-bit UDH, 2 parts.
    for (std::uint8_t seq : {std::uint8_t{1}, std::uint8_t{2}}) {
      auto m = test::text_message("84911111111", "", 0);
      m.esm_class = smpp::esm::udhi;
      m.message = {0x06, 0x08, 0x04, 0x01, 0x02, 0x02, seq, static_cast<std::uint8_t>(seq == 1 ? 'A' : 'B')};
      submit_ok(c, m);
    }
    // message_payload.
    auto payload = test::text_message("84922222222", "", 0);
    payload.tlvs = {{smpp::tag::message_payload, {'l', 'o', 'n', 'g'}}};
    submit_ok(c, payload);
    // One plain part.
    submit_ok(c, test::text_message("84933333333", "Hop to dan pho 19:30", 0));
  }
  const auto done = events(read_lines(path), "message");
  REQUIRE(done.size() == 4);
  CHECK(done[0].at("text").as_string() == "\xC4\x90i\xE1\xBB\x87n");  // "Điện"
  CHECK(done[0].at("method").as_string() == "sar");
  CHECK(done[0].at("parts").as_int64() == 2);
  CHECK(done[1].at("text").as_string() == "AB");
  CHECK(done[1].at("method").as_string() == "udh16");
  CHECK(done[2].at("text").as_string() == "long");
  CHECK(done[2].at("method").as_string() == "payload");
  CHECK(done[3].at("text").as_string() == "Hop to dan pho 19:30");
  CHECK(done[3].at("parts").as_int64() == 1);
  std::remove(path.c_str());
}
