#include "segments/split.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <string>

#include "segments/char_table.hpp"
#include "segments/error.hpp"
#include "segments/gsm7.hpp"
#include "segments/ucs2.hpp"
#include "segments/utf8.hpp"

namespace loa::segments {
namespace {

constexpr std::size_t format_part_limit = 255;  // the concatenation IEs count parts in one octet

std::size_t utf8_length(char32_t cp) noexcept {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

std::string hex_code_point(char32_t cp) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string s = "U+";
  for (int shift = cp > 0xFFFF ? 20 : 12; shift >= 0; shift -= 4) s.push_back(digits[(cp >> shift) & 0xF]);
  return s;
}

}  // namespace

std::string_view to_string(encoding e) noexcept {
  return e == encoding::gsm7 ? "gsm7" : "ucs2";
}

std::string_view to_string(concat_method m) noexcept {
  switch (m) {
    case concat_method::udh8:
      return "udh8";
    case concat_method::udh16:
      return "udh16";
    case concat_method::sar:
      return "sar";
    case concat_method::payload:
      return "payload";
  }
  return "udh8";
}

std::optional<concat_method> parse_concat(std::string_view name) noexcept {
  for (auto m : {concat_method::udh8, concat_method::udh16, concat_method::sar, concat_method::payload})
    if (to_string(m) == name) return m;
  return std::nullopt;
}

capacity capacity_of(encoding e, concat_method m) noexcept {
  const bool wide_reference = m == concat_method::udh16 || m == concat_method::sar;
  if (e == encoding::gsm7) return {160, wide_reference ? 152u : 153u};
  return {70, wide_reference ? 66u : 67u};
}

std::span<const std::uint8_t> message::short_message(std::size_t i) const noexcept {
  if (uses_payload() || i >= parts.size()) return {};
  return std::span(bytes).subspan(parts[i].offset, parts[i].length);
}

std::span<const std::uint8_t> message::udh(std::size_t i) const noexcept {
  return short_message(i).first(i < parts.size() ? parts[i].udh_length : 0);
}

std::span<const std::uint8_t> message::body(std::size_t i) const noexcept {
  if (i >= parts.size()) return {};
  return std::span(bytes).subspan(parts[i].offset + parts[i].udh_length,
                                  parts[i].length - parts[i].udh_length);
}

std::optional<sar_fields> message::sar(std::size_t i) const noexcept {
  if (concat != concat_method::sar || parts.size() < 2 || i >= parts.size()) return std::nullopt;
  return sar_fields{reference, static_cast<std::uint8_t>(parts.size()), static_cast<std::uint8_t>(i + 1)};
}

std::span<const std::uint8_t> message::message_payload() const noexcept {
  if (!uses_payload()) return {};
  return bytes;
}

// One text the policy may send (as written, or stripped) and what scanning it found. `cps` is null for
// the ASCII fast path, where the bytes are the characters.
struct splitter::candidate {
  std::string_view text;
  const std::u32string* cps = nullptr;
  std::vector<std::uint8_t>* gsm_codes = nullptr;  // per character while the text is GSM (bit 7: ESC pair)
  std::size_t chars = 0;
};

// The layout of a candidate: its encoding and where its segments break.
struct splitter::plan {
  encoding coding = encoding::gsm7;
  std::size_t units = 0;
  std::size_t free_units = 0;
  std::optional<std::size_t> first_non_gsm;
  std::vector<part>* segments = nullptr;
};

// What one pass over a text's characters learns.
struct splitter::scan_result {
  std::optional<std::size_t> control_at;  // index of a forbidden control character
  bool nfc_yes = true;
  std::optional<std::size_t> first_non_gsm;
  std::size_t gsm_units = 0;
  std::size_t ucs2_units = 0;
};

// One table look-up per character tells control characters, NFC and GSM codes at once.
splitter::scan_result splitter::scan(const std::u32string& cps, std::vector<std::uint8_t>& codes) {
  const auto& table = detail::char_table();
  scan_result r;
  codes.resize(cps.size());
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const char32_t cp = cps[i];
    const detail::char_props p = cp < detail::table_size ? table[cp] : detail::props_of_rare(cp);
    if (p.forbidden_control) {
      r.control_at = i;
      return r;
    }
    r.nfc_yes = r.nfc_yes && p.nfc_yes;
    r.ucs2_units += ucs2::units(cp);
    if (r.first_non_gsm) continue;
    if (p.gsm == detail::not_gsm) {
      r.first_non_gsm = i;
    } else {
      codes[i] = p.gsm;
      r.gsm_units += detail::gsm_cost(p.gsm);
    }
  }
  return r;
}

splitter::splitter(split_options options) : options_(options) {}

