// TKey: the header in front of every record in a ROOT file.
//
//   fNbytes i32 | fVersion i16 | fObjlen i32 | fDatime u32 | fKeylen i16 |
//   fCycle i16 | fSeekKey i32/i64 | fSeekPdir i32/i64 | fClassName, fName,
//   fTitle (TStrings). Seeks are 64-bit when fVersion > 1000, per key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/io/byte_cursor.hpp"
#include "rootbatch/io/byte_source.hpp"

namespace rootbatch {

struct KeyHeader {
  int32_t nbytes = 0;    // fNbytes: key header + stored payload
  int16_t version = 0;   // fVersion (+1000 for 64-bit seeks)
  int32_t objlen = 0;    // fObjlen: uncompressed payload size
  uint32_t datime = 0;   // fDatime
  int16_t keylen = 0;    // fKeylen
  int16_t cycle = 0;     // fCycle
  int64_t seek_key = 0;  // fSeekKey
  int64_t seek_pdir = 0; // fSeekPdir (pid offset bits masked off)
  std::string class_name;  // fClassName
  std::string name;        // fName
  std::string title;       // fTitle

  // The payload is compressed iff its stored size differs from fObjlen.
  bool IsCompressed() const { return objlen != nbytes - keylen; }
  // "name;cycle" for messages.
  std::string Label() const;
};

// Parses a key header at the cursor's position (no checks against a file).
KeyHeader ParseKeyHeader(ByteCursor& cursor);

// Reads the key header at `offset` in `source` and checks that it describes a
// record inside the file.
Result<KeyHeader> ReadKeyHeader(const ByteSource& source, int64_t offset);

// Checks a key's sizes against the file: the record must lie inside it and
// fKeylen must fit in fNbytes.
Status ValidateKey(const KeyHeader& key, int64_t file_size);

// Reads a key's payload and decompresses it if needed: exactly fObjlen bytes.
Result<std::vector<uint8_t>> ReadKeyPayload(const ByteSource& source, const KeyHeader& key);

}  // namespace rootbatch
