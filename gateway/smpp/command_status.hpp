// What to do when a carrier answers a request with a non-zero command_status. The defaults are DOMAIN.md's;
// each carrier's configuration may override single values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>

namespace loa::smpp {

/// The reaction to one command_status.
enum class status_action {
  retry,            // transient: send again after the usual back-off
  retry_slow_down,  // the carrier throttles (0x58): send again and lower the rate
  permanent,        // our message or its encoding is wrong: fail it, never resend
  rebind,           // the bind itself is refused (0x0D-0x0F): stop, alert, reconnect slowly
};

/// The per-carrier table: overrides (from the config loader) win over the defaults.
struct status_policy {
  std::map<std::uint32_t, status_action> overrides;    // command_status -> action, from the carrier's config
  status_action unlisted = status_action::permanent;   // for values neither overridden nor in the defaults
};

/// DOMAIN.md's default for a command_status, or nullopt when it lists none (0 is success, not an action).
std::optional<status_action> default_status_action(std::uint32_t command_status) noexcept;

/// The action for a non-zero command_status under this policy.
status_action classify(const status_policy& policy, std::uint32_t command_status) noexcept;

/// "retry", "retry_slow_down", "permanent", "rebind".
std::string_view to_string(status_action action) noexcept;

/// fmt 9 prints status_action through this.
inline std::string_view format_as(status_action action) noexcept { return to_string(action); }

/// The action named as in to_string (also accepts "retry-slow-down"), for the config loader.
std::optional<status_action> parse_status_action(std::string_view name) noexcept;

}  // namespace loa::smpp