namespace {

// GSM codes of the 128 ASCII characters (not_gsm for controls, tab and backtick), dense for the fast path.
const std::array<std::uint8_t, 128>& ascii_gsm_codes() {
  static const auto codes = [] {
    std::array<std::uint8_t, 128> out{};
    for (std::size_t b = 0; b < out.size(); ++b) out[b] = detail::char_table()[b].gsm;
    return out;
  }();
  return codes;
}

// Septet codes of a text made only of GSM-safe ASCII; false (codes unspecified) for anything else.
bool ascii_codes(std::string_view text, std::vector<std::uint8_t>& codes, std::size_t& units) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  std::uint8_t high = 0;
  for (std::size_t i = 0; i < text.size(); ++i) high |= bytes[i];
  if (high & 0x80) return false;
  const auto& table = ascii_gsm_codes();
  codes.resize(text.size());
  units = 0;
  bool all_gsm = true;
  for (std::size_t i = 0; i < text.size(); ++i) {  // no early exit: the loop stays branch-free
    const std::uint8_t code = table[bytes[i]];
    codes[i] = code;
    all_gsm &= code != detail::not_gsm;
    units += detail::gsm_cost(code);
  }
  return all_gsm;
}

}  // namespace

bool splitter::try_ascii(std::string_view text, candidate& c, plan& p) {
  // Unaccented notices: bytes are characters, and one table maps them to septets. Anything unusual
  // (controls, tab, backtick, non-ASCII) goes the general way.
  std::size_t units = 0;
  if (!ascii_codes(text, kept_codes_, units)) return false;
  c = {text, nullptr, &kept_codes_, text.size()};
  p.coding = encoding::gsm7;
  p.units = units;
  p.first_non_gsm.reset();
  layout(c, p);
  return true;
}

split_status splitter::check_controls(const scan_result& r) const {
  if (!r.control_at) return {};
  std::size_t byte_offset = 0;
  for (std::size_t i = 0; i < *r.control_at; ++i) byte_offset += utf8_length(input_cps_[i]);
  split_status status{error::control_character, byte_offset};
  status.control = input_cps_[*r.control_at];
  return status;
}

split_status splitter::prepare_kept(std::string_view text, scan_result r, candidate& c, plan& p) {
  c = {text, &input_cps_, &kept_codes_, input_cps_.size()};
  if (!r.nfc_yes) {  // decomposed or mixed input: compose, so the phone gets fewer, precomposed letters
    if (auto ec = to_nfc(text, nfc_text_)) return {ec};
    decode_utf8(nfc_text_, nfc_cps_);  // ICU wrote it: valid by construction
    r = scan(nfc_cps_, kept_codes_);
    c = {nfc_text_, &nfc_cps_, &kept_codes_, nfc_cps_.size()};
  }
  set_encoding(r, p);
  layout(c, p);
  return {};
}

void splitter::prepare_stripped(candidate& c, plan& p) {
  strip_accents(input_cps_, stripped_text_, stripped_cps_);
  c = {stripped_text_, &stripped_cps_, &stripped_codes_, stripped_cps_.size()};
  std::size_t units = 0;
  if (ascii_codes(stripped_text_, stripped_codes_, units)) {  // the usual outcome of stripping
    p.coding = encoding::gsm7;
    p.units = units;
    p.first_non_gsm.reset();
  } else {
    set_encoding(scan(stripped_cps_, stripped_codes_), p);
  }
  layout(c, p);
}

void splitter::set_encoding(const scan_result& r, plan& p) {
  p.first_non_gsm = r.first_non_gsm;
  p.coding = r.first_non_gsm ? encoding::ucs2 : encoding::gsm7;
  p.units = p.coding == encoding::gsm7 ? r.gsm_units : r.ucs2_units;
}

void splitter::layout(const candidate& c, plan& p) {
  const bool gsm = p.coding == encoding::gsm7;
  const auto& codes = *c.gsm_codes;
  const capacity cap = capacity_of(p.coding, options_.concat);
  auto& segments = *p.segments;
  segments.clear();
  if (p.units <= cap.single) {
    segments.push_back(
        {0, 0, 0, static_cast<std::uint16_t>(p.units), 0, static_cast<std::uint32_t>(c.chars)});
    p.free_units = cap.single - p.units;
    return;
  }
  if (p.units == c.chars) {  // every character costs one unit: the parts are plain slices
    for (std::size_t first = 0; first < c.chars; first += cap.per_part) {
      const auto n = static_cast<std::uint32_t>(std::min(cap.per_part, c.chars - first));
      segments.push_back({0, 0, 0, static_cast<std::uint16_t>(n), static_cast<std::uint32_t>(first), n});
    }
    p.free_units = cap.per_part - segments.back().units;
    return;
  }
  // Greedy, one character at a time: an ESC pair or a surrogate pair is one character, so it never
  // straddles two parts.
  part current;
  for (std::size_t i = 0; i < c.chars; ++i) {
    const unsigned u = gsm ? detail::gsm_cost(codes[i]) : ucs2::units((*c.cps)[i]);
    if (current.units + u > cap.per_part) {
      segments.push_back(current);
      current = part{};
      current.first_char = static_cast<std::uint32_t>(i);
    }
    current.units = static_cast<std::uint16_t>(current.units + u);
    ++current.chars;
  }
  segments.push_back(current);
  p.free_units = cap.per_part - current.units;
}

