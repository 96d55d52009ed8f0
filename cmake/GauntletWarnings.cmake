# One place for the warning flags every gauntlet target uses.
add_library(gauntlet_warnings INTERFACE)
target_compile_options(gauntlet_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
  # GCC 12 at -O2/-O3 reports false positives inside inlined library code: -Wrestrict in
  # libstdc++'s std::string (GCC bug 105329) and -Wnull-dereference in Asio's scheduler. Clang
  # keeps -Wnull-dereference.
  $<$<CXX_COMPILER_ID:Clang>:-Wnull-dereference>
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
  $<$<BOOL:${GAUNTLET_WERROR}>:-Werror>)
