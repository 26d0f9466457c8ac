#include "gateway/redis/slot_map.hpp"

#include <algorithm>
#include <charconv>

namespace loa::redis {

std::string address_of(const endpoint& e) {
  return e.host.find(':') != std::string::npos ? "[" + e.host + "]:" + std::to_string(e.port)
                                               : e.host + ":" + std::to_string(e.port);
}

std::size_t slot_map::unserved() const noexcept {
  return static_cast<std::size_t>(std::count(owner.begin(), owner.end(), std::int16_t{-1}));
}

std::optional<endpoint> parse_endpoint(std::string_view s) {
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = s.substr(0, colon);
  const std::string_view port = s.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned v = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (ec != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535) return std::nullopt;
  return endpoint{std::string(host), static_cast<std::uint16_t>(v)};
}

std::optional<slot_map> parse_cluster_slots(const reply& r, const endpoint& asked, std::string& why) {
  if (r.is_error()) {
    why = r.str();
    return std::nullopt;
  }
  if (r.type() != reply::kind::array) {
    why = "CLUSTER SLOTS answered a " + std::string(to_string(r.type())) + ", not an array";
    return std::nullopt;
  }
  slot_map map;
  for (const auto& range : r.elements()) {
    const auto& e = range.elements();
    if (e.size() < 3 || e[0].type() != reply::kind::integer || e[1].type() != reply::kind::integer ||
        e[2].elements().size() < 2) {
      why = "CLUSTER SLOTS answered a range that is not [start, end, [ip, port...]...]";
      return std::nullopt;
    }
    const auto start = e[0].integer(), end = e[1].integer();
    const auto port = e[2].elements()[1].integer();
    if (start < 0 || end >= slot_count || start > end || port <= 0 || port > 65535) {
      why = "CLUSTER SLOTS answered a range or port out of bounds";
      return std::nullopt;
    }
    endpoint primary{e[2].elements()[0].str(), static_cast<std::uint16_t>(port)};
    if (primary.host.empty() || primary.host == "?") primary.host = asked.host;
    const auto address = address_of(primary);
    auto at = std::find(map.addresses.begin(), map.addresses.end(), address);
    if (at == map.addresses.end()) {
      map.primaries.push_back(primary);
      map.addresses.push_back(address);
      at = std::prev(map.addresses.end());
    }
    const auto index = static_cast<std::int16_t>(at - map.addresses.begin());
    std::fill(map.owner.begin() + start, map.owner.begin() + end + 1, index);
  }
  if (map.primaries.empty()) {
    why = "CLUSTER SLOTS answered no slot at all (is the cluster created?)";
    return std::nullopt;
  }
  return map;
}

redirect parse_redirect(const reply& r, const endpoint& from) {
  if (!r.is_error()) return {};
  const std::string_view s = r.str();
  if (s.starts_with("TRYAGAIN")) return {redirect::kind::tryagain, 0, {}};
  if (s.starts_with("CLUSTERDOWN")) return {redirect::kind::clusterdown, 0, {}};
  const bool moved = s.starts_with("MOVED "), ask = s.starts_with("ASK ");
  if (!moved && !ask) return {};
  // MOVED <slot> <host>:<port>
  const auto rest = s.substr(moved ? 6 : 4);
  const auto space = rest.find(' ');
  if (space == std::string_view::npos) return {};
  unsigned slot = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + space, slot);
  if (ec != std::errc() || p != rest.data() + space || slot >= slot_count) return {};
  auto to = parse_endpoint(rest.substr(space + 1));
  if (!to) return {};
  if (to->host.empty()) to->host = from.host;
  return {moved ? redirect::kind::moved : redirect::kind::ask, static_cast<std::uint16_t>(slot),
          std::move(*to)};
}

}  // namespace loa::redis
