// Every CSV that loa writes for people to open (the report's recipients today) goes through this one cell
// writer: RFC 4180 quoting, and cells a spreadsheet would run as a formula neutralised as OWASP recommends.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace loa::cli {

/// One CSV cell: text beginning with = + - @, a tab or a carriage return gets a leading ' (a spreadsheet then
/// shows it as text instead of running it); the cell is in double quotes (inner quotes doubled) when it holds
/// a comma, a quote or a line break.
std::string csv_cell(std::string_view value);

/// One CSV line: the cells, each through csv_cell, separated by commas and ended by CRLF (RFC 4180).
std::string csv_line(std::span<const std::string> values);

}  // namespace loa::cli
