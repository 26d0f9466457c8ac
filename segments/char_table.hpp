// Internal: what segments/ needs to know about a character, looked up once per character on the hot
// path. Built once from ICU's data and the GSM 03.38 tables.
#pragma once

#include <array>
#include <cstdint>

namespace loa::segments::detail {

/// Characters below this have a table entry: Latin, Vietnamese, Greek, Cyrillic, general punctuation, €.
inline constexpr char32_t table_size = 0x2500;

/// GSM code meaning "not in GSM 03.38"; otherwise the septet code, with bit 7 set for the extension table.
inline constexpr std::uint8_t not_gsm = 0xFF;

/// How the accent stripper writes a character: `length` ASCII bytes, or the character itself.
struct transliteration {
  bool keep_as_is = true;
  std::uint8_t length = 0;
  std::array<char, 3> ascii{};
};

/// One character's properties.
struct char_props {
  std::uint8_t gsm = not_gsm;
  bool nfc_yes = true;             ///< NFC quick check says "yes": composing cannot change it
  bool forbidden_control = false;  ///< a C0/C1 control other than tab, LF, FF, CR
  transliteration strip;
};

/// The table for U+0000..table_size-1.
const std::array<char_props, table_size>& char_table();

/// Properties of any code point (above the table, computed with ICU: rare in notices).
char_props props_of_rare(char32_t cp);

/// Septets a GSM code costs: 2 for the extension table.
constexpr unsigned gsm_cost(std::uint8_t code) noexcept {
  return 1u + (code >> 7);
}

}  // namespace loa::segments::detail
