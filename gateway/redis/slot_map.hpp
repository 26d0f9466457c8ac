// A Redis Cluster's slot map (which primary serves each hash slot, from CLUSTER SLOTS) and its redirections
// (-MOVED, -ASK, -TRYAGAIN, -CLUSTERDOWN), read from replies. Pure: no I/O, tested without a server.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/redis/key_slot.hpp"
#include "gateway/redis/reply.hpp"
#include "gateway/redis/settings.hpp"

namespace loa::redis {

/// "host:port" ("[::1]:port" for IPv6), the form MOVED, logs and /healthz use.
std::string address_of(const endpoint& e);

/// Which primary serves each slot.
struct slot_map {
  /// The primaries, each once, in the order CLUSTER SLOTS first names them.
  std::vector<endpoint> primaries;
  /// address_of() of each primary.
  std::vector<std::string> addresses;
  /// Index into primaries of each slot's primary; -1 when no node serves the slot.
  std::array<std::int16_t, slot_count> owner;

  slot_map() { owner.fill(-1); }
  /// The primary's address for `slot`, or nullptr when no node serves it.
  const std::string* address_for(std::uint16_t slot) const noexcept {
    const auto i = owner[slot];
    return i < 0 ? nullptr : &addresses[static_cast<std::size_t>(i)];
  }
  /// Slots no node serves.
  std::size_t unserved() const noexcept;
};

/// CLUSTER SLOTS' answer as a map: [[start, end, [ip, port, id...], replicas...]...]. `asked` is the node
/// that answered: an empty ip in the answer means that node's host. nullopt, with the reason in `why`, when
/// the answer is an error or not of that shape.
std::optional<slot_map> parse_cluster_slots(const reply& r, const endpoint& asked, std::string& why);

/// A cluster error reply that says to send the command elsewhere or later.
struct redirect {
  enum class kind : std::uint8_t {
    none,         // not a redirection: a reply like any other (including other errors)
    moved,        // the slot lives on `to` now: refresh the map, send it there
    ask,          // the slot is migrating and this key is on `to`: ASKING, then the command, there, once
    tryagain,     // a multi-key command during a migration: send it again a little later
    clusterdown,  // the cluster cannot serve (a failover under way): send it again a little later
  };
  kind how = kind::none;
  std::uint16_t slot = 0;  // moved, ask
  endpoint to;             // moved, ask
};

/// The redirection in `r`, if it is one. `from` is the node that answered (MOVED and ASK may leave the host
/// empty, meaning that node's).
redirect parse_redirect(const reply& r, const endpoint& from);

/// "host:port" as an endpoint ("[::1]:6379" too); nullopt when it is not one.
std::optional<endpoint> parse_endpoint(std::string_view s);

}  // namespace loa::redis
