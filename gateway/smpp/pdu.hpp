// SMPP 3.4 PDUs as plain C++ values. The codec (codec.hpp) turns bytes into these and back; the session
// and the simulator only ever see these types, never libsmpp34's structs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace loa::smpp {

/// command_id values of SMPP 3.4 section 5.1.2.1.
enum class command_id : std::uint32_t {
  generic_nack = 0x80000000,
  bind_receiver = 0x00000001,
  bind_receiver_resp = 0x80000001,
  bind_transmitter = 0x00000002,
  bind_transmitter_resp = 0x80000002,
  submit_sm = 0x00000004,
  submit_sm_resp = 0x80000004,
  deliver_sm = 0x00000005,
  deliver_sm_resp = 0x80000005,
  unbind = 0x00000006,
  unbind_resp = 0x80000006,
  bind_transceiver = 0x00000009,
  bind_transceiver_resp = 0x80000009,
  outbind = 0x0000000B,
  enquire_link = 0x00000015,
  enquire_link_resp = 0x80000015,
  data_sm = 0x00000103,
  data_sm_resp = 0x80000103,
};

/// Optional parameter tags loa reads or writes (SMPP 3.4 section 5.3.2).
namespace tag {
inline constexpr std::uint16_t receipted_message_id = 0x001E;
inline constexpr std::uint16_t sar_msg_ref_num = 0x020C;
inline constexpr std::uint16_t sar_total_segments = 0x020E;
inline constexpr std::uint16_t sar_segment_seqnum = 0x020F;
inline constexpr std::uint16_t message_payload = 0x0424;
inline constexpr std::uint16_t message_state = 0x0427;
inline constexpr std::uint16_t network_error_code = 0x0423;
}  // namespace tag

/// esm_class bits that matter to loa.
namespace esm {
inline constexpr std::uint8_t udhi = 0x40;              // short_message starts with a UDH
inline constexpr std::uint8_t delivery_receipt = 0x04;  // deliver_sm carries an SMSC delivery receipt
inline constexpr std::uint8_t message_type_mask = 0x3C;
}  // namespace esm

/// One optional parameter, kept as raw bytes; unknown tags survive a decode/encode round trip.
struct tlv {
  std::uint16_t tag = 0;
  std::vector<std::uint8_t> value;
  friend bool operator==(const tlv&, const tlv&) = default;
};

/// A source or destination address with its type of number and numbering plan.
struct address {
  std::uint8_t ton = 0;
  std::uint8_t npi = 0;
  std::string addr;
  friend bool operator==(const address&, const address&) = default;
};

/// bind_transmitter, bind_receiver or bind_transceiver (which one is the pdu's command_id).
struct bind {
  std::string system_id;
  std::string password;
  std::string system_type;
  std::uint8_t interface_version = 0x34;
  address address_range;
  friend bool operator==(const bind&, const bind&) = default;
};

/// The response to any of the three binds.
struct bind_resp {
  std::string system_id;
  std::optional<std::uint8_t> sc_interface_version;  // TLV 0x0210 when the SMSC sends it
  friend bool operator==(const bind_resp&, const bind_resp&) = default;
};

/// submit_sm and deliver_sm share their body (SMPP 3.4 sections 4.4.1 and 4.6.1).
struct short_message {
  std::string service_type;
  address source;
  address destination;
  std::uint8_t esm_class = 0;
  std::uint8_t protocol_id = 0;
  std::uint8_t priority_flag = 0;
  std::string schedule_delivery_time;
  std::string validity_period;
  std::uint8_t registered_delivery = 0;
  std::uint8_t replace_if_present_flag = 0;
  std::uint8_t data_coding = 0;
  std::uint8_t sm_default_msg_id = 0;
  std::vector<std::uint8_t> message;  // short_message octets, UDH included when esm_class has udhi
  std::vector<tlv> tlvs;
  friend bool operator==(const short_message&, const short_message&) = default;
};

/// data_sm (SMPP 3.4 section 4.7.1): no short_message, text travels in message_payload.
struct data_message {
  std::string service_type;
  address source;
  address destination;
  std::uint8_t esm_class = 0;
  std::uint8_t registered_delivery = 0;
  std::uint8_t data_coding = 0;
  std::vector<tlv> tlvs;
  friend bool operator==(const data_message&, const data_message&) = default;
};

/// submit_sm_resp, deliver_sm_resp and data_sm_resp: a message_id (empty in deliver_sm_resp).
struct message_resp {
  std::string message_id;
  std::vector<tlv> tlvs;
  friend bool operator==(const message_resp&, const message_resp&) = default;
};

/// outbind (SMSC asks the ESME to bind; loa answers by binding, never by accepting it as a session).
struct outbind {
  std::string system_id;
  std::string password;
  friend bool operator==(const outbind&, const outbind&) = default;
};

/// enquire_link, enquire_link_resp, unbind, unbind_resp and generic_nack carry only a header.
struct empty {
  friend bool operator==(const empty&, const empty&) = default;
};

using body = std::variant<empty, bind, bind_resp, short_message, data_message, message_resp, outbind>;

/// One PDU: the header fields that are not derived (command_length is computed when encoding) and its body.
struct pdu {
  command_id id = command_id::generic_nack;
  std::uint32_t status = 0;  // command_status
  std::uint32_t sequence = 0;
  body content;
  friend bool operator==(const pdu&, const pdu&) = default;
};

/// The first TLV with this tag, or nullptr.
inline const tlv* find_tlv(const std::vector<tlv>& tlvs, std::uint16_t wanted) {
  for (const auto& t : tlvs)
    if (t.tag == wanted) return &t;
  return nullptr;
}

/// True for the *_resp ids and generic_nack (bit 31 set).
constexpr bool is_response(command_id id) { return (static_cast<std::uint32_t>(id) & 0x80000000u) != 0; }

}  // namespace loa::smpp
