#include "tools/loa/i18n/translate.hpp"

#include <cstdlib>
#include <optional>
#include <utility>

namespace loa::cli::i18n {
namespace {

struct state {
  language lang = language::english;
  std::optional<mo_catalogue> catalogue;
};

state& current_state() {
  static state s;
  return s;
}

std::filesystem::path executable_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

}  // namespace

void use_english() {
  current_state() = state{};
}

void use(language lang, mo_catalogue catalogue) {
  current_state() = state{lang, std::move(catalogue)};
}

language current() {
  return current_state().lang;
}

std::filesystem::path catalogue_file(std::string_view locale_dir, std::string_view code) {
  return std::filesystem::path(locale_dir) / code / "LC_MESSAGES" / "loa.mo";
}

std::string use_environment() {
  const auto lang = choose_language([](const char* name) { return std::getenv(name); });
  if (lang == language::english) {
    use_english();
    return {};
  }
  std::string tried, error;
  const auto try_dir = [&](const std::filesystem::path& dir) -> std::optional<mo_catalogue> {
    if (dir.empty()) return std::nullopt;
    const auto file = catalogue_file(dir.string(), "vi");
    if (!std::filesystem::exists(file)) {
      tried += (tried.empty() ? "" : ", ") + file.string();
      return std::nullopt;
    }
    return mo_catalogue::load(file, error);
  };
  std::optional<mo_catalogue> catalogue;
  if (const char* dir = std::getenv("LOA_LOCALEDIR"); dir && *dir) {
    catalogue = try_dir(dir);
  } else {
    const auto beside = executable_dir();
    if (!beside.empty()) catalogue = try_dir(beside.parent_path() / "share" / "locale");
#ifdef LOA_INSTALL_LOCALEDIR
    if (!catalogue && error.empty()) catalogue = try_dir(LOA_INSTALL_LOCALEDIR);
#endif
  }
  if (!catalogue) {
    use_english();
    return error.empty()
               ? "the Vietnamese catalogue is missing (looked for " + tried +
                     "); printing English. Set LOA_LOCALEDIR to the folder that holds vi/LC_MESSAGES/loa.mo"
               : error + "; printing English";
  }
  use(language::vietnamese, std::move(*catalogue));
  return {};
}

std::string tr(std::string_view msgid) {
  const auto& s = current_state();
  if (s.lang == language::english || !s.catalogue) return std::string(msgid);
  const auto* found = s.catalogue->find(msgid);
  return found ? *found : std::string(msgid);
}

std::string trn(std::string_view singular, std::string_view plural, std::uint64_t n) {
  const auto& s = current_state();
  if (s.lang != language::english && s.catalogue)
    if (const auto* found = s.catalogue->find_plural(singular, plural, n)) return *found;
  return std::string(n == 1 ? singular : plural);
}

std::size_t columns(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string number(std::uint64_t n) {
  const char mark = current() == language::vietnamese ? '.' : ',';
  std::string digits = std::to_string(n);
  for (std::size_t i = digits.size(); i > 3; i -= 3) digits.insert(i - 3, 1, mark);
  return digits;
}

std::string decimal(double x, int places) {
  auto s = fmt::format("{:.{}f}", x, places);
  if (current() == language::vietnamese)
    for (auto& c : s)
      if (c == '.') c = ',';
  return s;
}

}  // namespace loa::cli::i18n
