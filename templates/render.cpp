#include "templates/render.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "segments/error.hpp"
#include "templates/values.hpp"

namespace loa::templates {

namespace {

using shown_values = std::map<std::string, std::string, std::less<>>;

std::string braced_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "{" : ", {") + n + "}";
  return out;
}

// One attempt at turning the filled-in template into parts, under the accent policy in force.
struct attempt {
  segments::split_status status;
  segments::message message;
  bool unaccented_variant = false;
};

// keep and strip split the accented text; when a person wrote text_unaccented, strip sends that instead,
// and auto sends whichever of the two needs fewer parts (the accented one on a tie: it reads better).
attempt fit(const notice_template& t, const shown_values& shown, segments::accents policy,
            const render_options& options) {
  auto split = [&](const pattern& p, segments::accents a, bool variant) {
    attempt out;
    out.unaccented_variant = variant;
    segments::split_options how;
    how.accent_policy = a;
    how.concat = options.concat;
    how.max_parts = t.max_parts;
    out.status = segments::split(substitute(p, shown), how, out.message);
    return out;
  };
  if (!t.unaccented_pattern || policy == segments::accents::keep) return split(t.text_pattern, policy, false);
  // The values inside the person's text may still carry accents: the splitter strips them.
  attempt stripped = split(*t.unaccented_pattern, segments::accents::strip, true);
  if (policy == segments::accents::strip) return stripped;
  attempt kept = split(t.text_pattern, segments::accents::keep, false);
  if (kept.status && stripped.status)
    return kept.message.segments <= stripped.message.segments ? kept : stripped;
  if (kept.status) return kept;
  if (stripped.status) return stripped;
  return kept.status.parts_needed <= stripped.status.parts_needed ? kept : stripped;
}

// The notice is too long: name the value to shorten. The first free-text value (longest first) whose
// removal alone makes the notice fit is the one that breaks the limit; otherwise every free-text value.
std::string blame(const notice_template& t, const shown_values& shown, segments::accents policy,
                  const render_options& options, const attempt& failed) {
  std::string what = segments::describe(failed.status, failed.message);
  std::vector<std::pair<std::size_t, std::string>> free_text;  // (characters, name)
  for (const auto& p : t.placeholders) {
    if (p.kind != placeholder_kind::text && p.kind != placeholder_kind::place) continue;
    auto it = shown.find(p.name);
    if (it == shown.end() || it->second.empty()) continue;
    free_text.emplace_back(count_chars(it->second).value_or(0), p.name);
  }
  std::stable_sort(free_text.begin(), free_text.end(), [](auto& a, auto& b) { return a.first > b.first; });
  for (const auto& [chars, name] : free_text) {
    shown_values without = shown;
    without[name].clear();
    if (fit(t, without, policy, options).status) {
      return fmt::format("{{{}}} ({} characters) makes the notice too long: {}; shorten it", name, chars,
                         what);
    }
  }
  if (free_text.empty()) return fmt::format("the template's text alone is too long: {}", what);
  std::string names;
  for (const auto& [chars, name] : free_text) {
    names += fmt::format("{}{{{}}} ({} characters)", names.empty() ? "" : ", ", name, chars);
  }
  return fmt::format("the values make the notice too long: {}; shorten {}", what, names);
}

}  // namespace

std::string render_result::describe() const {
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

render_result render(const notice_template& t, const variables& vars, const render_options& options) {
  render_result r;
  std::vector<std::string> unknown;
  for (const auto& [name, value] : vars) {
    if (t.find(name) == nullptr) unknown.push_back(name);
  }
  std::vector<std::string> missing;
  for (const auto& p : t.placeholders) {
    auto it = vars.find(p.name);
    const bool given = it != vars.end() && it->second.find_first_not_of(" \t\r\n") != std::string::npos;
    if (!given) {
      if (p.required) missing.push_back(p.name);
      r.shown[p.name] = p.fallback.value_or("");
      continue;
    }
    std::string problem;
    if (auto shown = show_value(p, it->second, options.today, problem)) {
      r.shown[p.name] = std::move(*shown);
      if (auto past = past_date_warning(p, it->second, options.today)) r.warnings.push_back(std::move(*past));
    } else {
      r.problems.push_back(std::move(problem));
    }
  }
  // Missing and unknown first: a misspelt name usually shows up as one of each.
  std::vector<std::string> head;
  if (!missing.empty()) head.push_back("missing required placeholders: " + braced_list(missing));
  if (!unknown.empty()) {
    std::vector<std::string> known;
    for (const auto& p : t.placeholders) known.push_back(p.name);
    head.push_back(fmt::format("unknown placeholders: {} (template {} has {})", braced_list(unknown), t.name,
                               braced_list(known)));
  }
  r.problems.insert(r.problems.begin(), head.begin(), head.end());
  if (!r.problems.empty()) return r;

  const segments::accents policy = options.accent_policy.value_or(t.accent_policy);
  attempt a = fit(t, r.shown, policy, options);
  r.message = std::move(a.message);
  r.unaccented_variant = a.unaccented_variant;
  if (a.status.code == segments::error::too_many_parts) {
    a.message = r.message;
    r.problems.push_back(blame(t, r.shown, policy, options, a));
  } else if (!a.status) {
    r.problems.push_back("the notice: " + segments::describe(a.status, r.message));
  }
  return r;
}

render_result render_examples(const notice_template& t, const render_options& options) {
  variables vars;
  for (const auto& p : t.placeholders) {
    if (p.example) vars[p.name] = *p.example;
  }
  return render(t, vars, options);
}

}  // namespace loa::templates
