// The accent policy: send Vietnamese as written (NFC), or transliterated to plain ASCII letters.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace loa::segments {

/// keep: the text as written (composed to NFC). strip: Vietnamese transliteration to ASCII letters.
/// automatic: keep, unless stripping needs fewer parts.
enum class accents { keep, strip, automatic };

/// Parses "keep" | "strip" | "auto".
std::optional<accents> parse_accents(std::string_view name) noexcept;

/// The name parse_accents accepts.
std::string_view to_string(accents a) noexcept;

/// True when every character of `text` is certainly in NFC already (a table look-up per character;
/// false means "maybe not": run to_nfc).
bool quick_check_nfc(std::u32string_view text) noexcept;

/// `utf8` composed to NFC with ICU (input may be NFC, NFD or mixed).
std::error_code to_nfc(std::string_view utf8, std::string& out);

/// Transliterates to plain ASCII where a character has an ASCII reading, and appends UTF-8 to `out`
/// and code points to `out_cps`: combining marks dropped (NFD or NFC input alike), đ/Đ to d/D, curly quotes,
/// dashes, ellipsis and odd spaces to their ASCII forms, zero-width characters dropped. Characters
/// without an ASCII reading (emoji, CJK) are kept.
void strip_accents(std::u32string_view text, std::string& out, std::u32string& out_cps);

}  // namespace loa::segments
