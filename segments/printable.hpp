// Text that came from outside (a citizen's reply, a carrier's PDU fields) made safe to print on a terminal or
// in a log line: nothing in it can move the cursor, clear the screen, rewrite the title or reorder the line.
#pragma once

#include <string>
#include <string_view>

namespace loa::segments {

/// `text` with every control character escaped: C0 and DEL as `\n`, `\r`, `\t` or `\xNN` (ESC is `\x1b`), C1
/// (U+0080..U+009F) and the bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069) as
/// `\u{NNNN}`, bytes that are not UTF-8 as `\xNN`, and the backslash as `\\` (so that the escapes are
/// unambiguous). Everything else, Vietnamese letters included, is kept as it is.
std::string printable(std::string_view text);

}  // namespace loa::segments
