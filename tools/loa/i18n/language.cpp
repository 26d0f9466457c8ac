#include "tools/loa/i18n/language.hpp"

#include <array>
#include <cctype>

namespace loa::cli::i18n {
namespace {

// "en_US.UTF-8" -> "en"; "vi" -> "vi"; "C.UTF-8" -> "c".
std::string_view code_of(std::string_view locale) {
  std::size_t n = 0;
  while (n < locale.size() && std::isalpha(static_cast<unsigned char>(locale[n]))) ++n;
  return locale.substr(0, n);
}

bool same_letters(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

}  // namespace

language language_named(std::string_view value, bool& named) {
  // LANGUAGE is a list ("fr:en:vi"): its first known language counts.
  for (std::size_t start = 0; start <= value.size();) {
    const auto end = std::min(value.find(':', start), value.size());
    const auto code = code_of(value.substr(start, end - start));
    if (same_letters(code, "en")) {
      named = true;
      return language::english;
    }
    if (same_letters(code, "vi")) {
      named = true;
      return language::vietnamese;
    }
    start = end + 1;
  }
  named = false;
  return language::vietnamese;
}

language choose_language(const std::function<const char*(const char*)>& getenv) {
  constexpr std::array variables = {"LOA_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
  for (const char* name : variables) {
    const char* value = getenv(name);
    if (!value || !*value) continue;
    bool named = false;
    const auto chosen = language_named(value, named);
    if (named) return chosen;
  }
  return language::vietnamese;
}

}  // namespace loa::cli::i18n
