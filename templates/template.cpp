#include "templates/template.hpp"

namespace loa::templates {

std::string_view to_string(placeholder_kind k) noexcept {
  switch (k) {
    case placeholder_kind::date:
      return "date";
    case placeholder_kind::time:
      return "time";
    case placeholder_kind::place:
      return "place";
    case placeholder_kind::text:
      return "text";
  }
  return "?";
}

std::optional<placeholder_kind> parse_kind(std::string_view name) noexcept {
  for (auto k :
       {placeholder_kind::date, placeholder_kind::time, placeholder_kind::place, placeholder_kind::text}) {
    if (to_string(k) == name) return k;
  }
  return std::nullopt;
}

const placeholder* notice_template::find(std::string_view wanted) const noexcept {
  for (const auto& p : placeholders) {
    if (p.name == wanted) return &p;
  }
  return nullptr;
}

}  // namespace loa::templates