void splitter::encode(const candidate& c, const plan& p, message& out) {
  const auto& codes = *c.gsm_codes;
  const auto& segments = *p.segments;
  const bool gsm = p.coding == encoding::gsm7;
  const bool multi = segments.size() > 1;
  const bool with_udh =
      multi && (options_.concat == concat_method::udh8 || options_.concat == concat_method::udh16);
  const bool in_payload = multi && options_.concat == concat_method::payload;
  const std::uint16_t udh_octets = with_udh ? (options_.concat == concat_method::udh8 ? 6 : 7) : 0;

  out.coding = p.coding;
  out.concat = options_.concat;
  out.data_coding = gsm ? options_.gsm7_data_coding : std::uint8_t{0x08};
  out.esm_class = with_udh ? std::uint8_t{0x40} : std::uint8_t{0};
  out.packed = options_.packed_gsm7 && gsm && !in_payload;
  out.reference = options_.concat == concat_method::udh8 ? options_.reference & 0xFF : options_.reference;
  out.parts.clear();

  // Text octets of a part: one per septet unpacked, two per UTF-16 unit.
  const auto text_octets = [&](const part& pt) -> std::size_t {
    if (!gsm) return 2u * pt.units;
    if (out.packed) return (gsm7::fill_bits_after_udh(udh_octets) + 7u * pt.units + 7u) / 8u;
    return pt.units;
  };
  // Writes characters [first, first + count) at `dst`; returns the end.
  const auto write_text = [&](std::uint8_t* dst, std::size_t first, std::size_t count) {
    if (gsm && p.units == c.chars) {  // no ESC pairs: the codes are the septets
      return std::copy_n(codes.begin() + static_cast<std::ptrdiff_t>(first), count, dst);
    }
    if (gsm) {
      for (std::size_t i = first; i < first + count; ++i) {
        if (codes[i] & 0x80) *dst++ = gsm7::escape;
        *dst++ = codes[i] & 0x7F;
      }
      return dst;
    }
    const std::u32string& cps = *c.cps;
    for (std::size_t i = first; i < first + count; ++i) {
      if (cps[i] > 0xFFFF) {
        const char32_t v = cps[i] - 0x10000;
        const char32_t high = 0xD800 + (v >> 10), low = 0xDC00 + (v & 0x3FF);
        *dst++ = static_cast<std::uint8_t>(high >> 8), *dst++ = static_cast<std::uint8_t>(high);
        *dst++ = static_cast<std::uint8_t>(low >> 8), *dst++ = static_cast<std::uint8_t>(low);
      } else {
        *dst++ = static_cast<std::uint8_t>(cps[i] >> 8), *dst++ = static_cast<std::uint8_t>(cps[i]);
      }
    }
    return dst;
  };

  if (in_payload) {
    out.bytes.resize(gsm ? p.units : 2 * p.units);
    write_text(out.bytes.data(), 0, c.chars);
    out.parts.push_back({0, static_cast<std::uint32_t>(out.bytes.size()), 0,
                         static_cast<std::uint16_t>(p.units), 0, static_cast<std::uint32_t>(c.chars)});
    return;
  }

  std::size_t total = 0;
  for (const auto& pt : segments) total += udh_octets + text_octets(pt);
  out.bytes.resize(total);
  std::uint8_t* dst = out.bytes.data();
  const auto count = static_cast<std::uint8_t>(segments.size());
  for (std::size_t s = 0; s < segments.size(); ++s) {
    part pt = segments[s];
    pt.offset = static_cast<std::uint32_t>(dst - out.bytes.data());
    pt.udh_length = udh_octets;
    const auto sequence = static_cast<std::uint8_t>(s + 1);
    if (udh_octets == 6) {
      const std::uint8_t udh[] = {0x05,  0x00,    0x03, static_cast<std::uint8_t>(options_.reference),
                                  count, sequence};
      dst = std::copy(std::begin(udh), std::end(udh), dst);
    } else if (udh_octets == 7) {
      const std::uint8_t udh[] = {0x06,
                                  0x08,
                                  0x04,
                                  static_cast<std::uint8_t>(options_.reference >> 8),
                                  static_cast<std::uint8_t>(options_.reference),
                                  count,
                                  sequence};
      dst = std::copy(std::begin(udh), std::end(udh), dst);
    }
    if (out.packed) {  // rare: septets first, then packed in place
      septets_.resize(pt.units);
      write_text(septets_.data(), pt.first_char, pt.chars);
      packed_.clear();
      gsm7::pack(septets_, gsm7::fill_bits_after_udh(udh_octets), packed_);
      dst = std::copy(packed_.begin(), packed_.end(), dst);
    } else {
      dst = write_text(dst, pt.first_char, pt.chars);
    }
    pt.length = static_cast<std::uint32_t>(dst - out.bytes.data()) - pt.offset;
    out.parts.push_back(pt);
  }
}

