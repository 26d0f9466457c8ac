#include "gateway/smpp/command_status.hpp"

namespace loa::smpp {

std::optional<status_action> default_status_action(std::uint32_t s) noexcept {
  switch (s) {
    // Transient on the carrier's side (DOMAIN.md "command_status to retry").
    case 0x58: return status_action::retry_slow_down;  // ESME_RTHROTTLED
    case 0x14:                                          // ESME_RMSGQFUL
    case 0x08:                                          // ESME_RSYSERR
    case 0x64: return status_action::retry;             // ESME_RX_T_APPN
    // The bind is refused: resending messages cannot help.
    case 0x0D:                                          // ESME_RBINDFAIL
    case 0x0E:                                          // ESME_RINVPASWD
    case 0x0F: return status_action::rebind;            // ESME_RINVSYSID
    // Our message is wrong: resending the same bytes gives the same answer.
    case 0x0A:                                          // ESME_RINVSRCADR
    case 0x0B:                                          // ESME_RINVDSTADR
    case 0x48:                                          // ESME_RINVSRCTON
    case 0x49:                                          // ESME_RINVSRCNPI
    case 0x50:                                          // ESME_RINVDSTTON
    case 0x51:                                          // ESME_RINVDSTNPI
    case 0x62:                                          // ESME_RINVEXPIRY
    case 0x01:                                          // ESME_RINVMSGLEN
    case 0x02:                                          // ESME_RINVCMDLEN
    case 0x03: return status_action::permanent;         // ESME_RINVCMDID
    default: break;
  }
  if (s >= 0xC0 && s <= 0xC4) return status_action::permanent;  // optional parameter errors: our encoding
  return std::nullopt;
}

status_action classify(const status_policy& policy, std::uint32_t command_status) noexcept {
  if (auto it = policy.overrides.find(command_status); it != policy.overrides.end()) return it->second;
  return default_status_action(command_status).value_or(policy.unlisted);
}

std::string_view to_string(status_action action) noexcept {
  switch (action) {
    case status_action::retry: return "retry";
    case status_action::retry_slow_down: return "retry_slow_down";
    case status_action::permanent: return "permanent";
    case status_action::rebind: return "rebind";
  }
  return "permanent";
}

std::optional<status_action> parse_status_action(std::string_view name) noexcept {
  if (name == "retry") return status_action::retry;
  if (name == "retry_slow_down" || name == "retry-slow-down") return status_action::retry_slow_down;
  if (name == "permanent") return status_action::permanent;
  if (name == "rebind") return status_action::rebind;
  return std::nullopt;
}

}  // namespace loa::smpp
