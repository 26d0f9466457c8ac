// codec_bench (Google Benchmark): ns per PDU for what the gateway packs and reads once per message: the
// submit_sm (one GSM-7 part; one part of a 3-part UCS-2 text with UDH; SAR TLVs; message_payload), the
// deliver_sm_resp it answers each receipt with, and the decoding of the submit_sm_resp and the deliver_sm
// receipt. Each pack appends to a reused buffer, as bind_driver does. Figures only (docs/PERFORMANCE.md,
// "Codec: one pack, a direct writer").
#include <benchmark/benchmark.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "gateway/smpp/codec.hpp"
#include "gateway/smpp/smpp34_bridge.hpp"
#include "segments/split.hpp"

namespace {

using namespace loa::smpp;

const char* const gsm_text = "UBND phuong Long Thuy: lich tiem chung dot 2 vao 7h30 thu Bay 28/11 tai nha van hoa to 5.";
const char* const vi_text =
    "UBND phường Long Thủy thông báo: lịch tiêm chủng đợt 2 cho trẻ em dưới 5 tuổi vào 7 giờ 30 sáng thứ Bảy "
    "28/11 tại nhà văn hoá tổ 5. Mang theo sổ tiêm chủng và thẻ bảo hiểm y tế.";

// A submit_sm body as gateway/carrier_link.cpp builds it for one recipient: part `part` of `text`.
short_message body_of(const char* text, loa::segments::concat_method concat, std::size_t part, std::size_t parts) {
  loa::segments::split_options o;
  o.concat = concat;
  o.reference = 0x1234;
  loa::segments::message m;
  if (!loa::segments::split(text, o, m) || m.parts.size() != parts)
    throw std::runtime_error("the benchmark text does not split as expected");
  short_message sm;
  sm.source = {5, 0, "UBND LThuy"};
  sm.destination = {1, 1, "84912345678"};
  sm.esm_class = m.esm_class;
  sm.data_coding = m.data_coding;
  sm.registered_delivery = 1;
  sm.validity_period = "000001000000000R";
  const auto b = m.short_message(part);
  sm.message.assign(b.begin(), b.end());
  if (auto sar = m.sar(part)) {
    sm.tlvs.push_back(make_tlv_u16(tag::sar_msg_ref_num, sar->reference));
    sm.tlvs.push_back(make_tlv_u8(tag::sar_total_segments, sar->total));
    sm.tlvs.push_back(make_tlv_u8(tag::sar_segment_seqnum, sar->sequence));
  }
  if (m.uses_payload()) {
    const auto p = m.message_payload();
    sm.tlvs.push_back(tlv{tag::message_payload, {p.begin(), p.end()}});
  }
  return sm;
}

using packer = std::error_code (*)(const pdu&, std::vector<std::uint8_t>&);
using reader = decode_result (*)(std::span<const std::uint8_t>);

void pack_loop(benchmark::State& state, const pdu& p, packer pack = encode) {
  std::vector<std::uint8_t> out;
  out.reserve(4096);
  for (auto _ : state) {
    out.clear();
    if (pack(p, out)) state.SkipWithError("encode failed");
    benchmark::DoNotOptimize(out.data());
  }
}

void decode_loop(benchmark::State& state, const pdu& p, reader read = decode) {
  std::error_code ec;
  const auto wire = encode(p, ec);
  if (ec) throw std::runtime_error("encode failed");
  for (auto _ : state) {
    auto r = read(wire);
    if (!r) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
}

void BM_pack_submit_sm_gsm_1part(benchmark::State& state) {
  pack_loop(state, {command_id::submit_sm, 0, 7, body_of(gsm_text, loa::segments::concat_method::udh8, 0, 1)});
}
BENCHMARK(BM_pack_submit_sm_gsm_1part);

void BM_pack_submit_sm_ucs2_udh_part2of3(benchmark::State& state) {
  pack_loop(state, {command_id::submit_sm, 0, 7, body_of(vi_text, loa::segments::concat_method::udh8, 1, 3)});
}
BENCHMARK(BM_pack_submit_sm_ucs2_udh_part2of3);

void BM_pack_submit_sm_ucs2_sar_part2of3(benchmark::State& state) {
  pack_loop(state, {command_id::submit_sm, 0, 7, body_of(vi_text, loa::segments::concat_method::sar, 1, 3)});
}
BENCHMARK(BM_pack_submit_sm_ucs2_sar_part2of3);

void BM_pack_submit_sm_ucs2_message_payload(benchmark::State& state) {
  pack_loop(state, {command_id::submit_sm, 0, 7, body_of(vi_text, loa::segments::concat_method::payload, 0, 1)});
}
BENCHMARK(BM_pack_submit_sm_ucs2_message_payload);

// The same through libsmpp34 (the path before issue 16), in the same binary and under the same load.
void BM_pack_submit_sm_gsm_1part_libsmpp34(benchmark::State& state) {
  pack_loop(state, {command_id::submit_sm, 0, 7, body_of(gsm_text, loa::segments::concat_method::udh8, 0, 1)},
            encode_with_smpp34);
}
BENCHMARK(BM_pack_submit_sm_gsm_1part_libsmpp34);

void BM_check_submit_sm_encodable(benchmark::State& state) {
  const auto m = body_of(gsm_text, loa::segments::concat_method::udh8, 0, 1);
  for (auto _ : state) benchmark::DoNotOptimize(encodable(m));
}
BENCHMARK(BM_check_submit_sm_encodable);

void BM_pack_deliver_sm_resp(benchmark::State& state) {
  pack_loop(state, {command_id::deliver_sm_resp, 0, 0x10, message_resp{}});
}
BENCHMARK(BM_pack_deliver_sm_resp);

void BM_pack_deliver_sm_resp_libsmpp34(benchmark::State& state) {
  pack_loop(state, {command_id::deliver_sm_resp, 0, 0x10, message_resp{}}, encode_with_smpp34);
}
BENCHMARK(BM_pack_deliver_sm_resp_libsmpp34);

void BM_decode_submit_sm_resp(benchmark::State& state) {
  decode_loop(state, {command_id::submit_sm_resp, 0, 7, message_resp{"0a1b2c3d4e", {}}});
}
BENCHMARK(BM_decode_submit_sm_resp);

void BM_decode_submit_sm_resp_libsmpp34(benchmark::State& state) {
  decode_loop(state, {command_id::submit_sm_resp, 0, 7, message_resp{"0a1b2c3d4e", {}}}, decode_with_smpp34);
}
BENCHMARK(BM_decode_submit_sm_resp_libsmpp34);

pdu receipt() {
  short_message m;
  m.source = {1, 1, "84912345678"};
  m.destination = {5, 0, "UBND LThuy"};
  m.esm_class = esm::delivery_receipt;
  const std::string text =
      "id:0a1b2c3d4e sub:001 dlvrd:001 submit date:2612050700 done date:2612050700 stat:DELIVRD err:000 "
      "text:UBND phuong Long T";
  m.message.assign(text.begin(), text.end());
  m.tlvs = {make_tlv_cstring(tag::receipted_message_id, "0a1b2c3d4e"), make_tlv_u8(tag::message_state, 2)};
  return {command_id::deliver_sm, 0, 0x10, m};
}

void BM_decode_deliver_sm_receipt(benchmark::State& state) { decode_loop(state, receipt()); }
BENCHMARK(BM_decode_deliver_sm_receipt);

void BM_decode_deliver_sm_receipt_libsmpp34(benchmark::State& state) {
  decode_loop(state, receipt(), decode_with_smpp34);
}
BENCHMARK(BM_decode_deliver_sm_receipt_libsmpp34);

}  // namespace

BENCHMARK_MAIN();
