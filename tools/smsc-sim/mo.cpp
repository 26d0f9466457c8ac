#include "tools/smsc-sim/mo.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "segments/error.hpp"
#include "segments/split.hpp"
#include "segments/ucs2.hpp"
#include "segments/utf8.hpp"

namespace loa::sim {
namespace {

[[noreturn]] void fail(const std::string& name, std::size_t line, const std::string& what) {
  throw std::runtime_error(name + ":" + std::to_string(line) + ": " + what);
}

std::uint32_t parse_delay(std::string_view s, const std::string& name, std::size_t line) {
  std::uint32_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size())
    fail(name, line, "delay_ms must be a whole number of milliseconds, got '" + std::string(s) + "'");
  return v;
}

// One CSV record starting at `pos` (RFC 4180: fields in double quotes may hold commas, newlines and "" for a
// quote). Advances `pos` past the record's line end and `line` past the newlines inside quoted fields.
std::vector<std::string> csv_record(std::string_view in, std::size_t& pos, std::size_t& line,
                                    const std::string& name) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  const std::size_t first_line = line;
  while (pos < in.size()) {
    const char c = in[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < in.size() && in[pos] == '"') {
          fields.back() += '"';
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        fields.back() += c;
      }
    } else if (c == '"' && fields.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  if (quoted) fail(name, first_line, "a quoted field is not closed");
  return fields;
}

mo_message from_json(std::string_view text, const std::string& name, std::size_t line) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) fail(name, line, "not a JSON object");
  const auto& o = v.as_object();
  mo_message m;
  m.line = line;
  auto text_field = [&](const char* key) {
    const auto* f = o.if_contains(key);
    if (!f || !f->is_string()) fail(name, line, std::string("\"") + key + "\" must be a string");
    return std::string(f->as_string());
  };
  m.from = text_field("from");
  m.to = text_field("to");
  m.text = text_field("text");
  if (const auto* d = o.if_contains("delay_ms")) {
    if (!d->is_number()) fail(name, line, "\"delay_ms\" must be a number");
    const auto ms = d->to_number<double>();
    if (ms < 0 || ms > 4294967295.0) fail(name, line, "\"delay_ms\" out of range");
    m.delay_ms = static_cast<std::uint32_t>(ms);
  }
  if (const auto* n = o.if_contains("parts")) {
    if (!n->is_int64() || n->as_int64() < 1 || n->as_int64() > 255)
      fail(name, line, "\"parts\" must be a whole number from 1 to 255 (the first parts sent)");
    m.first_parts = static_cast<std::size_t>(n->as_int64());
  }
  return m;
}

// A short text with control characters (escape sequences), which the splitter refuses for notices: a hostile
// handset sends it anyway, as one UCS-2 part. Fails (`ec` kept) when it is longer than one part.
std::vector<smpp::short_message> raw_ucs2_part(const mo_message& mo, std::error_code& ec) {
  std::u32string cps;
  if (!segments::decode_utf8(mo.text, cps)) return {};
  smpp::short_message m;
  m.source = {1, 1, mo.from};
  m.destination = {0, 0, mo.to};
  m.data_coding = 0x08;
  for (const auto cp : cps) segments::ucs2::append(m.message, cp);
  if (m.message.size() > 140) return {};
  ec.clear();
  return {std::move(m)};
}

}  // namespace

std::vector<mo_message> parse_mo(std::string_view content, const std::string& name) {
  std::vector<mo_message> out;
  if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);  // a BOM from spreadsheet exports
  std::size_t pos = 0, line = 1;
  bool first_record = true;
  while (pos < content.size()) {
    const std::size_t this_line = line;
    const auto end = content.find('\n', pos);
    std::string_view raw =
        content.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (raw.ends_with('\r')) raw.remove_suffix(1);
    const auto lead = raw.find_first_not_of(" \t");
    if (lead == std::string_view::npos || raw[lead] == '#') {
      pos = end == std::string_view::npos ? content.size() : end + 1;
      ++line;
      continue;
    }
    if (raw[lead] == '{') {
      out.push_back(from_json(raw, name, this_line));
      pos = end == std::string_view::npos ? content.size() : end + 1;
      ++line;
      first_record = false;
      continue;
    }
    auto fields = csv_record(content, pos, line, name);
    ++line;
    if (first_record && fields[0] == "from") {  // header row
      first_record = false;
      continue;
    }
    first_record = false;
    if (fields.size() < 3 || fields.size() > 4)
      fail(name, this_line,
           "expected from,to,text[,delay_ms], got " + std::to_string(fields.size()) + " fields");
    mo_message m;
    m.line = this_line;
    m.from = std::move(fields[0]);
    m.to = std::move(fields[1]);
    m.text = std::move(fields[2]);
    if (fields.size() == 4) m.delay_ms = parse_delay(fields[3], name, this_line);
    out.push_back(std::move(m));
  }
  for (const auto& m : out) {
    if (m.from.empty() || m.to.empty()) fail(name, m.line, "from and to must not be empty");
    std::error_code ec;
    if (mo_parts(m, 0, ec); ec) fail(name, m.line, "text cannot be sent: " + ec.message());
  }
  return out;
}

std::vector<mo_message> load_mo_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open MO file " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return parse_mo(s.str(), path);
}

std::vector<smpp::short_message> mo_parts(const mo_message& mo, std::uint16_t reference,
                                          std::error_code& ec) {
  segments::split_options o;
  o.accent_policy = segments::accents::keep;  // a handset sends what the citizen typed
  o.concat = segments::concat_method::udh8;
  o.reference = reference;
  o.max_parts = 255;
  segments::message split;
  const auto status = segments::split(mo.text, o, split);
  ec = status.code;
  if (ec == segments::error::control_character) return raw_ucs2_part(mo, ec);
  if (ec) return {};
  std::vector<smpp::short_message> parts;
  parts.reserve(split.parts.size());
  for (std::size_t i = 0; i < split.parts.size(); ++i) {
    smpp::short_message m;
    m.source = {1, 1, mo.from};  // international, ISDN
    m.destination = {0, 0, mo.to};
    m.esm_class = split.esm_class;  // message type default (0); UDHI only on the parts of a long text
    m.data_coding = split.data_coding;
    const auto bytes = split.short_message(i);
    m.message.assign(bytes.begin(), bytes.end());
    parts.push_back(std::move(m));
  }
  if (parts.empty()) {  // an empty text still arrives, as one empty message
    smpp::short_message m;
    m.source = {1, 1, mo.from};
    m.destination = {0, 0, mo.to};
    parts.push_back(std::move(m));
  }
  return parts;
}

}  // namespace loa::sim
