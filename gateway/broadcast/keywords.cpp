#include "gateway/broadcast/keywords.hpp"

#include <initializer_list>

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
// The whole reply, folded, is one of the keywords: "Huy đây, cho hỏi..." (Huy is a given name) is a question.
bool matches(const std::string& folded, const std::vector<std::string>& keywords) {
  if (folded.empty()) return false;
  for (const auto& k : keywords)
    if (folded == fold_reply(k)) return true;
  return false;
}
}  // namespace

reply_kind classify_reply(std::string_view utf8, const keyword_sets& keywords) {
  const auto folded = fold_reply(utf8);
  if (matches(folded, keywords.opt_out)) return reply_kind::opt_out;
  if (matches(folded, keywords.opt_in)) return reply_kind::opt_in;
  if (matches(folded, keywords.help)) return reply_kind::help;
  return reply_kind::other;
}

namespace {
constexpr std::size_t one_gsm_part = 160;

// The first keyword of a list as the citizen should type it ("Từ chối" -> "TU CHOI"); "" when none.
std::string first_keyword(const std::vector<std::string>& keywords) {
  for (const auto& k : keywords)
    if (auto folded = fold_reply(k); !folded.empty()) return folded;
  return {};
}

// The first of `forms` that fits one part ({} is the keyword); the last one without a keyword otherwise.
std::string fitting(std::initializer_list<std::string_view> forms, const std::string& keyword,
                    std::string_view without) {
  if (keyword.empty()) return std::string(without);
  for (const auto form : forms) {
    std::string text(form);
    if (const auto at = text.find("{}"); at != std::string::npos) text.replace(at, 2, keyword);
    if (text.size() <= one_gsm_part) return text;
  }
  return std::string(without);
}
}  // namespace

std::string confirmation_text(reply_kind kind, const keyword_sets& keywords) {
  switch (kind) {
    case reply_kind::opt_out:
      return fitting(
          {"Ban da tu choi nhan thong bao cua UBND qua SMS. Soan {} gui so nay de nhan lai thong bao.",
           "Da tu choi. Soan {} de nhan lai."},
          first_keyword(keywords.opt_in), "Ban da tu choi nhan thong bao cua UBND qua SMS.");
    case reply_kind::opt_in:
      return fitting({"Ban se nhan lai thong bao cua UBND qua SMS. Soan {} de tu choi.",
                      "Da nhan lai. Soan {} de tu choi."},
                     first_keyword(keywords.opt_out), "Ban se nhan lai thong bao cua UBND qua SMS.");
    case reply_kind::help: {
      const auto out = first_keyword(keywords.opt_out), in = first_keyword(keywords.opt_in);
      const std::string_view plain = "Day la thong bao cua UBND phuong/xa.";
      if (out.empty() || in.empty()) return std::string(plain);
      const auto both = std::string(plain) + " Soan " + out + " de tu choi nhan, " + in + " de nhan lai.";
      return both.size() <= one_gsm_part ? both : std::string(plain);
    }
    case reply_kind::other:
      break;
  }
  return {};
}

}  // namespace loa::broadcast
