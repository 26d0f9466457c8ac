// libFuzzer target: arbitrary bytes as a notice's text -> segments::split with every accent policy and
// concatenation method. Invariants (abort when broken): the parts' units add up to the message's, there are
// never more parts than allowed, and the phone's view -- each part's body decoded and the parts joined -- is
// exactly message.text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "segments/decode.hpp"
#include "segments/error.hpp"
#include "segments/split.hpp"

namespace {

using namespace loa::segments;

[[noreturn]] void broken(const char* what, std::string_view input, const split_options& o) {
  std::string hex;
  for (char ch : input) {
    const auto c = static_cast<unsigned char>(ch);
    static const char digits[] = "0123456789abcdef";
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  std::fprintf(stderr, "fuzz_split: %s; accents=%s concat=%s max_parts=%zu input=%s\n", what,
               std::string(to_string(o.accent_policy)).c_str(), std::string(to_string(o.concat)).c_str(),
               o.max_parts, hex.c_str());
  std::abort();
}

void check(std::string_view text, const split_options& o, splitter& s, message& m) {
  const auto status = s.split(text, m);
  if (!status) {
    if (status.code == error::too_many_parts && status.parts_needed <= o.max_parts)
      broken("too_many_parts with parts_needed within the cap", text, o);
    return;
  }
  if (m.parts.empty() && !m.text.empty()) broken("no parts for a non-empty text", text, o);
  if (m.parts.size() > o.max_parts || m.segments > o.max_parts) broken("more parts than max_parts", text, o);
  std::size_t units = 0;
  for (const auto& p : m.parts) {
    units += p.units;
    if (static_cast<std::size_t>(p.offset) + p.length > m.bytes.size())
      broken("a part overruns the bytes", text, o);
    if (p.udh_length > p.length) broken("UDH longer than its part", text, o);
  }
  if (units != m.units) broken("sum of part units != message.units", text, o);
  if (m.free_units > capacity_of(m.coding, o.concat).single)
    broken("free_units above a message's capacity", text, o);
  if (m.uses_payload()) {
    if (m.message_payload().empty()) broken("payload method with an empty payload", text, o);
  } else if (m.segments != m.parts.size()) {
    broken("segments != parts outside payload", text, o);
  }
  // The handset's view: decode every part's body on its own and join them.
  std::string shown;
  if (m.uses_payload()) {
    shown = decode_text(m.message_payload(), m.data_coding);
  } else {
    for (std::size_t i = 0; i < m.parts.size(); ++i) shown += decode_text(m.body(i), m.data_coding);
  }
  if (shown != m.text) broken("decode(reassembled parts) != message.text", text, o);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;  // a notice is far shorter; longer inputs only slow the search down
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static message m;  // reused, as the fan-out reuses it: stale state must not leak into the next split
  for (auto a : {accents::keep, accents::strip, accents::automatic}) {
    for (auto c : {concat_method::udh8, concat_method::udh16, concat_method::sar, concat_method::payload}) {
      for (std::size_t max_parts : {std::size_t{10}, std::size_t{255}}) {
        split_options o;
        o.accent_policy = a;
        o.concat = c;
        o.max_parts = max_parts;
        o.reference = static_cast<std::uint16_t>(size * 257);
        splitter s(o);
        check(text, o, s, m);
      }
    }
  }
  return 0;
}
