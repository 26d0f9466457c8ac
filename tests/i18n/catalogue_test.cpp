// The catalogue machinery: the .mo reader, plurals, the language chosen from the environment, and the
// compiled po/vi.po itself (every translation keeps its msgid's placeholders, so fmt never throws on it).
#include <doctest/doctest.h>

#include <fmt/args.h>

#include <map>
#include <regex>

#include "tools/loa/i18n/language.hpp"
#include "tools/loa/i18n/mo_catalogue.hpp"
#include "tools/loa/i18n/translate.hpp"

using namespace loa::cli::i18n;

namespace {

mo_catalogue vietnamese() {
  std::string error;
  auto c = mo_catalogue::load(catalogue_file(LOA_TEST_LOCALE_DIR, "vi"), error);
  REQUIRE_MESSAGE(c, error);
  return std::move(*c);
}

language chosen(std::map<std::string, std::string> env) {
  return choose_language([&](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

// The {fmt} fields of a format, their specs sorted ({{ and }} are literal braces).
std::vector<std::string> fields(std::string s) {
  s = std::regex_replace(s, std::regex(R"(\{\{|\}\})"), "");
  std::vector<std::string> out;
  const std::regex field(R"(\{\d*(:[^{}]*)?\})");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), field); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1].str());
  std::sort(out.begin(), out.end());
  return out;
}

// A .mo of entries as msgfmt lays it out (little-endian, no hash table).
std::string mo_of(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string head, originals, translations, strings;
  const auto word = [](std::string& to, std::uint32_t w) { to.append(reinterpret_cast<const char*>(&w), 4); };
  const std::uint32_t n = static_cast<std::uint32_t>(entries.size());
  const std::uint32_t start = 28 + 16 * n;
  std::string text;
  for (const auto& [id, tr] : entries) {
    word(originals, static_cast<std::uint32_t>(id.size()));
    word(originals, start + static_cast<std::uint32_t>(text.size()));
    text += id + '\0';
  }
  for (const auto& [id, tr] : entries) {
    word(translations, static_cast<std::uint32_t>(tr.size()));
    word(translations, start + static_cast<std::uint32_t>(text.size()));
    text += tr + '\0';
  }
  word(head, 0x950412de);
  word(head, 0);
  word(head, n);
  word(head, 28);
  word(head, 28 + 8 * n);
  word(head, 0);
  word(head, 0);
  return head + originals + translations + text;
}

}  // namespace

TEST_CASE(
    "i18n: Vietnamese unless a variable names English, first of LOA_LANG LANGUAGE LC_ALL LC_MESSAGES LANG") {
  CHECK(chosen({}) == language::vietnamese);
  CHECK(chosen({{"LANG", "C.UTF-8"}}) == language::vietnamese);  // a server's default names no language
  CHECK(chosen({{"LC_ALL", "POSIX"}, {"LANG", "C"}}) == language::vietnamese);
  CHECK(chosen({{"LANG", "en_US.UTF-8"}}) == language::english);
  CHECK(chosen({{"LC_MESSAGES", "en_GB"}, {"LANG", "vi_VN.UTF-8"}}) == language::english);
  CHECK(chosen({{"LOA_LANG", "vi"}, {"LANG", "en_US.UTF-8"}}) == language::vietnamese);
  CHECK(chosen({{"LOA_LANG", "en"}, {"LANG", "vi_VN.UTF-8"}}) == language::english);
  CHECK(chosen({{"LOA_LANG", ""}, {"LANG", "en_US"}}) == language::english);  // empty is unset
  CHECK(chosen({{"LANGUAGE", "fr:en:vi"}}) == language::english);             // its first known language
  CHECK(chosen({{"LANGUAGE", "fr"}, {"LANG", "vi_VN.UTF-8"}}) == language::vietnamese);
  CHECK(chosen({{"LANG", "fr_FR.UTF-8"}}) == language::vietnamese);  // no French catalogue: the default
  CHECK(chosen({{"LC_ALL", "EN_us"}}) == language::english);
}

TEST_CASE("i18n: a .mo file is read, with plurals and the header's plural forms") {
  std::string error;
  const auto c = mo_catalogue::parse(mo_of({{"", "Plural-Forms: nplurals=1; plural=0;\n"},
                                            {"campaign {}", "đợt gửi {}"},
                                            {std::string("{} part\0{} parts", 16), "{} tin"},
                                            {"untranslated", ""}}),
                                     error);
  REQUIRE_MESSAGE(c, error);
  CHECK(c->plural_forms() == 1);
  REQUIRE(c->find("campaign {}"));
  CHECK(*c->find("campaign {}") == "đợt gửi {}");
  CHECK(c->find("untranslated") == nullptr);  // the msgid shows
  CHECK(c->find("nothing") == nullptr);
  REQUIRE(c->find_plural("{} part", "{} parts", 1));
  CHECK(*c->find_plural("{} part", "{} parts", 1) == "{} tin");
  CHECK(*c->find_plural("{} part", "{} parts", 7) == "{} tin");
}

TEST_CASE("i18n: a file that is not a .mo is refused with why") {
  std::string error;
  CHECK_FALSE(mo_catalogue::parse("short", error));
  CHECK(error == "too short for a .mo file");
  CHECK_FALSE(mo_catalogue::parse(std::string(40, 'x'), error));
  CHECK(error == "not a .mo file (bad magic number)");
  auto cut = mo_of({{"campaign {}", "đợt gửi {}"}});
  cut.resize(cut.size() - 8);
  CHECK_FALSE(mo_catalogue::parse(cut, error));
  CHECK(error == "entry 0 runs past the end of the file");
  CHECK_FALSE(mo_catalogue::load("/nonexistent/loa.mo", error));
  CHECK(error == "/nonexistent/loa.mo: No such file or directory");
}

TEST_CASE("i18n: every Vietnamese translation keeps its msgid's placeholders and formats") {
  const auto c = vietnamese();
  CHECK(c.plural_forms() == 1);
  CHECK(c.entries().size() > 200);
  for (const auto& [id, text] : c.entries()) {
    const auto msgid = id.substr(0, id.find('\0'));  // a plural's singular
    const auto translation = text.substr(0, text.find('\0'));
    INFO("msgid: " << msgid);
    CHECK(fields(translation) == fields(msgid));
    fmt::dynamic_format_arg_store<fmt::format_context> args;
    for (std::size_t i = 0; i < fields(msgid).size(); ++i) args.push_back(std::string("x"));
    CHECK_NOTHROW((void)fmt::vformat(translation, args));
  }
}

TEST_CASE("i18n: tr, trf, trn and numbers in each language") {
  use(language::vietnamese, vietnamese());
  CHECK(tr("cancelled") == "đã hủy");
  CHECK(tr("a sentence nobody translated") == "a sentence nobody translated");
  CHECK(trf("campaign {} created: {}\n", 12, "x") == "đã tạo đợt gửi 12: x\n");
  CHECK(trnf("{} part", "{} parts", 1, 1) == "1 tin");
  CHECK(trnf("{} part", "{} parts", 3, 3) == "3 tin");
  CHECK(number(2541) == "2.541");
  CHECK(number(1234567) == "1.234.567");
  CHECK(decimal(99.5) == "99,5");
  use_english();
  CHECK(tr("cancelled") == "cancelled");
  CHECK(trnf("{} part", "{} parts", 1, 1) == "1 part");
  CHECK(trnf("{} part", "{} parts", 3, 3) == "3 parts");
  CHECK(number(2541) == "2,541");
  CHECK(decimal(99.5) == "99.5");
}
