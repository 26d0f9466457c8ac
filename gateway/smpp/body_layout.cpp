#include "gateway/smpp/body_layout.hpp"

#include <algorithm>
#include <cstring>

#include "gateway/smpp/error.hpp"
#include "gateway/smpp/frame.hpp"

namespace loa::smpp::detail {
namespace {

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

}  // namespace

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

const sm_sizes& sm_sizes_of(command_id id) noexcept {
  static constexpr sm_sizes submit_sm{6, 21, 21, 17, 17};
  static constexpr sm_sizes deliver_sm{6, 21, 21, 1, 1};
  return id == command_id::deliver_sm ? deliver_sm : submit_sm;
}

std::size_t message_id_size(command_id id) noexcept { return id == command_id::deliver_sm_resp ? 1 : 65; }

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

bool body_omitted(const pdu& p) noexcept {
  if (p.status == 0) return false;
  return is_bind_resp(p.id) || p.id == command_id::submit_sm_resp || p.id == command_id::data_sm_resp;
}

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

}  // namespace loa::smpp::detail
