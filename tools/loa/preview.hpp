// What `loa send --dry-run` prints, and the confirmation an official gives by typing the ward's name before a
// large send. Pure, so that every line is tested exactly; the terminal itself is in campaign_commands.cpp.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace loa::cli::preview {

/// The preview document of POST /v1/campaigns with "dry_run": true, for people: the text as the phone shows
/// it, encoding and parts, recipients per carrier and per group, opt-outs skipped, cost, and when it would
/// start. A missing field reads as 0 or empty, so an older gateway still prints.
std::string describe(const boost::json::value& preview);

/// The preview's "warnings" (the text typed with the Vietnamese keyboard off, ...), one "Warning: ..." line
/// each; empty when there are none.
std::string warnings(const boost::json::value& preview);

/// A money amount: whole units with thousands separators ("4,200,000"), or two decimals when there are
/// cents ("12.50").
std::string money(double amount);

/// True when `typed` names the wards: each of them once, in any order, separated by spaces or commas,
/// letter case ignored; or, separated by commas, each by its id or its display name (`display_names[i]` is
/// ward i's, "" for none) compared without diacritics, case, spaces or dashes ("phuong long thuy" for
/// "Phường Long Thủy"). Anything else (a typo, one ward of two) is a no.
bool names_the_wards(std::string_view typed, const std::vector<std::string>& wards,
                     const std::vector<std::string>& display_names = {});

/// The question asked before a large send, naming each ward by its id and its display name.
std::string question(const std::vector<std::string>& wards, std::uint64_t recipients,
                     const std::vector<std::string>& display_names = {});

}  // namespace loa::cli::preview
