#include "gateway/smpp/smpp34_bridge.hpp"

#include <cstring>
#include <memory>

#include "gateway/smpp/codec.hpp"
#include "gateway/smpp/error.hpp"
#include "gateway/smpp/frame.hpp"
#include "gateway/smpp/tlv.hpp"

// libsmpp34 is plain C without extern "C" guards; its headers need <stdint.h> first. Only this file includes them.
// The order matters: clang-format must not sort these.
// clang-format off
extern "C" {
#include <stdint.h>
#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>
}
// clang-format on

namespace loa::smpp {
namespace detail {
namespace {

// libsmpp34 mallocs TLV lists on unpack; this owner gives them back with destroy_tlv whatever path we leave by.
struct tlv_list_deleter {
  void operator()(tlv_t* list) const noexcept { destroy_tlv(list); }
};
using tlv_list = std::unique_ptr<tlv_t, tlv_list_deleter>;

// libsmpp34 reports through globals it rewrites on every call; read them right after the call (one thread only).
std::string last_smpp34_error() {
  const std::size_t n = ::strnlen(smpp34_strerror, sizeof smpp34_strerror);
  std::string text(smpp34_strerror, n);
  // The text is a trail of "[field:value(verdict)]" items; the failing one is the last.
  const auto pos = text.rfind('[');
  if (pos != std::string::npos && text.size() - pos < 200) text = text.substr(pos);
  if (smpp34_errno != 0) text += " (smpp34_errno " + std::to_string(smpp34_errno) + ")";
  return text;
}

template <std::size_t N>
std::string c_string(const std::uint8_t (&field)[N]) {
  const auto* p = reinterpret_cast<const char*>(field);
  return std::string(p, ::strnlen(p, N));
}

// Copies `value` into a libsmpp34 C-string field. libsmpp34's pack would silently truncate a long value and
// stop at an embedded NUL; we refuse both instead of sending something else than asked.
template <std::size_t N>
bool set_c_string(std::uint8_t (&field)[N], const std::string& value) {
  if (value.size() + 1 > N || value.find('\0') != std::string::npos) return false;
  std::memcpy(field, value.data(), value.size());
  field[value.size()] = 0;
  return true;
}

// Runs smpp34_unpack on a private copy of header + mandatory body followed by a zero byte, so that no C-string
// read can leave our buffer (CVE-2026-75895). In the copy, command_length covers only the mandatory part (we parse
// the TLVs), command_status is 0 and sequence_number 1 (libsmpp34 refuses vendor status codes and sequence 0, and
// reads submit_sm_resp's message_id only when the status is 0), and a bind's interface_version is 0x34 (libsmpp34
// refuses 0x33 and older, which SMPP 3.4 says an SMSC should still accept). The real values come from the header.
template <typename T>
std::error_code unpack_mandatory(command_id id, std::span<const std::uint8_t> frame, const walk_result& walk,
                                 T& out, tlv_list& tlvs, std::string& detail) {
  std::vector<std::uint8_t> copy(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(walk.end));
  copy.push_back(0);
  put_u32(copy.data(), static_cast<std::uint32_t>(walk.end));
  put_u32(copy.data() + 8, 0);
  put_u32(copy.data() + 12, 1);
  if (walk.interface_version_at != 0) copy[walk.interface_version_at] = 0x34;
  std::memset(&out, 0, sizeof out);
  smpp34_errno = 0;
  const int rc = smpp34_unpack(static_cast<std::uint32_t>(id), &out, copy.data(), static_cast<int>(walk.end));
  if constexpr (requires { out.tlv; }) {
    tlvs.reset(out.tlv);  // owned whatever happened (with our cut there should be none)
    out.tlv = nullptr;
  }
  if (rc != 0) {
    detail = "libsmpp34: " + last_smpp34_error();
    return error::malformed_body;
  }
  return {};
}

address make_address(std::uint8_t ton, std::uint8_t npi, std::string addr) { return {ton, npi, std::move(addr)}; }

template <typename T>
void read_sm(const T& s, short_message& m) {
  m.service_type = c_string(s.service_type);
  m.source = make_address(s.source_addr_ton, s.source_addr_npi, c_string(s.source_addr));
  m.destination = make_address(s.dest_addr_ton, s.dest_addr_npi, c_string(s.destination_addr));
  m.esm_class = s.esm_class;
  m.protocol_id = s.protocol_id;
  m.priority_flag = s.priority_flag;
  m.schedule_delivery_time = c_string(s.schedule_delivery_time);
  m.validity_period = c_string(s.validity_period);
  m.registered_delivery = s.registered_delivery;
  m.replace_if_present_flag = s.replace_if_present_flag;
  m.data_coding = s.data_coding;
  m.sm_default_msg_id = s.sm_default_msg_id;
  m.message.assign(s.short_message, s.short_message + s.sm_length);
}

// submit_sm and deliver_sm share one body; libsmpp34 has a struct for each (T).
template <typename T>
std::error_code decode_sm(command_id id, std::span<const std::uint8_t> frame, const walk_result& walk, tlv_list& owned,
                          std::vector<tlv> tlvs, body& out, std::string& detail) {
  T s;
  if (auto ec = unpack_mandatory(id, frame, walk, s, owned, detail)) return ec;
  short_message m;
  read_sm(s, m);
  m.tlvs = std::move(tlvs);
  out = std::move(m);
  return {};
}

}  // namespace

std::error_code smpp34_decode_body(command_id id, std::span<const std::uint8_t> frame, const walk_result& walk,
                                   std::vector<tlv> tlvs, body& out, std::string& detail) {
  tlv_list owned;

  switch (id) {
    case command_id::bind_receiver:
    case command_id::bind_transmitter:
    case command_id::bind_transceiver: {
      bind_transmitter_t s;  // the three bind structs share one layout (def_frame/bind_*.frame)
      if (auto ec = unpack_mandatory(command_id::bind_transmitter, frame, walk, s, owned, detail)) return ec;
      bind b;
      b.system_id = c_string(s.system_id);
      b.password = c_string(s.password);
      b.system_type = c_string(s.system_type);
      b.interface_version = frame[walk.interface_version_at];
      b.address_range = make_address(s.addr_ton, s.addr_npi, c_string(s.address_range));
      out = std::move(b);
      return {};
    }
    case command_id::bind_receiver_resp:
    case command_id::bind_transmitter_resp:
    case command_id::bind_transceiver_resp: {
      bind_transmitter_resp_t s;
      if (auto ec = unpack_mandatory(command_id::bind_transmitter_resp, frame, walk, s, owned, detail)) return ec;
      bind_resp b;
      b.system_id = c_string(s.system_id);
      if (const auto* v = find_tlv(tlvs, 0x0210); v && v->value.size() == 1) b.sc_interface_version = v->value[0];
      out = std::move(b);
      return {};
    }
    case command_id::outbind: {
      outbind_t s;
      if (auto ec = unpack_mandatory(id, frame, walk, s, owned, detail)) return ec;
      out = outbind{c_string(s.system_id), c_string(s.password)};
      return {};
    }
    case command_id::submit_sm:
      return decode_sm<submit_sm_t>(id, frame, walk, owned, std::move(tlvs), out, detail);
    case command_id::deliver_sm:
      return decode_sm<deliver_sm_t>(id, frame, walk, owned, std::move(tlvs), out, detail);
    case command_id::submit_sm_resp:
    case command_id::data_sm_resp:
    case command_id::deliver_sm_resp: {
      message_resp r;
      if (id == command_id::submit_sm_resp) {
        submit_sm_resp_t s;
        if (auto ec = unpack_mandatory(id, frame, walk, s, owned, detail)) return ec;
        r.message_id = c_string(s.message_id);
      } else if (id == command_id::data_sm_resp) {
        data_sm_resp_t s;
        if (auto ec = unpack_mandatory(id, frame, walk, s, owned, detail)) return ec;
        r.message_id = c_string(s.message_id);
      } else {
        deliver_sm_resp_t s;
        if (auto ec = unpack_mandatory(id, frame, walk, s, owned, detail)) return ec;
        r.message_id = c_string(s.message_id);
      }
      r.tlvs = std::move(tlvs);
      out = std::move(r);
      return {};
    }
    case command_id::data_sm: {
      data_sm_t s;
      if (auto ec = unpack_mandatory(id, frame, walk, s, owned, detail)) return ec;
      data_message d;
      d.service_type = c_string(s.service_type);
      d.source = make_address(s.source_addr_ton, s.source_addr_npi, c_string(s.source_addr));
      d.destination = make_address(s.dest_addr_ton, s.dest_addr_npi, c_string(s.destination_addr));
      d.esm_class = s.esm_class;
      d.registered_delivery = s.registered_delivery;
      d.data_coding = s.data_coding;
      d.tlvs = std::move(tlvs);
      out = std::move(d);
      return {};
    }
    default: break;
  }
  detail = "no body decoder";
  return error::unknown_command;
}

namespace {

// ---- packing ---------------------------------------------------------------------------------------------------

template <typename T>
void fill_header(T& s, command_id id) {
  s.command_length = 0;
  s.command_id = static_cast<std::uint32_t>(id);
  // Placeholders libsmpp34 accepts; the real status and sequence are written over the packed header (see below).
  s.command_status = 0;
  s.sequence_number = 1;
}

template <typename T>
bool fill_sm(T& s, const short_message& m) {
  bool ok = set_c_string(s.service_type, m.service_type) && set_c_string(s.source_addr, m.source.addr) &&
            set_c_string(s.destination_addr, m.destination.addr) &&
            set_c_string(s.schedule_delivery_time, m.schedule_delivery_time) &&
            set_c_string(s.validity_period, m.validity_period);
  s.source_addr_ton = m.source.ton;
  s.source_addr_npi = m.source.npi;
  s.dest_addr_ton = m.destination.ton;
  s.dest_addr_npi = m.destination.npi;
  s.esm_class = m.esm_class;
  s.protocol_id = m.protocol_id;
  s.priority_flag = m.priority_flag;
  s.registered_delivery = m.registered_delivery;
  s.replace_if_present_flag = m.replace_if_present_flag;
  s.data_coding = m.data_coding;
  s.sm_default_msg_id = m.sm_default_msg_id;
  // libsmpp34's pack refuses sm_length >= 254 (an off-by-one: SMPP 3.4 allows 254). For exactly 254 octets we
  // let it pack an empty short_message and write sm_length and the octets ourselves (short_message is the last
  // mandatory field, so they go right where libsmpp34 stopped).
  if (m.message.size() > 254) return false;
  if (m.message.size() < 254) {
    s.sm_length = static_cast<std::uint8_t>(m.message.size());
    if (!m.message.empty()) std::memcpy(s.short_message, m.message.data(), m.message.size());
  } else {
    s.sm_length = 0;
  }
  return ok;
}

template <typename T>
std::error_code pack(command_id id, T& s, std::vector<std::uint8_t>& out) {
  std::uint8_t buf[2048];  // every mandatory part fits with room to spare (TLVs are appended by us)
  int len = 0;
  smpp34_errno = 0;
  if (smpp34_pack(static_cast<std::uint32_t>(id), buf, static_cast<int>(sizeof buf), &len, &s) != 0 || len < 16)
    return error::encode_failed;
  out.assign(buf, buf + len);
  return {};
}

std::error_code encode_body(const pdu& p, std::vector<std::uint8_t>& out) {
  const auto id = p.id;
  auto mismatch = [] { return make_error_code(error::encode_failed); };
  if (is_bind(id)) {
    const auto* b = std::get_if<bind>(&p.content);
    if (!b) return mismatch();
    bind_transmitter_t s;
    std::memset(&s, 0, sizeof s);
    fill_header(s, id);
    if (!set_c_string(s.system_id, b->system_id) || !set_c_string(s.password, b->password) ||
        !set_c_string(s.system_type, b->system_type) || !set_c_string(s.address_range, b->address_range.addr))
      return error::encode_failed;
    s.interface_version = 0x34;  // libsmpp34 packs nothing else; the real value is written after packing
    s.addr_ton = b->address_range.ton;
    s.addr_npi = b->address_range.npi;
    if (auto ec = pack(id, s, out)) return ec;
    out[16 + b->system_id.size() + 1 + b->password.size() + 1 + b->system_type.size() + 1] = b->interface_version;
    return {};
  }
  if (is_bind_resp(id)) {
    const auto* b = std::get_if<bind_resp>(&p.content);
    if (!b) return mismatch();
    bind_transmitter_resp_t s;
    std::memset(&s, 0, sizeof s);
    fill_header(s, id);
    if (!set_c_string(s.system_id, b->system_id)) return error::encode_failed;
    if (auto ec = pack(id, s, out)) return ec;
    if (b->sc_interface_version) append_tlvs(out, {make_tlv_u8(0x0210, *b->sc_interface_version)});
    return {};
  }
  switch (id) {
    case command_id::outbind: {
      const auto* o = std::get_if<outbind>(&p.content);
      if (!o) return mismatch();
      outbind_t s;
      std::memset(&s, 0, sizeof s);
      fill_header(s, id);
      if (!set_c_string(s.system_id, o->system_id) || !set_c_string(s.password, o->password))
        return error::encode_failed;
      return pack(id, s, out);
    }
    case command_id::submit_sm:
    case command_id::deliver_sm: {
      const auto* m = std::get_if<short_message>(&p.content);
      if (!m || !tlvs_fit(m->tlvs)) return mismatch();
      std::error_code ec;
      if (id == command_id::submit_sm) {
        submit_sm_t s;
        std::memset(&s, 0, sizeof s);
        fill_header(s, id);
        if (!fill_sm(s, *m)) return error::encode_failed;
        ec = pack(id, s, out);
      } else {
        deliver_sm_t s;
        std::memset(&s, 0, sizeof s);
        fill_header(s, id);
        if (!fill_sm(s, *m)) return error::encode_failed;
        ec = pack(id, s, out);
      }
      if (ec) return ec;
      if (m->message.size() == 254) {
        out.back() = 254;  // the sm_length libsmpp34 wrote as 0 (see fill_sm)
        out.insert(out.end(), m->message.begin(), m->message.end());
      }
      append_tlvs(out, m->tlvs);
      return {};
    }
    case command_id::submit_sm_resp:
    case command_id::deliver_sm_resp:
    case command_id::data_sm_resp: {
      const auto* r = std::get_if<message_resp>(&p.content);
      if (!r || !tlvs_fit(r->tlvs)) return mismatch();
      std::error_code ec;
      if (id == command_id::submit_sm_resp) {
        submit_sm_resp_t s;
        std::memset(&s, 0, sizeof s);
        fill_header(s, id);
        if (!set_c_string(s.message_id, r->message_id)) return error::encode_failed;
        ec = pack(id, s, out);
      } else if (id == command_id::data_sm_resp) {
        data_sm_resp_t s;
        std::memset(&s, 0, sizeof s);
        fill_header(s, id);
        if (!set_c_string(s.message_id, r->message_id)) return error::encode_failed;
        ec = pack(id, s, out);
      } else {
        deliver_sm_resp_t s;
        std::memset(&s, 0, sizeof s);
        fill_header(s, id);
        if (!set_c_string(s.message_id, r->message_id)) return error::encode_failed;
        ec = pack(id, s, out);
      }
      if (ec) return ec;
      append_tlvs(out, r->tlvs);
      return {};
    }
    case command_id::data_sm: {
      const auto* d = std::get_if<data_message>(&p.content);
      if (!d || !tlvs_fit(d->tlvs)) return mismatch();
      data_sm_t s;
      std::memset(&s, 0, sizeof s);
      fill_header(s, id);
      if (!set_c_string(s.service_type, d->service_type) || !set_c_string(s.source_addr, d->source.addr) ||
          !set_c_string(s.destination_addr, d->destination.addr))
        return error::encode_failed;
      s.source_addr_ton = d->source.ton;
      s.source_addr_npi = d->source.npi;
      s.dest_addr_ton = d->destination.ton;
      s.dest_addr_npi = d->destination.npi;
      s.esm_class = d->esm_class;
      s.registered_delivery = d->registered_delivery;
      s.data_coding = d->data_coding;
      if (auto ec = pack(id, s, out)) return ec;
      append_tlvs(out, d->tlvs);
      return {};
    }
    default: break;
  }
  return error::encode_failed;
}

}  // namespace

bool smpp34_packs(const short_message& m) noexcept {
  if (!tlvs_fit(m.tlvs)) return false;
  submit_sm_t s;
  std::memset(&s, 0, sizeof s);
  return fill_sm(s, m);
}

std::error_code smpp34_pack_submit_sm_tlvs(const std::vector<tlv>& tlvs, std::vector<std::uint8_t>& out) {
  std::vector<tlv_t> nodes(tlvs.size());
  for (std::size_t i = 0; i < tlvs.size(); ++i) {
    const auto& t = tlvs[i];
    auto& n = nodes[i];
    std::memset(&n, 0, sizeof n);
    n.tag = t.tag;
    n.length = static_cast<std::uint16_t>(t.value.size());
    const bool sar = t.tag == tag::sar_msg_ref_num || t.tag == tag::sar_total_segments ||
                     t.tag == tag::sar_segment_seqnum;
    if (sar && t.value.size() == 1) {
      n.value.val08 = t.value[0];
    } else if (sar && t.value.size() == 2) {
      n.value.val16 = get_u16(t.value.data());
    } else {
      if (t.value.size() > sizeof n.value.octet) return error::encode_failed;
      if (!t.value.empty()) std::memcpy(n.value.octet, t.value.data(), t.value.size());
    }
    n.next = i + 1 < nodes.size() ? &nodes[i + 1] : nullptr;
  }
  submit_sm_t s;
  std::memset(&s, 0, sizeof s);
  fill_header(s, command_id::submit_sm);
  std::vector<std::uint8_t> bare;
  if (auto ec = pack(command_id::submit_sm, s, bare)) return ec;
  fill_header(s, command_id::submit_sm);
  s.tlv = nodes.empty() ? nullptr : nodes.data();
  std::vector<std::uint8_t> with;
  const auto ec = pack(command_id::submit_sm, s, with);
  s.tlv = nullptr;
  if (ec) return ec;
  out.insert(out.end(), with.begin() + static_cast<std::ptrdiff_t>(bare.size()), with.end());
  return {};
}

}  // namespace detail

std::error_code encode_with_smpp34(const pdu& p, std::vector<std::uint8_t>& out) {
  using namespace detail;
  if (!is_supported(static_cast<std::uint32_t>(p.id))) return error::encode_failed;
  std::vector<std::uint8_t> bytes;
  if (is_header_only(p.id) || body_omitted(p)) {
    // Ours, not libsmpp34's: it refuses sequence 0 and unlisted command_status values, both legal here.
    bytes.resize(header_size);
  } else if (auto ec = encode_body(p, bytes)) {
    return ec;
  }
  if (bytes.size() > 0xFFFFFFFFu) return error::encode_failed;
  write_header(bytes.data(), static_cast<std::uint32_t>(bytes.size()), static_cast<std::uint32_t>(p.id), p.status,
               p.sequence);
  out.insert(out.end(), bytes.begin(), bytes.end());
  return {};
}

}  // namespace loa::smpp
