#include "tools/loa/display_names.hpp"

#include <boost/json.hpp>

#include "segments/printable.hpp"

namespace loa::cli {

namespace json = boost::json;

std::string display_name(const json::object& doc, std::string_view names_field, std::string_view id) {
  const auto* names = doc.if_contains(names_field);
  if (!names || !names->is_object()) return std::string(id);
  const auto* name = names->as_object().if_contains(id);
  if (!name || !name->is_string() || name->as_string().empty()) return std::string(id);
  return segments::printable(std::string_view(name->as_string()));
}

std::string named(const json::object& doc, std::string_view names_field, std::string_view id) {
  const auto name = display_name(doc, names_field, id);
  return name == id ? std::string(id) : std::string(id) + " (" + name + ")";
}

std::string named_list(const json::object& doc, std::string_view ids_field, std::string_view names_field) {
  std::string out;
  if (const auto* ids = doc.if_contains(ids_field); ids && ids->is_array())
    for (const auto& id : ids->as_array())
      if (id.is_string()) out += (out.empty() ? "" : ", ") + named(doc, names_field, id.as_string());
  return out;
}

std::string sender_name(const json::object& doc) {
  for (const auto* field : {"created_by_name", "created_by"})
    if (const auto* v = doc.if_contains(field); v && v->is_string() && !v->as_string().empty())
      return segments::printable(std::string_view(v->as_string()));
  return {};
}

}  // namespace loa::cli
