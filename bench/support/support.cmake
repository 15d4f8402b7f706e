# Defines oneline_bench_support once: the benchmark's own servers (raw baseline, echo server,
# server process). Its load clients live in src/load, which the CLI's `oneline bench` links too.
if(NOT TARGET oneline_bench_support)
  set(_support_dir ${CMAKE_CURRENT_LIST_DIR})
  add_library(oneline_bench_support STATIC
    ${_support_dir}/echo_server.cpp
    ${_support_dir}/raw_server.cpp
    ${_support_dir}/server_process.cpp
  )
  set_target_properties(oneline_bench_support PROPERTIES CXX_EXTENSIONS OFF)
  target_include_directories(oneline_bench_support PUBLIC ${_support_dir}/..)
  # The private platform/posix/unique_fd.hpp owns the server process's pipe and pidfd.
  target_include_directories(oneline_bench_support PRIVATE ${PROJECT_SOURCE_DIR}/src)
  include(${PROJECT_SOURCE_DIR}/test/support/support.cmake)
  # The load clients (src/load) belong to the tool's `oneline bench`; the benchmark uses them from there.
  include(${PROJECT_SOURCE_DIR}/src/load/load.cmake)
  target_link_libraries(oneline_bench_support PUBLIC oneline_internal oneline_load oneline_test_support
                        PRIVATE oneline_warnings)
  unset(_support_dir)
endif()
