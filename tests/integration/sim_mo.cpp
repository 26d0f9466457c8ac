// loa-smsc-sim --mo FILE: citizens' messages delivered as deliver_sm, long ones in UDH parts that the
// receiver reassembles with segments' own decoding.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "segments/decode.hpp"
#include "segments/udh.hpp"
#include "tests/integration/fixtures/process.hpp"
#include "tests/integration/fixtures/smpp_client.hpp"

using namespace loa;
using smpp::command_id;

namespace {

// One MO as the receiver put it back together.
struct received_mo {
  std::string from, to, text;
  std::size_t parts = 0;
  std::uint8_t data_coding = 0;
};

// Writes `content` to a fresh temporary file (removed with the guard).
struct temp_file {
  explicit temp_file(const std::string& content, std::string_view stem = "sim-mo")
      : path(test::temp_path(stem)) {
    std::ofstream(path, std::ios::binary) << content;
  }
  ~temp_file() { std::filesystem::remove(path); }
  std::string path;
};

// Reads deliver_sm until `count` whole messages are reassembled (each PDU acknowledged), in completion order.
std::vector<received_mo> receive_mo(test::smpp_client& c, std::size_t count) {
  std::vector<received_mo> done;
  std::map<std::pair<std::string, std::uint16_t>, std::map<std::uint8_t, std::string>> partial;
  while (done.size() < count) {
    const auto d = c.read_until(command_id::deliver_sm);
    REQUIRE(d);
    c.send(smpp::pdu{command_id::deliver_sm_resp, 0, d->sequence, smpp::message_resp{}});
    const auto& m = std::get<smpp::short_message>(d->content);
    CHECK((m.esm_class & smpp::esm::message_type_mask) == 0);  // an MO, not a receipt
    std::span<const std::uint8_t> body = m.message;
    std::optional<segments::udh_concat> concat;
    if (m.esm_class & smpp::esm::udhi) {
      std::size_t udh_length = 0;
      concat = segments::parse_concat_udh(m.message, udh_length);
      REQUIRE(concat);
      body = body.subspan(udh_length);
    }
    const auto text = segments::decode_text(body, m.data_coding);
    if (!concat) {
      done.push_back({m.source.addr, m.destination.addr, text, 1, m.data_coding});
      continue;
    }
    auto& parts = partial[{m.source.addr, concat->reference}];
    parts[concat->sequence] = text;
    if (parts.size() < concat->total) continue;
    received_mo whole{m.source.addr, m.destination.addr, "", parts.size(), m.data_coding};
    for (const auto& [seq, t] : parts) whole.text += t;
    partial.erase({m.source.addr, concat->reference});
    done.push_back(std::move(whole));
  }
  return done;
}

const std::string long_vietnamese =
    "Kính gửi UBND phường Long Thủy: đường ống nước ở tổ 5 bị vỡ từ sáng nay, nước chảy tràn ra đường, "
    "đề nghị cho người đến sửa gấp. Xin cảm ơn!";
const std::string long_ascii =
    "Toi la cu dan to 7, xin hoi lich tiem chung mo rong cho tre em thang nay la ngay nao, o dau, can mang "
    "theo giay to gi? Cam on can bo phuong da tra loi. Chuc suc khoe!";

}  // namespace

TEST_CASE("sim --mo: JSON lines -> deliver_sm, long texts in UDH parts, Vietnamese in UCS-2") {
  const temp_file file(
      boost::json::serialize(boost::json::object{{"from", "84912345678"}, {"to", "8088"}, {"text", "HUY"}}) +
      "\n" +
      boost::json::serialize(boost::json::object{
          {"from", "84971112233"}, {"to", "8088"}, {"text", long_vietnamese}, {"delay_ms", 5}}) +
      "\n# a comment, then a blank line\n\n" +
      boost::json::serialize(
          boost::json::object{{"from", "84331234567"}, {"to", "LOA"}, {"text", long_ascii}}) +
      "\n");
  test::smsc_sim sim({"--mo", file.path});
  test::smpp_client c(sim.port);
  REQUIRE(c.bind(command_id::bind_transceiver, "loa", "pw")->status == 0);
  const auto got = receive_mo(c, 3);
  REQUIRE(got.size() == 3);
  CHECK(got[0].from == "84912345678");
  CHECK(got[0].to == "8088");
  CHECK(got[0].text == "HUY");
  CHECK(got[0].parts == 1);
  CHECK(got[0].data_coding == 0x00);
  CHECK(got[1].from == "84971112233");
  CHECK(got[1].text == long_vietnamese);
  CHECK(got[1].data_coding == 0x08);
  CHECK(got[1].parts == 3);  // 124 characters in UCS-2: 67 per part
  CHECK(got[2].to == "LOA");
  CHECK(got[2].text == long_ascii);
  CHECK(got[2].data_coding == 0x00);
  CHECK(got[2].parts == 2);  // 167 septets: 153 per part
}

TEST_CASE(
    "sim --mo: CSV with a header and quoted fields; held until a receiver binds, not sent to transmitters") {
  const temp_file file(
      "from,to,text,delay_ms\r\n"
      "84912345678,8088,\"Xin chào, phường ơi\",0\r\n"
      "84912345679,8088,\"She said \"\"DK\"\"\",1\r\n",
      "sim-mo-csv");
  test::smsc_sim sim({"--mo", file.path});
  test::smpp_client tx(sim.port);
  REQUIRE(tx.bind(command_id::bind_transmitter, "loa", "pw")->status == 0);
  test::smpp_client rx(sim.port);
  REQUIRE(rx.bind(command_id::bind_receiver, "loa", "pw")->status == 0);
  const auto got = receive_mo(rx, 2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].text == "Xin chào, phường ơi");
  CHECK(got[0].data_coding == 0x08);
  CHECK(got[1].text == "She said \"DK\"");
  // Everything went to the receiver: the transmitter's next PDU is the answer to its enquire_link.
  tx.send(command_id::enquire_link, smpp::empty{});
  const auto next = tx.read();
  REQUIRE(next);
  REQUIRE(*next);
  CHECK(next->value.id == command_id::enquire_link_resp);
}

TEST_CASE("sim --mo: an MO due while no receiver is bound waits for the next bind") {
  // "second" comes due 1.5 s after "first": long after the first receiver has gone.
  const temp_file file("84912345678,8088,first\n84912345678,8088,second,1500\n", "sim-mo-wait");
  test::smsc_sim sim({"--mo", file.path});
  {
    test::smpp_client rx(sim.port);
    REQUIRE(rx.bind(command_id::bind_transceiver, "loa", "pw")->status == 0);
    const auto got = receive_mo(rx, 1);
    CHECK(got.at(0).text == "first");
  }  // disconnects; "second" may come due while nobody listens
  test::smpp_client rx(sim.port);
  REQUIRE(rx.bind(command_id::bind_transceiver, "loa", "pw")->status == 0);
  const auto got = receive_mo(rx, 1);
  CHECK(got.at(0).text == "second");
}

TEST_CASE("sim --mo: a bad file is refused at start with FILE:LINE and exit code 1") {
  const temp_file file("84912345678,8088,ok\n84912345678,8088\n", "sim-mo-bad");
  const auto err = test::temp_path("sim-mo-err");
  test::child_process p(test::smsc_sim_path(), {"--port", "0", "--mo", file.path}, err);
  CHECK(p.stop(0, std::chrono::seconds(10)) == 1);
  std::ifstream in(err);
  const std::string message((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(message.find(file.path + ":2: expected from,to,text[,delay_ms]") != std::string::npos);
  std::filesystem::remove(err);
}
