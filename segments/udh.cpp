#include "segments/udh.hpp"

namespace loa::segments {

void append_concat_udh8(std::vector<std::uint8_t>& out, udh_concat c) {
  out.insert(out.end(),
             {0x05, 0x00, 0x03, static_cast<std::uint8_t>(c.reference & 0xFF), c.total, c.sequence});
}

void append_concat_udh16(std::vector<std::uint8_t>& out, udh_concat c) {
  out.insert(out.end(), {0x06, 0x08, 0x04, static_cast<std::uint8_t>(c.reference >> 8),
                         static_cast<std::uint8_t>(c.reference & 0xFF), c.total, c.sequence});
}

std::optional<udh_concat> parse_concat_udh(std::span<const std::uint8_t> short_message,
                                           std::size_t& udh_length) {
  udh_length = 0;
  if (short_message.empty()) return std::nullopt;
  const std::size_t header_end = 1 + std::size_t{short_message[0]};
  if (header_end > short_message.size()) return std::nullopt;
  udh_length = header_end;

  std::optional<udh_concat> found;
  std::size_t i = 1;
  while (i + 2 <= header_end) {
    const std::uint8_t iei = short_message[i];
    const std::size_t length = short_message[i + 1];
    const std::size_t value = i + 2;
    if (value + length > header_end) {  // an element that overruns the header: the UDH is not trustworthy
      udh_length = 0;
      return std::nullopt;
    }
    if (iei == 0x00 && length == 3) {
      found = udh_concat{short_message[value], short_message[value + 1], short_message[value + 2]};
    } else if (iei == 0x08 && length == 4) {
      const auto reference = static_cast<std::uint16_t>(short_message[value] << 8 | short_message[value + 1]);
      found = udh_concat{reference, short_message[value + 2], short_message[value + 3]};
    }
    i = value + length;
  }
  if (found && (found->total == 0 || found->sequence == 0 || found->sequence > found->total))
    return std::nullopt;
  return found;
}

}  // namespace loa::segments
