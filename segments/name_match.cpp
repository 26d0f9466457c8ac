#include "segments/name_match.hpp"

#include <algorithm>

#include "segments/accents.hpp"
#include "segments/utf8.hpp"

namespace loa::segments {

std::string fold_name(std::string_view name) {
  std::u32string cps;
  std::string stripped;
  if (decode_utf8(name, cps)) {
    std::u32string ignored;
    strip_accents(cps, stripped, ignored);
  } else {
    stripped = name;  // not UTF-8: compared as written
  }
  std::string out;
  out.reserve(stripped.size());
  for (char c : stripped) {
    if (c == ' ' || c == '-' || c == '_' || c == '.') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0U : 1U)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::vector<std::string> nearest_names(std::string_view wanted, const std::vector<std::string>& candidates,
                                       std::size_t limit) {
  const std::string folded = fold_name(wanted);
  const std::size_t within = std::max<std::size_t>(2, folded.size() / 4);
  std::vector<std::pair<std::size_t, std::size_t>> near;  // (distance, index in candidates)
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const std::size_t d = edit_distance(folded, fold_name(candidates[i]));
    if (d <= within) near.emplace_back(d, i);
  }
  std::stable_sort(near.begin(), near.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (std::size_t k = 0; k < near.size() && out.size() < limit; ++k) out.push_back(candidates[near[k].second]);
  return out;
}

std::string did_you_mean(const std::vector<std::string>& names) {
  if (names.empty()) return {};
  std::string out = "did you mean ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += "'" + names[i] + "'";
  }
  return out + "?";
}

}  // namespace loa::segments
