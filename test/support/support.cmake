# Defines oneline_test_support once, wherever it is first needed (ut, stress,
# the bench or the CLI): the raw-socket helpers for byte-level control of a
# connection. Independent of the oneline library and of GoogleTest.
if(NOT TARGET oneline_test_support)
  set(_test_support_dir ${CMAKE_CURRENT_LIST_DIR})
  if(WIN32)
    set(_test_support_native ${_test_support_dir}/native_socket_windows.cpp)
  else()
    set(_test_support_native ${_test_support_dir}/native_socket_posix.cpp)
  endif()
  add_library(oneline_test_support STATIC
    ${_test_support_dir}/raw_listener.cpp
    ${_test_support_dir}/raw_socket.cpp
    ${_test_support_dir}/socket_probe.cpp
    ${_test_support_native}
  )
  set_target_properties(oneline_test_support PROPERTIES CXX_EXTENSIONS OFF)
  target_compile_features(oneline_test_support PUBLIC cxx_std_17)
  # Included as "test/support/raw_socket.hpp".
  target_include_directories(oneline_test_support PUBLIC ${_test_support_dir}/../..)
  target_link_libraries(oneline_test_support PRIVATE oneline_warnings)
  if(WIN32)
    # Its headers bring Winsock's to the tests: without min/max macros, and Windows 10's API.
    target_compile_definitions(oneline_test_support PUBLIC WIN32_LEAN_AND_MEAN NOMINMAX _WIN32_WINNT=0x0A00)
    target_link_libraries(oneline_test_support PUBLIC ws2_32)
  endif()
  unset(_test_support_dir)
  unset(_test_support_native)
endif()
