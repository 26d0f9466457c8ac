#include "gateway/api/names.hpp"

#include <algorithm>

namespace loa::api {

std::optional<response> check_names(broadcast::name_kind kind, std::vector<std::string>& values,
                                    std::string_view field) {
  std::vector<std::string> out;
  for (const auto& raw : values) {
    auto name = broadcast::check_name(kind, raw);
    if (!name) return error_response(http::status::bad_request, std::string(field) + ": " + name.problem, field);
    if (std::find(out.begin(), out.end(), name.value) == out.end()) out.push_back(std::move(name.value));
  }
  values = std::move(out);
  return std::nullopt;
}

std::optional<response> check_request_names(request& r) {
  using broadcast::name_kind;
  if (auto ward = r.params.find("ward"); ward != r.params.end()) {
    std::vector<std::string> one{ward->second};
    if (auto refusal = check_names(name_kind::ward, one, "ward")) return refusal;
    ward->second = std::move(one.front());
  }
  for (auto& [key, value] : r.query) {
    if (key != "ward" && key != "group") continue;
    std::vector<std::string> one{value};
    if (auto refusal = check_names(key == "ward" ? name_kind::ward : name_kind::group, one, key)) return refusal;
    value = std::move(one.front());
  }
  return std::nullopt;
}

}  // namespace loa::api
