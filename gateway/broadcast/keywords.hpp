// Citizens' replies by SMS: which keyword a reply is (opt out, opt in, help), matched the way people type on a
// basic phone: with or without diacritics, in any case, with extra spaces or punctuation after the word.
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

/// What the reply asks for: a keyword alone, or a keyword followed by other words ("HUY DANG KY" is opt out).
reply_kind classify_reply(std::string_view utf8, const keyword_sets& keywords);

}  // namespace loa::broadcast
