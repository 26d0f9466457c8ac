// libFuzzer target: arbitrary bytes as an official's subscriber CSV -> broadcast::csv_reader, fed in pieces
// the way an upload streams in. The input's first byte says how many chunk-size bytes follow (1..8); those
// bytes are the sizes of the successive pieces, used in turn (0 feeds an empty piece); the rest is the file.
// The same file is also read in one piece and one byte at a time, and the three readings must agree.
// Invariants (abort when broken):
//  - every row is accepted or reported invalid, with a line number > 0 and no later than the file's last
//    line, and line numbers never go down;
//  - an accepted row has the stored form 84 + 9 digits, a name and groups of well-formed UTF-8, groups
//    trimmed, non-empty, without ';' and each once; an invalid row says why;
//  - how the file is cut into pieces changes nothing (rows, invalid rows, header, line count, finish()),
//    given the reader's one stated assumption: an upload's first piece holds at least 3 bytes (a BOM).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "gateway/broadcast/csv_import.hpp"

namespace {

using namespace loa::broadcast;

struct event {
  bool accepted = false;
  std::size_t line = 0;
  std::string phone;  // accepted: stored number; invalid: the value as written
  std::string name;   // accepted: name; invalid: reason
  std::vector<std::string> groups;
  bool legacy = false;
  friend bool operator==(const event&, const event&) = default;
};

struct reading {
  std::vector<event> events;
  bool finished = false;
  std::size_t lines = 0;
  bool header = false;
  friend bool operator==(const reading&, const reading&) = default;
};

std::string_view g_file;  // for failure messages

[[noreturn]] void broken(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_csv_import: %s%s%s; file=%s\n", what, detail.empty() ? "" : ": ", detail.c_str(),
               loa::fuzz::hex(g_file, 512).c_str());
  std::abort();
}

// Reads `file` cut by `next_size` (called for each piece's size) and checks every event as it comes.
template <typename NextSize>
reading read(std::string_view file, std::size_t max_line, NextSize next_size) {
  reading r;
  std::size_t last_line = 0;
  auto check_line = [&](std::size_t line) {
    if (line == 0) broken("a row with line 0");
    if (line < last_line) broken("line numbers went down", std::to_string(last_line) + " -> " +
                                                             std::to_string(line));
    if (line > max_line) broken("a line number after the file's last line", std::to_string(line));
    last_line = line;
  };
  csv_reader reader(
      [&](subscriber_row&& row) {
        check_line(row.line);
        const bool stored_form = row.phone.size() == 11 && row.phone.starts_with("84") &&
                                 std::all_of(row.phone.begin(), row.phone.end(),
                                             [](char c) { return c >= '0' && c <= '9'; });
        if (!stored_form) broken("an accepted number is not 84 + 9 digits", row.phone);
        if (!loa::fuzz::strict_utf8(row.name)) broken("an accepted name is not UTF-8", loa::fuzz::hex(row.name));
        for (std::size_t i = 0; i < row.groups.size(); ++i) {
          const std::string& g = row.groups[i];
          if (g.empty() || g.find(';') != std::string::npos || g.front() == ' ' || g.front() == '\t' ||
              g.back() == ' ' || g.back() == '\t')
            broken("a group name is empty, untrimmed or holds ';'", g);
          if (!loa::fuzz::strict_utf8(g)) broken("a group name is not UTF-8", loa::fuzz::hex(g));
          if (std::find(row.groups.begin(), row.groups.begin() + static_cast<std::ptrdiff_t>(i), g) !=
              row.groups.begin() + static_cast<std::ptrdiff_t>(i))
            broken("a group is listed twice", g);
        }
        r.events.push_back({true, row.line, std::move(row.phone), std::move(row.name), std::move(row.groups),
                            row.converted_legacy});
      },
      [&](invalid_row&& bad) {
        check_line(bad.line);
        if (bad.reason.empty()) broken("an invalid row without a reason");
        r.events.push_back({false, bad.line, std::move(bad.value), std::move(bad.reason), {}, false});
      });
  std::size_t at = 0;
  bool first = true;
  while (at < file.size()) {
    std::size_t n = next_size();
    if (first && n > 0) {
      n = std::max<std::size_t>(n, 3);  // the reader's stated assumption about an upload's first piece
      first = false;
    }
    n = std::min(n, file.size() - at);
    reader.feed(file.substr(at, n));
    at += n;
  }
  r.finished = reader.finish();
  r.lines = reader.lines();
  r.header = reader.had_header();
  if (r.lines == 0) broken("lines() is 0 after finish()");
  if (!r.events.empty() && r.lines < r.events.back().line) broken("lines() is before the last row's line");
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t count = 1 + data[0] % 8;
  if (size < 1 + count) return 0;
  std::vector<std::size_t> sizes(data + 1, data + 1 + count);
  if (std::all_of(sizes.begin(), sizes.end(), [](std::size_t n) { return n == 0; })) sizes.back() = 1;
  const std::string_view file(reinterpret_cast<const char*>(data + 1 + count), size - 1 - count);
  g_file = file;

  // The last line a record can start on: every LF, and every CR not followed by LF, ends a line.
  std::size_t max_line = 1;
  for (std::size_t i = 0; i < file.size(); ++i) {
    if (file[i] == '\n' || (file[i] == '\r' && (i + 1 == file.size() || file[i + 1] != '\n'))) ++max_line;
  }

  std::size_t turn = 0;
  const reading pieces = read(file, max_line, [&] { return sizes[turn++ % sizes.size()]; });
  const reading whole = read(file, max_line, [&] { return file.size(); });
  if (!(pieces == whole)) broken("reading in pieces differs from reading in one piece");
  if (loa::fuzz::verbose()) {
    std::size_t accepted = 0;
    for (const auto& e : whole.events) accepted += e.accepted ? 1 : 0;
    std::fprintf(stderr, "fuzz_csv_import: %zu pieces sizes, %zu accepted, %zu invalid, header %d, %zu lines\n",
                 sizes.size(), accepted, whole.events.size() - accepted, whole.header ? 1 : 0, whole.lines);
    for (const auto& e : whole.events) {
      if (!e.accepted) std::fprintf(stderr, "  line %zu: '%s': %s\n", e.line, e.phone.c_str(), e.name.c_str());
    }
  }
  if (file.size() <= 1024) {  // byte by byte is slow on long inputs and finds nothing the pieces miss
    const reading bytes = read(file, max_line, [] { return std::size_t{1}; });
    if (!(bytes == whole)) broken("reading byte by byte differs from reading in one piece");
  }
  return 0;
}
