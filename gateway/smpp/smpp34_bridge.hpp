// The libsmpp34 boundary: the only code that includes libsmpp34. It unpacks and packs the bodies the direct
// reader and writer (direct_reader.hpp, direct_writer.hpp) do not handle; it also packs and reads any PDU on
// request, the reference those two must match octet for octet in the golden tests and the fuzzers.
// Not thread-safe: libsmpp34 keeps its error state in globals (one io_context thread per process).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "gateway/smpp/body_layout.hpp"
#include "gateway/smpp/pdu.hpp"

namespace loa::smpp {

struct decode_result;

/// decode(), with every body read through libsmpp34 (defined in codec.cpp beside decode). The reference for the
/// direct reader.
decode_result decode_with_smpp34(std::span<const std::uint8_t> frame);

/// Appends the wire form of `p` as libsmpp34 packs it (mandatory fields through smpp34_pack, the header and the
/// TLVs ours, as in encode()); on error `out` is left unchanged. The reference for the direct writer.
std::error_code encode_with_smpp34(const pdu& p, std::vector<std::uint8_t>& out);

namespace detail {

/// Decodes the mandatory fields of `frame` (as walk_mandatory found them) through libsmpp34 into `out`, with
/// `tlvs` (already parsed) attached; error and `detail` when libsmpp34 refuses the body.
std::error_code smpp34_decode_body(command_id id, std::span<const std::uint8_t> frame, const walk_result& walk,
                                   std::vector<tlv> tlvs, body& out, std::string& detail);

/// True when a submit_sm with this body would pass smpp34_pack's checks as encode_with_smpp34 drives it.
bool smpp34_packs(const short_message& m) noexcept;

/// The TLVs as libsmpp34 itself packs them in a submit_sm (its tlv_t list; sar_* as integers, anything else as
/// octets of at most 1024): the reference for our TLV writer in tests. Error when libsmpp34 refuses one.
std::error_code smpp34_pack_submit_sm_tlvs(const std::vector<tlv>& tlvs, std::vector<std::uint8_t>& out);

}  // namespace detail
}  // namespace loa::smpp
