// The audit trail in the official's language. The gateway records each entry's `detail` in English for
// scripts and for every reader alike ("groups to-3, to-5; running; key weekly-47"), and names what was done
// by its API name ("subscriber_add"); the official reads both in her words, the values (names, keys, times,
// numbers) as they were recorded.
#pragma once

#include <string>
#include <string_view>

namespace loa::cli {

/// An audit entry's `action` or `role` in the current language; a name a newer gateway added stays as it is.
std::string audit_action_words(std::string_view name);

/// An audit entry's `detail` in the current language, each of its "; "-separated parts translated whole when
/// the catalogue knows it and left as it came otherwise (a phone number, a newer gateway's words).
std::string audit_detail_words(std::string_view detail);

}  // namespace loa::cli
