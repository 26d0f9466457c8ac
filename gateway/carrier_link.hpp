// What loa needs to talk to one carrier, derived from its configuration: the bind settings of its
// sessions, its rate, how its messages are split, and the submit_sm bodies of one notice to one number.
// The one place where config/, segments/ and gateway/smpp meet.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "gateway/smpp/bind_driver.hpp"
#include "gateway/smpp/pdu.hpp"
#include "gateway/smpp/rate_limiter.hpp"
#include "gateway/smpp/receipt.hpp"
#include "segments/split.hpp"

namespace loa::gateway {

/// The settings of each bind (session) of `carrier`.
smpp::bind_settings bind_settings_for(const config::carrier_config& carrier);

/// The carrier-wide messages-per-second limit its binds share.
smpp::rate_settings rate_settings_for(const config::carrier_config& carrier);

/// How a notice is split for this carrier: its concatenation method, GSM data_coding and part cap.
segments::split_options split_options_for(const config::carrier_config& carrier,
                                          const config::limits_config& limits,
                                          segments::accents accent_policy, std::uint16_t reference);

/// Splits a notice the way this carrier takes it; the status says why it cannot be sent (part cap, bad text).
segments::split_status split_notice(std::string_view text, const config::carrier_config& carrier,
                                    const config::limits_config& limits, segments::accents accent_policy,
                                    std::uint16_t reference, segments::message& out);

/// The concatenation reference of one campaign's messages: the same for all its recipients (each phone sees
/// one message from it), different between campaigns sent close together.
std::uint16_t concat_reference(std::string_view campaign_id);

/// How this carrier's receipt ids relate to its submit_sm_resp ids.
smpp::receipt_id_mode receipt_mode_for(const config::carrier_config& carrier);

/// SMPP 3.4 relative time ("YYMMDDhhmmss000R") for a validity period.
std::string relative_validity(std::chrono::seconds validity);

/// What one notice to one number needs besides its text.
struct submit_context {
  std::string_view sender;    ///< brandname: the carrier's own, else the configuration's default
  std::string_view number;    ///< stored form, 84xxxxxxxxx
  bool want_receipts = true;  ///< registered_delivery 1 on every part
  std::chrono::seconds validity{24 * 3600};
};

/// The submit_sm bodies of `message` (one per part, in order) for this carrier.
std::vector<smpp::short_message> submit_bodies(const segments::message& message,
                                               const config::carrier_config& carrier,
                                               const submit_context& context);

}  // namespace loa::gateway
