#include "gateway/smpp/receipt.hpp"

#include <algorithm>

#include <array>
#include <cctype>

#include "gateway/smpp/codec.hpp"

namespace loa::smpp {
namespace {

char lower(char c) noexcept { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

enum class key { id, sub, dlvrd, submit_date, done_date, stat, err, text };

// Tries to read a key at `pos` (case-insensitive): one or two words, spaces or '_' between them, spaces, ':'.
// Returns the offset just past the ':' or 0.
std::size_t match_key(std::string_view s, std::size_t pos, std::string_view first, std::string_view second) {
  auto word = [&](std::size_t p, std::string_view w) -> std::size_t {
    if (s.size() - p < w.size()) return 0;
    for (std::size_t i = 0; i < w.size(); ++i)
      if (lower(s[p + i]) != w[i]) return 0;
    return p + w.size();
  };
  std::size_t p = word(pos, first);
  if (p == 0) return 0;
  if (!second.empty()) {
    const std::size_t gap = p;
    while (p < s.size() && (space(s[p]) || s[p] == '_')) ++p;
    if (p == gap) return 0;
    p = word(p, second);
    if (p == 0) return 0;
  }
  while (p < s.size() && space(s[p])) ++p;
  if (p >= s.size() || s[p] != ':') return 0;
  return p + 1;
}

struct key_def {
  key k;
  std::string_view first;
  std::string_view second;
};

constexpr std::array<key_def, 8> keys{{{key::id, "id", ""},
                                       {key::sub, "sub", ""},
                                       {key::dlvrd, "dlvrd", ""},
                                       {key::submit_date, "submit", "date"},
                                       {key::done_date, "done", "date"},
                                       {key::stat, "stat", ""},
                                       {key::err, "err", ""},
                                       {key::text, "text", ""}}};

bool is_hex_digit(char c) noexcept { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_dec_digit(char c) noexcept { return c >= '0' && c <= '9'; }

std::optional<std::uint64_t> parse_number(std::string_view s, unsigned base) noexcept {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    unsigned d;
    if (is_dec_digit(c))
      d = static_cast<unsigned>(c - '0');
    else if (base == 16 && is_hex_digit(c))
      d = static_cast<unsigned>(lower(c) - 'a' + 10);
    else
      return std::nullopt;
    if (v > (UINT64_MAX - d) / base) return std::nullopt;
    v = v * base + d;
  }
  return v;
}

std::string as_is_key(std::string_view id) {
  id = trim(id);
  std::string s;
  s.reserve(id.size());
  for (char c : id) s.push_back(lower(c));
  const auto first = s.find_first_not_of('0');
  if (first == std::string::npos) return s.empty() ? s : "0";
  return s.substr(first);
}

}  // namespace

receipt_state parse_receipt_state(std::string_view word) noexcept {
  std::string w;
  for (char c : trim(word)) w.push_back(lower(c));
  if (w == "delivrd" || w == "delivered") return receipt_state::delivered;
  if (w == "expired") return receipt_state::expired;
  if (w == "deleted") return receipt_state::deleted;
  if (w == "undeliv" || w == "undeliverable") return receipt_state::undeliverable;
  if (w == "acceptd" || w == "accepted") return receipt_state::accepted;
  if (w == "rejectd" || w == "rejected") return receipt_state::rejected;
  if (w == "enroute") return receipt_state::enroute;
  return receipt_state::unknown;
}

receipt_state receipt_state_from_tlv(std::uint8_t value) noexcept {
  switch (value) {
    case 1: return receipt_state::enroute;
    case 2: return receipt_state::delivered;
    case 3: return receipt_state::expired;
    case 4: return receipt_state::deleted;
    case 5: return receipt_state::undeliverable;
    case 6: return receipt_state::accepted;
    case 8: return receipt_state::rejected;
    default: return receipt_state::unknown;
  }
}

std::uint8_t message_state_value(receipt_state state) noexcept {
  switch (state) {
    case receipt_state::enroute: return 1;
    case receipt_state::delivered: return 2;
    case receipt_state::expired: return 3;
    case receipt_state::deleted: return 4;
    case receipt_state::undeliverable: return 5;
    case receipt_state::accepted: return 6;
    case receipt_state::unknown: return 7;
    case receipt_state::rejected: return 8;
  }
  return 7;
}

std::string_view to_string(receipt_state state) noexcept {
  switch (state) {
    case receipt_state::enroute: return "enroute";
    case receipt_state::delivered: return "delivered";
    case receipt_state::expired: return "expired";
    case receipt_state::deleted: return "deleted";
    case receipt_state::undeliverable: return "undeliverable";
    case receipt_state::accepted: return "accepted";
    case receipt_state::unknown: return "unknown";
    case receipt_state::rejected: return "rejected";
  }
  return "unknown";
}

std::string_view stat_word(receipt_state state) noexcept {
  switch (state) {
    case receipt_state::enroute: return "ENROUTE";
    case receipt_state::delivered: return "DELIVRD";
    case receipt_state::expired: return "EXPIRED";
    case receipt_state::deleted: return "DELETED";
    case receipt_state::undeliverable: return "UNDELIV";
    case receipt_state::accepted: return "ACCEPTD";
    case receipt_state::unknown: return "UNKNOWN";
    case receipt_state::rejected: return "REJECTD";
  }
  return "UNKNOWN";
}

std::optional<receipt> parse_receipt_text(std::string_view s) {
  struct found {
    key k;
    std::size_t key_at;
    std::size_t value_at;
  };
  std::vector<found> hits;
  bool text_seen = false;
  for (std::size_t pos = 0; pos < s.size() && !text_seen; ++pos) {
    if (pos > 0 && !space(s[pos - 1])) continue;  // keys start a word
    for (const auto& d : keys) {
      if (const auto after = match_key(s, pos, d.first, d.second)) {
        hits.push_back({d.k, pos, after});
        text_seen = d.k == key::text;  // `text:` runs to the end, whatever it contains
        pos = after - 1;
        break;
      }
    }
  }
  receipt r;
  bool has_id = false;
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const std::size_t end = i + 1 < hits.size() ? hits[i + 1].key_at : s.size();
    const auto value = s.substr(hits[i].value_at, end - hits[i].value_at);
    const auto v = hits[i].k == key::text ? value : trim(value);
    switch (hits[i].k) {
      case key::id:
        r.id = std::string(v);
        has_id = !r.id.empty();
        break;
      case key::submit_date: r.submit_date = std::string(v); break;
      case key::done_date: r.done_date = std::string(v); break;
      case key::stat: r.state = parse_receipt_state(v); break;
      case key::err: r.error = std::string(v); break;
      case key::text: r.text = std::string(trim(v)); break;
      case key::sub:
      case key::dlvrd: break;
    }
  }
  if (!has_id) return std::nullopt;
  return r;
}

std::optional<receipt> parse_receipt(const short_message& m) {
  const std::string text(m.message.begin(), m.message.end());
  auto parsed = parse_receipt_text(text);
  receipt r = parsed.value_or(receipt{});
  bool has_id = parsed.has_value();
  if (const auto* t = find_tlv(m.tlvs, tag::receipted_message_id)) {
    if (auto id = tlv_string(*t); !id.empty()) {
      r.id = std::move(id);
      has_id = true;
    }
  }
  if (const auto* t = find_tlv(m.tlvs, tag::message_state); t && t->value.size() == 1)
    r.state = receipt_state_from_tlv(t->value[0]);
  if (r.error.empty())
    if (const auto* t = find_tlv(m.tlvs, tag::network_error_code)) r.error = to_hex(t->value);
  if (!has_id) return std::nullopt;
  r.source = m.source.addr;
  return r;
}

std::string normalise_receipt_id(std::string_view id, receipt_id_mode mode, id_origin origin) {
  const auto s = trim(id);
  if (mode == receipt_id_mode::as_is) return as_is_key(s);
  // The mode names the base of the receipt's id; the submit_sm_resp id is written in the other one.
  const bool receipt_side = origin == id_origin::receipt;
  unsigned base = (mode == receipt_id_mode::hex) == receipt_side ? 16 : 10;
  // Lenient: an id that should be decimal but has letters a-f is read as hex after all.
  if (base == 10 && std::any_of(s.begin(), s.end(), [](char c) { return !is_dec_digit(c) && is_hex_digit(c); }))
    base = 16;
  if (auto v = parse_number(s, base)) return std::to_string(*v);
  return as_is_key(s);
}

std::optional<receipt_id_mode> parse_receipt_id_mode(std::string_view name) noexcept {
  if (name == "as-is" || name == "as_is") return receipt_id_mode::as_is;
  if (name == "hex") return receipt_id_mode::hex;
  if (name == "dec") return receipt_id_mode::dec;
  return std::nullopt;
}

}  // namespace loa::smpp
