// Reading officials' subscriber lists: CSV in UTF-8 (optional BOM, optional header row, CRLF or LF, quoted
// fields) with rows `phone[,name[,groups]]`, groups separated by ';'. Incremental, so a million-row upload is
// read as it streams in and never held whole.
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
  std::string value;  ///< the phone field as written (or the whole line when it could not be split)
  std::string reason;
};

/// Splits a CSV stream into rows. Feed it chunks as they arrive; rows are handed over as soon as they are
/// complete. A header row (first line whose first field holds no digit) is skipped.
class csv_reader {
 public:
  using row_handler = std::function<void(subscriber_row&&)>;
  using invalid_handler = std::function<void(invalid_row&&)>;

  csv_reader(row_handler on_row, invalid_handler on_invalid);

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

  row_handler on_row_;
  invalid_handler on_invalid_;
  std::string field_;
  std::vector<std::string> fields_;
  std::size_t line_ = 1;  // line the current record started on
  std::size_t physical_line_ = 1;
  bool in_quotes_ = false;
  bool quote_pending_ = false;  // saw a quote inside a quoted field: end of quotes or an escaped quote
  bool at_start_ = true;        // nothing read yet: a BOM may come
  bool first_record_ = true;
  bool had_header_ = false;
  bool pending_cr_ = false;
};

/// Splits a `groups` field ("ho-gia-dinh; to-5") into trimmed, non-empty names.
std::vector<std::string> split_groups(std::string_view field);

}  // namespace loa::broadcast
