// Errors of the SMPP layer: our own failures (`error`) and the carrier's command_status values (`status_category`).
#pragma once

#include <cstdint>
#include <string>
#include <system_error>

namespace loa::smpp {

/// What went wrong in the codec or in a session. Zero is never used: a default error_code means success.
enum class error {
  bad_command_length = 1,  // command_length below 16 or above the configured cap: the stream cannot be trusted
  truncated,               // fewer bytes than command_length announces, or a field runs past the end of the PDU
  unknown_command,         // command_id loa does not handle: answer generic_nack with ESME_RINVCMDID
  malformed_body,          // a mandatory field is invalid (unterminated or too long C-string, bad value)
  bad_sm_length,           // sm_length disagrees with the octets present
  bad_tlv,                 // an optional parameter is truncated or its length overruns the PDU
  encode_failed,           // a value does not fit SMPP 3.4 (field too long, NUL inside a C-string, wrong body)
  response_timeout,        // the peer did not answer a request in time
  bind_failed,             // the bind was refused (see the command_status) or never answered
  connection_closed,       // the TCP connection ended (by the peer or by us)
  window_closed,           // the session ended while requests were outstanding: their fate is unknown
  not_bound,               // a request was made before the bind completed or after unbind
  generic_nack,            // the peer answered with generic_nack (it could not parse our PDU)
};

/// The category of `error` ("loa.smpp").
const std::error_category& error_category() noexcept;

/// Makes `error` usable as std::error_code.
std::error_code make_error_code(error e) noexcept;

/// command_status values loa names in code (SMPP 3.4 section 5.1.3).
namespace status {
inline constexpr std::uint32_t ok = 0x00;
inline constexpr std::uint32_t invmsglen = 0x01;
inline constexpr std::uint32_t invcmdlen = 0x02;
inline constexpr std::uint32_t invcmdid = 0x03;
inline constexpr std::uint32_t invbndsts = 0x04;
inline constexpr std::uint32_t alybnd = 0x05;
inline constexpr std::uint32_t syserr = 0x08;
inline constexpr std::uint32_t invsrcadr = 0x0A;
inline constexpr std::uint32_t invdstadr = 0x0B;
inline constexpr std::uint32_t bindfail = 0x0D;
inline constexpr std::uint32_t invpaswd = 0x0E;
inline constexpr std::uint32_t invsysid = 0x0F;
inline constexpr std::uint32_t msgqful = 0x14;
inline constexpr std::uint32_t submitfail = 0x45;
inline constexpr std::uint32_t throttled = 0x58;
inline constexpr std::uint32_t invexpiry = 0x62;
inline constexpr std::uint32_t x_t_appn = 0x64;
inline constexpr std::uint32_t invoptparstream = 0xC0;
inline constexpr std::uint32_t unknownerr = 0xFF;
}  // namespace status

/// The ESME_R* name of a command_status ("ESME_RTHROTTLED"), or "" when SMPP 3.4 does not name it.
const char* status_name(std::uint32_t command_status) noexcept;

/// The category of carrier command_status values ("smpp.command_status"); message() reads
/// "ESME_RTHROTTLED: throttling error", or "command_status 0x00000400" for vendor codes.
const std::error_category& status_category() noexcept;

/// A carrier's command_status as an error_code (value 0 means success).
std::error_code make_status_error(std::uint32_t command_status) noexcept;

}  // namespace loa::smpp

template <>
struct std::is_error_code_enum<loa::smpp::error> : std::true_type {};
