#include "rootbatch/tfile/directory.hpp"

#include <algorithm>
#include <set>

#include "rootbatch/io/byte_cursor.hpp"

namespace rootbatch {
namespace {

constexpr int kMaxDirectoryDepth = 64;
constexpr int64_t kDirectoryRecordSize = 60;
constexpr int64_t kMinSeek = 64;  // ROOT stops reading a key list at seeks below this
constexpr int64_t kMinKeyHeaderBytes = 26;  // fixed fields of a 32-bit key header and three empty TStrings

// What one file's directory walk has read so far. A ROOT file never shares a
// directory record or a keys list between directories, and its key headers
// never add up to more bytes than the file: anything else is a forged file
// (a record pointing back at an ancestor, or many records at one keys list),
// and is refused before its cost can multiply.
struct DirectoryWalk {
  std::set<int64_t> records;    // offsets of directory records read
  std::set<int64_t> key_lists;  // offsets of keys lists read
  int64_t keys = 0;             // keys read in all lists
};

Result<DirectoryRecord> ReadDirectoryRecord(const ByteSource& source, int64_t offset) {
  const int64_t available = std::min(kDirectoryRecordSize, source.Size() - offset);
  if (offset < 0 || available < 22) {
    return Corrupt("directory record at byte " + std::to_string(offset) + " lies outside the file (" +
                   std::to_string(source.Size()) + " bytes)");
  }
  RB_ASSIGN_OR_RETURN(auto bytes, source.Read(offset, available));
  ByteCursor cursor(bytes, offset);
  DirectoryRecord record;
  record.version = cursor.ReadI16();  // fVersion
  cursor.ReadU32();                   // fDatimeC
  cursor.ReadU32();                   // fDatimeM
  record.nbytes_keys = cursor.ReadI32();  // fNbytesKeys
  record.nbytes_name = cursor.ReadI32();  // fNbytesName
  if (record.version > 1000) {
    record.seek_dir = cursor.ReadI64();     // fSeekDir
    record.seek_parent = cursor.ReadI64();  // fSeekParent
    record.seek_keys = cursor.ReadI64();    // fSeekKeys
  } else {
    record.seek_dir = cursor.ReadI32();     // fSeekDir
    record.seek_parent = cursor.ReadI32();  // fSeekParent
    record.seek_keys = cursor.ReadI32();    // fSeekKeys
  }
  RB_RETURN_IF_ERROR(cursor.status());
  return record;
}

Result<std::vector<KeyHeader>> ReadKeyList(const ByteSource& source, const DirectoryRecord& record,
                                           DirectoryWalk& walk) {
  std::vector<KeyHeader> keys;
  if (record.seek_keys == 0) return keys;  // a directory that was never written to
  if (!walk.key_lists.insert(record.seek_keys).second) {
    return Corrupt("keys list at byte " + std::to_string(record.seek_keys) +
                   " belongs to another directory already; the directory records are corrupt")
        .WithOffset(record.seek_keys);
  }
  if (record.seek_keys < kMinSeek || record.nbytes_keys <= 0 ||
      record.seek_keys > source.Size() || record.nbytes_keys > source.Size() - record.seek_keys) {
    return Corrupt("keys list of " + std::to_string(record.nbytes_keys) + " bytes at byte " +
                   std::to_string(record.seek_keys) + " lies outside the file (" +
                   std::to_string(source.Size()) + " bytes); the file is truncated or corrupt");
  }
  RB_ASSIGN_OR_RETURN(auto bytes, source.Read(record.seek_keys, record.nbytes_keys));
  ByteCursor cursor(bytes, record.seek_keys);
  KeyHeader list_key = ParseKeyHeader(cursor);
  if (cursor.Ok() && list_key.keylen > 0) cursor.Seek(list_key.keylen);
  int32_t nkeys = cursor.ReadI32();  // nkeys
  RB_RETURN_IF_ERROR(cursor.status());
  // Each key header takes at least 26 bytes: a larger count cannot be right.
  walk.keys += std::max(nkeys, 0);
  if (nkeys < 0 || nkeys > cursor.Remaining() / kMinKeyHeaderBytes || walk.keys > source.Size() / kMinKeyHeaderBytes) {
    return Corrupt("keys list at byte " + std::to_string(record.seek_keys) + " claims " +
                   std::to_string(nkeys) + " keys in " + std::to_string(cursor.Remaining()) + " bytes");
  }
  keys.reserve(static_cast<size_t>(nkeys));
  for (int32_t i = 0; i < nkeys; ++i) {
    KeyHeader key = ParseKeyHeader(cursor);
    RB_RETURN_IF_ERROR_CTX(cursor.status(), "key " + std::to_string(i) + " of the keys list at byte " +
                                                std::to_string(record.seek_keys));
    RB_RETURN_IF_ERROR(ValidateKey(key, source.Size()));
    keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace

bool IsDirectoryClass(const std::string& class_name) {
  return class_name == "TDirectory" || class_name == "TDirectoryFile";
}

bool IsTreeClass(const std::string& class_name) {
  return class_name == "TTree" || class_name == "TNtuple" || class_name == "TNtupleD";
}

bool IsRNTupleClass(const std::string& class_name) {
  return class_name == "ROOT::RNTuple" || class_name == "ROOT::Experimental::RNTuple";
}

namespace {

Result<std::unique_ptr<Directory>> ReadDirectoryIn(const ByteSource& source, int64_t offset, std::string path,
                                                   int depth, DirectoryWalk& walk) {
  const std::string label = path.empty() ? "top directory" : "directory '" + path + "'";
  if (depth > kMaxDirectoryDepth) {
    return Corrupt(label + " at byte " + std::to_string(offset) + " is nested more than " +
                   std::to_string(kMaxDirectoryDepth) + " levels deep")
        .WithOffset(offset);
  }
  if (!walk.records.insert(offset).second) {
    return Corrupt(label + " at byte " + std::to_string(offset) +
                   " is a directory record read before: the directory records form a cycle")
        .WithOffset(offset);
  }
  auto directory = std::make_unique<Directory>();
  directory->path = path;
  RB_ASSIGN_OR_RETURN_CTX(directory->record, ReadDirectoryRecord(source, offset), label);
  RB_ASSIGN_OR_RETURN_CTX(directory->keys, ReadKeyList(source, directory->record, walk), label);
  for (const KeyHeader& key : directory->keys) {
    if (!IsDirectoryClass(key.class_name)) continue;
    // A subdirectory's record is the (never compressed) payload of its key.
    std::string sub_path = path.empty() ? key.name : path + "/" + key.name;
    RB_ASSIGN_OR_RETURN(auto sub, ReadDirectoryIn(source, key.seek_key + key.keylen, sub_path, depth + 1, walk));
    directory->subdirectories.push_back(std::move(sub));
  }
  return directory;
}

}  // namespace

Result<std::unique_ptr<Directory>> ReadDirectory(const ByteSource& source, int64_t offset, std::string path) {
  DirectoryWalk walk;
  return ReadDirectoryIn(source, offset, std::move(path), 0, walk);
}

}  // namespace rootbatch
