// The User Data Header information elements for concatenation (3GPP TS 23.040 section 9.2.3.24.1/.8).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace loa::segments {

/// Which part of which concatenated message a short_message is.
struct udh_concat {
  std::uint16_t reference = 0;
  std::uint8_t total = 0;
  std::uint8_t sequence = 0;  // 1-based
  friend bool operator==(const udh_concat&, const udh_concat&) = default;
};

/// Appends `05 00 03 RR TT SS` (8-bit reference; only the low byte of `reference` is used).
void append_concat_udh8(std::vector<std::uint8_t>& out, udh_concat c);

/// Appends `06 08 04 RH RL TT SS` (16-bit reference).
void append_concat_udh16(std::vector<std::uint8_t>& out, udh_concat c);

/// Reads the concatenation element of the UDH at the start of `short_message` (whose esm_class has UDHI).
/// Sets `udh_length` to the octets of the whole UDH (its length byte included), or to 0 when the UDH is
/// malformed (empty message, a length past the end, an element overrunning the header). Returns nullopt
/// when there is no valid concatenation element (total 0, sequence 0 or above total are invalid).
std::optional<udh_concat> parse_concat_udh(std::span<const std::uint8_t> short_message,
                                           std::size_t& udh_length);

}  // namespace loa::segments
