#include "segments/error.hpp"

namespace loa::segments {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "loa.segments"; }
  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::utf8_truncated:
        return "invalid UTF-8: truncated sequence";
      case error::utf8_unexpected_continuation:
        return "invalid UTF-8: unexpected continuation byte";
      case error::utf8_overlong:
        return "invalid UTF-8: overlong encoding";
      case error::utf8_surrogate:
        return "invalid UTF-8: encoded surrogate (U+D800-U+DFFF)";
      case error::utf8_too_large:
        return "invalid UTF-8: code point above U+10FFFF";
      case error::utf8_invalid_byte:
        return "invalid UTF-8: byte never valid in UTF-8";
      case error::control_character:
        return "control character not allowed in an SMS";
      case error::too_many_parts:
        return "text needs more parts than allowed";
      case error::invalid_options:
        return "invalid split options";
      case error::normalization_failed:
        return "Unicode normalisation failed";
    }
    return "unknown segments error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace loa::segments
