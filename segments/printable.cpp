#include "segments/printable.hpp"

#include <cstdint>
#include <cstdio>

#include "segments/utf8.hpp"

namespace loa::segments {
namespace {

// Bytes of the UTF-8 sequence that `lead` starts, 0 when it starts none.
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

bool hidden(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

void append_escape(std::string& out, char32_t cp) {
  char buf[16];
  switch (cp) {
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      break;
  }
  if (cp < 0x80)
    std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
  else
    std::snprintf(buf, sizeof buf, "\\u{%04x}", static_cast<unsigned>(cp));
  out += buf;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::u32string one;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const auto length = sequence_length(lead);
    if (length == 0 || i + length > text.size() || !decode_utf8(text.substr(i, length), one) ||
        one.size() != 1) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(lead));
      out += buf;
      ++i;
      continue;
    }
    const char32_t cp = one[0];
    if (cp == '\\')
      out += "\\\\";
    else if (hidden(cp))
      append_escape(out, cp);
    else
      out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

}  // namespace loa::segments
