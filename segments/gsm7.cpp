#include "segments/gsm7.hpp"

#include <array>

#include "segments/utf8.hpp"

namespace loa::segments::gsm7 {
namespace {

// TS 23.038 section 6.2.1, septets 0x00-0x7F. 0x1B (escape) maps to itself and is never matched
// when encoding text.
// clang-format off
constexpr std::array<char32_t, 128> basic_table = {
    /* 0x00 */ U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì', U'ò', U'Ç', U'\n', U'Ø', U'ø', U'\r', U'Å', U'å',
    /* 0x10 */ U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ', U'Σ', U'Θ', U'Ξ', 0x1B, U'Æ', U'æ', U'ß', U'É',
    /* 0x20 */ U' ', U'!', U'"', U'#', U'¤', U'%', U'&', U'\'', U'(', U')', U'*', U'+', U',', U'-', U'.', U'/',
    /* 0x30 */ U'0', U'1', U'2', U'3', U'4', U'5', U'6', U'7', U'8', U'9', U':', U';', U'<', U'=', U'>', U'?',
    /* 0x40 */ U'¡', U'A', U'B', U'C', U'D', U'E', U'F', U'G', U'H', U'I', U'J', U'K', U'L', U'M', U'N', U'O',
    /* 0x50 */ U'P', U'Q', U'R', U'S', U'T', U'U', U'V', U'W', U'X', U'Y', U'Z', U'Ä', U'Ö', U'Ñ', U'Ü', U'§',
    /* 0x60 */ U'¿', U'a', U'b', U'c', U'd', U'e', U'f', U'g', U'h', U'i', U'j', U'k', U'l', U'm', U'n', U'o',
    /* 0x70 */ U'p', U'q', U'r', U's', U't', U'u', U'v', U'w', U'x', U'y', U'z', U'ä', U'ö', U'ñ', U'ü', U'à',
};
// clang-format on

struct extension_entry {
  std::uint8_t code;
  char32_t cp;
};
// TS 23.038 section 6.2.1.1: the characters of the default extension table (each costs ESC + code).
constexpr std::array<extension_entry, 10> extension_table = {{
    {0x0A, U'\f'},
    {0x14, U'^'},
    {0x28, U'{'},
    {0x29, U'}'},
    {0x2F, U'\\'},
    {0x3C, U'['},
    {0x3D, U'~'},
    {0x3E, U']'},
    {0x40, U'|'},
    {0x65, U'€'},
}};

// Reverse lookup for U+0000-U+03FF (Latin and Greek), built at compile time; € is the only entry above.
struct reverse_table {
  std::array<septet_code, 0x400> codes{};
  constexpr reverse_table() {
    for (std::size_t s = 0; s < basic_table.size(); ++s)
      if (s != escape) codes[basic_table[s]] = {1, static_cast<std::uint8_t>(s)};
    for (const auto& e : extension_table)
      if (e.cp < codes.size()) codes[e.cp] = {2, e.code};
  }
};
constexpr reverse_table reverse;

}  // namespace

septet_code encode(char32_t cp) noexcept {
  if (cp < reverse.codes.size()) return reverse.codes[cp];
  if (cp == U'€') return {2, 0x65};
  return {};
}

char32_t decode_basic(std::uint8_t septet) noexcept {
  return basic_table[septet & 0x7F];
}

char32_t decode_extension(std::uint8_t code) noexcept {
  for (const auto& e : extension_table)
    if (e.code == code) return e.cp;
  return 0;
}

std::string decode_unpacked(std::span<const std::uint8_t> septets) {
  std::string out;
  out.reserve(septets.size());
  for (std::size_t i = 0; i < septets.size(); ++i) {
    const std::uint8_t s = septets[i];
    if (s > 0x7F) {
      append_utf8(out, U'\uFFFD');
    } else if (s == escape && i + 1 < septets.size()) {
      const std::uint8_t code = septets[++i];
      const char32_t ext = decode_extension(code);
      append_utf8(out, ext != 0 ? ext : (code > 0x7F ? U'\uFFFD' : decode_basic(code)));
    } else if (s == escape) {
      append_utf8(out, U' ');  // a lone ESC at the end: TS 23.038 says show a space
    } else {
      append_utf8(out, decode_basic(s));
    }
  }
  return out;
}

void pack(std::span<const std::uint8_t> septets, unsigned fill_bits, std::vector<std::uint8_t>& out) {
  const std::size_t start = out.size();
  const std::size_t total_bits = fill_bits + septets.size() * 7;
  out.resize(start + (total_bits + 7) / 8, 0);
  std::size_t bit = fill_bits;
  for (const std::uint8_t s : septets) {
    const std::size_t byte = start + bit / 8;
    const unsigned shift = bit % 8;
    out[byte] = static_cast<std::uint8_t>(out[byte] | ((s & 0x7F) << shift));
    if (shift > 1) out[byte + 1] = static_cast<std::uint8_t>(out[byte + 1] | ((s & 0x7F) >> (8 - shift)));
    bit += 7;
  }
}

std::vector<std::uint8_t> unpack(std::span<const std::uint8_t> octets, unsigned fill_bits,
                                 std::size_t count) {
  std::vector<std::uint8_t> septets;
  septets.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t bit = fill_bits + i * 7;
    const std::size_t byte = bit / 8;
    const unsigned shift = bit % 8;
    if (byte >= octets.size()) break;
    unsigned value = octets[byte] >> shift;
    if (shift > 1 && byte + 1 < octets.size())
      value |= static_cast<unsigned>(octets[byte + 1]) << (8 - shift);
    septets.push_back(static_cast<std::uint8_t>(value & 0x7F));
  }
  return septets;
}

}  // namespace loa::segments::gsm7
