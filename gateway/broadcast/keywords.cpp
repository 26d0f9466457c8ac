#include "gateway/broadcast/keywords.hpp"

#include "segments/accents.hpp"
#include "segments/utf8.hpp"

namespace loa::broadcast {

std::string fold_reply(std::string_view utf8) {
  std::u32string cps;
  (void)segments::decode_utf8(utf8, cps);  // invalid bytes end the text: what came before still counts
  std::string ascii;
  std::u32string ascii_cps;
  segments::strip_accents(cps, ascii, ascii_cps);
  std::string out;
  bool gap = false;
  for (const char c : ascii) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!letter) {
      gap = !out.empty();
      continue;
    }
    if (gap) out.push_back(' ');
    gap = false;
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

namespace {
bool starts_with_word(const std::string& text, const std::string& keyword) {
  if (keyword.empty() || !text.starts_with(keyword)) return false;
  return text.size() == keyword.size() || text[keyword.size()] == ' ';
}

bool matches(const std::string& folded, const std::vector<std::string>& keywords) {
  for (const auto& k : keywords)
    if (starts_with_word(folded, fold_reply(k))) return true;
  return false;
}
}  // namespace

reply_kind classify_reply(std::string_view utf8, const keyword_sets& keywords) {
  const auto folded = fold_reply(utf8);
  // Opt-out first: "HUY DK" must never opt a citizen in.
  if (matches(folded, keywords.opt_out)) return reply_kind::opt_out;
  if (matches(folded, keywords.opt_in)) return reply_kind::opt_in;
  if (matches(folded, keywords.help)) return reply_kind::help;
  return reply_kind::other;
}

}  // namespace loa::broadcast
