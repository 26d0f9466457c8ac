// Delivery receipts (deliver_sm with esm_class 0x04) and the matching of their ids to submit_sm_resp ids.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/smpp/pdu.hpp"

namespace loa::smpp {

/// Final or intermediate state of a message as a receipt reports it (SMPP 3.4 5.2.28 and the text `stat:`).
enum class receipt_state { enroute, delivered, expired, deleted, undeliverable, accepted, unknown, rejected };

/// What a receipt says.
struct receipt {
  std::string id;                       // the carrier's message id, as written in the receipt
  receipt_state state = receipt_state::unknown;
  std::string error;                    // `err:` text, else network_error_code TLV as hex, else ""
  std::string submit_date;              // YYMMDDhhmm[ss] as sent, "" when missing
  std::string done_date;                // YYMMDDhhmm[ss] as sent, "" when missing
  std::string text;                     // the `text:` start of the original message, "" when missing
  std::string source;                   // the deliver_sm's source_addr: the handset the message went to
  friend bool operator==(const receipt&, const receipt&) = default;
};

/// True when esm_class marks a deliver_sm as an SMSC delivery receipt.
constexpr bool is_delivery_receipt(const short_message& m) noexcept {
  return (m.esm_class & esm::message_type_mask) == esm::delivery_receipt;
}

/// Reads a receipt from a deliver_sm body: TLVs receipted_message_id and message_state first, the text form
/// for whatever they leave out. nullopt when neither gives an id.
std::optional<receipt> parse_receipt(const short_message& m);

/// Reads the text form `id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…` leniently (any case,
/// extra spaces, `submit_date`, missing fields). nullopt when there is no id.
std::optional<receipt> parse_receipt_text(std::string_view text);

/// The state for a `stat:` word (DELIVRD, UNDELIV, ...; full words too), unknown when not recognised.
receipt_state parse_receipt_state(std::string_view word) noexcept;

/// The state for a message_state TLV value (1 ENROUTE ... 8 REJECTED), unknown otherwise.
receipt_state receipt_state_from_tlv(std::uint8_t value) noexcept;

/// "delivered", "expired", ... (for logs and JSON).
std::string_view to_string(receipt_state state) noexcept;

/// fmt 9 prints receipt_state through this.
inline std::string_view format_as(receipt_state state) noexcept { return to_string(state); }

/// The short `stat:` word SMSCs write ("DELIVRD", "UNDELIV", ...).
std::string_view stat_word(receipt_state state) noexcept;

/// message_state TLV value for a state.
std::uint8_t message_state_value(receipt_state state) noexcept;

/// A carrier's `receipt_id` setting: the base its receipts write the id in, when that differs from the
/// submit_sm_resp id (DOMAIN.md: gateways fail most at this).
enum class receipt_id_mode {
  as_is,  // same base on both sides; case and leading zeros may differ
  hex,    // receipts carry the id in hexadecimal, submit_sm_resp in decimal
  dec,    // receipts carry the id in decimal, submit_sm_resp in hexadecimal (Kannel's msg-id-type 0x01)
};

/// Which side an id comes from.
enum class id_origin { submit_resp, receipt };

/// One canonical key for an id, so that the submit_sm_resp id and the receipt id of one message give the same
/// key under the carrier's mode. Numbers become their decimal value without leading zeros; an id that is not a
/// number in the expected base (or exceeds 64 bits) falls back to the as-is form: trimmed, lower case, leading
/// zeros dropped.
std::string normalise_receipt_id(std::string_view id, receipt_id_mode mode, id_origin origin);

/// "as-is" | "hex" | "dec" (also "as_is"), for the config loader.
std::optional<receipt_id_mode> parse_receipt_id_mode(std::string_view name) noexcept;

}  // namespace loa::smpp
