#include "gateway/broadcast/names.hpp"

#include <fmt/format.h>
#include <unicode/uchar.h>

#include <algorithm>

#include "segments/accents.hpp"
#include "segments/utf8.hpp"

namespace loa::broadcast {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "loa.names"; }
  std::string message(int value) const override {
    switch (static_cast<name_error>(value)) {
      case name_error::empty:
        return "empty";
      case name_error::not_utf8:
        return "not UTF-8";
      case name_error::control_character:
        return "control character";
      case name_error::invisible_character:
        return "invisible character";
      case name_error::group_separator:
        return "';' separates groups; name one group at a time";
      case name_error::hash_tag_brace:
        return "'{' and '}' are not allowed in a ward's name";
      case name_error::surrounding_space:
        return "spaces before or after the name";
      case name_error::too_long:
        return fmt::format("longer than {} bytes", max_name_bytes);
      case name_error::normalization_failed:
        return "Unicode normalisation failed";
    }
    return "unknown name error";
  }
};

// C0 and C1 controls, DEL: Unicode's Cc.
bool control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

// Characters that show as nothing (zero-width space and joiners, bidi overrides, the BOM, soft hyphen) and
// line or paragraph separators: two names that look the same must be the same name.
bool invisible(char32_t cp) {
  const auto type = u_charType(static_cast<UChar32>(cp));
  return type == U_FORMAT_CHAR || type == U_LINE_SEPARATOR || type == U_PARAGRAPH_SEPARATOR;
}

bool space(char32_t cp) {
  return u_isUWhiteSpace(static_cast<UChar32>(cp)) != 0;
}

// The name as JSON would quote it, with what cannot be seen spelled out: "ho-gia-dinh\u001f".
std::string quoted(std::string_view raw, const std::u32string* decoded) {
  std::string out = "\"";
  if (!decoded) {  // not UTF-8: printable ASCII as is, every other byte in hex
    for (const char ch : raw) {
      const auto c = static_cast<unsigned char>(ch);
      out += c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? std::string(1, ch) : fmt::format("\\x{:02x}", c);
    }
    return out + "\"";
  }
  for (const char32_t cp : *decoded) {
    if (cp == U'"' || cp == U'\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (control(cp) || invisible(cp)) {
      out += fmt::format("\\u{:04x}", static_cast<std::uint32_t>(cp));
    } else {
      segments::append_utf8(out, cp);
    }
  }
  return out + "\"";
}

checked_name refused(name_kind kind, std::string_view raw, const std::u32string* decoded, name_error e,
                     std::string detail = {}) {
  checked_name out;
  out.error = e;
  out.problem = fmt::format("{} {}: {}{}", kind == name_kind::ward ? "ward" : "group", quoted(raw, decoded),
                            out.error.message(), detail);
  return out;
}

}  // namespace

const std::error_category& name_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(name_error e) noexcept {
  return {static_cast<int>(e), name_category()};
}

checked_name check_name(name_kind kind, std::string_view raw) {
  std::u32string cps;
  if (!segments::decode_utf8(raw, cps)) return refused(kind, raw, nullptr, name_error::not_utf8);
  for (const char32_t cp : cps) {
    if (control(cp))
      return refused(kind, raw, &cps, name_error::control_character,
                     fmt::format(" U+{:04X}", static_cast<std::uint32_t>(cp)));
    if (invisible(cp))
      return refused(kind, raw, &cps, name_error::invisible_character,
                     fmt::format(" U+{:04X}", static_cast<std::uint32_t>(cp)));
  }
  if (std::all_of(cps.begin(), cps.end(), space)) return refused(kind, raw, &cps, name_error::empty);
  if (space(cps.front()) || space(cps.back())) return refused(kind, raw, &cps, name_error::surrounding_space);
  if (kind == name_kind::group && cps.find(U';') != std::u32string::npos)
    return refused(kind, raw, &cps, name_error::group_separator);
  if (kind == name_kind::ward && cps.find_first_of(U"{}") != std::u32string::npos)
    return refused(kind, raw, &cps, name_error::hash_tag_brace);
  checked_name out;
  if (segments::to_nfc(raw, out.value)) return refused(kind, raw, &cps, name_error::normalization_failed);
  if (out.value.size() > max_name_bytes) return refused(kind, raw, &cps, name_error::too_long);
  return out;
}

}  // namespace loa::broadcast
