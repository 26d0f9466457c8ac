#include "tools/loa/template_commands.hpp"

#include <fmt/core.h>
#include <boost/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/notice_templates.hpp"
#include "templates/render.hpp"
#include "templates/vietnamese_date.hpp"
#include "tools/loa/client_config.hpp"

namespace loa::cli {
namespace {

namespace json = boost::json;
namespace tpl = templates;

struct template_arguments {
  std::string name;
  std::vector<std::string> vars;  // k=v
  std::string accents;            // empty: the template's policy
  std::string concat = "udh8";
};

// The configuration's templates_dir, or the exit code of the failure already reported.
struct template_source {
  std::filesystem::path dir;
  std::chrono::minutes utc_offset{7 * 60};
};

std::optional<template_source> source(const global_options& globals, int& code) {
  try {
    const auto cfg = load_client_config(globals);
    return template_source{cfg.templates_dir, cfg.gateway.utc_offset};
  } catch (const config::config_error& e) {
    code = fail(globals, exit_code::bad_input, e.what());
    return std::nullopt;
  }
}

// Template NAME, or the exit code of the failure already reported (unknown name, bad file).
std::optional<tpl::notice_template> load_named(const global_options& globals, const template_source& src,
                                               const std::string& name, int& code) {
  try {
    const auto file = config::template_file(src.dir, name);
    if (!file) {
      std::string names;
      for (const auto& n : config::template_names(src.dir)) names += (names.empty() ? "" : ", ") + n;
      code = fail(globals, exit_code::bad_input,
                  fmt::format("no template '{}' in {}; there are: {}", name, src.dir.string(), names));
      return std::nullopt;
    }
    return config::load_template(*file);
  } catch (const config::config_error& e) {
    code = fail(globals, exit_code::bad_input, e.what());
    return std::nullopt;
  }
}

std::string kind_summary(const tpl::placeholder& p) {
  std::string s(tpl::to_string(p.kind));
  if (p.max_chars != 0) s += fmt::format(", at most {} characters", p.max_chars);
  s += p.required ? ", required" : ", optional";
  if (p.fallback) s += fmt::format(" (default: {})", p.fallback->empty() ? "nothing" : *p.fallback);
  return s;
}

tpl::render_options options_for(const template_source& src) {
  tpl::render_options options;
  options.today = tpl::local_today(std::chrono::system_clock::now(), src.utc_offset);
  return options;
}

int run_list(const global_options& globals) {
  int code = 0;
  const auto src = source(globals, code);
  if (!src) return code;
  std::vector<tpl::notice_template> all;
  try {
    all = config::load_directory(src->dir);
  } catch (const config::config_error& e) {
    return fail(globals, exit_code::bad_input, e.what());
  }
  if (globals.json) {
    json::array out;
    for (const auto& t : all) {
      out.push_back({{"name", t.name},
                     {"title", t.title},
                     {"accents", segments::to_string(t.accent_policy)},
                     {"max_parts", t.max_parts}});
    }
    print_json(out);
    return 0;
  }
  std::size_t width = 4;
  for (const auto& t : all) width = std::max(width, t.name.size());
  for (const auto& t : all) fmt::print("{:<{}}  {}\n", t.name, width, t.title);
  if (all.empty()) fmt::print("no templates in {}\n", src->dir.string());
  return 0;
}

int run_show(const global_options& globals, const template_arguments& a) {
  int code = 0;
  const auto src = source(globals, code);
  if (!src) return code;
  const auto t = load_named(globals, *src, a.name, code);
  if (!t) return code;
  const auto example = tpl::render_examples(*t, options_for(*src));
  if (globals.json) {
    json::array placeholders;
    for (const auto& p : t->placeholders) {
      json::object o{{"name", p.name},
                     {"kind", tpl::to_string(p.kind)},
                     {"required", p.required},
                     {"description", p.description}};
      if (p.max_chars != 0) o["max_chars"] = p.max_chars;
      if (p.fallback) o["default"] = *p.fallback;
      if (p.example) o["example"] = *p.example;
      placeholders.push_back(std::move(o));
    }
    json::object out{{"name", t->name},
                     {"title", t->title},
                     {"file", t->file.string()},
                     {"text", t->text},
                     {"accents", segments::to_string(t->accent_policy)},
                     {"max_parts", t->max_parts},
                     {"placeholders", std::move(placeholders)}};
    out["text_unaccented"] = t->text_unaccented ? json::value(*t->text_unaccented) : json::value(nullptr);
    if (example.ok()) {
      out["example"] = {{"text", example.message.text},
                        {"encoding", segments::to_string(example.message.coding)},
                        {"parts", example.message.segments}};
    }
    print_json(out);
    return 0;
  }
  fmt::print("name        {}\ntitle       {}\nfile        {}\n", t->name, t->title, t->file.string());
  fmt::print("accents     {}\nmax parts   {}\n", segments::to_string(t->accent_policy), t->max_parts);
  fmt::print("text        {}\n", t->text);
  if (t->text_unaccented) fmt::print("unaccented  {}\n", *t->text_unaccented);
  fmt::print("placeholders\n");
  std::size_t width = 0;
  for (const auto& p : t->placeholders) width = std::max(width, p.name.size() + 2);
  for (const auto& p : t->placeholders) {
    fmt::print("  {:<{}}  {}{}{}\n", "{" + p.name + "}", width, kind_summary(p),
               p.description.empty() ? "" : ": " + p.description,
               p.example ? fmt::format(" (e.g. {})", *p.example) : "");
  }
  if (example.ok()) {
    fmt::print("example     {}\n            {}, {} of at most {} parts\n", example.message.text,
               example.message.coding == segments::encoding::gsm7 ? "GSM-7" : "UCS-2",
               example.message.segments, t->max_parts);
  }
  return 0;
}

// The template rendered with `--var`s, or nullopt with the failure reported and its exit code in `code`.
std::optional<std::pair<tpl::notice_template, tpl::render_result>> render_named(
    const global_options& globals, const std::string& name, const std::vector<std::string>& var_args,
    const std::string& accents, const std::string& concat, int& code) {
  tpl::variables vars;
  for (const auto& kv : var_args) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      code = fail(globals, exit_code::bad_input, fmt::format("--var '{}': write name=value", kv));
      return std::nullopt;
    }
    if (!vars.emplace(kv.substr(0, eq), kv.substr(eq + 1)).second) {
      code = fail(globals, exit_code::bad_input, fmt::format("--var {} given twice", kv.substr(0, eq)));
      return std::nullopt;
    }
  }
  const auto src = source(globals, code);
  if (!src) return std::nullopt;
  auto t = load_named(globals, *src, name, code);
  if (!t) return std::nullopt;
  auto options = options_for(*src);
  if (!accents.empty()) options.accent_policy = segments::parse_accents(accents);  // CLI11 checked it
  options.concat = segments::parse_concat(concat).value();
  auto r = tpl::render(*t, vars, options);
  if (!r.ok()) {
    if (globals.json) {
      json::array problems;
      for (const auto& p : r.problems) problems.emplace_back(p);
      print_json(json::object{{"error", fmt::format("cannot render {}: {}", t->name, r.describe())},
                              {"problems", std::move(problems)}});
      code = static_cast<int>(exit_code::bad_input);
      return std::nullopt;
    }
    std::string lines;
    for (const auto& p : r.problems) lines += "\n  " + p;
    code = fail(globals, exit_code::bad_input, fmt::format("cannot render {}:{}", t->name, lines));
    return std::nullopt;
  }
  return std::pair{std::move(*t), std::move(r)};
}

