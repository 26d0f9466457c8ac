// SMPP 3.4 PDUs <-> bytes. The pieces: the frame header (frame.hpp), the TLVs (tlv.hpp), the shape of the
// mandatory bodies (body_layout.hpp), a direct writer and reader for the PDUs sent and read once per message
// (direct_writer.hpp, direct_reader.hpp), libsmpp34 for the rarer ones (smpp34_bridge.hpp). Not thread-safe: libsmpp34 keeps its error state in globals, so use the codec from one
// thread only (loa runs one io_context thread per process).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "gateway/smpp/error.hpp"
#include "gateway/smpp/frame.hpp"
#include "gateway/smpp/hex.hpp"
#include "gateway/smpp/pdu.hpp"
#include "gateway/smpp/tlv.hpp"

namespace loa::smpp {

/// Result of decode: the PDU, or an error with what was read of the header (to answer generic_nack with the
/// sequence number) and a detail text for the log.
struct decode_result {
  std::error_code ec;
  pdu value;           // meaningful only when !ec
  header head;         // meaningful whenever the frame had 16 bytes
  std::string detail;  // why it failed (libsmpp34's explanation or ours); empty on success
  explicit operator bool() const noexcept { return !ec; }
};

/// Decodes one whole frame (as delimited by probe_frame). Unknown TLVs are kept as raw `tlv`s;
/// an unknown command_id gives error::unknown_command with head filled in.
decode_result decode(std::span<const std::uint8_t> frame);

/// Appends the wire form of `p` to `out` (command_length computed); on error `out` is left unchanged.
std::error_code encode(const pdu& p, std::vector<std::uint8_t>& out);

/// True when a submit_sm with this body passes encode()'s checks (C-string sizes, no NUL inside, TON and NPI
/// values libsmpp34 knows, sm_length at most 254, TLV sizes) without packing it: the check before a submit is
/// queued.
bool encodable(const short_message& m) noexcept;

/// Why encode() refuses a submit_sm with this body, naming the PDU field ("submit_sm destination_addr: 21 octets,
/// at most 20"); empty when encodable(m).
std::string encode_problem(const short_message& m);

/// The wire form of `p`, or empty with `ec` set.
std::vector<std::uint8_t> encode(const pdu& p, std::error_code& ec);

/// True for the command_ids this codec decodes and encodes.
bool is_supported(std::uint32_t command_id) noexcept;

/// The command_id a response to `request` carries (bind_transmitter -> bind_transmitter_resp, ...);
/// generic_nack for ids that have no response.
command_id response_id(command_id request) noexcept;

/// A generic_nack with this sequence number and command_status (e.g. ESME_RINVCMDID for an unknown command).
pdu make_generic_nack(std::uint32_t sequence, std::uint32_t command_status);

}  // namespace loa::smpp
