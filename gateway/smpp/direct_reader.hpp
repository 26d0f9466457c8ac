// The PDUs the gateway reads once per message, read straight from the frame: submit_sm_resp and the deliver_sm
// of every receipt (and submit_sm and deliver_sm_resp, the same two bodies, for the simulator). libsmpp34's
// unpacker formats every field through snprintf for an error text, and needs a private copy of the frame and a
// zeroed struct of over 1 KB per call. The reader accepts and refuses exactly what the libsmpp34 path
// (smpp34_decode_body) does and gives the same PDU; test_direct_reader.cpp and fuzz_smpp_frame hold it to that.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "gateway/smpp/body_layout.hpp"
#include "gateway/smpp/pdu.hpp"

namespace loa::smpp::detail {

/// True for the command_ids read_direct reads.
bool reads_directly(command_id id) noexcept;

/// Reads the mandatory fields of `frame` (as walk_mandatory found them, so every C-string is terminated and
/// short_message is present) into `out` with `tlvs` attached; error::malformed_body with `detail` naming the PDU
/// field where libsmpp34 would refuse the body.
std::error_code read_direct(command_id id, std::span<const std::uint8_t> frame, const walk_result& walk,
                            std::vector<tlv> tlvs, body& out, std::string& detail);

}  // namespace loa::smpp::detail
