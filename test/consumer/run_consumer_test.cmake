# Run with cmake -P (see cmake/Install.cmake): installs the build in BUILD_DIR
# into WORK_DIR/prefix, checks what was installed, then configures, builds and
# runs the consumer project in CONSUMER_SOURCE_DIR against that prefix. A cross build (e.g. for
# Windows) passes TOOLCHAIN_FILE, EMULATOR (how to run its programs here) and EXECUTABLE_SUFFIX.
foreach(variable BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR CXX_COMPILER EXPECTED_VERSION)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "run_consumer_test.cmake needs -D${variable}=...")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${what} failed (${result}):\n${output}")
  endif()
  message(STATUS "${what}: ok")
  set(step_output "${output}" PARENT_SCOPE)
endfunction()

set(config_arguments)
if(CONFIG)
  set(config_arguments --config ${CONFIG})
endif()
run_step("install into ${prefix}" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} ${config_arguments})

foreach(file include/oneline/oneline.hpp include/oneline/version.hpp bin/oneline${EXECUTABLE_SUFFIX})
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "not installed: ${file}")
  endif()
endforeach()
if(EXISTS ${prefix}/include/oneline/version.hpp.in)
  message(FATAL_ERROR "the version.hpp template was installed")
endif()
file(GLOB_RECURSE package_files ${prefix}/*/onelineConfig.cmake ${prefix}/*/onelineTargets-static.cmake
  ${prefix}/*/onelineTargets-shared.cmake)
list(LENGTH package_files package_file_count)
if(NOT package_file_count EQUAL 2)
  message(FATAL_ERROR "expected onelineConfig.cmake and one onelineTargets-KIND.cmake, found: ${package_files}")
endif()
foreach(package_file IN LISTS package_files)
  file(READ ${package_file} text)
  if(text MATCHES "Werror|oneline_warnings")
    message(FATAL_ERROR "${package_file} passes the project's warning flags on to users")
  endif()
endforeach()

run_step("installed oneline --version" ${EMULATOR} ${prefix}/bin/oneline${EXECUTABLE_SUFFIX} --version)
string(STRIP "${step_output}" installed_version)
if(NOT installed_version STREQUAL EXPECTED_VERSION)
  message(FATAL_ERROR "installed oneline --version says '${installed_version}', expected '${EXPECTED_VERSION}'")
endif()

# Only when the build has link options of its own (sanitizers, coverage): an empty value would
# drop the toolchain's (a cross build links statically so its programs run without DLLs).
set(link_arguments)
if(LINK_OPTIONS)
  set(link_arguments -DCMAKE_EXE_LINKER_FLAGS=${LINK_OPTIONS})
endif()
set(cross_arguments)
if(TOOLCHAIN_FILE)
  # The package is found by its directory: a toolchain's find root would keep it from the prefix.
  file(GLOB package_dir LIST_DIRECTORIES true ${prefix}/*/cmake/oneline)
  set(cross_arguments -DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN_FILE} -Doneline_DIR=${package_dir})
endif()
run_step("configure the consumer" ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${consumer_build}
  -DCMAKE_PREFIX_PATH=${prefix} ${cross_arguments}
  -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
  ${link_arguments}
  -DEXPECTED_VERSION=${EXPECTED_VERSION})
run_step("build the consumer" ${CMAKE_COMMAND} --build ${consumer_build})
run_step("run the consumer" ${EMULATOR} ${consumer_build}/consumer${EXECUTABLE_SUFFIX})
message(STATUS "${step_output}")
