// UCS-2 as SMS carries it: UTF-16 big-endian, no byte order mark (data_coding 0x08).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace loa::segments::ucs2 {

/// UTF-16 code units `cp` needs: 2 for characters above U+FFFF (a surrogate pair), else 1.
constexpr unsigned units(char32_t cp) noexcept {
  return cp > 0xFFFF ? 2 : 1;
}

/// Appends `cp` as big-endian UTF-16 (2 or 4 octets).
void append(std::vector<std::uint8_t>& out, char32_t cp);

/// Decodes big-endian UTF-16 to UTF-8. A lone surrogate or an odd trailing octet becomes U+FFFD.
std::string decode(std::span<const std::uint8_t> octets);

}  // namespace loa::segments::ucs2
