// Names for people beside the ids in the gateway's answers (ward_names, group_names, created_by_name): what
// the CLI prints for previews, status, campaigns and reports. Pure; an answer without names prints the ids.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace loa::cli {

/// "long-thuy (Phường Long Thủy)", or "long-thuy" when `names_field` of `doc` gives it no other name.
std::string named(const boost::json::object& doc, std::string_view names_field, std::string_view id);

/// The ids of the array `ids_field` each named as above, separated by ", ".
std::string named_list(const boost::json::object& doc, std::string_view ids_field, std::string_view names_field);

/// The display name of `id` in `names_field`, or the id itself.
std::string display_name(const boost::json::object& doc, std::string_view names_field, std::string_view id);

/// Who sent it: created_by_name when there is one, else created_by (empty when neither).
std::string sender_name(const boost::json::object& doc);

}  // namespace loa::cli
