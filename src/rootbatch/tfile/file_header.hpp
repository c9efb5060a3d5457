// The 100-byte header at the start of every ROOT file.
//
//   bytes   small file (fVersion < 1000000)   big file (fVersion >= 1000000)
//   0-3     "root"                            "root"
//   4-7     fVersion i32                      fVersion i32
//   8-11    fBEGIN i32                        fBEGIN i32
//   12-     fEND i32                          fEND i64
//           fSeekFree i32                     fSeekFree i64
//           fNbytesFree i32, nfree i32, fNbytesName i32, fUnits u8, fCompress i32
//           fSeekInfo i32                     fSeekInfo i64
//           fNbytesInfo i32, fUUID (u16 version + 16 bytes)
#pragma once

#include <cstdint>
#include <string>

#include "rootbatch/base/status.hpp"
#include "rootbatch/io/byte_source.hpp"

namespace rootbatch {

inline constexpr int64_t kFileHeaderReadSize = 100;
inline constexpr int32_t kBigFileVersionOffset = 1000000;

struct FileHeader {
  int32_t version = 0;        // fVersion, without the big-file offset
  bool big = false;           // fVersion >= 1000000: 64-bit seeks
  int32_t begin = 0;          // fBEGIN
  int64_t end = 0;            // fEND
  int64_t seek_free = 0;      // fSeekFree
  int32_t nbytes_free = 0;    // fNbytesFree
  int32_t nfree = 0;          // nfree
  int32_t nbytes_name = 0;    // fNbytesName
  uint8_t units = 0;          // fUnits
  int32_t compress = 0;       // fCompress
  int64_t seek_info = 0;      // fSeekInfo
  int32_t nbytes_info = 0;    // fNbytesInfo

  // "6.22/06" from fVersion 62206.
  std::string RootVersionString() const;
};

// Reads and checks the header of `source`. A file that does not start with
// "root", or whose header points outside the file, gets a clear error.
Result<FileHeader> ReadFileHeader(const ByteSource& source);

}  // namespace rootbatch
