// Citizens' replies: keywords as people type them on a basic phone.
#include <doctest/doctest.h>

#include "gateway/broadcast/keywords.hpp"

using namespace loa::broadcast;

namespace {
const keyword_sets defaults{{"HUY", "TU CHOI"}, {"DK"}, {"HD"}};
}

TEST_CASE("keywords: folded without accents, case, punctuation or extra spaces") {
  CHECK(fold_reply("Huỷ!") == "HUY");
  CHECK(fold_reply("Hủy") == "HUY");  // the other placement of the tone mark
  CHECK(fold_reply("  tu   chối. ") == "TU CHOI");
  CHECK(fold_reply("Từ chối") == "TU CHOI");
  CHECK(fold_reply("đk") == "DK");
  CHECK(fold_reply("") == "");
  CHECK(fold_reply("\xff\xfe") == "");  // not UTF-8: nothing to match, nothing thrown
}

TEST_CASE("keywords: a reply is a keyword only when it is nothing but the keyword") {
  CHECK(classify_reply("HUY", defaults) == reply_kind::opt_out);
  CHECK(classify_reply("  Huỷ! ", defaults) == reply_kind::opt_out);
  CHECK(classify_reply("Tu choi", defaults) == reply_kind::opt_out);
  CHECK(classify_reply("Từ chối.", defaults) == reply_kind::opt_out);
  CHECK(classify_reply("DK", defaults) == reply_kind::opt_in);
  CHECK(classify_reply("Đk", defaults) == reply_kind::opt_in);
  CHECK(classify_reply("hd?", defaults) == reply_kind::help);
  CHECK(classify_reply("HUYEN", defaults) == reply_kind::other);  // a name, not HUY
  CHECK(classify_reply("Cho hỏi lịch họp tổ 5?", defaults) == reply_kind::other);
  CHECK(classify_reply("", defaults) == reply_kind::other);
  CHECK(classify_reply("...", defaults) == reply_kind::other);
}

TEST_CASE("keywords: a citizen named Huy or Tú who writes a sentence is not opted out") {
  // Huy and Tú are common given names: the security review's replies that opted citizens out of every ward.
  CHECK(classify_reply("Huy đây, cho hỏi lịch tiêm", defaults) == reply_kind::other);
  CHECK(classify_reply("Tú Chơi đây", defaults) == reply_kind::other);
  CHECK(classify_reply("Huy", defaults) ==
        reply_kind::opt_out);  // the name alone is the keyword: as configured
  CHECK(classify_reply("HUY DANG KY", defaults) == reply_kind::other);
  CHECK(classify_reply("HUY DK", defaults) == reply_kind::other);  // neither: nobody is opted in by accident
  CHECK(classify_reply("DK nhan tin", defaults) == reply_kind::other);
  CHECK(classify_reply("HD cho toi voi", defaults) == reply_kind::other);
}

TEST_CASE("keywords: each confirmation names the configured keyword that undoes it, in one GSM part") {
  const auto out = confirmation_text(reply_kind::opt_out, defaults);
  CHECK(out == "Ban da tu choi nhan thong bao cua UBND qua SMS. Soan DK gui so nay de nhan lai thong bao.");
  CHECK(confirmation_text(reply_kind::opt_in, defaults) ==
        "Ban se nhan lai thong bao cua UBND qua SMS. Soan HUY de tu choi.");
  CHECK(confirmation_text(reply_kind::help, defaults) ==
        "Day la thong bao cua UBND phuong/xa. Soan HUY de tu choi nhan, DK de nhan lai.");
  CHECK(confirmation_text(reply_kind::other, defaults).empty());

  // Another configuration: its keywords, folded as the citizen types them.
  const keyword_sets other{{"Từ chối"}, {"Đăng ký"}, {}};
  CHECK(confirmation_text(reply_kind::opt_out, other).find("Soan DANG KY gui so nay") != std::string::npos);
  CHECK(confirmation_text(reply_kind::opt_in, other).find("Soan TU CHOI de tu choi") != std::string::npos);
  CHECK(confirmation_text(reply_kind::help, other) ==
        "Day la thong bao cua UBND phuong/xa. Soan TU CHOI de tu choi nhan, DANG KY de nhan lai.");
  const keyword_sets no_opt_in{{"HUY"}, {}, {"HD"}};
  CHECK(confirmation_text(reply_kind::opt_out, no_opt_in) ==
        "Ban da tu choi nhan thong bao cua UBND qua SMS.");
  CHECK(confirmation_text(reply_kind::help, no_opt_in) == "Day la thong bao cua UBND phuong/xa.");

  // A long keyword gets the short form; one too long for any form is left out rather than split.
  const keyword_sets long_one{{"HUY"}, {std::string(100, 'K')}, {"HD"}};
  const auto short_form = confirmation_text(reply_kind::opt_out, long_one);
  CHECK(short_form == "Da tu choi. Soan " + std::string(100, 'K') + " de nhan lai.");
  const keyword_sets too_long{{"HUY"}, {std::string(200, 'K')}, {"HD"}};
  CHECK(confirmation_text(reply_kind::opt_out, too_long) ==
        "Ban da tu choi nhan thong bao cua UBND qua SMS.");
  for (const auto* k : {&defaults, &other, &long_one, &too_long})
    for (const auto kind : {reply_kind::opt_out, reply_kind::opt_in, reply_kind::help})
      CHECK(confirmation_text(kind, *k).size() <= 160);
}
