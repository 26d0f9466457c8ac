#include "gateway/api/display_names.hpp"

#include <boost/json.hpp>

namespace loa::api {

namespace asio = boost::asio;
namespace json = boost::json;

display_names::display_names(name_sources sources) : sources_(sources) {}

asio::awaitable<const std::map<std::string, std::string>*> display_names::groups_of(const std::string& ward) {
  auto it = group_names_.find(ward);
  if (it == group_names_.end()) {
    std::map<std::string, std::string> names;
    if (sources_.store && co_await sources_.store->group_names(ward, names)) names.clear();
    it = group_names_.emplace(ward, std::move(names)).first;
  }
  co_return &it->second;
}

asio::awaitable<void> display_names::add(json::object& doc, const std::vector<std::string>& wards,
                                         const std::vector<std::string>& groups, const std::string& created_by) {
  json::object ward_names;
  for (const auto& w : wards) ward_names[w] = sources_.cfg ? sources_.cfg->ward_name(w) : w;
  json::object group_names;
  for (const auto& g : groups) group_names[g] = g;
  for (const auto& w : wards) {
    const auto* named = co_await groups_of(w);
    for (const auto& g : groups) {
      auto found = named->find(g);
      if (found != named->end() && group_names[g].as_string() == g) group_names[g] = found->second;
    }
  }
  doc["ward_names"] = std::move(ward_names);
  doc["group_names"] = std::move(group_names);
  if (!created_by.empty()) doc["created_by_name"] = sources_.cfg ? sources_.cfg->operator_name(created_by) : created_by;
}

}  // namespace loa::api
