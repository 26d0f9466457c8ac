#include "gateway/smpp/codec.hpp"

#include "gateway/smpp/body_layout.hpp"
#include "gateway/smpp/smpp34_bridge.hpp"

namespace loa::smpp {

using detail::is_bind_resp;
using detail::is_header_only;
using detail::walk_mandatory;

bool is_supported(std::uint32_t id) noexcept {
  switch (static_cast<command_id>(id)) {
    case command_id::generic_nack:
    case command_id::bind_receiver:
    case command_id::bind_receiver_resp:
    case command_id::bind_transmitter:
    case command_id::bind_transmitter_resp:
    case command_id::submit_sm:
    case command_id::submit_sm_resp:
    case command_id::deliver_sm:
    case command_id::deliver_sm_resp:
    case command_id::unbind:
    case command_id::unbind_resp:
    case command_id::bind_transceiver:
    case command_id::bind_transceiver_resp:
    case command_id::outbind:
    case command_id::enquire_link:
    case command_id::enquire_link_resp:
    case command_id::data_sm:
    case command_id::data_sm_resp: return true;
  }
  return false;
}

decode_result decode(std::span<const std::uint8_t> frame) {
  decode_result r;
  if (frame.size() < header_size) {
    r.ec = error::truncated;
    r.detail = "frame of " + std::to_string(frame.size()) + " octets has no complete header";
    return r;
  }
  r.head = detail::read_header(frame.data());
  if (r.head.command_length < header_size) {
    r.ec = error::bad_command_length;
    r.detail = "command_length " + std::to_string(r.head.command_length);
    return r;
  }
  if (r.head.command_length > frame.size()) {
    r.ec = error::truncated;
    r.detail = "command_length " + std::to_string(r.head.command_length) + " but " + std::to_string(frame.size()) +
               " octets";
    return r;
  }
  frame = frame.first(r.head.command_length);
  if (!is_supported(r.head.command_id)) {
    r.ec = error::unknown_command;
    r.detail = "command_id 0x" + to_hex(frame.subspan(4, 4));
    return r;
  }
  const auto id = static_cast<command_id>(r.head.command_id);
  r.value.id = id;
  r.value.status = r.head.command_status;
  r.value.sequence = r.head.sequence;

  // Header-only PDUs never reach libsmpp34: it refuses sequence 0 (a generic_nack may carry it) and any
  // command_status not in its list (vendor codes 0x400-0x4FF). Trailing octets are ignored, as peers do.
  if (is_header_only(id)) {
    r.value.content = empty{};
    return r;
  }
  // A response with an error status usually has no body at all (SMPP 3.4 4.1.2, 4.4.2).
  if (frame.size() == header_size && is_response(id)) {
    if (is_bind_resp(id))
      r.value.content = bind_resp{};
    else
      r.value.content = message_resp{};
    return r;
  }
  const auto walk = walk_mandatory(id, frame);
  if (walk.ec) {
    r.ec = walk.ec;
    r.detail = walk.detail;
    return r;
  }
  std::vector<tlv> tlvs;
  if (auto ec = detail::parse_tlvs(frame.subspan(walk.end), tlvs, r.detail)) {
    r.ec = ec;
    return r;
  }
  if (auto ec = detail::smpp34_decode_body(id, frame, walk, std::move(tlvs), r.value.content, r.detail)) r.ec = ec;
  return r;
}

std::error_code encode(const pdu& p, std::vector<std::uint8_t>& out) { return encode_with_smpp34(p, out); }

bool encodable(const short_message& m) noexcept { return detail::smpp34_packs(m); }

std::vector<std::uint8_t> encode(const pdu& p, std::error_code& ec) {
  std::vector<std::uint8_t> out;
  ec = encode(p, out);
  return out;
}

command_id response_id(command_id request) noexcept {
  const auto v = static_cast<std::uint32_t>(request);
  if (is_response(request) || request == command_id::outbind) return command_id::generic_nack;
  return static_cast<command_id>(v | 0x80000000u);
}

pdu make_generic_nack(std::uint32_t sequence, std::uint32_t command_status) {
  return pdu{command_id::generic_nack, command_status, sequence, empty{}};
}

}  // namespace loa::smpp
