# Defines oneline_load once, wherever it is first needed (the CLI's `oneline bench` or the
# benchmark): the load clients that measure a running server over raw connections and through
# oneline::Client, with their workloads and statistics. Included as "load/raw_load.hpp".
if(NOT TARGET oneline_load)
  set(_load_dir ${CMAKE_CURRENT_LIST_DIR})
  add_library(oneline_load STATIC
    ${_load_dir}/client_load.cpp
    ${_load_dir}/raw_load.cpp
    ${_load_dir}/connection.cpp
    ${_load_dir}/stats.cpp
    ${_load_dir}/workload.cpp
  )
  set_target_properties(oneline_load PROPERTIES CXX_EXTENSIONS OFF)
  target_include_directories(oneline_load PUBLIC ${_load_dir}/..)
  # The raw load clients speak through the library's platform layer (src/net, src/platform), the
  # same on every platform; oneline_internal has it even when liboneline is a shared library.
  target_link_libraries(oneline_load PUBLIC oneline_internal PRIVATE oneline_warnings)
  unset(_load_dir)
endif()
