// FileWriter: creates a ROOT file and owns its records, directories and close.
//
// The file is written once, front to back (ROOTIO-FORMAT.md §6.1): a 100-byte
// header, the TFile key with the top directory at 100, then records appended
// as they are produced (subdirectory keys when a tree asks for one, baskets as
// they fill, TTree metadata at close). Close() writes, in ROOT's order, each
// tree's TTree key, the StreamerInfo list, every directory's keys list (and
// rewrites the directory record in place), the free-segments record, and
// finally rewrites the header. Until Close() the file is not readable.
//
// Large files: a key placed beyond 2e9 bytes (kStartBigFile) gets 64-bit seeks
// (version + 1000); directory records and the header switch to their large
// layouts when the file ends beyond it. Baskets always use 64-bit keys, as ROOT's do.
//
// Not thread-safe: one thread fills a file and its trees. Memory: one open basket
// per branch, a write buffer, and per-basket metadata (20 bytes per basket).
//
//   auto file = FileWriter::Create("out.root", {Codec::kZstd, 5});
//   TreeWriter* tree = *(*file)->MakeTree("events", "my events");
//   ... tree->AddBranch(...), tree->Append(...) ...
//   RB_RETURN_IF_ERROR((*file)->Close());
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/codec/codec.hpp"
#include "rootbatch/write/key_header.hpp"
#include "rootbatch/write/rntuple_writer.hpp"
#include "rootbatch/write/tree_writer.hpp"

namespace rootbatch {

struct FileWriterOptions {
  std::string title;        // the file's title (TFile key title)
  // Seconds since the epoch stamped into keys and directories; 0 means now.
  // A fixed value (with a fixed uuid_seed) makes the output byte-for-byte reproducible.
  std::time_t timestamp = 0;
  uint64_t uuid_seed = 0;   // 0: derived from the time, the path and the process
  size_t write_buffer_size = 4 << 20;  // bytes gathered before each write(2)
};

namespace write {
struct Directory;  // defined in file_writer.cpp
}

class FileWriter {
 public:
  // Creates (truncates) `path`. `compression` is the file's default: baskets and
  // metadata records use it unless a tree asks for another.
  static Result<std::unique_ptr<FileWriter>> Create(const std::string& path, CompressionSetting compression,
                                                    FileWriterOptions options = {});
  ~FileWriter();  // closes if Close() was not called; errors are then lost
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  // A new tree in `directory` ("" for the top, "a/b" creates a and a/b as
  // needed). The FileWriter owns it; it lives until Close().
  Result<TreeWriter*> MakeTree(std::string_view name, std::string_view title = "",
                               std::string_view directory = "", TreeWriterOptions options = {});

  // A new RNTuple (ROOT::RNTuple anchor) in `directory`, compressed with the
  // file's setting unless `options` names another. The FileWriter owns it; it
  // lives until Close(), which writes its footer and anchor.
  Result<RNTupleWriter*> MakeRNTuple(std::string_view name, std::string_view directory = "",
                                     RNTupleWriterOptions options = {});

  // Finishes every tree and RNTuple and writes the closing records. Idempotent; after it,
  // the TreeWriters are gone.
  Status Close();

  const std::string& Path() const { return path_; }
  CompressionSetting Compression() const { return compression_; }
  // Bytes in the file so far (the position the next record gets).
  int64_t End() const { return end_; }

  // --- Used by TreeWriter and RNTupleWriter ---------------------------------------------------
  // A key header for a record appended now: fSeekKey = End(), 64-bit when
  // beyond kStartBigFile (or `force_large`), fKeylen = header + `extra_bytes`
  // (class-specific fields that live inside the key, like TBasket's).
  write::KeyHeader NewKey(std::string class_name, std::string name, std::string title,
                          const write::Directory* directory, int32_t extra_bytes = 0,
                          bool force_large = false) const;
  // Appends the record: compresses `payload` with `compression` (stored when
  // that does not shrink it), completes fNbytes/fObjlen, writes header, `extra`
  // and payload. `header` must come from NewKey with nothing appended since.
  // With `list_in`, the key is listed in that directory.
  Status WriteKey(write::KeyHeader& header, std::span<const uint8_t> extra, std::span<const uint8_t> payload,
                  CompressionSetting compression, write::Directory* list_in);
  // The directory a tree lives in, and its fSeekDir (what its keys use as fSeekPdir).
  static int64_t SeekDir(const write::Directory* directory);
  uint32_t Datime() const { return datime_; }

 private:
  FileWriter(std::string path, int fd, CompressionSetting compression, FileWriterOptions options);

  Status Start();  // header placeholder + TFile key
  Result<write::Directory*> FindOrMakeDirectory(std::string_view path);
  // Checks `name` (a `what`: "tree", "RNTuple") and reserves it in `directory`
  // (created as needed); an error when that directory already has it.
  Result<write::Directory*> ClaimObjectName(std::string_view what, std::string_view name, std::string_view directory);
  Status Append(std::span<const uint8_t> bytes);
  Status Flush();
  Status WriteAt(int64_t offset, std::span<const uint8_t> bytes);  // after Flush(), in place
  Status WriteStreamerInfo(const std::set<std::string>& classes);
  Status WriteKeysList(write::Directory& directory);
  Status WriteFreeSegments();
  Status RewriteHeader();
  Status CloseImpl();

  std::string path_;
  int fd_ = -1;
  CompressionSetting compression_;
  FileWriterOptions options_;
  uint32_t datime_ = 0;
  uint8_t uuid_[16] = {};
  std::vector<uint8_t> pending_;  // appended bytes not yet written
  int64_t flushed_ = 0;           // bytes already handed to write(2)
  int64_t end_ = 0;
  bool closed_ = false;

  std::vector<std::unique_ptr<write::Directory>> directories_;  // [0] is the top directory
  std::vector<std::unique_ptr<TreeWriter>> trees_;
  std::vector<std::unique_ptr<RNTupleWriter>> rntuples_;
  int64_t seek_info_ = 0;    // fSeekInfo
  int32_t nbytes_info_ = 0;  // fNbytesInfo
  int64_t seek_free_ = 0;    // fSeekFree
  int32_t nbytes_free_ = 0;  // fNbytesFree
};

}  // namespace rootbatch
