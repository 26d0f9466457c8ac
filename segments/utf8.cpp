#include "segments/utf8.hpp"

#include <cstdint>
#include <cstring>

#include "segments/error.hpp"

namespace loa::segments {
namespace {

utf8_status fail(std::u32string& out, error e, std::size_t offset) {
  out.clear();
  return {e, offset};
}

}  // namespace

utf8_status decode_utf8(std::string_view in, std::u32string& out) {
  // Sized once and written through a pointer: this runs for every notice and every recipient batch.
  out.resize(in.size());
  char32_t* dst = out.data();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(in.data());
  const std::size_t size = in.size();
  std::size_t i = 0;
  while (i < size) {
    // Eight ASCII bytes at a time: unaccented notices are all ASCII, accented ones mostly.
    if (i + 8 <= size) {
      std::uint64_t word;
      std::memcpy(&word, bytes + i, sizeof word);
      if ((word & 0x8080808080808080ull) == 0) {
        for (int k = 0; k < 8; ++k) *dst++ = bytes[i + static_cast<std::size_t>(k)];
        i += 8;
        continue;
      }
    }
    const std::uint8_t lead = bytes[i];
    if (lead < 0x80) {
      *dst++ = lead;
      ++i;
      continue;
    }
    std::size_t length;
    char32_t cp;
    char32_t minimum;
    if (lead < 0xC0) return fail(out, error::utf8_unexpected_continuation, i);
    if (lead < 0xC2) return fail(out, error::utf8_invalid_byte, i);  // C0/C1 only ever start overlong forms
    if (lead < 0xE0) {
      length = 2, cp = lead & 0x1Fu, minimum = 0x80;
    } else if (lead < 0xF0) {
      length = 3, cp = lead & 0x0Fu, minimum = 0x800;
    } else if (lead < 0xF5) {
      length = 4, cp = lead & 0x07u, minimum = 0x10000;
    } else {
      return fail(out, error::utf8_invalid_byte, i);
    }
    for (std::size_t k = 1; k < length; ++k) {
      if (i + k >= size || (bytes[i + k] & 0xC0) != 0x80) return fail(out, error::utf8_truncated, i);
      cp = (cp << 6) | (bytes[i + k] & 0x3Fu);
    }
    if (cp < minimum) return fail(out, error::utf8_overlong, i);
    if (cp >= 0xD800 && cp <= 0xDFFF) return fail(out, error::utf8_surrogate, i);
    if (cp > 0x10FFFF) return fail(out, error::utf8_too_large, i);
    *dst++ = cp;
    i += length;
  }
  out.resize(static_cast<std::size_t>(dst - out.data()));
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
