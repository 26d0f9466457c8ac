// The shape of the mandatory bodies (SMPP 3.4 chapter 4): which fields each PDU has, in which order, and
// where the mandatory part of a received frame ends (the TLVs start there). Internal to the codec.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <system_error>

#include "gateway/smpp/pdu.hpp"

namespace loa::smpp::detail {

enum class field_kind : std::uint8_t { c_string, u8, short_message };

/// One mandatory field: its kind and its name in SMPP 3.4 (used in error details).
struct field {
  field_kind kind;
  const char* name;
};

/// The mandatory fields of `id` in wire order; empty for header-only and unsupported PDUs.
std::span<const field> fields_of(command_id id) noexcept;

/// enquire_link, enquire_link_resp, unbind, unbind_resp and generic_nack: a header and nothing else.
bool is_header_only(command_id id) noexcept;

/// bind_receiver, bind_transmitter, bind_transceiver.
bool is_bind(command_id id) noexcept;

/// The responses to the three binds.
bool is_bind_resp(command_id id) noexcept;

/// SMPP 3.4 (4.1.2, 4.4.2, 4.7.2): a response body is not returned when command_status is non-zero.
bool body_omitted(const pdu& p) noexcept;

/// Where the mandatory part of a frame ends, or why it could not be found.
struct walk_result {
  std::error_code ec;
  std::string detail;
  std::size_t end = 0;                   // offset just past the mandatory fields
  std::size_t interface_version_at = 0;  // offset of interface_version in a bind, else 0
};

/// Walks the mandatory fields of `frame` (header included). libsmpp34 cannot tell us where they end: it parses
/// TLVs in the same pass, and its TLV parsing is what we must avoid (tlv.cpp). Our walk also catches what
/// libsmpp34 would read past: an unterminated C-string and an sm_length larger than the octets present.
walk_result walk_mandatory(command_id id, std::span<const std::uint8_t> frame);

}  // namespace loa::smpp::detail
