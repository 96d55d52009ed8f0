# Runs a step of the differential test (cmake -P, so that node and npm are looked up when the test
# runs, and their absence fails the test with a clear message instead of skipping it).
#   MODE=install  SOURCE_DIR PREFIX            : npm install mqtt-packet (package.json here) in PREFIX
#   MODE=run      SOURCE_DIR PREFIX TOOL WORK  : node differential.js
cmake_minimum_required(VERSION 3.25)

function(require_program var name)
  find_program(${var} ${name})
  if(NOT ${var})
    message(FATAL_ERROR
      "codec_differential_mqtt_packet needs `${name}` (Node.js 18 or later with npm) on PATH, and "
      "it was not found. Install Node.js (Debian: apt-get install nodejs npm); CI installs it. "
      "This test does not skip itself.")
  endif()
endfunction()

require_program(NODE node)
execute_process(COMMAND ${NODE} --version OUTPUT_VARIABLE node_version
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
string(REGEX MATCH "^v([0-9]+)" _ "${node_version}")
if(CMAKE_MATCH_1 LESS 18)
  message(FATAL_ERROR "codec_differential_mqtt_packet needs Node.js 18 or later, found ${node_version}")
endif()

if(MODE STREQUAL "install")
  require_program(NPM npm)
  # The exact version pinned in package.json (and package-lock.json, which names no download
  # URL: npm fetches from the registry it is configured with).
  set(installed ${PREFIX}/node_modules/mqtt-packet/package.json)
  if(EXISTS ${installed} AND EXISTS ${PREFIX}/.installed-from)
    file(READ ${installed} manifest)
    string(JSON version GET "${manifest}" version)
    file(SHA256 ${SOURCE_DIR}/package-lock.json wanted_lock)
    file(READ ${PREFIX}/.installed-from lock_used)
    if(version STREQUAL "9.0.2" AND lock_used STREQUAL wanted_lock)
      message(STATUS "mqtt-packet ${version} already installed in ${PREFIX}")
      return()
    endif()
  endif()
  file(MAKE_DIRECTORY ${PREFIX})
  file(COPY ${SOURCE_DIR}/package.json ${SOURCE_DIR}/package-lock.json DESTINATION ${PREFIX})
  execute_process(COMMAND ${NPM} ci --no-audit --no-fund --ignore-scripts --prefix ${PREFIX}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "npm ci of mqtt-packet into ${PREFIX} failed (${rc}): the npm registry "
                        "must be reachable when this test's fixture runs")
  endif()
  file(SHA256 ${SOURCE_DIR}/package-lock.json lock_hash)
  file(WRITE ${PREFIX}/.installed-from "${lock_hash}")
elseif(MODE STREQUAL "run")
  if(NOT EXISTS ${PREFIX}/node_modules/mqtt-packet/package.json)
    message(FATAL_ERROR "mqtt-packet is not installed in ${PREFIX}: run the fixture "
                        "codec_differential_mqtt_packet_install (ctest -R differential)")
  endif()
  execute_process(COMMAND ${NODE} ${SOURCE_DIR}/differential.js --modules ${PREFIX} --tool ${TOOL}
                          --work ${WORK}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "differential test against mqtt-packet failed (exit ${rc})")
  endif()
else()
  message(FATAL_ERROR "MODE must be install or run")
endif()
