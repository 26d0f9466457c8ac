#include "gateway/campaign/lifecycle.hpp"

#include <algorithm>

namespace loa::campaign {

namespace {
using s = campaign_state;

// Where each cause may lead; its sources are in sources().
std::vector<campaign_state> targets(cause c) {
  switch (c) {
    case cause::create:
      return {s::awaiting_approval, s::scheduled, s::waiting, s::running};
    case cause::approve:
      return {s::scheduled, s::waiting, s::running};
    case cause::hold:
      return {s::awaiting_approval};
    case cause::due:
      return {s::waiting, s::running};
    case cause::quiet_over:
      return {s::running};
    case cause::finish:
      return {s::done};
    case cause::cancel:
      return {s::cancelled};
  }
  return {};
}

bool contains(const std::vector<campaign_state>& v, campaign_state x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

std::string_view to_string(cause c) noexcept {
  switch (c) {
    case cause::create:
      return "create";
    case cause::approve:
      return "approve";
    case cause::hold:
      return "hold";
    case cause::due:
      return "due";
    case cause::quiet_over:
      return "quiet_over";
    case cause::finish:
      return "finish";
    case cause::cancel:
      return "cancel";
  }
  return "?";
}

std::vector<campaign_state> sources(cause c) {
  switch (c) {
    case cause::create:
      return {};
    case cause::approve:
      return {s::awaiting_approval};
    // Held again when it becomes due (scheduled, waiting) or while fanned out (running): never once done.
    case cause::hold:
      return {s::scheduled, s::waiting, s::running};
    case cause::due:
      return {s::scheduled};
    case cause::quiet_over:
      return {s::waiting};
    case cause::finish:
      return {s::running};
    case cause::cancel:
      return {s::awaiting_approval, s::scheduled, s::waiting, s::running};
  }
  return {};
}

bool allowed(std::optional<campaign_state> from, cause c, campaign_state to) noexcept {
  if (!contains(targets(c), to)) return false;
  if (c == cause::create) return !from.has_value();
  return from && contains(sources(c), *from);
}

campaign_state where_due(bool due, bool quiet, bool urgent) noexcept {
  if (!due) return s::scheduled;
  if (quiet && !urgent) return s::waiting;
  return s::running;
}

}  // namespace loa::campaign
