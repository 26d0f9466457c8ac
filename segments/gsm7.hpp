// The GSM 03.38 default alphabet (3GPP TS 23.038 section 6.2.1) and its extension table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace loa::segments::gsm7 {

/// The escape septet that announces a character of the extension table.
inline constexpr std::uint8_t escape = 0x1B;

/// A character's GSM 7-bit form: `septets` is 0 when the character is not in the alphabet,
/// 1 for the basic table, 2 for the extension table (ESC then `code`).
struct septet_code {
  std::uint8_t septets = 0;
  std::uint8_t code = 0;
};

/// How `cp` is written in GSM 7-bit.
septet_code encode(char32_t cp) noexcept;

/// The Unicode character of a basic-table septet (0x00-0x7F; 0x1B yields U+001B).
char32_t decode_basic(std::uint8_t septet) noexcept;

/// The Unicode character of extension code `code` (after ESC), or 0 when the code is undefined.
char32_t decode_extension(std::uint8_t code) noexcept;

/// Decodes unpacked septets (one per octet) to UTF-8. An undefined extension code decodes as its
/// basic-table character (TS 23.038 note); octets above 0x7F become U+FFFD.
std::string decode_unpacked(std::span<const std::uint8_t> septets);

/// Packs septets into octets, starting `fill_bits` bits into the first octet appended (0-6: the
/// padding that aligns text after a UDH to a septet boundary). Appends to `out`.
void pack(std::span<const std::uint8_t> septets, unsigned fill_bits, std::vector<std::uint8_t>& out);

/// Reads `count` septets from packed octets, skipping `fill_bits` leading bits.
std::vector<std::uint8_t> unpack(std::span<const std::uint8_t> octets, unsigned fill_bits, std::size_t count);

/// The padding, in bits, that follows a UDH of `udh_octets` octets (UDHL byte included).
constexpr unsigned fill_bits_after_udh(std::size_t udh_octets) noexcept {
  return static_cast<unsigned>((7 - (udh_octets * 8) % 7) % 7);
}

}  // namespace loa::segments::gsm7
