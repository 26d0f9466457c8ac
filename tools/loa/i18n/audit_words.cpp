#include "tools/loa/i18n/audit_words.hpp"

#include "tools/loa/i18n/gateway_words.hpp"
#include "tools/loa/i18n/translate.hpp"

namespace loa::cli {
namespace {

using i18n::tr_noop;

// What gateway/api writes in `detail` (campaign_routes.cpp: sent_detail, cancel, approve;
// subscriber_routes.cpp: import, group rename), one "; "-separated part each.
constexpr std::string_view detail_pieces[] = {
    tr_noop("groups {}"),
    tr_noop("urgent"),
    tr_noop("at {}"),
    tr_noop("key {}"),
    tr_noop("corrects {}"),
    tr_noop("resends the failed and expired of campaign {}"),
    tr_noop("sent by {}"),
    tr_noop("now {}"),
    tr_noop("was {}"),
    tr_noop("{} never sent"),
    tr_noop("imported {}, updated {}, invalid {}, import {}"),
    tr_noop("group {}: display name removed"),
    tr_noop("group {}: display name {}"),
};

constexpr std::pair<std::string_view, std::string_view> action_words[] = {
    {"send", tr_noop("send")},
    {"cancel", tr_noop("cancel")},
    {"approve", tr_noop("approve")},
    {"import", tr_noop("import")},
    {"subscriber_add", tr_noop("add subscriber")},
    {"subscriber_remove", tr_noop("remove subscriber")},
    {"group_rename", tr_noop("rename group")},
    {"optout", tr_noop("optout")},
    {"optin", tr_noop("optin")},
    {"forget", tr_noop("forget")},
    {"sender", tr_noop("sender")},
    {"approver", tr_noop("approver")},
    {"admin", tr_noop("admin")},
};

}  // namespace

std::string audit_action_words(std::string_view name) {
  for (const auto& [gateway_name, said] : action_words)
    if (gateway_name == name) return i18n::tr(said);
  return std::string(name);
}

std::string audit_detail_words(std::string_view detail) {
  static const sentence_pieces known(detail_pieces);
  std::string out;
  for (std::size_t at = 0; at <= detail.size();) {
    const auto end = std::min(detail.find("; ", at), detail.size());
    const std::string part(detail.substr(at, end - at));
    if (!out.empty() || at > 0) out += "; ";
    // A bare state ("running") is a value of its own; anything else is a sentence piece or stays as it came.
    const auto as_value = value_in_words(part);
    out += as_value != part ? as_value : known.words(part);
    at = end + 2;
  }
  return out;
}

}  // namespace loa::cli
