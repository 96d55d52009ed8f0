# One place for the warning flags every gauntlet target uses.
add_library(gauntlet_warnings INTERFACE)
target_compile_options(gauntlet_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  $<$<BOOL:${GAUNTLET_WERROR}>:-Werror>)
