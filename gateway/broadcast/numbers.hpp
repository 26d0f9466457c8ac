// Vietnamese mobile numbers as officials type them -> the one stored form, 84xxxxxxxxx.
#pragma once

#include <string>
#include <string_view>

namespace loa::broadcast {

/// Why a number was refused. Never guessed: anything not clearly a Vietnamese mobile number is refused.
enum class number_problem {
  none,
  empty,          ///< nothing but separators
  bad_character,  ///< something other than digits, a leading +, spaces, dots and dashes
  not_vietnam,    ///< an international number outside +84, or 00-style dialling
  landline,       ///< 02x: a fixed line cannot receive SMS
  not_mobile,     ///< a national number whose prefix no Vietnamese mobile network uses
  wrong_length,   ///< not 9 digits after the country code or the leading 0
};

/// A short English phrase for reports ("landline (02...), not a mobile number").
std::string_view describe(number_problem p) noexcept;

/// The outcome of normalising one number.
struct number_check {
  std::string number;  ///< 84 + 9 digits when valid
  number_problem problem = number_problem::none;
  bool converted_legacy = false;  ///< an 11-digit number from before 2018, mapped to its new prefix
  explicit operator bool() const noexcept { return problem == number_problem::none; }
};

/// Accepts 0912345678, +84912345678 and 84912345678 with spaces, dots and dashes anywhere, and the
/// pre-2018 11-digit forms (0162... -> 032..., DOMAIN.md); returns 84912345678 or the problem.
number_check normalise_number(std::string_view input);

/// The national form (0912345678) of a stored number, for carriers that want TON 2.
std::string national_form(std::string_view stored);

}  // namespace loa::broadcast
