// Where one command goes in a Redis Cluster: the slot of its keys, found from the command's name and
// arguments (the key positions of the commands loa and its tests use, and of the usual data commands; any
// other command's first argument is taken as its key, as for GET or HSET). Pure: no I/O.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace loa::redis {

/// How a command is routed.
struct command_route {
  enum class kind : std::uint8_t {
    slot,           // every key in `slot`
    keyless,        // no key (PING, WAIT, INFO...): goes with the request's other commands
    every_primary,  // run on every primary (FLUSHALL, FLUSHDB, SCRIPT LOAD/FLUSH, CONFIG SET)
    cross_slot,     // keys in different slots: Redis would answer CROSSSLOT, so it is refused before sending
    transaction,    // MULTI, EXEC, DISCARD, WATCH, UNWATCH: refused in a cluster (loa uses scripts instead)
  };
  kind how = kind::keyless;
  std::uint16_t slot = 0;  // with kind::slot
};

/// The route of one command given as its arguments, name first (not empty).
command_route route_of(std::span<const std::string> command);

/// True when `name` is WAIT (any case): it must follow the writes on the node that ran them.
bool is_wait(std::string_view name) noexcept;

}  // namespace loa::redis
