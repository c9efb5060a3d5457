# Compression libraries come from the system (Debian: zlib1g-dev, libdeflate-dev,
# liblzma-dev, liblz4-dev, libzstd-dev, libxxhash-dev; scripts/setup installs them).
find_package(ZLIB REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LZMA REQUIRED IMPORTED_TARGET liblzma)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
find_library(DEFLATE_LIBRARY NAMES deflate REQUIRED)
find_path(DEFLATE_INCLUDE_DIR NAMES libdeflate.h REQUIRED)
find_package(Threads REQUIRED)
