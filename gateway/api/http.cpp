#include "gateway/api/http.hpp"

#include <variant>

#include "gateway/common/plain_json.hpp"

namespace loa::api {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t at = 0;
  while (at < path.size()) {
    if (path[at] == '/') {
      ++at;
      continue;
    }
    const std::size_t end = std::min(path.find('/', at), path.size());
    segments.emplace_back(path.substr(at, end - at));
    at = end;
  }
  return segments;
}

bool is_parameter(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::vector<std::string> request::query_all(std::string_view key) const {
  std::vector<std::string> values;
  for (const auto& [k, v] : query)
    if (k == key) values.push_back(v);
  return values;
}

std::optional<std::string> request::query_one(std::string_view key) const {
  for (const auto& [k, v] : query)
    if (k == key) return v;
  return std::nullopt;
}

response json_response(http::status status, const boost::json::value& body) {
  return {status, serialize_plain(body), "application/json", {}};
}

response error_response(http::status status, std::string_view message, std::string_view field) {
  boost::json::object body{{"error", message}};
  if (!field.empty()) body["field"] = field;
  return json_response(status, body);
}

void router::add(http::verb method, std::string pattern, handler h, access who) {
  routes_.push_back({method, split_path(pattern), std::move(h), {}, who});
}

void router::add_streaming(http::verb method, std::string pattern, streaming_handler h, access who) {
  routes_.push_back({method, split_path(pattern), {}, std::move(h), who});
}

std::variant<route_target, response> router::find(request& r) const {
  const auto segments = split_path(r.path);
  bool path_known = false;
  for (const auto& candidate : routes_) {
    if (candidate.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      if (is_parameter(candidate.segments[i])) {
        params[candidate.segments[i].substr(1, candidate.segments[i].size() - 2)] = segments[i];
      } else {
        match = candidate.segments[i] == segments[i];
      }
    }
    if (!match) continue;
    path_known = true;
    if (candidate.method != r.method) continue;
    r.params = std::move(params);
    if (candidate.streaming) return route_target{nullptr, &candidate.streaming, candidate.who};
    return route_target{&candidate.whole, nullptr, candidate.who};
  }
  if (path_known) return error_response(http::status::method_not_allowed, "method not allowed on " + r.path);
  return error_response(http::status::not_found, "no such path: " + r.path);
}

}  // namespace loa::api
