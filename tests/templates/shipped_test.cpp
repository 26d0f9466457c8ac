// templates/notices/: every shipped notice loads, and renders with its examples within its part limit.
// Tests run from the repository root.
#include <doctest/doctest.h>

#include <algorithm>

#include "config/notice_templates.hpp"
#include "templates/render.hpp"

using namespace loa::templates;
namespace chr = std::chrono;

namespace {

const std::vector<notice_template>& shipped() {
  static const std::vector<notice_template> all = loa::config::load_directory("templates/notices");
  return all;
}

render_options on_20_november() {
  render_options options;
  options.today = chr::year_month_day{chr::year{2026}, chr::November, chr::day{20}};
  return options;
}

}  // namespace

TEST_CASE("the notices issue 6 asks for are shipped") {
  std::vector<std::string> names;
  for (const auto& t : shipped()) names.push_back(t.name);
  for (auto wanted : {"lich-tiem-chung", "nhac-thu-tuc", "hop-to-dan-pho", "cat-dien", "cat-nuoc",
                      "canh-bao-an-ninh", "canh-bao-bao", "dinh-chinh"}) {
    CAPTURE(wanted);
    CHECK(std::find(names.begin(), names.end(), wanted) != names.end());
  }
}

TEST_CASE("every shipped notice renders its examples within its part limit") {
  for (const auto& t : shipped()) {
    CAPTURE(t.name);
    for (const auto& p : t.placeholders) {
      CAPTURE(p.name);
      CHECK(p.example.has_value());
    }
    for (auto policy :
         {loa::segments::accents::keep, loa::segments::accents::strip, loa::segments::accents::automatic}) {
      render_options options = on_20_november();
      options.accent_policy = policy;
      const auto r = render_examples(t, options);
      CHECK_MESSAGE(r.ok(), r.describe());
      CHECK(r.message.segments <= t.max_parts);
      CHECK(r.message.text.find('{') == std::string::npos);
    }
  }
}

TEST_CASE("the vaccination notice reads as a parent will see it") {
  const auto it = std::find_if(shipped().begin(), shipped().end(),
                               [](const auto& t) { return t.name == "lich-tiem-chung"; });
  REQUIRE(it != shipped().end());
  const auto r = render(*it,
                        {{"vac_xin", "sởi - rubella"},
                         {"mui", "mũi 2"},
                         {"do_tuoi", "18 tháng tuổi"},
                         {"gio", "7h30"},
                         {"ngay", "23/11"},
                         {"dia_diem", "Trạm Y tế phường"}},
                        on_20_november());
  REQUIRE_MESSAGE(r.ok(), r.describe());
  CHECK(r.message.text ==
        "Trạm Y tế phường thông báo: tiêm vắc xin sởi - rubella (mũi 2) cho trẻ 18 tháng tuổi lúc 7h30 thứ "
        "Hai, "
        "23/11/2026 tại Trạm Y tế phường. Xin mang theo sổ tiêm chủng.");
  CHECK(r.message.coding == loa::segments::encoding::ucs2);
  CHECK(r.message.segments == 3);
}
