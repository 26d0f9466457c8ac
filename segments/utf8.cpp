#include "segments/utf8.hpp"

#include <cstdint>

#include "segments/error.hpp"

namespace loa::segments {

utf8_status decode_utf8(std::string_view in, std::u32string& out) {
  out.clear();
  out.reserve(in.size());
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(in.data());
  const std::size_t size = in.size();
  std::size_t i = 0;
  while (i < size) {
    const std::uint8_t lead = bytes[i];
    if (lead < 0x80) {  // ASCII: the common case in unaccented notices
      out.push_back(lead);
      ++i;
      continue;
    }
    std::size_t length;
    char32_t cp;
    char32_t minimum;
    if (lead < 0xC0) return {error::utf8_unexpected_continuation, i};
    if (lead < 0xC2) return {error::utf8_invalid_byte, i};  // C0/C1 only ever start overlong forms
    if (lead < 0xE0) {
      length = 2, cp = lead & 0x1Fu, minimum = 0x80;
    } else if (lead < 0xF0) {
      length = 3, cp = lead & 0x0Fu, minimum = 0x800;
    } else if (lead < 0xF5) {
      length = 4, cp = lead & 0x07u, minimum = 0x10000;
    } else {
      return {error::utf8_invalid_byte, i};
    }
    for (std::size_t k = 1; k < length; ++k) {
      if (i + k >= size || (bytes[i + k] & 0xC0) != 0x80) return {error::utf8_truncated, i};
      cp = (cp << 6) | (bytes[i + k] & 0x3Fu);
    }
    if (cp < minimum) return {error::utf8_overlong, i};
    if (cp >= 0xD800 && cp <= 0xDFFF) return {error::utf8_surrogate, i};
    if (cp > 0x10FFFF) return {error::utf8_too_large, i};
    out.push_back(cp);
    i += length;
  }
  return {};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace loa::segments
