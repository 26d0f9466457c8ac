#include "segments/ucs2.hpp"

#include "segments/utf8.hpp"

namespace loa::segments::ucs2 {

void append(std::vector<std::uint8_t>& out, char32_t cp) {
  auto put = [&out](char32_t unit) {
    out.push_back(static_cast<std::uint8_t>(unit >> 8));
    out.push_back(static_cast<std::uint8_t>(unit & 0xFF));
  };
  if (cp > 0xFFFF) {
    const char32_t v = cp - 0x10000;
    put(0xD800 + (v >> 10));
    put(0xDC00 + (v & 0x3FF));
  } else {
    put(cp);
  }
}

std::string decode(std::span<const std::uint8_t> octets) {
  std::string out;
  out.reserve(octets.size() * 3 / 2);
  const std::size_t units = octets.size() / 2;
  auto unit_at = [&octets](std::size_t i) -> char32_t {
    return static_cast<char32_t>(octets[2 * i] << 8 | octets[2 * i + 1]);
  };
  for (std::size_t i = 0; i < units; ++i) {
    const char32_t u = unit_at(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
      const char32_t low = unit_at(i + 1);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
        ++i;
        continue;
      }
    }
    append_utf8(out, (u >= 0xD800 && u <= 0xDFFF) ? U'\uFFFD' : u);
  }
  if (octets.size() % 2 != 0) append_utf8(out, U'\uFFFD');
  return out;
}

}  // namespace loa::segments::ucs2
