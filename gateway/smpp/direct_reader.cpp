#include "gateway/smpp/direct_reader.hpp"

#include <cstring>

#include "gateway/smpp/error.hpp"
#include "gateway/smpp/frame.hpp"

namespace loa::smpp::detail {
namespace {

const char* pdu_name(command_id id) noexcept {
  switch (id) {
    case command_id::submit_sm: return "submit_sm";
    case command_id::deliver_sm: return "deliver_sm";
    case command_id::submit_sm_resp: return "submit_sm_resp";
    default: return "deliver_sm_resp";
  }
}

// Walks the fields again; walk_mandatory has made sure each C-string ends inside the frame and that the
// short_message octets are there, so only libsmpp34's own limits are left to check.
class reader {
 public:
  reader(command_id id, std::span<const std::uint8_t> frame, std::string& detail)
      : id_(id), p_(frame.data() + header_size), detail_(detail) {}

  bool c_string(std::string& out, std::size_t size, const char* field) {
    const auto n = std::strlen(reinterpret_cast<const char*>(p_));
    if (n + 1 > size) {
      detail_ = std::string(pdu_name(id_)) + " " + field + ": " + std::to_string(n) + " octets, at most " +
                std::to_string(size - 1);
      return false;
    }
    out.assign(reinterpret_cast<const char*>(p_), n);
    p_ += n + 1;
    return true;
  }

  std::uint8_t u8() noexcept { return *p_++; }

  bool ton(std::uint8_t& out, const char* field) {
    out = u8();
    if (known_ton(out)) return true;
    detail_ = std::string(pdu_name(id_)) + " " + field + ": " + std::to_string(out) +
              " is not a type of number libsmpp34 knows";
    return false;
  }

  bool npi(std::uint8_t& out, const char* field) {
    out = u8();
    if (known_npi(out)) return true;
    detail_ = std::string(pdu_name(id_)) + " " + field + ": " + std::to_string(out) +
              " is not a numbering plan libsmpp34 knows";
    return false;
  }

  bool octets(std::vector<std::uint8_t>& out) {
    const auto n = u8();
    if (n > max_short_message) {
      detail_ = std::string(pdu_name(id_)) + " sm_length: " + std::to_string(n) + ", at most 254";
      return false;
    }
    out.assign(p_, p_ + n);
    p_ += n;
    return true;
  }

 private:
  command_id id_;
  const std::uint8_t* p_;
  std::string& detail_;
};

bool read_sm(reader& r, const sm_sizes& n, short_message& m) {
  if (!r.c_string(m.service_type, n.service_type, "service_type")) return false;
  if (!r.ton(m.source.ton, "source_addr_ton") || !r.npi(m.source.npi, "source_addr_npi")) return false;
  if (!r.c_string(m.source.addr, n.source_addr, "source_addr")) return false;
  if (!r.ton(m.destination.ton, "dest_addr_ton") || !r.npi(m.destination.npi, "dest_addr_npi")) return false;
  if (!r.c_string(m.destination.addr, n.destination_addr, "destination_addr")) return false;
  m.esm_class = r.u8();
  m.protocol_id = r.u8();
  m.priority_flag = r.u8();
  if (!r.c_string(m.schedule_delivery_time, n.schedule_delivery_time, "schedule_delivery_time")) return false;
  if (!r.c_string(m.validity_period, n.validity_period, "validity_period")) return false;
  m.registered_delivery = r.u8();
  m.replace_if_present_flag = r.u8();
  m.data_coding = r.u8();
  m.sm_default_msg_id = r.u8();
  return r.octets(m.message);
}

}  // namespace

bool reads_directly(command_id id) noexcept {
  return id == command_id::submit_sm || id == command_id::deliver_sm || id == command_id::submit_sm_resp ||
         id == command_id::deliver_sm_resp;
}

std::error_code read_direct(command_id id, std::span<const std::uint8_t> frame, const walk_result& walk,
                            std::vector<tlv> tlvs, body& out, std::string& detail) {
  (void)walk;  // the walk's checks are what make the reads below safe
  reader r(id, frame, detail);
  if (id == command_id::submit_sm || id == command_id::deliver_sm) {
    short_message m;
    if (!read_sm(r, sm_sizes_of(id), m)) return error::malformed_body;
    m.tlvs = std::move(tlvs);
    out = std::move(m);
    return {};
  }
  message_resp resp;
  if (!r.c_string(resp.message_id, message_id_size(id), "message_id")) return error::malformed_body;
  resp.tlvs = std::move(tlvs);
  out = std::move(resp);
  return {};
}

}  // namespace loa::smpp::detail
