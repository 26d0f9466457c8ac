#include "segments/accents.hpp"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <memory>

#include "segments/char_table.hpp"
#include "segments/error.hpp"
#include "segments/gsm7.hpp"
#include "segments/utf8.hpp"

namespace loa::segments {
namespace {

using detail::char_props;
using detail::table_size;
using detail::transliteration;

struct override_entry {
  char32_t cp;
  const char* ascii;
};

// What NFKD does not give: letters that do not decompose, typographic look-alikes, and the odd
// ASCII characters that GSM 03.38 lacks (tab, backtick).
constexpr override_entry overrides[] = {
    {U'đ', "d"},  {U'Đ', "D"},  {U'Ð', "D"},  {U'ð', "d"},   {U'ø', "o"},  {U'Ø', "O"},  {U'ł', "l"},
    {U'Ł', "L"},  {U'ß', "ss"}, {U'æ', "ae"}, {U'Æ', "AE"},  {U'œ', "oe"}, {U'Œ', "OE"}, {U'ı', "i"},
    {U'‘', "'"},  {U'’', "'"},  {U'‚', "'"},  {U'‛', "'"},   {U'′', "'"},  {U'‹', "'"},  {U'›', "'"},
    {U'“', "\""}, {U'”', "\""}, {U'„', "\""}, {U'‟', "\""},  {U'″', "\""}, {U'«', "\""}, {U'»', "\""},
    {U'‐', "-"},  {U'‑', "-"},  {U'‒', "-"},  {U'–', "-"},   {U'—', "-"},  {U'―', "-"},  {U'−', "-"},
    {U'•', "-"},  {U'₫', "d"},  {U'×', "x"},  {U'\t', " "},  {U'`', "'"},  {0x00AD, ""}, {0x200B, ""},
    {0x200C, ""}, {0x200D, ""}, {0x2060, ""}, {0x00A0, " "},
};

transliteration ascii_form(std::string_view s) {
  transliteration t{false, static_cast<std::uint8_t>(s.size()), {}};
  for (std::size_t i = 0; i < s.size() && i < t.ascii.size(); ++i) t.ascii[i] = s[i];
  return t;
}

bool is_mark(UChar32 c) {
  const auto type = u_charType(c);
  return type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_COMBINING_SPACING_MARK;
}

// The ASCII reading of a character: its compatibility decomposition without marks, when that is ASCII.
transliteration from_decomposition(UChar32 c, const icu::Normalizer2* nfkd) {
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

// Tab, line feed, form feed and carriage return are text; other C0 and C1 controls are not, and a NUL
// in particular breaks C-string handling further down the line.
constexpr bool forbidden_control(char32_t cp) noexcept {
  if (cp == U'\t' || cp == U'\n' || cp == U'\f' || cp == U'\r') return false;
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

std::uint8_t gsm_code(char32_t cp) {
  const auto code = gsm7::encode(cp);
  if (code.septets == 0) return detail::not_gsm;
  return code.septets == 2 ? static_cast<std::uint8_t>(0x80 | code.code) : code.code;
}

bool nfc_quick_yes(char32_t cp) {
  return u_getIntPropertyValue(static_cast<UChar32>(cp), UCHAR_NFC_QUICK_CHECK) == UNORM_YES;
}

std::array<char_props, table_size> build_table() {
  std::array<char_props, table_size> table{};
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  for (char32_t cp = 0; cp < table_size; ++cp) {
    auto& p = table[cp];
    p.gsm = gsm_code(cp);
    p.nfc_yes = nfc_quick_yes(cp);
    p.forbidden_control = forbidden_control(cp);
    if (cp >= 0x80)
      p.strip = from_decomposition(static_cast<UChar32>(cp), U_SUCCESS(status) ? nfkd : nullptr);
  }
  for (const auto& o : overrides) table[o.cp].strip = ascii_form(o.ascii);
  return table;
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
    case accents::keep:
      return "keep";
    case accents::strip:
      return "strip";
    case accents::automatic:
      return "auto";
  }
  return "keep";
}

bool quick_check_nfc(std::u32string_view text) noexcept {
  const auto& table = detail::char_table();
  for (const char32_t cp : text) {
    if (cp < table_size ? !table[cp].nfc_yes : !nfc_quick_yes(cp)) return false;
  }
  return true;
}

std::error_code to_nfc(std::string_view utf8, std::string& out) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return error::normalization_failed;
  out.clear();
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(utf8.size()));
  nfc->normalizeUTF8(0, icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())), sink, nullptr,
                     status);
  if (U_FAILURE(status)) return error::normalization_failed;
  return {};
}

void strip_accents(std::u32string_view text, std::string& out, std::u32string& out_cps) {
  const auto& table = detail::char_table();
  // Sized for the worst case and written through pointers: a character becomes at most three ASCII
  // letters or stays itself (at most four UTF-8 bytes).
  out.resize(4 * text.size());
  out_cps.resize(3 * text.size());
  char* bytes = out.data();
  char32_t* cps = out_cps.data();
  for (const char32_t cp : text) {
    const transliteration tr = cp < table_size ? table[cp].strip : detail::props_of_rare(cp).strip;
    if (tr.keep_as_is) {
      std::string utf8;
      if (cp < 0x80) {
        *bytes++ = static_cast<char>(cp);
      } else {
        append_utf8(utf8, cp);
        bytes = std::copy(utf8.begin(), utf8.end(), bytes);
      }
      *cps++ = cp;
      continue;
    }
    for (std::uint8_t i = 0; i < tr.length; ++i) {
      *bytes++ = tr.ascii[i];
      *cps++ = static_cast<unsigned char>(tr.ascii[i]);
    }
  }
  out.resize(static_cast<std::size_t>(bytes - out.data()));
  out_cps.resize(static_cast<std::size_t>(cps - out_cps.data()));
}

namespace detail {

const std::array<char_props, table_size>& char_table() {
  static const auto table = build_table();
  return table;
}

char_props props_of_rare(char32_t cp) {
  char_props p;
  p.gsm = gsm_code(cp);
  p.nfc_yes = nfc_quick_yes(cp);
  if (cp == 0xFEFF || is_mark(static_cast<UChar32>(cp))) {
    p.strip = ascii_form("");  // zero-width no-break space and marks carry no letter
  } else if (cp == 0x3000) {
    p.strip = ascii_form(" ");  // ideographic space
  }
  return p;
}

}  // namespace detail

}  // namespace loa::segments
