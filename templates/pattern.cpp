#include "templates/pattern.hpp"

#include <algorithm>

namespace loa::templates {

namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

void append_literal(pattern& p, std::string_view s) {
  if (s.empty()) return;
  if (!p.empty() && !p.back().is_placeholder) {
    p.back().text += s;
  } else {
    p.push_back({false, std::string(s)});
  }
}

}  // namespace

std::optional<pattern> parse_pattern(std::string_view text, pattern_error& error) {
  pattern p;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      append_literal(p, "{");
      i += 2;
    } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      append_literal(p, "}");
      i += 2;
    } else if (c == '}') {
      error = {i, "'}' without '{' (write '}}' for a literal brace)"};
      return std::nullopt;
    } else if (c == '{') {
      const std::size_t close = text.find('}', i + 1);
      if (close == std::string_view::npos) {
        error = {i, "'{' is never closed (write '{{' for a literal brace)"};
        return std::nullopt;
      }
      const std::string_view name = text.substr(i + 1, close - i - 1);
      if (name.empty() || !std::all_of(name.begin(), name.end(), name_char)) {
        error = {i, "'{" + std::string(name) +
                        "}' is not a placeholder name: use lower-case letters, digits and '_'"};
        return std::nullopt;
      }
      p.push_back({true, std::string(name)});
      i = close + 1;
    } else {
      const std::size_t next = text.find_first_of("{}", i);
      const std::size_t end = next == std::string_view::npos ? text.size() : next;
      append_literal(p, text.substr(i, end - i));
      i = end;
    }
  }
  return p;
}

std::vector<std::string> placeholder_names(const pattern& p) {
  std::vector<std::string> names;
  for (const auto& piece : p) {
    if (piece.is_placeholder && std::find(names.begin(), names.end(), piece.text) == names.end()) {
      names.push_back(piece.text);
    }
  }
  return names;
}

std::string substitute(const pattern& p, const std::map<std::string, std::string, std::less<>>& values) {
  std::string out;
  for (const auto& piece : p) {
    if (!piece.is_placeholder) {
      out += piece.text;
    } else if (auto it = values.find(piece.text); it != values.end()) {
      out += it->second;
    }
  }
  return out;
}

}  // namespace loa::templates
