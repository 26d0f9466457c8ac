#include "gateway/broadcast/numbers.hpp"

#include <array>

namespace loa::broadcast {
namespace {

constexpr std::size_t national_digits = 9;

struct legacy_prefix {
  std::string_view old_prefix;  // after the leading 0: "162" for 0162
  std::string_view new_prefix;  // after the leading 0: "32" for 032
};

// Ministry of Information and Communications, 2018: 11-digit numbers moved to 10 digits.
constexpr std::array<legacy_prefix, 21> legacy_prefixes = {{
    {"162", "32"}, {"163", "33"}, {"164", "34"}, {"165", "35"}, {"166", "36"}, {"167", "37"}, {"168", "38"},
    {"169", "39"}, {"123", "83"}, {"124", "84"}, {"125", "85"}, {"127", "81"}, {"129", "82"}, {"120", "70"},
    {"121", "79"}, {"122", "77"}, {"126", "76"}, {"128", "78"}, {"186", "56"}, {"188", "58"}, {"199", "59"},
}};

// Mobile networks use national prefixes 03, 05, 07, 08 and 09; an unknown one among them still routes
// by default (DOMAIN.md), so only the first digit is checked here.
bool mobile_first_digit(char d) {
  return d == '3' || d == '5' || d == '7' || d == '8' || d == '9';
}

// `national` is the number without its leading 0 or country code.
number_check from_national(std::string national) {
  number_check result;
  if (national.size() == national_digits + 1 && national.front() == '1') {
    for (const auto& l : legacy_prefixes) {
      if (national.compare(0, l.old_prefix.size(), l.old_prefix) == 0) {
        national = std::string(l.new_prefix) + national.substr(l.old_prefix.size());
        result.converted_legacy = true;
        break;
      }
    }
  }
  if (!national.empty() && national.front() == '2') {
    result.problem = number_problem::landline;
  } else if (!national.empty() && !mobile_first_digit(national.front())) {
    result.problem = number_problem::not_mobile;
  } else if (national.size() != national_digits) {
    result.problem = number_problem::wrong_length;
  } else {
    result.number = "84" + national;
  }
  return result;
}

}  // namespace

std::string_view describe(number_problem p) noexcept {
  switch (p) {
    case number_problem::none:
      return "valid";
    case number_problem::empty:
      return "empty";
    case number_problem::bad_character:
      return "characters other than digits, +, spaces, dots and dashes";
    case number_problem::not_vietnam:
      return "not a Vietnamese number (use 0..., 84... or +84...)";
    case number_problem::landline:
      return "landline (02...), not a mobile number";
    case number_problem::not_mobile:
      return "no Vietnamese mobile network uses this prefix";
    case number_problem::wrong_length:
      return "wrong number of digits (a mobile number has 10: 0 and 9 more)";
  }
  return "invalid";
}

number_check normalise_number(std::string_view input) {
  std::string digits;
  digits.reserve(input.size());
  bool plus = false;
  for (const char c : input) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c != ' ' && c != '.' && c != '-' && c != '\t') {
      return {{}, number_problem::bad_character};
    }
  }
  if (digits.empty()) return {{}, plus ? number_problem::bad_character : number_problem::empty};
  if (plus || (digits.size() >= 11 && digits.starts_with("84"))) {
    if (!digits.starts_with("84")) return {{}, number_problem::not_vietnam};
    return from_national(digits.substr(2));
  }
  if (digits.starts_with("00")) return {{}, number_problem::not_vietnam};
  if (digits.front() == '0') return from_national(digits.substr(1));
  return {{}, number_problem::wrong_length};
}

std::string national_form(std::string_view stored) {
  if (stored.starts_with("84")) return "0" + std::string(stored.substr(2));
  return std::string(stored);
}

}  // namespace loa::broadcast
