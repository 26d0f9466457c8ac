#include "gateway/carrier_link.hpp"

#include <fmt/format.h>

#include "gateway/broadcast/numbers.hpp"

namespace loa::gateway {
namespace {

smpp::bind_mode to_smpp(config::bind_mode m) {
  switch (m) {
    case config::bind_mode::transmitter:
      return smpp::bind_mode::transmitter;
    case config::bind_mode::receiver:
      return smpp::bind_mode::receiver;
    case config::bind_mode::transceiver:
      return smpp::bind_mode::transceiver;
  }
  return smpp::bind_mode::transceiver;
}

smpp::status_action to_smpp(config::status_action a) {
  switch (a) {
    case config::status_action::retry:
      return smpp::status_action::retry;
    case config::status_action::slow_down:
      return smpp::status_action::retry_slow_down;
    case config::status_action::permanent:
      return smpp::status_action::permanent;
    case config::status_action::rebind:
      return smpp::status_action::rebind;
  }
  return smpp::status_action::permanent;
}

segments::concat_method to_segments(config::concat_method m) {
  switch (m) {
    case config::concat_method::udh8:
      return segments::concat_method::udh8;
    case config::concat_method::udh16:
      return segments::concat_method::udh16;
    case config::concat_method::sar:
      return segments::concat_method::sar;
    case config::concat_method::payload:
      return segments::concat_method::payload;
  }
  return segments::concat_method::udh8;
}

smpp::tlv bytes_tlv(std::uint16_t tag, std::span<const std::uint8_t> value) {
  return {tag, std::vector<std::uint8_t>(value.begin(), value.end())};
}

}  // namespace

smpp::bind_settings bind_settings_for(const config::carrier_config& carrier) {
  smpp::bind_settings b;
  b.host = carrier.host;
  b.port = carrier.port;
  b.tls = carrier.tls;
  b.tls_ca = carrier.tls_ca;
  auto& s = b.session;
  s.mode = to_smpp(carrier.bind);
  s.system_id = carrier.system_id;
  s.password = carrier.password.reveal();
  s.system_type = carrier.system_type;
  s.window = static_cast<std::size_t>(carrier.window);
  s.enquire_link_interval = carrier.enquire_link;
  s.response_timeout = carrier.response_timeout;
  s.reconnect.initial = carrier.reconnect_min;
  s.reconnect.cap = carrier.reconnect_max;
  for (const auto& [status, action] : carrier.command_status) s.statuses.overrides[status] = to_smpp(action);
  if (carrier.other_status) s.statuses.unlisted = to_smpp(*carrier.other_status);
  return b;
}

smpp::rate_settings rate_settings_for(const config::carrier_config& carrier) {
  // The pacer's defaults fit every carrier we know: evenly spaced within tps, and when a carrier allows less,
  // settle just under what it accepts (see rate_limiter.hpp).
  smpp::rate_settings r;
  r.tps = carrier.tps;
  return r;
}

segments::split_options split_options_for(const config::carrier_config& carrier,
                                          const config::limits_config& limits,
                                          segments::accents accent_policy, std::uint16_t reference) {
  segments::split_options o;
  o.accent_policy = accent_policy;
  o.concat = to_segments(carrier.concat);
  o.reference = reference;
  o.max_parts = static_cast<std::size_t>(carrier.max_parts > 0 ? carrier.max_parts : limits.max_parts);
  o.gsm7_data_coding = carrier.data_coding_gsm;
  return o;
}

smpp::receipt_id_mode receipt_mode_for(const config::carrier_config& carrier) {
  switch (carrier.receipt_id) {
    case config::receipt_id_form::as_is:
      return smpp::receipt_id_mode::as_is;
    case config::receipt_id_form::hex:
      return smpp::receipt_id_mode::hex;
    case config::receipt_id_form::dec:
      return smpp::receipt_id_mode::dec;
  }
  return smpp::receipt_id_mode::as_is;
}

std::string relative_validity(std::chrono::seconds validity) {
  auto left = validity.count();
  const auto days = left / 86400;
  left %= 86400;
  // SMPP 3.4 section 7.1.1: YY MM DD hh mm ss t nn p, p = 'R' for relative. Validity stays under 100 days.
  return fmt::format("0000{:02}{:02}{:02}{:02}000R", days, left / 3600, (left % 3600) / 60, left % 60);
}

segments::split_status split_notice(std::string_view text, const config::carrier_config& carrier,
                                    const config::limits_config& limits, segments::accents accent_policy,
                                    std::uint16_t reference, segments::message& out) {
  segments::splitter splitter(split_options_for(carrier, limits, accent_policy, reference));
  return splitter.split(text, out);
}

std::uint16_t concat_reference(std::string_view campaign_id) {
  std::uint32_t h = 2166136261u;  // FNV-1a: spreads consecutive ids over the 8-bit references too
  for (const char c : campaign_id) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return static_cast<std::uint16_t>(h ^ (h >> 16));
}

std::vector<smpp::short_message> submit_bodies(const segments::message& message,
                                               const config::carrier_config& carrier,
                                               const submit_context& context) {
  std::vector<smpp::short_message> bodies;
  const std::string destination = carrier.dest_number == config::number_form::national
                                      ? broadcast::national_form(context.number)
                                      : std::string(context.number);
  const std::string validity = relative_validity(context.validity);
  for (std::size_t i = 0; i < message.parts.size(); ++i) {
    smpp::short_message sm;
    sm.source = {carrier.source.ton, carrier.source.npi, std::string(context.sender)};
    sm.destination = {carrier.dest.ton, carrier.dest.npi, destination};
    sm.esm_class = message.esm_class;
    sm.data_coding = message.data_coding;
    sm.registered_delivery = context.want_receipts ? 1 : 0;
    sm.validity_period = validity;
    const auto body = message.short_message(i);
    sm.message.assign(body.begin(), body.end());
    if (auto sar = message.sar(i)) {
      sm.tlvs.push_back(smpp::make_tlv_u16(smpp::tag::sar_msg_ref_num, sar->reference));
      sm.tlvs.push_back(smpp::make_tlv_u8(smpp::tag::sar_total_segments, sar->total));
      sm.tlvs.push_back(smpp::make_tlv_u8(smpp::tag::sar_segment_seqnum, sar->sequence));
    }
    if (message.uses_payload())
      sm.tlvs.push_back(bytes_tlv(smpp::tag::message_payload, message.message_payload()));
    bodies.push_back(std::move(sm));
  }
  return bodies;
}

}  // namespace loa::gateway