split_status splitter::split(std::string_view text, message& out) {
  out.text.clear();
  out.bytes.clear();
  out.parts.clear();
  out.first_non_gsm.reset();
  out.chars = out.units = out.segments = out.free_units = 0;
  if (options_.max_parts < 1 || options_.max_parts > format_part_limit) return {error::invalid_options};

  candidate kept;
  plan kept_plan;
  kept_plan.segments = &kept_segments_;
  candidate stripped;
  plan stripped_plan;
  stripped_plan.segments = &stripped_segments_;

  // Plain GSM-safe ASCII reads the same under every accent policy.
  const bool ascii = try_ascii(text, kept, kept_plan);
  const bool try_keep = ascii || options_.accent_policy != accents::strip;
  const bool try_strip = !ascii && options_.accent_policy != accents::keep;
  if (!ascii) {
    if (const auto status = decode_utf8(text, input_cps_); !status) return {status.code, status.byte_offset};
    const scan_result input_scan = scan(input_cps_, kept_codes_);
    if (auto status = check_controls(input_scan); !status) return status;
    if (try_keep) {
      if (auto status = prepare_kept(text, input_scan, kept, kept_plan); !status) return status;
    }
  }
  // auto strips only when the kept text is UCS-2: stripping a GSM text cannot save a part.
  const bool need_strip = try_strip && (!try_keep || kept_plan.coding == encoding::ucs2);
  if (need_strip) prepare_stripped(stripped, stripped_plan);
  const bool use_strip =
      need_strip && (!try_keep || stripped_plan.segments->size() < kept_plan.segments->size());
  const candidate& chosen = use_strip ? stripped : kept;
  const plan& chosen_plan = use_strip ? stripped_plan : kept_plan;

  out.text.assign(chosen.text);
  // Stripping plain ASCII changes nothing, but the official asked for it: say it was applied.
  out.applied =
      use_strip || (ascii && options_.accent_policy == accents::strip) ? accents::strip : accents::keep;
  out.coding = chosen_plan.coding;
  out.concat = options_.concat;
  out.chars = chosen.chars;
  out.units = chosen_plan.units;
  out.segments = chosen_plan.segments->size();
  out.free_units = chosen_plan.free_units;
  out.first_non_gsm = chosen_plan.first_non_gsm;

  if (out.segments > options_.max_parts) {
    split_status status{error::too_many_parts};
    status.parts_needed = out.segments;
    status.max_parts = options_.max_parts;
    if (!use_strip && chosen_plan.coding == encoding::ucs2) {
      if (!need_strip) prepare_stripped(stripped, stripped_plan);
      status.parts_if_stripped = stripped_plan.segments->size();
    }
    return status;
  }
  encode(chosen, chosen_plan, out);
  return {};
}

split_status split(std::string_view text, const split_options& options, message& out) {
  splitter s(options);
  return s.split(text, out);
}

std::string describe(const split_status& status, const message& attempted) {
  if (!status.code) return "ok";
  if (status.code == error::too_many_parts) {
    const capacity cap = capacity_of(attempted.coding, attempted.concat);
    std::string s = "the text needs " + std::to_string(status.parts_needed) + " parts (" +
                    std::string(attempted.coding == encoding::gsm7 ? "GSM-7" : "UCS-2") + ", " +
                    std::to_string(attempted.units) + " units, " + std::to_string(cap.per_part) +
                    " per part), more than the limit of " + std::to_string(status.max_parts);
    if (status.parts_if_stripped)
      s += "; without accents it would need " + std::to_string(*status.parts_if_stripped);
    return s;
  }
  if (status.code == error::control_character) {
    return "control character " + hex_code_point(status.control) + " at byte " +
           std::to_string(status.byte_offset) + " is not allowed in an SMS";
  }
  if (status.code.category() == error_category() &&
      status.code.value() <= static_cast<int>(error::utf8_invalid_byte)) {
    return status.code.message() + " at byte " + std::to_string(status.byte_offset);
  }
  return status.code.message();
}

}  // namespace loa::segments
