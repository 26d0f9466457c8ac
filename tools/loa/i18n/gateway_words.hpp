// The gateway answers in English (its API is for scripts too, docs/API.md), and so do the libraries the CLI
// calls (templates/); the official reads their refusals and warnings in her language. The sentences an
// official meets (a group or ward that does not exist, a time already past, an audience of 0, a key used
// before, a send of her own to approve, ...) are in the catalogue with the gateway's English as msgid; their
// {} match the values in the gateway's message.
#pragma once

#include <string>
#include <string_view>

namespace loa::cli {

/// `message` of the gateway in the current language: a known sentence translated with its values kept, the
/// rest as it came (English).
std::string gateway_words(std::string_view message);

}  // namespace loa::cli
