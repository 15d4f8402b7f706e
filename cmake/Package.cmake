# CPack: the release packages ./do_publish makes (see there for how the builds are combined).
#   Linux:   one Debian package `oneline` with the tool (man pages, bash completion), the headers,
#            the static and the shared library, the CMake package and oneline.pc; its dependencies
#            from dpkg-shlibdeps.
#   Windows: oneline-VERSION-windows-x86_64.zip with oneline.exe, the static library, the headers,
#            the CMake package, README, CHANGELOG and LICENSE.
set(CPACK_PACKAGE_NAME oneline)
set(CPACK_PACKAGE_VENDOR "The oneline authors")
set(CPACK_PACKAGE_CONTACT "The oneline authors <oneline@example.org>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}: library and tool")
set(CPACK_PACKAGE_DESCRIPTION
  "A C++17 library (oneline::Server, oneline::Client) and the `oneline` command-line tool for a single-client,\
 line-feed-terminated command protocol. License: MIT.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_RESOURCE_FILE_README ${PROJECT_SOURCE_DIR}/README.md)
set(CPACK_STRIP_FILES OFF)

if(WIN32)
  set(CPACK_GENERATOR ZIP)
  set(CPACK_PACKAGE_FILE_NAME oneline-${PROJECT_VERSION}-windows-x86_64)
else()
  set(CPACK_GENERATOR DEB)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # oneline_VERSION-1_ARCH.deb
  set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
  set(CPACK_DEBIAN_PACKAGE_SECTION devel)
  set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)  # a shlibs file for liboneline.so.MAJOR
endif()
include(CPack)
