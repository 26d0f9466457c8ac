// Names for people beside the ids: a ward's display_name (configuration `wards`), a group's (stored by
// `loa groups rename`), the sender's (operators[].display_name). Added to the answers as extra fields
// (ward_names, group_names, created_by_name), never in place of the ids scripts rely on.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "gateway/broadcast/subscriber_store.hpp"

namespace loa::api {

/// Where names come from; both may be null (an answer then names everything by its id).
struct name_sources {
  const config::configuration* cfg = nullptr;
  broadcast::subscriber_store* store = nullptr;
};

/// The names of one request's answer. Reads each ward's group names from Redis once per object, so a list of
/// campaigns costs one read per ward, not per campaign. A failed read leaves the groups named by their ids:
/// names are for people, never the reason an answer fails.
class display_names {
 public:
  explicit display_names(name_sources sources);

  /// Adds to `doc`: "ward_names" {ward: name}, "group_names" {group: name} (the first of `wards` that names
  /// the group), and "created_by_name" when `created_by` is not empty. An id without a name maps to itself.
  boost::asio::awaitable<void> add(boost::json::object& doc, const std::vector<std::string>& wards,
                                   const std::vector<std::string>& groups, const std::string& created_by);

  /// The ward's group names (group -> display name), read once.
  boost::asio::awaitable<const std::map<std::string, std::string>*> groups_of(const std::string& ward);

 private:
  name_sources sources_;
  std::map<std::string, std::map<std::string, std::string>> group_names_;  // by ward
};

}  // namespace loa::api
