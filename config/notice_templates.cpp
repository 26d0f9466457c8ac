// YAML -> notice_template. Every refusal names the line of the offending node (yaml-cpp's Mark is 0-based).
#include "config/notice_templates.hpp"
#include "config/read_file.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "templates/render.hpp"
#include "templates/values.hpp"

namespace loa::config {

using namespace loa::templates;

namespace fs = std::filesystem;

namespace {

// About `bytes` bytes of `text` from `from`, widened to whole UTF-8 letters: an error message that quotes the
// text must not cut a Vietnamese letter in half.
std::string_view excerpt(std::string_view text, std::size_t from, std::size_t bytes) {
  const auto continuation = [&](std::size_t i) { return (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80; };
  from = std::min(from, text.size());
  while (from > 0 && from < text.size() && continuation(from)) --from;
  std::size_t end = std::min(from + bytes, text.size());
  while (end < text.size() && continuation(end)) ++end;
  return text.substr(from, end - from);
}

int line_of(const YAML::Node& n) {
  return n.IsDefined() && n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
}

std::string join(const std::vector<std::string_view>& items) {
  std::string out;
  for (auto s : items) out += fmt::format("{}{}", out.empty() ? "" : ", ", s);
  return out;
}

// One YAML document being checked; every failure goes through fail() so it names the file and line.
struct reader {
  std::string file;

  [[noreturn]] void fail(int line, std::string reason) const {
    throw config_error(file, line, std::move(reason));
  }
  [[noreturn]] void fail(const YAML::Node& at, std::string reason) const {
    fail(line_of(at), std::move(reason));
  }

  // The keys of a mapping, checked against `allowed`: (key node, value node) in file order.
  std::vector<std::pair<YAML::Node, YAML::Node>> entries(const YAML::Node& map, std::string_view where,
                                                         const std::vector<std::string_view>& allowed) const {
    if (!map.IsMap()) fail(map, fmt::format("{}: expected a mapping", where));
    std::vector<std::pair<YAML::Node, YAML::Node>> out;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key = it->first;
      if (!key.IsScalar()) fail(key, fmt::format("{}: a key must be a plain name", where));
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key.Scalar()) == allowed.end()) {
        fail(key, fmt::format("{}: unknown key '{}'; allowed: {}", where, key.Scalar(), join(allowed)));
      }
      for (const auto& [seen, value] : out) {
        if (seen.Scalar() == key.Scalar()) {
          fail(key, fmt::format("{}: key '{}' given twice (first on line {})", where, key.Scalar(),
                                line_of(seen)));
        }
      }
      out.emplace_back(key, it->second);
    }
    return out;
  }

  std::string string(const YAML::Node& n, std::string_view what) const {
    if (!n.IsScalar()) fail(n, fmt::format("{}: expected a string", what));
    if (!count_chars(n.Scalar())) fail(n, fmt::format("{}: not valid UTF-8", what));
    return n.Scalar();
  }

  std::string nonempty(const YAML::Node& n, std::string_view what) const {
    std::string s = string(n, what);
    if (s.find_first_not_of(" \t\r\n") == std::string::npos)
      fail(n, fmt::format("{}: must not be empty", what));
    return s;
  }

  std::size_t integer(const YAML::Node& n, std::string_view what, std::size_t min, std::size_t max) const {
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    std::size_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
      fail(n, fmt::format("{}: expected a whole number, found '{}'", what, s));
    }
    if (v < min || v > max) fail(n, fmt::format("{}: {} is out of range {}..{}", what, v, min, max));
    return v;
  }

  bool boolean(const YAML::Node& n, std::string_view what) const {
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    if (s == "true" || s == "yes") return true;
    if (s == "false" || s == "no") return false;
    fail(n, fmt::format("{}: expected true or false, found '{}'", what, s));
  }

  pattern text_pattern(const YAML::Node& n, std::string_view what, const std::string& text) const {
    pattern_error e;
    auto p = parse_pattern(text, e);
    if (!p) {
      const std::size_t from = e.byte_offset > 10 ? e.byte_offset - 10 : 0;
      fail(n, fmt::format("{}: {}, near '{}'", what, e.reason, excerpt(text, from, 30)));
    }
    return *p;
  }
};

bool valid_name(std::string_view s, bool dashes) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [dashes](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == (dashes ? '-' : '_');
  });
}

