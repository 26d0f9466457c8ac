// A Lua script known by its SHA1: the gateway sends `EVALSHA sha numkeys keys... args...` (40 bytes of
// hash) instead of EVAL with the whole text, which Redis would hash again on every call. The scripts
// themselves are .lua files embedded at build time (cmake/EmbedLua.cmake, gateway/store/lua/README.md);
// exec() loads a script the server does not know (NOSCRIPT: after a restart, a failover or SCRIPT FLUSH)
// and retries the call once.
#pragma once

#include <string_view>

namespace loa::redis {

/// One embedded script: its name (the .lua file's), the SHA1 of its text (computed at build time) and the
/// text sent by SCRIPT LOAD. Constants with static storage: requests keep pointers to them.
struct script {
  std::string_view name;
  std::string_view sha1;
  std::string_view text;
};

}  // namespace loa::redis
