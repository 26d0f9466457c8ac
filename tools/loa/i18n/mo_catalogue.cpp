#include "tools/loa/i18n/mo_catalogue.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace loa::cli::i18n {
namespace {

constexpr std::uint32_t magic = 0x950412de;
constexpr std::uint32_t magic_swapped = 0xde120495;

std::uint32_t word_at(std::string_view bytes, std::size_t offset, bool swapped) {
  std::uint32_t w = 0;
  std::memcpy(&w, bytes.data() + offset, 4);
  return swapped ? __builtin_bswap32(w) : w;
}

// "nplurals=1; plural=0;" -> 1; 2 when the header does not say.
int nplurals_of(std::string_view header) {
  const auto at = header.find("nplurals=");
  if (at == std::string_view::npos) return 2;
  const char digit = at + 9 < header.size() ? header[at + 9] : '2';
  return digit >= '1' && digit <= '9' ? digit - '0' : 2;
}

}  // namespace

std::optional<mo_catalogue> mo_catalogue::parse(std::string_view bytes, std::string& error) {
  if (bytes.size() < 28) {
    error = "too short for a .mo file";
    return std::nullopt;
  }
  std::uint32_t first = 0;
  std::memcpy(&first, bytes.data(), 4);
  if (first != magic && first != magic_swapped) {
    error = "not a .mo file (bad magic number)";
    return std::nullopt;
  }
  const bool swapped = first == magic_swapped;
  const std::uint64_t count = word_at(bytes, 8, swapped);
  const std::uint64_t originals = word_at(bytes, 12, swapped);
  const std::uint64_t translations = word_at(bytes, 16, swapped);
  if (originals + count * 8 > bytes.size() || translations + count * 8 > bytes.size()) {
    error = fmt::format("its string tables ({} entries) run past the end of the file", count);
    return std::nullopt;
  }
  const auto string_at = [&](std::uint64_t table, std::uint64_t i, std::string_view& out) {
    const std::uint64_t length = word_at(bytes, table + i * 8, swapped);
    const std::uint64_t offset = word_at(bytes, table + i * 8 + 4, swapped);
    if (offset + length > bytes.size()) return false;
    out = bytes.substr(offset, length);
    return true;
  };
  mo_catalogue c;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string_view id, text;
    if (!string_at(originals, i, id) || !string_at(translations, i, text)) {
      error = fmt::format("entry {} runs past the end of the file", i);
      return std::nullopt;
    }
    if (id.empty()) {
      c.plural_forms_ = nplurals_of(text);
      continue;
    }
    if (text.empty()) continue;  // untranslated: the msgid shows
    if (id.find('\0') != std::string_view::npos) {
      std::vector<std::string> forms;
      for (std::size_t start = 0;;) {
        const auto end = text.find('\0', start);
        forms.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
      }
      c.plurals_.emplace(std::string(id), std::move(forms));
    }
    c.entries_.emplace(std::string(id), std::string(text));
  }
  return c;
}

std::optional<mo_catalogue> mo_catalogue::load(const std::filesystem::path& file, std::string& error) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = fmt::format("{}: {}", file.string(), std::strerror(errno));
    return std::nullopt;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto c = parse(bytes, error);
  if (!c) error = fmt::format("{}: {}", file.string(), error);
  return c;
}

const std::string* mo_catalogue::find(std::string_view msgid) const {
  const auto it = entries_.find(std::string(msgid));
  return it == entries_.end() ? nullptr : &it->second;
}

const std::string* mo_catalogue::find_plural(std::string_view singular, std::string_view plural,
                                             std::uint64_t n) const {
  std::string key(singular);
  key.push_back('\0');
  key += plural;
  const auto it = plurals_.find(key);
  if (it == plurals_.end() || it->second.empty()) return nullptr;
  // One form (Vietnamese): always it. Two: the Germanic rule, the only other one we would meet.
  const std::size_t form = plural_forms_ == 1 ? 0 : (n == 1 ? 0 : 1);
  return &it->second[std::min(form, it->second.size() - 1)];
}

}  // namespace loa::cli::i18n
