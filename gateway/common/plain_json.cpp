#include "gateway/common/plain_json.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdint>

namespace loa {
namespace {

// Whole numbers this small are exact in a double, so they convert to int64 without loss.
constexpr double exact_whole_limit = 9007199254740992.0;  // 2^53

void write(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_:
      out += plain_decimal(v.get_double());
      return;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write(out, item);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(key);
        out += ':';
        write(out, item);
      }
      out += '}';
      return;
    }
    default:  // null, bool, integers and strings: Boost.JSON writes these plainly and escapes strings correctly
      out += boost::json::serialize(v);
  }
}

}  // namespace

boost::json::value plain_number(double number) {
  if (!std::isfinite(number)) return nullptr;
  if (number == std::trunc(number) && std::fabs(number) < exact_whole_limit)
    return static_cast<std::int64_t>(number);
  return number;
}

std::string plain_decimal(double number) {
  if (!std::isfinite(number)) return "null";
  if (number == std::trunc(number) && std::fabs(number) < exact_whole_limit)
    return fmt::format("{}", static_cast<std::int64_t>(number));
  // Shortest round-trip text is plain for ordinary magnitudes; tiny or huge ones come back with an exponent and
  // are written in fixed notation instead, with trailing zeros cut.
  std::string text = fmt::format("{}", number);
  if (text.find_first_of("eE") == std::string::npos) return text;
  text = fmt::format("{:.17f}", number);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string serialize_plain(const boost::json::value& document) {
  std::string out;
  write(out, document);
  return out;
}

}  // namespace loa
