# Defines oneline_handler once, wherever it is first needed (the tool's `server --handler`, the unit
# tests, the benchmark): a long-lived handler program spoken to in JSON Lines, with its process
# part in the platform layer. Included as "handler/handler.hpp".
if(NOT TARGET oneline_handler)
  set(_handler_dir ${CMAKE_CURRENT_LIST_DIR})
  set(_platform_dir ${_handler_dir}/../platform)

  # nlohmann-json is header-only. A cross build looks for packages under its target's root only,
  # where the build machine's copy is not: its headers are then copied alone into the build tree
  # (the build machine's whole include directory would bring in that system's C library headers).
  find_package(nlohmann_json 3 CONFIG QUIET)
  if(NOT TARGET nlohmann_json::nlohmann_json)
    if(NOT CMAKE_CROSSCOMPILING)
      message(FATAL_ERROR "nlohmann-json not found (Debian: nlohmann-json3-dev): `server --handler` needs it")
    endif()
    find_path(ONELINE_NLOHMANN_JSON_INCLUDE_DIR nlohmann/json.hpp NO_CMAKE_FIND_ROOT_PATH
              DOC "The directory holding nlohmann-json's nlohmann/json.hpp, for a cross build")
    if(NOT ONELINE_NLOHMANN_JSON_INCLUDE_DIR)
      message(FATAL_ERROR "nlohmann-json not found: set ONELINE_NLOHMANN_JSON_INCLUDE_DIR to the directory "
                          "holding nlohmann/json.hpp")
    endif()
    file(COPY ${ONELINE_NLOHMANN_JSON_INCLUDE_DIR}/nlohmann DESTINATION ${PROJECT_BINARY_DIR}/nlohmann-json)
    add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
    set_target_properties(nlohmann_json::nlohmann_json PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES ${PROJECT_BINARY_DIR}/nlohmann-json)
  endif()

  if(ONELINE_PLATFORM STREQUAL "windows")
    set(_handler_platform_sources
      ${_platform_dir}/windows/handler_process.cpp
      ${_platform_dir}/windows/child_process.cpp
      ${_platform_dir}/windows/wide_text.cpp
    )
  else()
    if(ONELINE_PLATFORM STREQUAL "linux")
      set(_child_platform linux)  # pidfd and pipe2
    else()
      set(_child_platform posix)  # SIGCHLD and pipe
    endif()
    set(_handler_platform_sources
      ${_platform_dir}/posix/handler_process.cpp
      ${_platform_dir}/posix/shell_spawn.cpp
      ${_platform_dir}/${_child_platform}/child_exit.cpp
      ${_platform_dir}/${_child_platform}/pipe.cpp
    )
    unset(_child_platform)
  endif()

  add_library(oneline_handler STATIC
    ${_handler_dir}/handler.cpp
    ${_handler_dir}/handler_protocol.cpp
    ${_handler_dir}/failure_response.cpp
    ${_handler_platform_sources}
  )
  set_target_properties(oneline_handler PROPERTIES CXX_EXTENSIONS OFF)
  target_include_directories(oneline_handler PUBLIC ${_handler_dir}/..)
  target_link_libraries(oneline_handler
    PUBLIC oneline_internal
    PRIVATE nlohmann_json::nlohmann_json $<BUILD_INTERFACE:oneline_warnings>)
  if(ONELINE_PLATFORM STREQUAL "windows")
    target_compile_definitions(oneline_handler PRIVATE WIN32_LEAN_AND_MEAN NOMINMAX _WIN32_WINNT=0x0A00)
  endif()
  unset(_handler_dir)
  unset(_platform_dir)
  unset(_handler_platform_sources)
endif()
