// Shared by the fuzz targets: an independent strict UTF-8 check (RFC 3629, written here rather than taken
// from the code under test, so that it can serve as the oracle) and hex dumps for failure messages.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <string>
#include <string_view>

namespace loa::fuzz {

/// True when `s` is well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF, no
/// truncated sequence, no stray continuation byte.
inline bool strict_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte (RFC 3629, table 3-7)
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) return false;
    for (std::size_t k = 2; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

/// True when `s` is a YAML character stream (YAML 1.2, 5.1): well-formed UTF-8 without C0 control characters
/// other than TAB, LF and CR, and without DEL. yaml-cpp turns some text that is not (a NUL, say) into scalars
/// that are not UTF-8; checks about the messages of our own code apply to proper YAML only.
inline bool yaml_text(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return false;
  }
  return strict_utf8(s);
}

/// True when LOA_FUZZ_VERBOSE is set: the targets then print each input's outcome (for reading a
/// reproducer or checking the seeds: `LOA_FUZZ_VERBOSE=1 build-fuzz-clang/bin/fuzz_config FILE`).
inline bool verbose() {
  static const bool on = std::getenv("LOA_FUZZ_VERBOSE") != nullptr;
  return on;
}

/// The bytes of `s` in lower-case hex, cut after `max` bytes.
inline std::string hex(std::string_view s, std::size_t max = 256) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace loa::fuzz
