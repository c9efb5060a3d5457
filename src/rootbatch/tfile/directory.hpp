// TDirectory records and their key lists.
//
// Directory record (60 bytes): fVersion i16 (+1000 for 64-bit seeks) |
// fDatimeC u32 | fDatimeM u32 | fNbytesKeys i32 | fNbytesName i32 |
// fSeekDir, fSeekParent, fSeekKeys (i32 or i64) | UUID.
// Keys list at fSeekKeys: the list's own key header, i32 nkeys, then nkeys
// key headers back to back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/io/byte_source.hpp"
#include "rootbatch/tfile/key.hpp"

namespace rootbatch {

struct DirectoryRecord {
  int16_t version = 0;       // fVersion
  int32_t nbytes_keys = 0;   // fNbytesKeys
  int32_t nbytes_name = 0;   // fNbytesName
  int64_t seek_dir = 0;      // fSeekDir
  int64_t seek_parent = 0;   // fSeekParent
  int64_t seek_keys = 0;     // fSeekKeys
};

struct Directory {
  std::string path;  // "" for the top directory, "a/b" below it
  DirectoryRecord record;
  std::vector<KeyHeader> keys;  // in file order (ROOT puts newer cycles first)
  std::vector<std::unique_ptr<Directory>> subdirectories;
};

bool IsDirectoryClass(const std::string& class_name);
// TTree and the classes that derive from it without changing the format.
bool IsTreeClass(const std::string& class_name);
// ROOT::RNTuple (the anchor of an RNTuple; "ROOT::Experimental::RNTuple"
// before ROOT 6.34). rootbatch does not read RNTuples yet.
bool IsRNTupleClass(const std::string& class_name);

// Reads the directory record at `offset` and, recursively, its keys and
// subdirectories. Hostile files: a record read twice (a cycle), a keys list
// shared by two directories, more keys than the file can hold or nesting
// deeper than 64 levels are kCorrupt naming the directory and its offset.
Result<std::unique_ptr<Directory>> ReadDirectory(const ByteSource& source, int64_t offset, std::string path);

}  // namespace rootbatch
