// A GNU gettext catalogue (.mo, as msgfmt writes it) read into memory: msgid -> translation, plurals
// included. Our own reader rather than libintl's dgettext, so the language does not depend on which locales
// the machine has generated (a ward's server often has only C.UTF-8) nor on setlocale.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace loa::cli::i18n {

class mo_catalogue {
 public:
  /// Parses the bytes of a .mo file; nullopt, with why in `error`, when they are not one (bad magic, a table
  /// or a string beyond the end).
  static std::optional<mo_catalogue> parse(std::string_view bytes, std::string& error);
  /// Reads and parses `file`; nullopt, with "FILE: why" in `error`.
  static std::optional<mo_catalogue> load(const std::filesystem::path& file, std::string& error);

  /// The translation of `msgid`, or null when the catalogue has none (the caller prints the msgid).
  const std::string* find(std::string_view msgid) const;
  /// The plural form for `n` of the entry (`singular`, `plural`), or null when there is none.
  const std::string* find_plural(std::string_view singular, std::string_view plural, std::uint64_t n) const;
  /// Every msgid with its translation (plural entries: "singular\0plural" -> forms joined by '\0').
  const std::unordered_map<std::string, std::string>& entries() const { return entries_; }
  /// From the header's Plural-Forms: 1 for Vietnamese (one form whatever the number).
  int plural_forms() const { return plural_forms_; }

 private:
  std::unordered_map<std::string, std::string> entries_;
  std::unordered_map<std::string, std::vector<std::string>> plurals_;  // key: singular\0plural
  int plural_forms_ = 2;
};

}  // namespace loa::cli::i18n
