# Runs one libFuzzer target for a bounded time on a fresh copy of its seed corpus (the seeds stay
# untouched). Used by the fuzz_* CTest tests; fails on any crash, leak, timeout or OOM.
#
#   cmake -DFUZZER=path -DSEEDS=dir -DWORK=dir -DDICT=file -DSECONDS=n
#         [-DREGRESSIONS=dir -DTARGET=name] -P run_fuzzer.cmake
#
# Files named REGRESSIONS/TARGET-* are known crashers of this target: they run once first.
foreach(var FUZZER SEEDS WORK DICT SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzzer.cmake: ${var} is not set")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
file(GLOB seeds "${SEEDS}/*")
if(NOT seeds)
  message(FATAL_ERROR "run_fuzzer.cmake: no seeds in ${SEEDS} (run the fuzz_corpus test first)")
endif()
file(COPY ${seeds} DESTINATION "${WORK}/corpus")

# Known crashers first, one run each (a fixed bug must stay fixed).
if(DEFINED REGRESSIONS AND DEFINED TARGET AND IS_DIRECTORY "${REGRESSIONS}")
  file(GLOB crashers "${REGRESSIONS}/${TARGET}-*")
  if(crashers)
    execute_process(COMMAND "${FUZZER}" ${crashers} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${FUZZER}: a reproducer in ${REGRESSIONS} fails again (exit ${rc})")
    endif()
  endif()
endif()

execute_process(
  COMMAND "${FUZZER}" -max_total_time=${SECONDS} -rss_limit_mb=2048 -timeout=10
          "-dict=${DICT}" "-artifact_prefix=${WORK}/artifacts/" -print_final_stats=1
          "${WORK}/corpus"
  WORKING_DIRECTORY "${WORK}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(GLOB found "${WORK}/artifacts/*")
  message(FATAL_ERROR "${FUZZER} failed (exit ${rc}); reproducer(s): ${found}")
endif()
