#include "gateway/smpp/codec.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <type_traits>

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
namespace {

// ---- byte helpers -------------------------------------------------------------------------------------------

std::uint32_t get_u32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
std::uint16_t get_u16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
void put_u32(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}
void append_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

// ---- libsmpp34 boundary ---------------------------------------------------------------------------------------

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

// ---- the shape of mandatory bodies (SMPP 3.4 chapter 4), used to find where the TLVs start ------------------

enum class field_kind : std::uint8_t { c_string, u8, short_message };

struct field {
  field_kind kind;
  const char* name;
};

constexpr field bind_fields[] = {{field_kind::c_string, "system_id"},     {field_kind::c_string, "password"},
                                 {field_kind::c_string, "system_type"},   {field_kind::u8, "interface_version"},
                                 {field_kind::u8, "addr_ton"},            {field_kind::u8, "addr_npi"},
                                 {field_kind::c_string, "address_range"}};
constexpr field bind_resp_fields[] = {{field_kind::c_string, "system_id"}};
constexpr field outbind_fields[] = {{field_kind::c_string, "system_id"}, {field_kind::c_string, "password"}};
constexpr field sm_fields[] = {
    {field_kind::c_string, "service_type"},  {field_kind::u8, "source_addr_ton"},
    {field_kind::u8, "source_addr_npi"},     {field_kind::c_string, "source_addr"},
    {field_kind::u8, "dest_addr_ton"},       {field_kind::u8, "dest_addr_npi"},
    {field_kind::c_string, "destination_addr"}, {field_kind::u8, "esm_class"},
    {field_kind::u8, "protocol_id"},         {field_kind::u8, "priority_flag"},
    {field_kind::c_string, "schedule_delivery_time"}, {field_kind::c_string, "validity_period"},
    {field_kind::u8, "registered_delivery"}, {field_kind::u8, "replace_if_present_flag"},
    {field_kind::u8, "data_coding"},         {field_kind::u8, "sm_default_msg_id"},
    {field_kind::u8, "sm_length"},           {field_kind::short_message, "short_message"}};
constexpr field message_resp_fields[] = {{field_kind::c_string, "message_id"}};
constexpr field data_sm_fields[] = {
    {field_kind::c_string, "service_type"}, {field_kind::u8, "source_addr_ton"},
    {field_kind::u8, "source_addr_npi"},    {field_kind::c_string, "source_addr"},
    {field_kind::u8, "dest_addr_ton"},      {field_kind::u8, "dest_addr_npi"},
    {field_kind::c_string, "destination_addr"}, {field_kind::u8, "esm_class"},
    {field_kind::u8, "registered_delivery"}, {field_kind::u8, "data_coding"}};

std::span<const field> fields_of(command_id id) noexcept {
  switch (id) {
    case command_id::bind_receiver:
    case command_id::bind_transmitter:
    case command_id::bind_transceiver: return bind_fields;
    case command_id::bind_receiver_resp:
    case command_id::bind_transmitter_resp:
    case command_id::bind_transceiver_resp: return bind_resp_fields;
    case command_id::outbind: return outbind_fields;
    case command_id::submit_sm:
    case command_id::deliver_sm: return sm_fields;
    case command_id::submit_sm_resp:
    case command_id::deliver_sm_resp:
    case command_id::data_sm_resp: return message_resp_fields;
    case command_id::data_sm: return data_sm_fields;
    default: return {};
  }
}

bool is_header_only(command_id id) noexcept {
  return id == command_id::enquire_link || id == command_id::enquire_link_resp || id == command_id::unbind ||
         id == command_id::unbind_resp || id == command_id::generic_nack;
}

bool is_bind(command_id id) noexcept {
  return id == command_id::bind_receiver || id == command_id::bind_transmitter || id == command_id::bind_transceiver;
}

bool is_bind_resp(command_id id) noexcept {
  return id == command_id::bind_receiver_resp || id == command_id::bind_transmitter_resp ||
         id == command_id::bind_transceiver_resp;
}

// Where the mandatory part of the body ends. libsmpp34 cannot tell us: it parses TLVs in the same pass, and its
// TLV parsing is what we must avoid (see parse_tlvs). Our walk also catches what libsmpp34 would read past:
// an unterminated C-string and an sm_length larger than the octets present.
struct walk_result {
  std::error_code ec;
  std::string detail;
  std::size_t end = 0;                 // offset just past the mandatory fields
  std::size_t interface_version_at = 0;  // offset of interface_version in a bind, else 0
};

walk_result walk_mandatory(command_id id, std::span<const std::uint8_t> frame) {
  walk_result r;
  std::size_t pos = header_size;
  const std::size_t end = frame.size();
  std::uint8_t last_u8 = 0;
  for (const auto& f : fields_of(id)) {
    switch (f.kind) {
      case field_kind::c_string: {
        const auto* begin = frame.data() + pos;
        const auto* nul = std::find(begin, frame.data() + end, std::uint8_t{0});
        if (nul == frame.data() + end) {
          r.ec = error::malformed_body;
          r.detail = std::string("unterminated C-string ") + f.name + " at offset " + std::to_string(pos);
          return r;
        }
        pos += static_cast<std::size_t>(nul - begin) + 1;
        break;
      }
      case field_kind::u8:
        if (pos >= end) {
          r.ec = error::truncated;
          r.detail = std::string("body ends before ") + f.name;
          return r;
        }
        if (std::strcmp(f.name, "interface_version") == 0) r.interface_version_at = pos;
        last_u8 = frame[pos++];
        break;
      case field_kind::short_message:
        // sm_length is the u8 just read.
        if (last_u8 > end - pos) {
          r.ec = error::bad_sm_length;
          r.detail = "sm_length " + std::to_string(last_u8) + " but " + std::to_string(end - pos) +
                     " octets follow";
          return r;
        }
        pos += last_u8;
        break;
    }
  }
  r.end = pos;
  return r;
}

// We read and write TLVs ourselves because libsmpp34 1.14 gets them wrong for us: its generic TLV table has no
// branch for unknown tags below 0x1400 (the value is skipped without advancing, so the next TLV is misread), it
// caps octet values at 1024 bytes (message_payload may be longer), it reads 1- and 2-octet tags by type and
// ignores their length field, it converts integers to host order (losing the raw bytes) and it links the list in
// reverse order. Our model keeps every TLV raw, in wire order.
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

void append_tlvs(std::vector<std::uint8_t>& out, const std::vector<tlv>& tlvs) {
  for (const auto& t : tlvs) {
    append_u16(out, t.tag);
    append_u16(out, static_cast<std::uint16_t>(t.value.size()));
    out.insert(out.end(), t.value.begin(), t.value.end());
  }
}

bool tlvs_fit(const std::vector<tlv>& tlvs) noexcept {
  return std::all_of(tlvs.begin(), tlvs.end(), [](const tlv& t) { return t.value.size() <= 0xFFFF; });
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

std::error_code decode_body(command_id id, std::span<const std::uint8_t> frame, const walk_result& walk, body& out,
                            std::string& detail) {
  tlv_list owned;
  std::vector<tlv> tlvs;
  if (auto ec = parse_tlvs(frame.subspan(walk.end), tlvs, detail)) return ec;

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

// ---- encoding --------------------------------------------------------------------------------------------------

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

// SMPP 3.4 (4.1.2, 4.4.2, 4.7.2): a response body is not returned when command_status is non-zero.
bool body_omitted(const pdu& p) noexcept {
  if (p.status == 0) return false;
  return is_bind_resp(p.id) || p.id == command_id::submit_sm_resp || p.id == command_id::data_sm_resp;
}

}  // namespace

frame_probe probe_frame(std::span<const std::uint8_t> received, std::size_t max_length) noexcept {
  if (received.size() < 4) return {frame_state::need_more, 0, {}};
  const std::size_t length = get_u32(received.data());
  if (length < header_size || length > max_length)
    return {frame_state::invalid, length, make_error_code(error::bad_command_length)};
  if (received.size() < length) return {frame_state::need_more, length, {}};
  return {frame_state::complete, length, {}};
}

bool is_supported(std::uint32_t id) noexcept {
  switch (static_cast<command_id>(id)) {
    case command_id::generic_nack:
    case command_id::bind_receiver:
    case command_id::bind_receiver_resp:
    case command_id::bind_transmitter:
    case command_id::bind_transmitter_resp:
    case command_id::submit_sm:
    case command_id::submit_sm_resp:
    case command_id::deliver_sm:
    case command_id::deliver_sm_resp:
    case command_id::unbind:
    case command_id::unbind_resp:
    case command_id::bind_transceiver:
    case command_id::bind_transceiver_resp:
    case command_id::outbind:
    case command_id::enquire_link:
    case command_id::enquire_link_resp:
    case command_id::data_sm:
    case command_id::data_sm_resp: return true;
  }
  return false;
}

decode_result decode(std::span<const std::uint8_t> frame) {
  decode_result r;
  if (frame.size() < header_size) {
    r.ec = error::truncated;
    r.detail = "frame of " + std::to_string(frame.size()) + " octets has no complete header";
    return r;
  }
  r.head = {get_u32(frame.data()), get_u32(frame.data() + 4), get_u32(frame.data() + 8),
            get_u32(frame.data() + 12)};
  if (r.head.command_length < header_size) {
    r.ec = error::bad_command_length;
    r.detail = "command_length " + std::to_string(r.head.command_length);
    return r;
  }
  if (r.head.command_length > frame.size()) {
    r.ec = error::truncated;
    r.detail = "command_length " + std::to_string(r.head.command_length) + " but " + std::to_string(frame.size()) +
               " octets";
    return r;
  }
  frame = frame.first(r.head.command_length);
  if (!is_supported(r.head.command_id)) {
    r.ec = error::unknown_command;
    r.detail = "command_id 0x" + to_hex(frame.subspan(4, 4));
    return r;
  }
  const auto id = static_cast<command_id>(r.head.command_id);
  r.value.id = id;
  r.value.status = r.head.command_status;
  r.value.sequence = r.head.sequence;

  // Header-only PDUs never reach libsmpp34: it refuses sequence 0 (a generic_nack may carry it) and any
  // command_status not in its list (vendor codes 0x400-0x4FF). Trailing octets are ignored, as peers do.
  if (is_header_only(id)) {
    r.value.content = empty{};
    return r;
  }
  // A response with an error status usually has no body at all (SMPP 3.4 4.1.2, 4.4.2).
  if (frame.size() == header_size && is_response(id)) {
    if (is_bind_resp(id))
      r.value.content = bind_resp{};
    else
      r.value.content = message_resp{};
    return r;
  }
  const auto walk = walk_mandatory(id, frame);
  if (walk.ec) {
    r.ec = walk.ec;
    r.detail = walk.detail;
    return r;
  }
  if (auto ec = decode_body(id, frame, walk, r.value.content, r.detail)) r.ec = ec;
  return r;
}

std::error_code encode(const pdu& p, std::vector<std::uint8_t>& out) {
  if (!is_supported(static_cast<std::uint32_t>(p.id))) return error::encode_failed;
  std::vector<std::uint8_t> bytes;
  if (is_header_only(p.id) || body_omitted(p)) {
    // Ours, not libsmpp34's: it refuses sequence 0 and unlisted command_status values, both legal here.
    bytes.resize(header_size);
  } else if (auto ec = encode_body(p, bytes)) {
    return ec;
  }
  if (bytes.size() > 0xFFFFFFFFu) return error::encode_failed;
  put_u32(bytes.data(), static_cast<std::uint32_t>(bytes.size()));
  put_u32(bytes.data() + 4, static_cast<std::uint32_t>(p.id));
  put_u32(bytes.data() + 8, p.status);
  put_u32(bytes.data() + 12, p.sequence);
  out.insert(out.end(), bytes.begin(), bytes.end());
  return {};
}

bool encodable(const short_message& m) noexcept {
  if (!tlvs_fit(m.tlvs)) return false;
  submit_sm_t s;
  std::memset(&s, 0, sizeof s);
  return fill_sm(s, m);
}

std::vector<std::uint8_t> encode(const pdu& p, std::error_code& ec) {
  std::vector<std::uint8_t> out;
  ec = encode(p, out);
  return out;
}

command_id response_id(command_id request) noexcept {
  const auto v = static_cast<std::uint32_t>(request);
  if (is_response(request) || request == command_id::outbind) return command_id::generic_nack;
  return static_cast<command_id>(v | 0x80000000u);
}

pdu make_generic_nack(std::uint32_t sequence, std::uint32_t command_status) {
  return pdu{command_id::generic_nack, command_status, sequence, empty{}};
}

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
    case 2: return get_u16(t.value.data());
    case 4: return get_u32(t.value.data());
    default: return -1;
  }
}

std::string tlv_string(const tlv& t) {
  auto end = std::find(t.value.begin(), t.value.end(), std::uint8_t{0});
  return std::string(t.value.begin(), end);
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    s.push_back(digits[b >> 4]);
    s.push_back(digits[b & 0x0F]);
  }
  return s;
}

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  std::vector<std::uint8_t> out;
  int high = -1;
  for (char c : hex) {
    if (c == ' ' || c == '\n' || c == '\t') continue;
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else
      throw std::invalid_argument("from_hex: not a hex digit");
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  if (high >= 0) throw std::invalid_argument("from_hex: odd number of digits");
  return out;
}

}  // namespace loa::smpp
