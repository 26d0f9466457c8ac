// SMPP 3.4 optional parameters (TLVs): building and reading the ones loa uses, and the TLV part of a body.
// We read and write TLVs ourselves, never through libsmpp34 (tlv.cpp says why).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "gateway/smpp/pdu.hpp"

namespace loa::smpp {

/// A TLV holding a 1-octet integer.
tlv make_tlv_u8(std::uint16_t tag, std::uint8_t value);

/// A TLV holding a 2-octet big-endian integer.
tlv make_tlv_u16(std::uint16_t tag, std::uint16_t value);

/// A TLV holding a C-octet string (the terminating NUL included, as SMPP 3.4 wants for receipted_message_id).
tlv make_tlv_cstring(std::uint16_t tag, const std::string& value);

/// The integer in a 1-, 2- or 4-octet TLV, or -1 when the TLV has another length.
std::int64_t tlv_integer(const tlv& t) noexcept;

/// The text of a C-octet-string TLV without its NUL (tolerates a missing NUL).
std::string tlv_string(const tlv& t);

namespace detail {

/// Splits the octets after the mandatory fields into TLVs, in wire order; error::bad_tlv with `detail` when a
/// header or a value runs past the end.
std::error_code parse_tlvs(std::span<const std::uint8_t> bytes, std::vector<tlv>& out, std::string& detail);

/// True when every value's length fits the 2-octet length field.
bool tlvs_fit(const std::vector<tlv>& tlvs) noexcept;

/// Octets the TLVs take on the wire (4 per TLV plus the values).
std::size_t tlvs_size(const std::vector<tlv>& tlvs) noexcept;

/// Writes the TLVs at p (tlvs_size octets; tlvs_fit must hold) and returns the end.
std::uint8_t* write_tlvs(std::uint8_t* p, const std::vector<tlv>& tlvs) noexcept;

/// Appends the TLVs to out (tlvs_fit must hold).
void append_tlvs(std::vector<std::uint8_t>& out, const std::vector<tlv>& tlvs);

}  // namespace detail
}  // namespace loa::smpp
