# Cross-builds for 64-bit Windows 10 and later with Debian's MinGW-w64 (the posix thread model,
# which std::thread needs) and runs what it builds under Wine:
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_VERSION 10.0)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(ONELINE_MINGW_TRIPLET x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${ONELINE_MINGW_TRIPLET}-gcc-posix)
set(CMAKE_CXX_COMPILER ${ONELINE_MINGW_TRIPLET}-g++-posix)
set(CMAKE_RC_COMPILER ${ONELINE_MINGW_TRIPLET}-windres)

# Libraries, headers and packages come from the MinGW sysroot only, never from the build machine.
set(CMAKE_FIND_ROOT_PATH /usr/${ONELINE_MINGW_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Static C++ runtime and winpthread: the programs run anywhere (under Wine too) without DLLs beside them.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# CTest (and GoogleTest's discovery) run the test programs through Wine, in a prefix of their own
# under the build directory unless WINEPREFIX is set.
set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_CURRENT_LIST_DIR}/wine-run ${CMAKE_BINARY_DIR}/wineprefix)
