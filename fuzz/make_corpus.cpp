// Writes the seed corpus of fuzz_smpp_frame: real PDUs of each kind loa meets, encoded by our codec, one per
// file (and one file holding several back to back, as a socket delivers them). Run once; the output is
// checked in under fuzz/corpus/fuzz_smpp_frame/.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "gateway/smpp/codec.hpp"

using namespace loa::smpp;

namespace {

std::vector<std::uint8_t> bytes_of(const pdu& p) {
  std::error_code ec;
  auto out = encode(p, ec);
  if (ec) {
    std::cerr << "make_corpus: cannot encode 0x" << std::hex << static_cast<std::uint32_t>(p.id) << ": "
              << ec.message() << '\n';
    std::exit(1);
  }
  return out;
}

short_message submit_with_udh() {
  short_message m;
  m.source = {5, 0, "UBND LongThuy"};
  m.destination = {1, 1, "84912345678"};
  m.esm_class = esm::udhi;
  m.registered_delivery = 1;
  m.data_coding = 0x08;
  m.message = {0x05, 0x00, 0x03, 0x2A, 0x02, 0x01};  // UDH: reference 0x2A, part 1 of 2
  for (char16_t c : std::u16string(u"Thông báo: cúp nước")) {
    m.message.push_back(static_cast<std::uint8_t>(c >> 8));
    m.message.push_back(static_cast<std::uint8_t>(c));
  }
  return m;
}

short_message submit_with_sar() {
  short_message m;
  m.source = {5, 0, "LOA"};
  m.destination = {1, 1, "84971234567"};
  m.message = {'H', 'o', 'p', ' ', 't', 'o', ' ', 'd', 'a', 'n', ' ', 'p', 'h', 'o'};
  m.tlvs = {make_tlv_u16(tag::sar_msg_ref_num, 0x1234), make_tlv_u8(tag::sar_total_segments, 3),
            make_tlv_u8(tag::sar_segment_seqnum, 2)};
  return m;
}

short_message receipt() {
  short_message m;
  m.source = {1, 1, "84912345678"};
  m.destination = {5, 0, "LOA"};
  m.esm_class = esm::delivery_receipt;
  const std::string text =
      "id:0000102A sub:001 dlvrd:001 submit date:2611221030 done date:2611221031 stat:DELIVRD err:000 "
      "text:Thong bao cup nuoc";
  m.message.assign(text.begin(), text.end());
  m.tlvs = {make_tlv_cstring(tag::receipted_message_id, "0000102A"), make_tlv_u8(tag::message_state, 2),
            tlv{tag::network_error_code, {0x03, 0x00, 0x00}}, tlv{0x1401, {0xde, 0xad}}};
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_corpus DIR\n";
    return 1;
  }
  const std::string dir = argv[1];
  std::vector<std::pair<std::string, pdu>> seeds;
  bind b{"loa", "secret", "SMS", 0x34, {0, 0, ""}};
  seeds.push_back({"bind_transmitter", pdu{command_id::bind_transmitter, 0, 1, b}});
  seeds.push_back({"bind_receiver", pdu{command_id::bind_receiver, 0, 2, b}});
  b.address_range = {1, 1, "^849"};
  seeds.push_back({"bind_transceiver", pdu{command_id::bind_transceiver, 0, 3, b}});
  seeds.push_back(
      {"bind_transceiver_resp", pdu{command_id::bind_transceiver_resp, 0, 3, bind_resp{"SMSC", 0x34}}});
  seeds.push_back(
      {"bind_transmitter_resp_fail", pdu{command_id::bind_transmitter_resp, 0x0D, 1, bind_resp{}}});
  seeds.push_back({"submit_sm_udh_ucs2", pdu{command_id::submit_sm, 0, 7, submit_with_udh()}});
  seeds.push_back({"submit_sm_sar", pdu{command_id::submit_sm, 0, 8, submit_with_sar()}});
  seeds.push_back({"submit_sm_resp", pdu{command_id::submit_sm_resp, 0, 7, message_resp{"0000102A", {}}}});
  seeds.push_back({"submit_sm_resp_throttled", pdu{command_id::submit_sm_resp, 0x58, 9, message_resp{}}});
  seeds.push_back({"deliver_sm_receipt", pdu{command_id::deliver_sm, 0, 0x10, receipt()}});
  seeds.push_back({"deliver_sm_resp", pdu{command_id::deliver_sm_resp, 0, 0x10, message_resp{}}});
  data_message d;
  d.source = {5, 0, "LOA"};
  d.destination = {1, 1, "84912345678"};
  d.data_coding = 0x08;
  d.tlvs = {tlv{tag::message_payload, {0x00, 0x54, 0x00, 0x68, 0x1E, 0xA1}}};
  seeds.push_back({"data_sm_payload", pdu{command_id::data_sm, 0, 11, d}});
  seeds.push_back({"data_sm_resp", pdu{command_id::data_sm_resp, 0, 11, message_resp{"77", {}}}});
  seeds.push_back({"outbind", pdu{command_id::outbind, 0, 12, outbind{"SMSC", "pw"}}});
  seeds.push_back({"enquire_link", pdu{command_id::enquire_link, 0, 13, empty{}}});
  seeds.push_back({"enquire_link_resp", pdu{command_id::enquire_link_resp, 0, 13, empty{}}});
  seeds.push_back({"unbind", pdu{command_id::unbind, 0, 14, empty{}}});
  seeds.push_back({"unbind_resp", pdu{command_id::unbind_resp, 0, 14, empty{}}});
  seeds.push_back({"generic_nack", make_generic_nack(0, 0x03)});

  std::vector<std::uint8_t> stream;
  for (const auto& [name, p] : seeds) {
    const auto bytes = bytes_of(p);
    stream.insert(stream.end(), bytes.begin(), bytes.end());
    std::ofstream(dir + "/" + name + ".bin", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  // Several PDUs in one read, the last one cut short, as TCP delivers them.
  stream.resize(stream.size() - 5);
  std::ofstream(dir + "/stream_cut.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(stream.data()), static_cast<std::streamsize>(stream.size()));
  std::cout << seeds.size() + 1 << " seeds written to " << dir << '\n';
  return 0;
}