int run_render(const global_options& globals, const template_arguments& a) {
  int code = 0;
  const auto rendered = render_named(globals, a.name, a.vars, a.accents, a.concat, code);
  if (!rendered) return code;
  const auto& [template_, r] = *rendered;
  const auto* t = &template_;
  const auto& m = r.message;
  if (globals.json) {
    print_json(json::object{{"name", t->name},
                            {"text", m.text},
                            {"encoding", segments::to_string(m.coding)},
                            {"parts", m.segments},
                            {"chars", m.chars},
                            {"max_parts", t->max_parts},
                            {"accents", segments::to_string(m.applied)},
                            {"unaccented_variant", r.unaccented_variant},
                            {"warnings", json::value_from(r.warnings)}});
    return 0;
  }
  fmt::print("{}\n\n", m.text);
  fmt::print("encoding  {}\n", m.coding == segments::encoding::gsm7 ? "GSM-7" : "UCS-2");
  fmt::print("accents   {}\n", r.unaccented_variant ? "stripped (the template's unaccented text)"
                               : m.applied == segments::accents::strip ? "stripped"
                                                                       : "kept");
  fmt::print("length    {} characters\n", m.chars);
  fmt::print("parts     {} of at most {}\n", m.segments, t->max_parts);
  for (const auto& w : r.warnings) fmt::print(stderr, "Warning: {}\n", w);
  return 0;
}

}  // namespace

std::optional<notice_for_send> render_for_send(const global_options& globals, const std::string& name,
                                               const std::vector<std::string>& vars, int& code) {
  auto rendered = render_named(globals, name, vars, "", "udh8", code);
  if (!rendered) return std::nullopt;
  return notice_for_send{rendered->second.message.text, std::move(rendered->second.warnings)};
}

void add_template_commands(CLI::App& app, const global_options& globals, std::function<int()>& run) {
  auto a = std::make_shared<template_arguments>();
  auto* templates =
      app.add_subcommand("templates", "Notice templates (templates_dir)")->require_subcommand(1);

  auto* list = templates->add_subcommand("list", "Every template: name and title");
  list->callback([&run, &globals] { run = [&globals] { return run_list(globals); }; });

  auto* show = templates->add_subcommand("show", "One template: its text, placeholders and limits");
  show->add_option("NAME", a->name, "The template's name")->required();
  show->callback([&run, &globals, a] { run = [&globals, a] { return run_show(globals, *a); }; });

  auto* render =
      templates->add_subcommand("render", "Fill in a template and show the notice, encoding, parts");
  render->add_option("NAME", a->name, "The template's name")->required();
  render->add_option("--var", a->vars, "A placeholder's value, name=value (repeat for each)")
      ->expected(1)
      ->take_all();
  render->add_option("--accents", a->accents, "keep | strip | auto (default: the template's)")
      ->check(CLI::IsMember({"keep", "strip", "auto"}));
  render->add_option("--concat", a->concat, "udh8 | udh16 | sar | payload: the carrier's way (part sizes)")
      ->check(CLI::IsMember({"udh8", "udh16", "sar", "payload"}))
      ->capture_default_str();
  render->callback([&run, &globals, a] { run = [&globals, a] { return run_render(globals, *a); }; });
}

}  // namespace loa::cli
