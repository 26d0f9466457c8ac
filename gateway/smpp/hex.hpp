// Octets as lower-case hex and back: for logs, error details, tests and tools.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loa::smpp {

/// Lower-case hex of some bytes ("0a1b..."), for logs.
std::string to_hex(std::span<const std::uint8_t> bytes);

/// Bytes from hex digits; spaces are ignored; throws std::invalid_argument on anything else (tests, tools).
std::vector<std::uint8_t> from_hex(std::string_view hex);

}  // namespace loa::smpp
