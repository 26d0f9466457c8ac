#include "segments/accents.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/bytestream.h>

#include <array>
#include <memory>

#include "segments/error.hpp"
#include "segments/utf8.hpp"

namespace loa::segments {
namespace {

// Characters below this are looked up in a table built once from ICU's data; Vietnamese, Latin,
// Greek, Cyrillic and general punctuation all sit below it.
constexpr char32_t table_size = 0x2500;

// How strip_accents writes one character: `length` ASCII bytes from `ascii`, or the character
// itself when keep_as_is.
struct transliteration {
  bool keep_as_is = true;
  std::uint8_t length = 0;
  std::array<char, 3> ascii{};
};

struct override_entry {
  char32_t cp;
  const char* ascii;
};

// What NFKD does not give: letters that do not decompose, typographic look-alikes, and the odd
// ASCII characters that GSM 03.38 lacks (tab, backtick).
constexpr override_entry overrides[] = {
    {U'đ', "d"},   {U'Đ', "D"},   {U'Ð', "D"},   {U'ð', "d"},   {U'ø', "o"},   {U'Ø', "O"},
    {U'ł', "l"},   {U'Ł', "L"},   {U'ß', "ss"},  {U'æ', "ae"},  {U'Æ', "AE"},  {U'œ', "oe"},
    {U'Œ', "OE"},  {U'ı', "i"},   {U'‘', "'"},   {U'’', "'"},   {U'‚', "'"},   {U'‛', "'"},
    {U'′', "'"},   {U'‹', "'"},   {U'›', "'"},   {U'“', "\""},  {U'”', "\""},  {U'„', "\""},
    {U'‟', "\""},  {U'″', "\""},  {U'«', "\""},  {U'»', "\""},  {U'‐', "-"},   {U'‑', "-"},
    {U'‒', "-"},   {U'–', "-"},   {U'—', "-"},   {U'―', "-"},   {U'−', "-"},   {U'•', "-"},
    {U'₫', "d"},   {U'×', "x"},   {U'\t', " "},  {U'`', "'"},   {0x00AD, ""},  {0x200B, ""},
    {0x200C, ""},  {0x200D, ""},  {0x2060, ""},  {0x00A0, " "},
};

struct char_table {
  std::array<bool, table_size> nfc_yes{};
  std::array<transliteration, table_size> strip{};

  char_table() {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
    for (char32_t cp = 0; cp < table_size; ++cp) {
      const auto c = static_cast<UChar32>(cp);
      nfc_yes[cp] = u_getIntPropertyValue(c, UCHAR_NFC_QUICK_CHECK) == UNORM_YES;
      strip[cp] = cp < 0x80 ? transliteration{} : from_decomposition(c, U_SUCCESS(status) ? nfkd : nullptr);
    }
    for (const auto& o : overrides) strip[o.cp] = ascii_form(o.ascii);
  }

  static transliteration ascii_form(std::string_view s) {
    transliteration t{false, static_cast<std::uint8_t>(s.size()), {}};
    for (std::size_t i = 0; i < s.size() && i < t.ascii.size(); ++i) t.ascii[i] = s[i];
    return t;
  }

  static bool is_mark(UChar32 c) {
    const auto type = u_charType(c);
    return type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_COMBINING_SPACING_MARK;
  }

  // The ASCII reading of a character: its compatibility decomposition without marks, when that is ASCII.
  static transliteration from_decomposition(UChar32 c, const icu::Normalizer2* nfkd) {
    if (is_mark(c)) return ascii_form("");
    icu::UnicodeString decomposed;
    if (nfkd == nullptr || !nfkd->getDecomposition(c, decomposed)) return {};
    std::string ascii;
    for (int32_t i = 0; i < decomposed.length(); ++i) {
      const UChar32 d = decomposed.char32At(i);
      if (d > 0xFFFF) ++i;
      if (is_mark(d)) continue;
      if (d >= 0x80 || ascii.size() == 3) return {};
      ascii.push_back(static_cast<char>(d));
    }
    if (ascii.empty()) return {};
    return ascii_form(ascii);
  }
};

const char_table& table() {
  static const char_table instance;
  return instance;
}

}  // namespace

std::optional<accents> parse_accents(std::string_view name) noexcept {
  if (name == "keep") return accents::keep;
  if (name == "strip") return accents::strip;
  if (name == "auto") return accents::automatic;
  return std::nullopt;
}

std::string_view to_string(accents a) noexcept {
  switch (a) {
    case accents::keep: return "keep";
    case accents::strip: return "strip";
    case accents::automatic: return "auto";
  }
  return "keep";
}

bool quick_check_nfc(std::u32string_view text) noexcept {
  const auto& t = table();
  for (const char32_t cp : text) {
    if (cp < table_size) {
      if (!t.nfc_yes[cp]) return false;
    } else if (u_getIntPropertyValue(static_cast<UChar32>(cp), UCHAR_NFC_QUICK_CHECK) != UNORM_YES) {
      return false;
    }
  }
  return true;
}

std::error_code to_nfc(std::string_view utf8, std::string& out) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return error::normalization_failed;
  out.clear();
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(utf8.size()));
  nfc->normalizeUTF8(0, icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())), sink, nullptr, status);
  if (U_FAILURE(status)) return error::normalization_failed;
  return {};
}

void strip_accents(std::u32string_view text, std::string& out, std::u32string& out_cps) {
  const auto& t = table();
  out.clear();
  out_cps.clear();
  out.reserve(text.size());
  out_cps.reserve(text.size());
  for (const char32_t cp : text) {
    if (cp < table_size) {
      const transliteration& tr = t.strip[cp];
      if (!tr.keep_as_is) {
        for (std::uint8_t i = 0; i < tr.length; ++i) {
          out.push_back(tr.ascii[i]);
          out_cps.push_back(static_cast<unsigned char>(tr.ascii[i]));
        }
        continue;
      }
    } else if (cp == 0xFEFF || cp == 0x3000 || char_table::is_mark(static_cast<UChar32>(cp))) {
      if (cp == 0x3000) {  // ideographic space
        out.push_back(' ');
        out_cps.push_back(U' ');
      }
      continue;  // zero-width no-break space and marks outside the table carry no letter
    }
    append_utf8(out, cp);
    out_cps.push_back(cp);
  }
}

}  // namespace loa::segments
