// KeyHeader: the TKey record header that precedes every object in a file.
//
// Layout (ROOTIO-FORMAT.md §1.2): fNbytes i32, fVersion i16, fObjlen i32,
// fDatime u32, fKeylen i16, fCycle i16, then fSeekKey and fSeekPdir (i32, or
// i64 when fVersion > 1000), then three TStrings: class, name, title. A key is
// "large" (64-bit seeks) per key, independent of the file header.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

#include "rootbatch/write/byte_writer.hpp"

namespace rootbatch::write {

inline constexpr int16_t kKeyVersion = 4;          // TKey class version
inline constexpr int16_t kLargeKeyOffset = 1000;   // added to versions whose seeks are 64-bit
inline constexpr int64_t kStartBigFile = 2000000000;  // TFile::kStartBigFile (2e9, not 2^31)
inline constexpr int64_t kBegin = 100;             // kBEGIN: the first record

struct KeyHeader {
  int32_t nbytes = 0;      // fNbytes: header + stored payload
  int16_t version = kKeyVersion;  // fVersion
  int32_t objlen = 0;      // fObjlen: payload before compression
  uint32_t datime = 0;     // fDatime
  int16_t keylen = 0;      // fKeylen: this header's size (plus any class-specific fields after it)
  int16_t cycle = 1;       // fCycle
  int64_t seek_key = 0;    // fSeekKey: where the record starts
  int64_t seek_pdir = 0;   // fSeekPdir: the directory that owns it
  std::string class_name;  // fClassName
  std::string name;        // fName
  std::string title;       // fTitle

  bool IsLarge() const { return version > kLargeKeyOffset; }
  // Size of the serialized header alone (what fKeylen is for plain keys).
  int32_t HeaderSize() const;
  void Serialize(ByteWriter& out) const;
};

// ROOT's TDatime packing: (year-1995)<<26 | month<<22 | day<<17 | hour<<12 | min<<6 | sec.
uint32_t EncodeDatime(std::time_t when);

}  // namespace rootbatch::write
