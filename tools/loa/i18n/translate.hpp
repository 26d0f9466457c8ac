// The official's commands in their language: English is the source (the msgids of po/vi.po), Vietnamese comes
// from the catalogue msgfmt compiles at build time. Every sentence a client command prints goes through
// these, so tests/i18n/check-catalogue can find it (xgettext keywords tr, trf, trn:1,2, trnf:1,2, tr_noop).
//
// The process holds one language, English until main chooses (the pure formatters' tests read English unless
// they choose Vietnamese). `--json` chooses English: CONTRACT.md's documents are the same in every language.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "tools/loa/i18n/language.hpp"
#include "tools/loa/i18n/mo_catalogue.hpp"

namespace loa::cli::i18n {

/// Prints English from now on.
void use_english();
/// Prints `lang` from now on; for Vietnamese, with `catalogue`.
void use(language lang, mo_catalogue catalogue);
/// The language printed now.
language current();

/// Where loa.mo of `lang` is looked for: $LOA_LOCALEDIR, then ../share/locale beside the executable (the
/// build tree's build/share/locale, an install's PREFIX/share/locale), then the install prefix's.
std::filesystem::path catalogue_file(std::string_view locale_dir, std::string_view code);

/// Chooses the language from the environment (language.hpp) and loads its catalogue. When the Vietnamese
/// catalogue cannot be read, stays English and returns why (for one warning line); else empty.
std::string use_environment();

/// The translation of `msgid` in the current language (the msgid itself in English or when it has none).
std::string tr(std::string_view msgid);

/// tr() of a {fmt} format string, formatted. A translation whose placeholders do not match falls back to
/// the English format rather than throwing (check-catalogue and the unit tests keep them matched).
template <typename... Args>
std::string trf(std::string_view msgid, Args&&... args) {
  const auto format = tr(msgid);
  try {
    return fmt::vformat(format, fmt::make_format_args(args...));
  } catch (const fmt::format_error&) {
    return fmt::vformat(msgid, fmt::make_format_args(args...));
  }
}

/// The singular or plural of a message in the current language ("1 part" / "3 parts"; Vietnamese has one
/// form, "3 tin").
std::string trn(std::string_view singular, std::string_view plural, std::uint64_t n);

/// trn() of a {fmt} format string, formatted.
template <typename... Args>
std::string trnf(std::string_view singular, std::string_view plural, std::uint64_t n, Args&&... args) {
  const auto format = trn(singular, plural, n);
  try {
    return fmt::vformat(format, fmt::make_format_args(args...));
  } catch (const fmt::format_error&) {
    return fmt::vformat(n == 1 ? singular : plural, fmt::make_format_args(args...));
  }
}

/// Marks a string of a table for the catalogue; tr() translates it where it is printed.
constexpr std::string_view tr_noop(std::string_view msgid) {
  return msgid;
}

/// Columns `text` takes on a terminal (a code point each: Vietnamese in NFC is one per letter), for aligning.
std::size_t columns(std::string_view text);

/// 1234567 as the current language writes it: "1,234,567" in English, "1.234.567" in Vietnamese.
std::string number(std::uint64_t n);
/// A decimal with `places` digits after the mark: "12.5" in English, "12,5" in Vietnamese.
std::string decimal(double x, int places = 1);

}  // namespace loa::cli::i18n
