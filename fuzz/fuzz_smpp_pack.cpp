// libFuzzer target: random field values for the PDUs the direct writer writes (submit_sm, deliver_sm,
// submit_sm_resp, deliver_sm_resp), packed by encode() (the direct writer) and by encode_with_smpp34()
// (libsmpp34). Both must refuse the same bodies and otherwise write the same octets; encodable() must say
// what encode() does; and what was written must decode back to the same PDU (abort on any disagreement).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gateway/smpp/codec.hpp"
#include "gateway/smpp/smpp34_bridge.hpp"

namespace {

using namespace loa::smpp;

[[noreturn]] void disagree(const char* what, const std::vector<std::uint8_t>& ours,
                           const std::vector<std::uint8_t>& theirs) {
  std::fprintf(stderr, "fuzz_smpp_pack: %s; direct=%s libsmpp34=%s\n", what, to_hex(ours).c_str(),
               to_hex(theirs).c_str());
  std::abort();
}

// Mostly short printable strings near the field limits, now and then a NUL or any octet.
std::string field_text(FuzzedDataProvider& in, std::size_t around) {
  const auto n = in.ConsumeIntegralInRange<std::size_t>(0, around + 2);
  std::string s;
  for (std::size_t i = 0; i < n && in.remaining_bytes() > 0; ++i) {
    const auto c = in.ConsumeIntegral<std::uint8_t>();
    s.push_back(static_cast<char>(c < 8 ? (c == 0 ? 0 : '0' + c) : c));
  }
  return s;
}

std::uint8_t small_or_any(FuzzedDataProvider& in) {
  return in.ConsumeBool() ? in.ConsumeIntegralInRange<std::uint8_t>(0, 20) : in.ConsumeIntegral<std::uint8_t>();
}

std::vector<tlv> some_tlvs(FuzzedDataProvider& in) {
  std::vector<tlv> tlvs;
  const auto count = in.ConsumeIntegralInRange<int>(0, 4);
  for (int i = 0; i < count; ++i) {
    tlv t;
    static constexpr std::uint16_t tags[] = {tag::sar_msg_ref_num, tag::sar_total_segments, tag::sar_segment_seqnum,
                                             tag::message_payload, tag::receipted_message_id, tag::message_state};
    t.tag = in.ConsumeBool() ? tags[in.ConsumeIntegralInRange<std::size_t>(0, 5)] : in.ConsumeIntegral<std::uint16_t>();
    t.value = in.ConsumeBytes<std::uint8_t>(in.ConsumeIntegralInRange<std::size_t>(0, 1500));
    tlvs.push_back(std::move(t));
  }
  return tlvs;
}

pdu some_pdu(FuzzedDataProvider& in) {
  static constexpr command_id ids[] = {command_id::submit_sm, command_id::deliver_sm, command_id::submit_sm_resp,
                                       command_id::deliver_sm_resp};
  pdu p;
  p.id = ids[in.ConsumeIntegralInRange<std::size_t>(0, 3)];
  p.status = in.ConsumeBool() ? 0 : in.ConsumeIntegral<std::uint32_t>();
  p.sequence = in.ConsumeIntegral<std::uint32_t>();
  if (p.id == command_id::submit_sm_resp || p.id == command_id::deliver_sm_resp) {
    message_resp r;
    r.message_id = field_text(in, p.id == command_id::submit_sm_resp ? 64 : 0);
    r.tlvs = some_tlvs(in);
    p.content = std::move(r);
    return p;
  }
  short_message m;
  m.service_type = field_text(in, 5);
  m.source = {small_or_any(in), small_or_any(in), field_text(in, 20)};
  m.destination = {small_or_any(in), small_or_any(in), field_text(in, 20)};
  m.esm_class = in.ConsumeIntegral<std::uint8_t>();
  m.protocol_id = in.ConsumeIntegral<std::uint8_t>();
  m.priority_flag = in.ConsumeIntegral<std::uint8_t>();
  m.schedule_delivery_time = field_text(in, p.id == command_id::submit_sm ? 16 : 0);
  m.validity_period = field_text(in, p.id == command_id::submit_sm ? 16 : 0);
  m.registered_delivery = in.ConsumeIntegral<std::uint8_t>();
  m.replace_if_present_flag = in.ConsumeIntegral<std::uint8_t>();
  m.data_coding = in.ConsumeIntegral<std::uint8_t>();
  m.sm_default_msg_id = in.ConsumeIntegral<std::uint8_t>();
  m.message = in.ConsumeBytes<std::uint8_t>(in.ConsumeIntegralInRange<std::size_t>(0, 256));
  m.tlvs = some_tlvs(in);
  p.content = std::move(m);
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const auto p = some_pdu(in);
  std::vector<std::uint8_t> ours{0x5a}, theirs{0x5a};  // both append to what the buffer holds
  const auto ec_ours = encode(p, ours);
  const auto ec_theirs = encode_with_smpp34(p, theirs);
  if (static_cast<bool>(ec_ours) != static_cast<bool>(ec_theirs)) disagree("one refused, the other packed", ours, theirs);
  if (ours != theirs) disagree("different octets", ours, theirs);
  if (const auto* m = std::get_if<short_message>(&p.content); m && p.id == command_id::submit_sm)
    if (encodable(*m) == static_cast<bool>(ec_ours)) disagree("encodable() and encode() disagree", ours, theirs);
  if (ec_ours) return 0;
  const std::vector<std::uint8_t> wire(ours.begin() + 1, ours.end());
  const auto back = decode(wire);
  if (!back) disagree("what we wrote does not decode", ours, theirs);
  const bool body_dropped = p.status != 0 && p.id == command_id::submit_sm_resp;
  if (!body_dropped && !(back.value == p)) disagree("decode(encode(pdu)) != pdu", ours, theirs);
  return 0;
}
