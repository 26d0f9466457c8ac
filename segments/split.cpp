#include "segments/split.hpp"

#include <string>

#include "segments/error.hpp"
#include "segments/gsm7.hpp"
#include "segments/ucs2.hpp"
#include "segments/utf8.hpp"

namespace loa::segments {
namespace {

constexpr std::size_t format_part_limit = 255;  // the concatenation IEs count parts in one octet

// Tab, line feed, form feed and carriage return are text; other C0 and C1 controls are not, and a NUL
// in particular breaks C-string handling further down the line.
constexpr bool forbidden_control(char32_t cp) noexcept {
  if (cp == U'\t' || cp == U'\n' || cp == U'\f' || cp == U'\r') return false;
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

std::size_t utf8_length(char32_t cp) noexcept { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

std::string hex_code_point(char32_t cp) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string s = "U+";
  for (int shift = cp > 0xFFFF ? 20 : 12; shift >= 0; shift -= 4) s.push_back(digits[(cp >> shift) & 0xF]);
  return s;
}

}  // namespace

std::string_view to_string(encoding e) noexcept { return e == encoding::gsm7 ? "gsm7" : "ucs2"; }

std::string_view to_string(concat_method m) noexcept {
  switch (m) {
    case concat_method::udh8: return "udh8";
    case concat_method::udh16: return "udh16";
    case concat_method::sar: return "sar";
    case concat_method::payload: return "payload";
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
  return std::span(bytes).subspan(parts[i].offset + parts[i].udh_length, parts[i].length - parts[i].udh_length);
}

std::optional<sar_fields> message::sar(std::size_t i) const noexcept {
  if (concat != concat_method::sar || parts.size() < 2 || i >= parts.size()) return std::nullopt;
  return sar_fields{reference, static_cast<std::uint8_t>(parts.size()), static_cast<std::uint8_t>(i + 1)};
}

std::span<const std::uint8_t> message::message_payload() const noexcept {
  if (!uses_payload()) return {};
  return bytes;
}

// The layout of one candidate text: its encoding and where its segments break.
struct splitter::plan {
  encoding coding = encoding::gsm7;
  std::size_t units = 0;
  std::size_t free_units = 0;
  std::optional<std::size_t> first_non_gsm;
  std::vector<part>* segments = nullptr;
};

splitter::splitter(split_options options) : options_(options) {}

split_status splitter::prepare_kept(std::string_view text) {
  kept_text_.assign(text);
  if (quick_check_nfc(input_cps_)) {
    kept_cps_ = input_cps_;
    return {};
  }
  if (auto ec = to_nfc(text, kept_text_)) return {ec};
  decode_utf8(kept_text_, kept_cps_);  // ICU wrote it: valid by construction
  return {};
}

void splitter::plan_layout(const std::u32string& cps, plan& p) {
  std::size_t gsm_units = 0;
  p.first_non_gsm.reset();
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const auto septets = gsm7::encode(cps[i]).septets;
    if (septets == 0) {
      p.first_non_gsm = i;
      break;
    }
    gsm_units += septets;
  }
  p.coding = p.first_non_gsm ? encoding::ucs2 : encoding::gsm7;
  const auto cost = [&p](char32_t cp) -> unsigned {
    return p.coding == encoding::gsm7 ? gsm7::encode(cp).septets : ucs2::units(cp);
  };
  if (p.coding == encoding::gsm7) {
    p.units = gsm_units;
  } else {
    p.units = 0;
    for (const char32_t cp : cps) p.units += cost(cp);
  }

  const capacity cap = capacity_of(p.coding, options_.concat);
  auto& segments = *p.segments;
  segments.clear();
  if (p.units <= cap.single) {
    segments.push_back({0, 0, 0, static_cast<std::uint16_t>(p.units), 0, static_cast<std::uint32_t>(cps.size())});
    p.free_units = cap.single - p.units;
    return;
  }
  // Greedy, one character at a time: an ESC pair or a surrogate pair is one character, so it never
  // straddles two parts.
  part current;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const unsigned u = cost(cps[i]);
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

void splitter::encode(const std::u32string& cps, const plan& p, message& out) {
  const auto& segments = *p.segments;
  const bool multi = segments.size() > 1;
  const bool with_udh = multi && (options_.concat == concat_method::udh8 || options_.concat == concat_method::udh16);
  const bool in_payload = multi && options_.concat == concat_method::payload;

  out.coding = p.coding;
  out.concat = options_.concat;
  out.data_coding = p.coding == encoding::gsm7 ? options_.gsm7_data_coding : std::uint8_t{0x08};
  out.esm_class = with_udh ? std::uint8_t{0x40} : std::uint8_t{0};
  out.packed = options_.packed_gsm7 && p.coding == encoding::gsm7 && !in_payload;
  out.reference = options_.concat == concat_method::udh8 ? options_.reference & 0xFF : options_.reference;
  out.bytes.clear();
  out.parts.clear();

  auto append_text = [&](std::size_t first, std::size_t count, std::size_t udh_octets) {
    if (p.coding == encoding::ucs2) {
      for (std::size_t i = first; i < first + count; ++i) ucs2::append(out.bytes, cps[i]);
      return;
    }
    septets_.clear();
    for (std::size_t i = first; i < first + count; ++i) {
      const auto code = gsm7::encode(cps[i]);
      if (code.septets == 2) septets_.push_back(gsm7::escape);
      septets_.push_back(code.code);
    }
    if (out.packed) {
      gsm7::pack(septets_, gsm7::fill_bits_after_udh(udh_octets), out.bytes);
    } else {
      out.bytes.insert(out.bytes.end(), septets_.begin(), septets_.end());
    }
  };

  if (in_payload) {
    append_text(0, cps.size(), 0);
    out.parts.push_back({0, static_cast<std::uint32_t>(out.bytes.size()), 0, static_cast<std::uint16_t>(p.units), 0,
                         static_cast<std::uint32_t>(cps.size())});
    return;
  }
  const auto total = static_cast<std::uint8_t>(segments.size());
  for (std::size_t s = 0; s < segments.size(); ++s) {
    part pt = segments[s];
    pt.offset = static_cast<std::uint32_t>(out.bytes.size());
    if (with_udh) {
      const udh_concat c{options_.reference, total, static_cast<std::uint8_t>(s + 1)};
      if (options_.concat == concat_method::udh8) {
        append_concat_udh8(out.bytes, c);
      } else {
        append_concat_udh16(out.bytes, c);
      }
      pt.udh_length = static_cast<std::uint16_t>(out.bytes.size() - pt.offset);
    }
    append_text(pt.first_char, pt.chars, pt.udh_length);
    pt.length = static_cast<std::uint32_t>(out.bytes.size() - pt.offset);
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

  if (const auto status = decode_utf8(text, input_cps_); !status) return {status.code, status.byte_offset};
  std::size_t byte_offset = 0;
  for (const char32_t cp : input_cps_) {
    if (forbidden_control(cp)) {
      split_status status{error::control_character, byte_offset};
      status.control = cp;
      return status;
    }
    byte_offset += utf8_length(cp);
  }

  plan kept;
  kept.segments = &ranges_;
  plan stripped;
  stripped.segments = &stripped_ranges_;
  const bool try_keep = options_.accent_policy != accents::strip;
  const bool try_strip = options_.accent_policy != accents::keep;
  if (try_keep) {
    if (auto status = prepare_kept(text); !status) return status;
    plan_layout(kept_cps_, kept);
  }
  // auto strips only when the kept text is UCS-2: stripping a GSM text cannot save a part.
  const bool need_strip = try_strip && (!try_keep || kept.coding == encoding::ucs2);
  if (need_strip) {
    strip_accents(input_cps_, stripped_text_, stripped_cps_);
    plan_layout(stripped_cps_, stripped);
  }
  const bool use_strip = need_strip && (!try_keep || stripped.segments->size() < kept.segments->size());
  const plan& chosen = use_strip ? stripped : kept;
  const std::u32string& cps = use_strip ? stripped_cps_ : kept_cps_;

  out.text = use_strip ? stripped_text_ : kept_text_;
  out.applied = use_strip ? accents::strip : accents::keep;
  out.coding = chosen.coding;
  out.concat = options_.concat;
  out.chars = cps.size();
  out.units = chosen.units;
  out.segments = chosen.segments->size();
  out.free_units = chosen.free_units;
  out.first_non_gsm = chosen.first_non_gsm;

  if (out.segments > options_.max_parts) {
    split_status status{error::too_many_parts};
    status.parts_needed = out.segments;
    status.max_parts = options_.max_parts;
    if (!use_strip && chosen.coding == encoding::ucs2) {
      if (!need_strip) {
        strip_accents(input_cps_, stripped_text_, stripped_cps_);
        plan_layout(stripped_cps_, stripped);
      }
      status.parts_if_stripped = stripped.segments->size();
    }
    return status;
  }
  encode(cps, chosen, out);
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
    return "control character " + hex_code_point(status.control) + " at byte " + std::to_string(status.byte_offset) +
           " is not allowed in an SMS";
  }
  if (status.code.category() == error_category() && status.code.value() <= static_cast<int>(error::utf8_invalid_byte)) {
    return status.code.message() + " at byte " + std::to_string(status.byte_offset);
  }
  return status.code.message();
}

}  // namespace loa::segments
