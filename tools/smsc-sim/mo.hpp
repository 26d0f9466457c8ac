// Citizens' messages (MO) the simulator delivers from a file (--mo FILE): loaded at start-up, split into
// deliver_sm parts by the segments library so that the gateway's reassembly gets real concatenated input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "gateway/smpp/pdu.hpp"

namespace loa::sim {

/// One message a handset sends.
struct mo_message {
  std::string from;            // the citizen's number
  std::string to;              // the short code or brandname it was sent to
  std::string text;            // UTF-8
  std::uint32_t delay_ms = 0;  // wait before sending it, counted from the previous MO (the first: from the
                               // first receiver bind)
  std::size_t line = 0;  // line in the file, for messages about it
  std::size_t first_parts =
      0;  // send only this many of its parts (a handset that never sends the rest); 0: all
};

/// Reads a JSON-lines file (`{"from", "to", "text", "delay_ms"?, "parts"?}` per line; `parts` sends only the
/// first N parts of a long text) or a CSV file
/// (`from,to,text[,delay_ms]`, RFC 4180 quoting, optional header row starting with `from`). Blank lines and
/// lines starting with `#` are skipped. Throws std::runtime_error("FILE:LINE: what") (start-up only).
std::vector<mo_message> load_mo_file(const std::string& path);

/// Parses the text of such a file (`name` is used in error messages); throws like load_mo_file.
std::vector<mo_message> parse_mo(std::string_view content, const std::string& name);

/// The deliver_sm bodies of one MO (esm_class 0, plus UDHI on parts of a long text): GSM 7-bit unpacked when
/// every character is in the GSM alphabet, else UCS-2; long texts in parts with an 8-bit reference UDH
/// (`reference`'s low byte); a short text with control characters (escape sequences, as a hostile handset may
/// send) as one UCS-2 part. Fails (empty, `ec` set) when the text is not valid UTF-8 or needs over 255
/// parts.
std::vector<smpp::short_message> mo_parts(const mo_message& mo, std::uint16_t reference, std::error_code& ec);

}  // namespace loa::sim
