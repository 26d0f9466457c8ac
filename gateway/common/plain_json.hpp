// JSON text with numbers written plainly: Boost.JSON writes every double with an exponent (2.5E0, 7.425E4), which
// officials' scripts and spreadsheets misread. Every writer of JSON in loa (the API's answers, the CLI's --json, the
// CLI showing a field) goes through serialize_plain.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace loa {

/// `number` as a JSON number that serializes without exponent: an int64 when it is whole, otherwise a double
/// (serialize_plain writes it in plain decimals). Non-finite values become null (JSON has no NaN).
boost::json::value plain_number(double number);

/// The number as plain decimal text: "74250", "2.5", "-0.125", never an exponent; "null" when not finite.
std::string plain_decimal(double number);

/// `document` as compact JSON text, as boost::json::serialize writes it except that doubles are plain decimals.
std::string serialize_plain(const boost::json::value& document);

}  // namespace loa
