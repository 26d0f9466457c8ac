#include "gateway/broadcast/csv_import.hpp"

#include <algorithm>

#include "gateway/broadcast/names.hpp"
#include "gateway/broadcast/numbers.hpp"
#include "segments/utf8.hpp"

namespace loa::broadcast {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when `s` is valid UTF-8 (names end up in reports and JSON; a Latin-1 export must not slip through).
// Strict (RFC 3629): surrogates, overlong forms and values above U+10FFFF are refused too, since a name that
// reaches a phone or a report must be text. The buffer is reused: this runs for every field of every row.
bool valid_utf8(std::string_view s) {
  thread_local std::u32string decoded;
  return static_cast<bool>(segments::decode_utf8(s, decoded));
}

}  // namespace

std::vector<std::string> split_groups(std::string_view field) {
  std::vector<std::string> groups;
  while (!field.empty()) {
    const auto end = std::min(field.find(';'), field.size());
    const auto name = trim(field.substr(0, end));
    if (!name.empty() && std::find(groups.begin(), groups.end(), name) == groups.end())
      groups.emplace_back(name);
    field.remove_prefix(std::min(end + 1, field.size()));
  }
  return groups;
}

std::string excerpt(std::string_view text) {
  if (text.size() <= excerpt_bytes) return std::string(text);
  std::size_t cut = excerpt_bytes;
  for (int back = 0; back < 3 && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80; ++back)
    --cut;  // not inside a character (a UTF-8 character has at most 3 continuation bytes)
  return std::string(text.substr(0, cut)) + "...";
}

csv_reader::csv_reader(row_handler on_row, invalid_handler on_invalid, std::size_t max_row_bytes)
    : on_row_(std::move(on_row)), on_invalid_(std::move(on_invalid)), max_row_bytes_(max_row_bytes) {}

namespace {
constexpr std::size_t max_columns = 3;  // phone, name, groups
}  // namespace

void csv_reader::end_field() {
  ++columns_;
  if (fields_.size() <= max_columns) fields_.push_back(std::move(field_));
  field_.clear();
}

void csv_reader::reset_record() {
  field_.clear();
  fields_.clear();
  columns_ = 0;
  row_bytes_ = 0;
  excerpt_.clear();
  overlong_ = false;
  in_quotes_ = false;
  quote_pending_ = false;
}

void csv_reader::end_record() {
  const std::size_t line = line_;
  line_ = physical_line_;
  if (overlong_) {
    first_record_ = false;  // a header is short
    on_invalid_({line, excerpt(excerpt_),
                 "the row is longer than " + std::to_string(max_row_bytes_) +
                     " bytes (a phone, a name and groups take far less): skipped"});
    reset_record();
    return;
  }
  end_field();
  const std::size_t columns = columns_;
  std::vector<std::string> fields = std::move(fields_);
  reset_record();
  const bool blank = columns == 1 && trim(fields[0]).empty();
  if (blank) return;

  const std::string_view phone_field = trim(fields[0]);
  if (first_record_) {
    first_record_ = false;
    // A header names its columns; a phone number always has digits.
    if (std::none_of(phone_field.begin(), phone_field.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      had_header_ = true;
      return;
    }
  }
  if (columns > max_columns) {
    on_invalid_(
        {line, excerpt(phone_field),
         std::to_string(columns) + " columns: more than 3 (phone, name, groups); quote names with commas"});
    return;
  }
  for (const auto& f : fields) {
    if (!valid_utf8(f)) {
      on_invalid_({line, excerpt(phone_field), "not UTF-8: save the file as CSV UTF-8"});
      return;
    }
  }
  auto number = normalise_number(phone_field);
  if (!number) {
    on_invalid_({line, excerpt(phone_field), std::string(describe(number.problem))});
    return;
  }
  subscriber_row row;
  row.line = line;
  row.phone = std::move(number.number);
  row.converted_legacy = number.converted_legacy;
  if (fields.size() > 1) row.name = std::string(trim(fields[1]));
  if (fields.size() > 2) {
    // Each group checked and composed like every other way a group name comes in (names.hpp).
    for (const auto& raw : split_groups(fields[2])) {
      auto name = check_name(name_kind::group, raw);
      if (!name) {
        on_invalid_({line, excerpt(phone_field), "groups: " + name.problem});
        return;
      }
      if (std::find(row.groups.begin(), row.groups.end(), name.value) == row.groups.end())
        row.groups.push_back(std::move(name.value));
    }
  }
  on_row_(std::move(row));
}

void csv_reader::feed(std::string_view chunk) {
  if (at_start_ && !chunk.empty()) {
    // The BOM may be split over chunks only in theory; uploads start with at least three bytes.
    if (chunk.starts_with("\xEF\xBB\xBF")) chunk.remove_prefix(3);
    at_start_ = false;
  }
  for (const char c : chunk) {
    if (pending_cr_) {  // CR LF, or a lone CR (old Mac exports): either ends the line once
      pending_cr_ = false;
      if (c == '\n') continue;
    }
    const bool line_break = c == '\r' || c == '\n';
    const bool ends_row = line_break && (!in_quotes_ || quote_pending_);  // after a closing quote too
    if (!ends_row && !overlong_) {
      if (row_bytes_ == max_row_bytes_) {
        // Keep nothing more of this row: only its line number and excerpt are reported. A quote left open
        // there no longer holds: the row ends at the next line break, so one stray quote loses one row.
        overlong_ = true;
        field_.clear();
        fields_.clear();
      } else {
        ++row_bytes_;
        if (excerpt_.size() <= excerpt_bytes)
          excerpt_.push_back(c);  // one more: excerpt() then marks the cut
      }
    }
    if (overlong_) {
      if (line_break) {
        pending_cr_ = c == '\r';
        ++physical_line_;
        end_record();
      }
      continue;
    }
    if (quote_pending_) {
      quote_pending_ = false;
      if (c == '"') {  // "" inside quotes: a literal quote
        field_.push_back('"');
        continue;
      }
      in_quotes_ = false;  // the closing quote; c is handled below
    }
    if (in_quotes_) {
      if (c == '"') {
        quote_pending_ = true;
      } else {
        if (c == '\n') ++physical_line_;
        field_.push_back(c);
      }
      continue;
    }
    switch (c) {
      case '"':
        if (trim(field_).empty()) {
          field_.clear();
          in_quotes_ = true;
        } else {
          field_.push_back(c);  // a stray quote inside an unquoted field is kept as text
        }
        break;
      case ',':
        end_field();
        break;
      case '\r':
        pending_cr_ = true;
        ++physical_line_;
        end_record();
        break;
      case '\n':
        ++physical_line_;
        end_record();
        break;
      default:
        field_.push_back(c);
    }
  }
}

bool csv_reader::finish() {
  if (overlong_) {
    end_record();
    return true;
  }
  if (quote_pending_) {
    quote_pending_ = false;
    in_quotes_ = false;
  }
  if (in_quotes_) {
    on_invalid_({line_, excerpt(excerpt_), "the file ends inside a quoted field (a quote is not closed)"});
    reset_record();
    return false;
  }
  if (!field_.empty() || !fields_.empty()) end_record();
  return true;
}

}  // namespace loa::broadcast
