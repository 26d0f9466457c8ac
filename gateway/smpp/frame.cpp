#include "gateway/smpp/frame.hpp"

#include "gateway/smpp/error.hpp"

namespace loa::smpp {

frame_probe probe_frame(std::span<const std::uint8_t> received, std::size_t max_length) noexcept {
  if (received.size() < 4) return {frame_state::need_more, 0, {}};
  const std::size_t length = detail::get_u32(received.data());
  if (length < header_size || length > max_length)
    return {frame_state::invalid, length, make_error_code(error::bad_command_length)};
  if (received.size() < length) return {frame_state::need_more, length, {}};
  return {frame_state::complete, length, {}};
}

}  // namespace loa::smpp
