// Which language the official's commands print, from the environment. Vietnamese is the default: an official
// gets it without setting anything, whatever locale the ward's server was installed with.
#pragma once

#include <functional>
#include <string_view>

namespace loa::cli::i18n {

enum class language { english, vietnamese };

/// Reads LOA_LANG, LANGUAGE, LC_ALL, LC_MESSAGES and LANG in that order (`getenv` looks one up; null when
/// unset). The first of them that names English or Vietnamese decides ("en", "en_US.UTF-8", "vi",
/// "vi_VN.UTF-8"; LANGUAGE may list several, "fr:en", and its first known one counts). A value that names
/// no language we have ("C", "POSIX", "C.UTF-8", "fr_FR") is passed over, so a server left at LANG=C.UTF-8
/// still prints Vietnamese. Nothing named: Vietnamese.
language choose_language(const std::function<const char*(const char*)>& getenv);

/// `value` of one of those variables: English, Vietnamese, or neither (nullopt-like: false in `named`).
language language_named(std::string_view value, bool& named);

}  // namespace loa::cli::i18n
