// Errors of segments/: invalid text and texts that need more parts than allowed.
#pragma once

#include <cstddef>
#include <string>
#include <system_error>

namespace loa::segments {

/// Why a text cannot be turned into SMS parts.
enum class error {
  utf8_truncated = 1,            ///< a multi-byte sequence ends before its last byte
  utf8_unexpected_continuation,  ///< a byte 0x80-0xBF where a sequence should start
  utf8_overlong,                 ///< a code point written with more bytes than it needs
  utf8_surrogate,                ///< U+D800-U+DFFF, which UTF-8 must not carry
  utf8_too_large,                ///< a code point above U+10FFFF
  utf8_invalid_byte,             ///< 0xC0, 0xC1 or 0xF5-0xFF, never valid in UTF-8
  control_character,             ///< a C0/C1 control other than tab, line feed, form feed, carriage return
  too_many_parts,                ///< the text needs more parts than the configured cap
  invalid_options,               ///< a part cap of 0 or above 255 (the format's limit)
  normalization_failed,          ///< ICU could not normalise the text
};

/// The category of segments::error ("loa.segments").
const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace loa::segments

template <>
struct std::is_error_code_enum<loa::segments::error> : std::true_type {};
