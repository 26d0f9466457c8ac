// Strict UTF-8 decoding (RFC 3629) and encoding.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace loa::segments {

/// Where and why decoding stopped; `code` is empty on success.
struct utf8_status {
  std::error_code code;
  std::size_t byte_offset = 0;  ///< offset of the first byte of the bad sequence
  explicit operator bool() const noexcept { return !code; }
};

/// Decodes `in` into `out` (cleared first). Rejects overlong forms, surrogates, truncated sequences,
/// stray continuation bytes and values above U+10FFFF, naming the byte offset.
utf8_status decode_utf8(std::string_view in, std::u32string& out);

/// Appends the UTF-8 form of `cp` (a valid scalar value) to `out`.
void append_utf8(std::string& out, char32_t cp);

}  // namespace loa::segments
