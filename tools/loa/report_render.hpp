// `loa report`'s outputs, made from the gateway's documents (docs/API.md): the text for a terminal or cron's
// mail, the HTML page an official opens or prints (Vietnamese, one self-contained file), and the CSV of every
// recipient. Pure: the command fetches and writes, these only format, so tests check every output exactly.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace loa::cli::report {

/// The report document of GET /v1/campaigns/{id}/report as plain text tables (English, like the other
/// commands' terminal output).
std::string text(const boost::json::value& report);

/// The report as one UTF-8 HTML page with inline CSS and an inline SVG chart: no script, nothing fetched.
/// Every string from the document is escaped. `signer`: the name under the signature block ("Người lập báo
/// cáo"); empty leaves a dotted line to write it by hand.
std::string html(const boost::json::value& report, std::string_view signer = {});

/// The CSV's header line: phone,carrier,state,parts,reason,groups,submitted_at,settled_at (CRLF-terminated,
/// as RFC 4180 has it).
std::string csv_header();

/// One CSV line of a recipient of GET /v1/campaigns/{id}/recipients; its groups joined by ';', every cell
/// through csv_cell (quoted, formulas neutralised).
std::string csv_row(const boost::json::value& recipient);

/// Text safe inside HTML elements and attribute values (& < > " ').
std::string html_escape(std::string_view text);

}  // namespace loa::cli::report