placeholder read_placeholder(const reader& rd, const YAML::Node& key, const YAML::Node& value) {
  placeholder p;
  p.name = key.Scalar();
  p.line = line_of(key);
  const std::string where = "placeholders." + p.name;
  if (!valid_name(p.name, false)) {
    rd.fail(key, fmt::format("{}: a placeholder name is lower-case letters, digits and '_'", where));
  }
  std::optional<YAML::Node> kind, max_chars, fallback, example;
  for (const auto& [k, v] :
       rd.entries(value.IsNull() ? YAML::Node(YAML::NodeType::Map) : value, where,
                  {"kind", "required", "max_chars", "description", "default", "example"})) {
    const std::string& name = k.Scalar();
    if (name == "kind") kind = v;
    if (name == "required") p.required = rd.boolean(v, where + ".required");
    if (name == "max_chars") max_chars = v;
    if (name == "description") p.description = rd.string(v, where + ".description");
    if (name == "default") fallback = v;
    if (name == "example") example = v;
  }
  if (!kind) rd.fail(key, fmt::format("{}: missing required key 'kind' (date | time | place | text)", where));
  const auto parsed = parse_kind(rd.string(*kind, where + ".kind"));
  if (!parsed) {
    rd.fail(*kind, fmt::format("{}.kind: unknown kind '{}'; expected date | time | place | text", where,
                               kind->Scalar()));
  }
  p.kind = *parsed;
  const bool free_text = p.kind == placeholder_kind::text || p.kind == placeholder_kind::place;
  if (max_chars && !free_text) {
    rd.fail(*max_chars, fmt::format("{}.max_chars: a {} has a fixed form; max_chars is for place and text",
                                    where, to_string(p.kind)));
  }
  if (max_chars) p.max_chars = rd.integer(*max_chars, where + ".max_chars", 1, 1000);
  if (p.kind == placeholder_kind::text && !max_chars) {
    rd.fail(key, fmt::format("{}: free text needs max_chars (its longest value, in characters)", where));
  }
  if (p.kind == placeholder_kind::place && !max_chars) p.max_chars = 100;
  const std::chrono::year_month_day any_day{std::chrono::year{2026}, std::chrono::January,
                                            std::chrono::day{1}};
  if (fallback) {
    if (p.required)
      rd.fail(*fallback, fmt::format("{}.default: a required placeholder never uses a default", where));
    p.fallback = rd.string(*fallback, where + ".default");
    std::string problem;
    if (!p.fallback->empty()) {
      auto shown = show_value(p, *p.fallback, any_day, problem);
      if (!shown) rd.fail(*fallback, fmt::format("{}.default: {}", where, problem));
      p.fallback = *shown;
    }
  }
  if (example) {
    p.example = rd.nonempty(*example, where + ".example");
    std::string problem;
    if (!show_value(p, *p.example, any_day, problem))
      rd.fail(*example, fmt::format("{}.example: {}", where, problem));
  }
  return p;
}

// text and text_unaccented use exactly the declared placeholders.
void check_names_used(const reader& rd, const notice_template& t, const YAML::Node& text_node,
                      std::string_view what, const pattern& p) {
  const auto used = placeholder_names(p);
  std::vector<std::string_view> undeclared, unused;
  for (const auto& n : used) {
    if (t.find(n) == nullptr) undeclared.push_back(n);
  }
  if (!undeclared.empty()) {
    rd.fail(text_node,
            fmt::format("{}: placeholders not declared under placeholders: {}", what, join(undeclared)));
  }
  for (const auto& d : t.placeholders) {
    if (std::find(used.begin(), used.end(), d.name) == used.end()) unused.push_back(d.name);
  }
  if (!unused.empty())
    rd.fail(text_node, fmt::format("{}: declared placeholders not used: {}", what, join(unused)));
}

