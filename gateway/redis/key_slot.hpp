// Redis Cluster's hash slots: a key lives in slot CRC16(tag) mod 16384, where the tag is the part between the
// first '{' and the next '}' when that part is not empty, else the whole key (the cluster specification's
// "hash tags"). Keys that share a tag share a slot, which is what lets a script or a pipeline touch several.
#pragma once

#include <cstdint>
#include <string_view>

namespace loa::redis {

/// Number of hash slots in a Redis Cluster.
inline constexpr std::uint16_t slot_count = 16384;

/// CRC16-CCITT (XMODEM: polynomial 0x1021, initial 0, no reflection), the one Redis Cluster uses.
std::uint16_t crc16(std::string_view bytes) noexcept;

/// The part of `key` that is hashed: the non-empty text between the first '{' and the first '}' after it,
/// else the whole key ("{user1000}.following" -> "user1000"; "foo{}{bar}" -> itself).
std::string_view hash_tag(std::string_view key) noexcept;

/// The hash slot of `key` (0..16383).
std::uint16_t key_slot(std::string_view key) noexcept;

}  // namespace loa::redis
