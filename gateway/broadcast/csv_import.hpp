// Reading officials' subscriber lists: CSV in UTF-8 (optional BOM, optional header row, CRLF or LF, quoted
// fields) with rows `phone[,name[,groups]]`, groups separated by ';'. Incremental, so a million-row upload is
// read as it streams in and never held whole; and bounded per row, so one hostile line (20 MB of commas, 50
// MB without a line break) costs at most max_row_bytes and is reported as one invalid row, with a short
// excerpt.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace loa::broadcast {

/// One accepted row.
struct subscriber_row {
  std::size_t line = 0;             ///< 1-based line in the file
  std::string phone;                ///< stored form, 84xxxxxxxxx
  std::string name;                 ///< may be empty
  std::vector<std::string> groups;  ///< from the row; the import's --group values are added by the caller
  bool converted_legacy = false;    ///< an 11-digit number from before 2018, mapped to its new prefix
};

/// One refused row, as the import report lists it.
struct invalid_row {
  std::size_t line = 0;
  std::string value;  ///< the phone field as written, or the row's start when it could not be split; at most
                      ///< excerpt_bytes (cut on a character boundary, "..." appended)
  std::string reason;
};

/// What an invalid row's value holds at most, in bytes: enough to find the row, never the row echoed back.
inline constexpr std::size_t excerpt_bytes = 40;
/// A row longer than this (its bytes as written, quotes and separators included) is invalid. A phone, a name
/// and a list of groups fit in a few hundred bytes.
inline constexpr std::size_t default_max_row_bytes = 4096;

/// Splits a CSV stream into rows. Feed it chunks as they arrive; rows are handed over as soon as they are
/// complete. A header row (first line whose first field holds no digit) is skipped.
class csv_reader {
 public:
  using row_handler = std::function<void(subscriber_row&&)>;
  using invalid_handler = std::function<void(invalid_row&&)>;

  /// A row over `max_row_bytes` is reported invalid (line and excerpt) and skipped up to its next line break,
  /// the import going on with the row after it.
  csv_reader(row_handler on_row, invalid_handler on_invalid,
             std::size_t max_row_bytes = default_max_row_bytes);

  /// Reads `chunk`; may call the handlers any number of times.
  void feed(std::string_view chunk);
  /// The end of the file: the last line needs no newline. Returns false when the file ended inside a
  /// quoted field (that row is reported invalid).
  bool finish();

  /// Lines read so far (data and header).
  std::size_t lines() const noexcept { return line_; }
  /// True once the first line was taken as a header.
  bool had_header() const noexcept { return had_header_; }

 private:
  void end_field();
  void end_record();
  void reset_record();

  row_handler on_row_;
  invalid_handler on_invalid_;
  std::size_t max_row_bytes_;
  std::string field_;
  std::vector<std::string> fields_;  // at most max_columns + 1: enough to tell a row has too many
  std::size_t columns_ = 0;          // fields of the current row, counted beyond those kept
  std::size_t row_bytes_ = 0;        // bytes of the current row so far
  std::string excerpt_;              // its first excerpt_bytes + 1 bytes, as written (excerpt() cuts it)
  bool overlong_ = false;            // past max_row_bytes: skipped up to the next line break
  std::size_t line_ = 1;             // line the current record started on
  std::size_t physical_line_ = 1;
  bool in_quotes_ = false;
  bool quote_pending_ = false;  // saw a quote inside a quoted field: end of quotes or an escaped quote
  bool at_start_ = true;        // nothing read yet: a BOM may come
  bool first_record_ = true;
  bool had_header_ = false;
  bool pending_cr_ = false;
};

/// At most excerpt_bytes of `text`, cut on a UTF-8 character boundary, with "..." when something was cut.
std::string excerpt(std::string_view text);

/// Splits a `groups` field ("ho-gia-dinh; to-5") into trimmed, non-empty names.
std::vector<std::string> split_groups(std::string_view field);

}  // namespace loa::broadcast
