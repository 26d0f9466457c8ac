#include "gateway/smpp/codec.hpp"

#include "gateway/smpp/body_layout.hpp"
#include "gateway/smpp/direct_reader.hpp"
#include "gateway/smpp/direct_writer.hpp"
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

namespace {

// One decoder, two ways to read the bodies: directly (what decode() does) or through libsmpp34 for every body
// (decode_with_smpp34, the reference the direct reader is tested and fuzzed against).
decode_result decode_frame(std::span<const std::uint8_t> frame, bool direct) {
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
  const auto ec = direct && detail::reads_directly(id)
                      ? detail::read_direct(id, frame, walk, std::move(tlvs), r.value.content, r.detail)
                      : detail::smpp34_decode_body(id, frame, walk, std::move(tlvs), r.value.content, r.detail);
  if (ec) r.ec = ec;
  return r;
}

}  // namespace

decode_result decode(std::span<const std::uint8_t> frame) { return decode_frame(frame, true); }

decode_result decode_with_smpp34(std::span<const std::uint8_t> frame) { return decode_frame(frame, false); }

std::error_code encode(const pdu& p, std::vector<std::uint8_t>& out) {
  if (!is_supported(static_cast<std::uint32_t>(p.id))) return error::encode_failed;
  if (is_header_only(p.id) || detail::body_omitted(p)) {
    // Ours, not libsmpp34's: it refuses sequence 0 and unlisted command_status values, both legal here.
    const auto at = out.size();
    out.resize(at + header_size);
    detail::write_header(out.data() + at, header_size, static_cast<std::uint32_t>(p.id), p.status, p.sequence);
    return {};
  }
  // What the gateway sends per message goes straight into `out`; the rest through libsmpp34.
  if (detail::writes_directly(p.id)) return detail::write_direct(p, out);
  return encode_with_smpp34(p, out);
}

bool encodable(const short_message& m) noexcept { return detail::sm_fits(command_id::submit_sm, m); }

std::string encode_problem(const short_message& m) { return detail::sm_problem(command_id::submit_sm, m); }

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