notice_template read_template(const reader& rd, const YAML::Node& root) {
  if (!root.IsDefined() || root.IsNull())
    rd.fail(1, "the file is empty; a template needs name, title and text");
  notice_template t;
  std::optional<YAML::Node> name, title, text, unaccented, accents, max_parts, placeholders;
  for (const auto& [k, v] :
       rd.entries(root, "top level",
                  {"name", "title", "text", "text_unaccented", "accents", "max_parts", "placeholders"})) {
    const std::string& key = k.Scalar();
    if (key == "name") name = v;
    if (key == "title") title = v;
    if (key == "text") text = v;
    if (key == "text_unaccented") unaccented = v;
    if (key == "accents") accents = v;
    if (key == "max_parts") max_parts = v;
    if (key == "placeholders") placeholders = v;
  }
  const std::pair<const std::optional<YAML::Node>*, std::string_view> required[] = {
      {&name, "name"}, {&title, "title"}, {&text, "text"}};
  for (const auto& [node, key] : required) {
    if (!*node) rd.fail(line_of(root), fmt::format("top level: missing required key '{}'", key));
  }
  t.name = rd.nonempty(*name, "name");
  if (!valid_name(t.name, true))
    rd.fail(*name, "name: lower-case letters, digits and '-' (it is also the file name)");
  t.title = rd.nonempty(*title, "title");
  t.text = rd.nonempty(*text, "text");
  while (t.text.ends_with('\n')) t.text.pop_back();  // a YAML block scalar keeps a final line break
  t.text_pattern = rd.text_pattern(*text, "text", t.text);
  if (accents) {
    const auto policy = segments::parse_accents(rd.string(*accents, "accents"));
    if (!policy)
      rd.fail(*accents,
              fmt::format("accents: unknown policy '{}'; expected keep | strip | auto", accents->Scalar()));
    t.accent_policy = *policy;
  }
  if (max_parts) t.max_parts = rd.integer(*max_parts, "max_parts", 1, 255);
  if (placeholders && !placeholders->IsNull()) {
    for (const auto& [k, v] : rd.entries(*placeholders, "placeholders", {})) {
      t.placeholders.push_back(read_placeholder(rd, k, v));
    }
  }
  check_names_used(rd, t, *text, "text", t.text_pattern);
  if (unaccented) {
    t.text_unaccented = rd.nonempty(*unaccented, "text_unaccented");
    while (t.text_unaccented->ends_with('\n')) t.text_unaccented->pop_back();
    t.unaccented_pattern = rd.text_pattern(*unaccented, "text_unaccented", *t.text_unaccented);
    check_names_used(rd, t, *unaccented, "text_unaccented", *t.unaccented_pattern);
    for (const auto& piece : *t.unaccented_pattern) {
      const auto bad = std::find_if(piece.text.begin(), piece.text.end(), [](char c) { return c & 0x80; });
      if (!piece.is_placeholder && bad != piece.text.end()) {
        rd.fail(
            *unaccented,
            fmt::format(
                "text_unaccented: has a letter with diacritics near '{}'",
                excerpt(piece.text, static_cast<std::size_t>(bad - piece.text.begin()), 12)));
      }
    }
  }
  // The examples are what an official would send: when every required one is there, they must fit.
  const bool examples_complete = std::all_of(t.placeholders.begin(), t.placeholders.end(),
                                             [](const placeholder& p) { return p.example || !p.required; });
  if (examples_complete) {
    render_options options;
    options.today = {std::chrono::year{2026}, std::chrono::January, std::chrono::day{1}};
    const auto r = render_examples(t, options);
    if (!r.ok()) rd.fail(max_parts ? *max_parts : *text, fmt::format("with the examples: {}", r.describe()));
  }
  return t;
}

bool is_template_file(const fs::directory_entry& e) {
  const auto ext = e.path().extension();
  return e.is_regular_file() && (ext == ".yaml" || ext == ".yml");
}

}  // namespace

notice_template parse_template(std::string_view yaml, std::string_view file) {
  const reader rd{std::string(file)};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    rd.fail(e.mark.line >= 0 ? e.mark.line + 1 : 0, fmt::format("YAML syntax error: {}", e.msg));
  }
  try {
    return read_template(rd, root);
  } catch (const YAML::Exception& e) {
    // Every lookup is checked, but never let a yaml-cpp type escape this file.
    rd.fail(e.mark.line >= 0 ? e.mark.line + 1 : 0, fmt::format("YAML error: {}", e.msg));
  }
}

notice_template load_template(const fs::path& file) {
  notice_template t = parse_template(detail::read_file(file), file.string());
  if (t.name != file.stem().string()) {
    throw config_error(
        file.string(), 0,
        fmt::format("name '{}' differs from the file name; call the file {}.yaml", t.name, t.name));
  }
  t.file = file;
  return t;
}

std::vector<std::string> template_names(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec)
    throw config_error(dir.string(), 0, fmt::format("cannot read the templates directory: {}", ec.message()));
  std::vector<std::string> names;
  for (const auto& e : it) {
    if (is_template_file(e)) names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<fs::path> template_file(const fs::path& dir, std::string_view name) {
  if (!valid_name(name, true)) return std::nullopt;  // also keeps "../x" from leaving dir
  for (const char* ext : {".yaml", ".yml"}) {
    fs::path p = dir / (std::string(name) + ext);
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p;
  }
  return std::nullopt;
}

std::vector<notice_template> load_directory(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec)
    throw config_error(dir.string(), 0, fmt::format("cannot read the templates directory: {}", ec.message()));
  std::vector<fs::path> files;
  for (const auto& e : it) {
    if (is_template_file(e)) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<notice_template> out;
  for (const auto& file : files) {
    out.push_back(load_template(file));  // refuses a file whose name is not the template's name
    for (std::size_t i = 0; i + 1 < out.size(); ++i) {
      if (out[i].name == out.back().name) {
        throw config_error(
            file.string(), 0,
            fmt::format("template '{}' is also defined in {}", out.back().name, out[i].file.string()));
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

}  // namespace loa::config
