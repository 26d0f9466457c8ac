#include "gateway/smpp/tlv.hpp"

#include <algorithm>
#include <cstring>

#include "gateway/smpp/error.hpp"
#include "gateway/smpp/frame.hpp"
#include "gateway/smpp/hex.hpp"

namespace loa::smpp {

tlv make_tlv_u8(std::uint16_t tag, std::uint8_t value) { return tlv{tag, {value}}; }

tlv make_tlv_u16(std::uint16_t tag, std::uint16_t value) {
  return tlv{tag, {static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)}};
}

tlv make_tlv_cstring(std::uint16_t tag, const std::string& value) {
  tlv t{tag, {value.begin(), value.end()}};
  t.value.push_back(0);
  return t;
}

std::int64_t tlv_integer(const tlv& t) noexcept {
  switch (t.value.size()) {
    case 1: return t.value[0];
    case 2: return detail::get_u16(t.value.data());
    case 4: return detail::get_u32(t.value.data());
    default: return -1;
  }
}

std::string tlv_string(const tlv& t) {
  auto end = std::find(t.value.begin(), t.value.end(), std::uint8_t{0});
  return std::string(t.value.begin(), end);
}

namespace detail {

// libsmpp34 1.14 gets TLVs wrong for us: its generic TLV table has no branch for unknown tags below 0x1400 (the
// value is skipped without advancing, so the next TLV is misread), it caps octet values at 1024 bytes
// (message_payload may be longer), it reads 1- and 2-octet tags by type and ignores their length field, it
// converts integers to host order (losing the raw bytes) and it links the list in reverse order. Our model
// keeps every TLV raw, in wire order.
std::error_code parse_tlvs(std::span<const std::uint8_t> bytes, std::vector<tlv>& out, std::string& detail) {
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    if (bytes.size() - pos < 4) {
      detail = "TLV header truncated at body offset " + std::to_string(pos);
      return error::bad_tlv;
    }
    const auto tag = get_u16(bytes.data() + pos);
    const auto len = get_u16(bytes.data() + pos + 2);
    pos += 4;
    if (len > bytes.size() - pos) {
      detail = "TLV 0x" + to_hex(bytes.subspan(pos - 4, 2)) + " length " + std::to_string(len) + " but " +
               std::to_string(bytes.size() - pos) + " octets left";
      return error::bad_tlv;
    }
    out.push_back(tlv{tag, {bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                            bytes.begin() + static_cast<std::ptrdiff_t>(pos + len)}});
    pos += len;
  }
  return {};
}

bool tlvs_fit(const std::vector<tlv>& tlvs) noexcept {
  return std::all_of(tlvs.begin(), tlvs.end(), [](const tlv& t) { return t.value.size() <= 0xFFFF; });
}

std::size_t tlvs_size(const std::vector<tlv>& tlvs) noexcept {
  std::size_t n = 0;
  for (const auto& t : tlvs) n += 4 + t.value.size();
  return n;
}

std::uint8_t* write_tlvs(std::uint8_t* p, const std::vector<tlv>& tlvs) noexcept {
  for (const auto& t : tlvs) {
    put_u16(p, t.tag);
    put_u16(p + 2, static_cast<std::uint16_t>(t.value.size()));
    p += 4;
    if (!t.value.empty()) std::memcpy(p, t.value.data(), t.value.size());
    p += t.value.size();
  }
  return p;
}

void append_tlvs(std::vector<std::uint8_t>& out, const std::vector<tlv>& tlvs) {
  const auto at = out.size();
  out.resize(at + tlvs_size(tlvs));
  write_tlvs(out.data() + at, tlvs);
}

}  // namespace detail
}  // namespace loa::smpp
