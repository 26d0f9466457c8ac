// libFuzzer target: arbitrary received bytes -> probe_frame -> decode, and every PDU that decodes is encoded
// again and decoded again. The reader must never crash, and the codec must agree with itself: what it decodes
// it can write back, and reading that back gives the same PDU; and the direct reader must agree with libsmpp34
// (decode_with_smpp34): the same error or the same PDU for every frame (abort on any disagreement).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "gateway/smpp/codec.hpp"
#include "gateway/smpp/smpp34_bridge.hpp"

namespace {

using namespace loa::smpp;

[[noreturn]] void disagree(const char* what, std::span<const std::uint8_t> frame) {
  std::fprintf(stderr, "fuzz_smpp_frame: %s; frame=%s\n", what, to_hex(frame).c_str());
  std::abort();
}

// SMPP 3.4 4.1.2/4.4.2/4.7.2: an error response goes out without its body, so only the header survives.
bool body_dropped_on_encode(const pdu& p) {
  if (p.status == 0) return false;
  switch (p.id) {
    case command_id::bind_transmitter_resp:
    case command_id::bind_receiver_resp:
    case command_id::bind_transceiver_resp:
    case command_id::submit_sm_resp:
    case command_id::data_sm_resp:
      return true;
    default:
      return false;
  }
}

void check_round_trip(std::span<const std::uint8_t> frame, const pdu& first) {
  std::vector<std::uint8_t> wire;
  if (encode(first, wire)) disagree("a decoded PDU does not encode", frame);
  const auto probe = probe_frame(wire, wire.size());
  if (probe.state != frame_state::complete || probe.length != wire.size())
    disagree("the encoded PDU is not one whole frame", frame);
  const auto second = decode(wire);
  if (!second) disagree("the re-encoded PDU does not decode", frame);
  if (body_dropped_on_encode(first)) {
    if (second.value.id != first.id || second.value.status != first.status ||
        second.value.sequence != first.sequence)
      disagree("header changed in the round trip", frame);
  } else if (!(second.value == first)) {
    disagree("decode(encode(pdu)) != pdu", frame);
  }
  // A PDU that came from our own encoder is a fixed point: encoding it again gives the same octets.
  std::vector<std::uint8_t> again;
  if (encode(second.value, again) || again != wire) disagree("encode is not stable on its own output", frame);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The input is a stream as a socket delivers it: take frames one after another as the readers do.
  std::span<const std::uint8_t> unread(data, size);
  while (!unread.empty()) {
    const auto probe = probe_frame(unread);
    if (probe.state != frame_state::complete) break;  // need_more at end of input, or invalid: hang up
    if (probe.length < header_size || probe.length > unread.size()) disagree("probe_frame lied", unread);
    const auto frame = unread.first(probe.length);
    const auto r = decode(frame);
    const auto reference = decode_with_smpp34(frame);
    if (r.ec != reference.ec) disagree("the direct reader and libsmpp34 disagree on whether the frame is good", frame);
    if (r && !(r.value == reference.value)) disagree("the direct reader and libsmpp34 read different PDUs", frame);
    if (r) {
      if (r.head.command_length != probe.length) disagree("head.command_length != probed length", frame);
      check_round_trip(frame, r.value);
    } else if (r.detail.empty()) {
      disagree("decode failed without a detail", frame);
    }
    unread = unread.subspan(probe.length);
  }
  // Also decode the whole input as one frame: decode must cope with frames probe_frame would refuse.
  (void)decode(std::span<const std::uint8_t>(data, size));
  return 0;
}
