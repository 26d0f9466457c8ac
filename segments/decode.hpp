// Turning received SMS bytes back into text: for the simulator's log, citizens' replies (MO) and round-trip
// tests.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "segments/udh.hpp"

namespace loa::segments {

/// Which alphabet an SMPP data_coding value announces.
enum class alphabet { gsm7, ascii, latin1, octets, ucs2 };

/// SMPP 3.4 section 5.2.19, plus the GSM 03.38 coding groups (0x10-0x3F, 0xF0-0xFF) some SMSCs send.
alphabet alphabet_of(std::uint8_t data_coding) noexcept;

/// Decodes one message body (without its UDH) to UTF-8: GSM 7-bit unpacked septets for 0x00, ASCII for
/// 0x01, Latin-1 for 0x03 and 8-bit data, UTF-16BE for 0x08. Never fails: undecodable input becomes U+FFFD.
std::string decode_text(std::span<const std::uint8_t> body, std::uint8_t data_coding);

}  // namespace loa::segments
