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

TEST_CASE("keywords: a keyword alone or followed by more words, never inside a word") {
  CHECK(classify_reply("HUY", defaults) == reply_kind::opt_out);
  CHECK(classify_reply("huỷ đăng ký", defaults) == reply_kind::opt_out);
  CHECK(classify_reply("Tu choi", defaults) == reply_kind::opt_out);
  CHECK(classify_reply("DK", defaults) == reply_kind::opt_in);
  CHECK(classify_reply("Đk", defaults) == reply_kind::opt_in);
  CHECK(classify_reply("hd", defaults) == reply_kind::help);
  CHECK(classify_reply("HUYEN", defaults) == reply_kind::other);  // a name, not HUY
  CHECK(classify_reply("Cho hỏi lịch họp tổ 5?", defaults) == reply_kind::other);
  CHECK(classify_reply("HUY DK", defaults) == reply_kind::opt_out);  // opting out wins
}
