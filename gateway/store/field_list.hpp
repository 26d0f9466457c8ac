// Lists stored in one Redis field (a campaign's wards and groups, an audit entry's wards), separated by the
// unit separator 0x1F, which no ward, group or operator name may hold.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace loa::broadcast {

inline constexpr char field_separator = '\x1f';

inline std::string join_fields(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out.push_back(field_separator);
    out += s;
  }
  return out;
}

inline std::vector<std::string> split_fields(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto end = text.find(field_separator);
    out.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

}  // namespace loa::broadcast
