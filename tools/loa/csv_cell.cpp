#include "tools/loa/csv_cell.hpp"

namespace loa::cli {

std::string csv_cell(std::string_view value) {
  // OWASP "CSV Injection": these first characters start a formula (or, for tab and CR, hide one after them).
  constexpr std::string_view formula_starts = "=+-@\t\r";
  std::string cell;
  if (!value.empty() && formula_starts.find(value.front()) != std::string_view::npos) cell = "'";
  cell += value;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (const char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string csv_line(std::span<const std::string> values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_cell(values[i]);
  }
  return out + "\r\n";
}

}  // namespace loa::cli
