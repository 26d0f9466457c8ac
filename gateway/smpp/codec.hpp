// SMPP 3.4 PDUs <-> bytes. Mandatory fields go through libsmpp34; the header, the optional parameters and the
// checks libsmpp34 lacks are ours (codec.cpp says why, field by field). Not thread-safe: libsmpp34 keeps its error
// state in globals, so use the codec from one thread only (loa runs one io_context thread per process).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "gateway/smpp/error.hpp"
#include "gateway/smpp/pdu.hpp"

namespace loa::smpp {

/// Size of the PDU header (command_length, command_id, command_status, sequence_number).
inline constexpr std::size_t header_size = 16;

/// Default cap on command_length: far above any PDU loa meets, far below what a stray HTTP/TLS byte string reads as.
inline constexpr std::size_t default_max_command_length = 64 * 1024;

/// What probe_frame found at the start of the received bytes.
enum class frame_state {
  need_more,  // not enough bytes yet (length is known once 4 bytes arrived)
  complete,   // `length` bytes form one PDU and are all present
  invalid,    // command_length is out of range: close the connection, the stream is out of step
};

/// Result of probe_frame.
struct frame_probe {
  frame_state state = frame_state::need_more;
  std::size_t length = 0;  // command_length when known, else 0
  std::error_code ec;      // error::bad_command_length when state == invalid
};

/// Looks at the bytes received so far and says whether a whole PDU is there; checks command_length
/// (at least 16, at most max_length) before anything of the body is read or allocated.
frame_probe probe_frame(std::span<const std::uint8_t> received,
                        std::size_t max_length = default_max_command_length) noexcept;

/// The four header fields as read from the wire.
struct header {
  std::uint32_t command_length = 0;
  std::uint32_t command_id = 0;
  std::uint32_t command_status = 0;
  std::uint32_t sequence = 0;
};

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

/// True when a submit_sm with this body passes encode()'s checks (C-string sizes, no NUL inside, sm_length at
/// most 254, TLV sizes) without packing it: the cheap check before a submit is queued.
bool encodable(const short_message& m) noexcept;

/// The wire form of `p`, or empty with `ec` set.
std::vector<std::uint8_t> encode(const pdu& p, std::error_code& ec);

/// True for the command_ids this codec decodes and encodes.
bool is_supported(std::uint32_t command_id) noexcept;

/// The command_id a response to `request` carries (bind_transmitter -> bind_transmitter_resp, ...);
/// generic_nack for ids that have no response.
command_id response_id(command_id request) noexcept;

/// A generic_nack with this sequence number and command_status (e.g. ESME_RINVCMDID for an unknown command).
pdu make_generic_nack(std::uint32_t sequence, std::uint32_t command_status);

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

/// Lower-case hex of some bytes ("0a1b..."), for logs.
std::string to_hex(std::span<const std::uint8_t> bytes);

/// Bytes from hex digits; spaces are ignored; throws std::invalid_argument on anything else (tests, tools).
std::vector<std::uint8_t> from_hex(std::string_view hex);

}  // namespace loa::smpp
