// Citizens' replies by SMS: which keyword a reply is (opt out, opt in, help), matched the way people type on
// a basic phone: with or without diacritics, in any case, with punctuation or spaces around the word. A reply
// is a keyword only when it is nothing else: "Huy đây, cho hỏi lịch tiêm" is a question from a citizen named
// Huy.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace loa::broadcast {

enum class reply_kind { opt_out, opt_in, help, other };

/// The keywords of configuration `mo:`.
struct keyword_sets {
  std::vector<std::string> opt_out, opt_in, help;
};

/// "Huỷ!" -> "HUY", "  tu   chối " -> "TU CHOI": ASCII letters and digits in upper case, words separated by one
/// space, everything else dropped.
std::string fold_reply(std::string_view utf8);

/// What the reply asks for: a keyword when the folded reply is exactly one ("Huỷ!" is opt out); anything with
/// more words ("HUY DANG KY", "Tú Chơi đây") is other, kept for the ward to read.
reply_kind classify_reply(std::string_view utf8, const keyword_sets& keywords);

/// The confirmation SMS for a keyword reply, without diacritics and in one GSM part (at most 160 characters):
/// each names the configured keyword that undoes it ("... Soan DK gui so nay de nhan lai thong bao."). ""
/// for reply_kind::other.
std::string confirmation_text(reply_kind kind, const keyword_sets& keywords);

}  // namespace loa::broadcast
