#include "segments/decode.hpp"

#include "segments/gsm7.hpp"
#include "segments/ucs2.hpp"
#include "segments/utf8.hpp"

namespace loa::segments {

alphabet alphabet_of(std::uint8_t data_coding) noexcept {
  if (data_coding >= 0xF0) return (data_coding & 0x04) ? alphabet::octets : alphabet::gsm7;
  if (data_coding >= 0x10 && data_coding <= 0x3F) {  // GSM 03.38 general data coding, bits 3-2
    switch ((data_coding >> 2) & 0x03) {
      case 0:
        return alphabet::gsm7;
      case 1:
        return alphabet::octets;
      default:
        return alphabet::ucs2;
    }
  }
  switch (data_coding) {
    case 0x00:
      return alphabet::gsm7;
    case 0x01:
      return alphabet::ascii;
    case 0x03:
      return alphabet::latin1;
    case 0x08:
      return alphabet::ucs2;
    default:
      return alphabet::octets;
  }
}

std::string decode_text(std::span<const std::uint8_t> body, std::uint8_t data_coding) {
  switch (alphabet_of(data_coding)) {
    case alphabet::gsm7:
      return gsm7::decode_unpacked(body);
    case alphabet::ucs2:
      return ucs2::decode(body);
    case alphabet::ascii:
    case alphabet::latin1:
    case alphabet::octets:
      break;
  }
  const bool ascii_only = alphabet_of(data_coding) == alphabet::ascii;
  std::string out;
  out.reserve(body.size());
  for (const std::uint8_t b : body) append_utf8(out, ascii_only && b > 0x7F ? U'\uFFFD' : char32_t{b});
  return out;
}

}  // namespace loa::segments
