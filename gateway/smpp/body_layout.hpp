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

/// C-octet string sizes of the submit_sm and deliver_sm bodies, terminating NUL included, as libsmpp34 1.14's
/// def_frame declares them: its packer truncates a longer value (we refuse it) and its unpacker refuses one.
struct sm_sizes {
  std::size_t service_type, source_addr, destination_addr, schedule_delivery_time, validity_period;
};

/// The sizes for submit_sm, or for deliver_sm (SMPP 3.4 4.6.1: both times NULL there).
const sm_sizes& sm_sizes_of(command_id id) noexcept;

/// The size of message_id (NUL included) in submit_sm_resp (65) and deliver_sm_resp (1: unused, NULL).
std::size_t message_id_size(command_id id) noexcept;

/// short_message octets SMPP 3.4 allows (libsmpp34 packs at most 253, an off-by-one the bridge works around).
inline constexpr std::size_t max_short_message = 254;

/// Type of number values libsmpp34 knows (def_list/addr_ton.list); it refuses any other, packing or unpacking.
constexpr bool known_ton(std::uint8_t ton) noexcept { return ton <= 6; }

/// Numbering plan values libsmpp34 knows (def_list/addr_npi.list); it refuses any other.
constexpr bool known_npi(std::uint8_t npi) noexcept {
  return npi == 0 || npi == 1 || npi == 3 || npi == 4 || npi == 6 || npi == 8 || npi == 9 || npi == 10 ||
         npi == 14 || npi == 18;
}

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
