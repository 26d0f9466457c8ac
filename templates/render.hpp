// A template filled in with an official's values -> the notice exactly as phones will show it, checked
// against the template's part limit. Every problem is reported at once, so one correction round suffices.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "segments/split.hpp"
#include "templates/template.hpp"

namespace loa::templates {

/// Placeholder name -> the value as the official typed it.
using variables = std::map<std::string, std::string, std::less<>>;

/// What the caller decides about one rendering.
struct render_options {
  std::chrono::year_month_day today;               ///< resolves dates written without a year
  std::optional<segments::accents> accent_policy;  ///< overrides the template's policy (`--accents`)
  segments::concat_method concat = segments::concat_method::udh8;  ///< the carrier's way (changes part sizes)
};

/// The outcome of a rendering.
struct render_result {
  std::vector<std::string> problems;  ///< empty on success; each names the placeholder it is about
  segments::message message;          ///< the notice split into parts; message.text is what phones show
  bool unaccented_variant = false;    ///< the person-written text_unaccented was sent
  std::map<std::string, std::string, std::less<>> shown;  ///< each placeholder's value as the notice shows it
  /// Sendable but probably a mistake: a date placeholder already past. Each names its placeholder.
  std::vector<std::string> warnings;

  /// True when the notice can be sent.
  bool ok() const noexcept { return problems.empty(); }
  /// The problems in one line, separated by "; ".
  std::string describe() const;
};

/// Fills in `t` with `vars`. Names every missing required placeholder and every unknown variable, every value
/// that does not fit its kind, and, when the notice needs more parts than t.max_parts, the value that breaks
/// the limit with the parts it needs and the cap.
render_result render(const notice_template& t, const variables& vars, const render_options& options);

/// Fills in `t` with each placeholder's example (optional ones without an example are left out).
render_result render_examples(const notice_template& t, const render_options& options);

}  // namespace loa::templates
