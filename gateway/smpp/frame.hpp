// The SMPP 3.4 frame: the 16-octet header and where one PDU ends in a byte stream, plus the big-endian
// integers every part of the codec reads and writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

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

namespace detail {

inline std::uint32_t get_u32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
inline std::uint16_t get_u16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline void put_u32(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}
inline void put_u16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

/// The header fields of a frame of at least header_size octets.
inline header read_header(const std::uint8_t* p) noexcept {
  return {get_u32(p), get_u32(p + 4), get_u32(p + 8), get_u32(p + 12)};
}

/// Writes the four header fields at p (header_size octets).
inline void write_header(std::uint8_t* p, std::uint32_t length, std::uint32_t id, std::uint32_t status,
                         std::uint32_t sequence) noexcept {
  put_u32(p, length);
  put_u32(p + 4, id);
  put_u32(p + 8, status);
  put_u32(p + 12, sequence);
}

}  // namespace detail
}  // namespace loa::smpp
