#include "gateway/smpp/direct_writer.hpp"

#include <cstring>
#include <string_view>

#include "gateway/smpp/body_layout.hpp"
#include "gateway/smpp/error.hpp"
#include "gateway/smpp/frame.hpp"
#include "gateway/smpp/tlv.hpp"

namespace loa::smpp::detail {
namespace {

// Like the bridge we refuse a C-string libsmpp34 would truncate or cut at an embedded NUL, instead of sending
// something else than asked.
bool c_string_fits(const std::string& value, std::size_t size) noexcept {
  return value.size() + 1 <= size && value.find('\0') == std::string::npos;
}

std::string too_long(command_id id, const char* field, const std::string& value, std::size_t size) {
  const char* pdu = id == command_id::submit_sm ? "submit_sm" : "deliver_sm";
  if (value.find('\0') != std::string::npos)
    return std::string(pdu) + " " + field + ": holds a NUL octet (a C-octet string ends at the first)";
  return std::string(pdu) + " " + field + ": " + std::to_string(value.size()) + " octets, at most " +
         std::to_string(size - 1);
}

std::uint8_t* put_c_string(std::uint8_t* p, const std::string& value) noexcept {
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  p[value.size()] = 0;
  return p + value.size() + 1;
}

std::error_code write_sm(const pdu& p, const short_message& m, std::vector<std::uint8_t>& out) {
  if (!sm_fits(p.id, m)) return error::encode_failed;
  // 16 header + 5 C-strings (their NULs) + 12 single octets (TONs, NPIs, esm_class ... sm_length).
  const std::size_t length = header_size + m.service_type.size() + m.source.addr.size() +
                             m.destination.addr.size() + m.schedule_delivery_time.size() +
                             m.validity_period.size() + 5 + 12 + m.message.size() + tlvs_size(m.tlvs);
  if (length > 0xFFFFFFFFu) return error::encode_failed;
  const auto at = out.size();
  out.resize(at + length);
  auto* w = out.data() + at;
  write_header(w, static_cast<std::uint32_t>(length), static_cast<std::uint32_t>(p.id), p.status, p.sequence);
  w += header_size;
  w = put_c_string(w, m.service_type);
  *w++ = m.source.ton;
  *w++ = m.source.npi;
  w = put_c_string(w, m.source.addr);
  *w++ = m.destination.ton;
  *w++ = m.destination.npi;
  w = put_c_string(w, m.destination.addr);
  *w++ = m.esm_class;
  *w++ = m.protocol_id;
  *w++ = m.priority_flag;
  w = put_c_string(w, m.schedule_delivery_time);
  w = put_c_string(w, m.validity_period);
  *w++ = m.registered_delivery;
  *w++ = m.replace_if_present_flag;
  *w++ = m.data_coding;
  *w++ = m.sm_default_msg_id;
  *w++ = static_cast<std::uint8_t>(m.message.size());
  if (!m.message.empty()) std::memcpy(w, m.message.data(), m.message.size());
  w += m.message.size();
  write_tlvs(w, m.tlvs);
  return {};
}

std::error_code write_resp(const pdu& p, const message_resp& r, std::vector<std::uint8_t>& out) {
  const auto size = message_id_size(p.id);
  if (!c_string_fits(r.message_id, size) || !tlvs_fit(r.tlvs)) return error::encode_failed;
  const std::size_t length = header_size + r.message_id.size() + 1 + tlvs_size(r.tlvs);
  const auto at = out.size();
  out.resize(at + length);
  auto* w = out.data() + at;
  write_header(w, static_cast<std::uint32_t>(length), static_cast<std::uint32_t>(p.id), p.status, p.sequence);
  w = put_c_string(w + header_size, r.message_id);
  write_tlvs(w, r.tlvs);
  return {};
}

}  // namespace

bool writes_directly(command_id id) noexcept {
  return id == command_id::submit_sm || id == command_id::deliver_sm || id == command_id::submit_sm_resp ||
         id == command_id::deliver_sm_resp;
}

bool sm_fits(command_id id, const short_message& m) noexcept {
  const auto& n = sm_sizes_of(id);
  return c_string_fits(m.service_type, n.service_type) && c_string_fits(m.source.addr, n.source_addr) &&
         c_string_fits(m.destination.addr, n.destination_addr) &&
         c_string_fits(m.schedule_delivery_time, n.schedule_delivery_time) &&
         c_string_fits(m.validity_period, n.validity_period) && known_ton(m.source.ton) &&
         known_npi(m.source.npi) && known_ton(m.destination.ton) && known_npi(m.destination.npi) &&
         m.message.size() <= max_short_message && tlvs_fit(m.tlvs);
}

std::string sm_problem(command_id id, const short_message& m) {
  if (sm_fits(id, m)) return {};
  const auto& n = sm_sizes_of(id);
  const std::string pdu = id == command_id::submit_sm ? "submit_sm" : "deliver_sm";
  if (!c_string_fits(m.service_type, n.service_type))
    return too_long(id, "service_type", m.service_type, n.service_type);
  if (!c_string_fits(m.source.addr, n.source_addr)) return too_long(id, "source_addr", m.source.addr, n.source_addr);
  if (!c_string_fits(m.destination.addr, n.destination_addr))
    return too_long(id, "destination_addr", m.destination.addr, n.destination_addr);
  if (!c_string_fits(m.schedule_delivery_time, n.schedule_delivery_time))
    return too_long(id, "schedule_delivery_time", m.schedule_delivery_time, n.schedule_delivery_time);
  if (!c_string_fits(m.validity_period, n.validity_period))
    return too_long(id, "validity_period", m.validity_period, n.validity_period);
  const auto unknown = [&](const char* field, std::uint8_t v, const char* what) {
    return pdu + " " + field + ": " + std::to_string(v) + " is not a " + what + " libsmpp34 knows";
  };
  if (!known_ton(m.source.ton)) return unknown("source_addr_ton", m.source.ton, "type of number");
  if (!known_npi(m.source.npi)) return unknown("source_addr_npi", m.source.npi, "numbering plan");
  if (!known_ton(m.destination.ton)) return unknown("dest_addr_ton", m.destination.ton, "type of number");
  if (!known_npi(m.destination.npi)) return unknown("dest_addr_npi", m.destination.npi, "numbering plan");
  if (m.message.size() > max_short_message)
    return pdu + " short_message: " + std::to_string(m.message.size()) + " octets, at most 254 (sm_length)";
  return pdu + " optional parameter: a value longer than 65535 octets";
}

std::error_code write_direct(const pdu& p, std::vector<std::uint8_t>& out) {
  switch (p.id) {
    case command_id::submit_sm:
    case command_id::deliver_sm:
      if (const auto* m = std::get_if<short_message>(&p.content)) return write_sm(p, *m, out);
      break;
    case command_id::submit_sm_resp:
    case command_id::deliver_sm_resp:
      if (const auto* r = std::get_if<message_resp>(&p.content)) return write_resp(p, *r, out);
      break;
    default: break;
  }
  return error::encode_failed;
}

}  // namespace loa::smpp::detail
