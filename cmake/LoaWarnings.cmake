# One interface target carries the project's warnings and sanitizer flags; every
# target of ours links it privately, so third-party headers stay untouched.
add_library(loa_warnings INTERFACE)
target_compile_options(loa_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough
  # g++ 12 pairs Asio's recycling operator new of coroutine frames with the wrong delete: a false alarm.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>)

if(LOA_SANITIZE)
  set(loa_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${loa_san})
  add_link_options(${loa_san})
endif()
