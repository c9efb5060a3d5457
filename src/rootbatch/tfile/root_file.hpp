// RootFile: an open ROOT file: its header, its directory tree, its records.
//
// Opening reads the header and every directory's key list (small), nothing
// else. Payloads are read on request. A RootFile is immutable after Open and
// safe to use from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/io/byte_source.hpp"
#include "rootbatch/tfile/directory.hpp"
#include "rootbatch/tfile/file_header.hpp"
#include "rootbatch/tfile/key.hpp"
#include "rootbatch/tfile/streamer_info.hpp"

namespace rootbatch {

// A key with the directory path it lives in.
struct KeyEntry {
  std::string path;  // "dir/sub/name"
  const KeyHeader* key;
};

class RootFile {
 public:
  // Opens a local path. Errors name the path.
  static Result<std::shared_ptr<RootFile>> Open(const std::string& path);
  static Result<std::shared_ptr<RootFile>> Open(std::unique_ptr<ByteSource> source);

  const std::string& Name() const { return source_->Name(); }
  const ByteSource& Source() const { return *source_; }
  const FileHeader& Header() const { return header_; }
  const Directory& Top() const { return *top_; }

  // Every key in every directory, depth first, in file order.
  std::vector<KeyEntry> AllKeys() const;

  // Finds "dir/sub/name" or "dir/sub/name;cycle" (the highest cycle by
  // default). NotFound lists the keys of the directory that was searched.
  Result<const KeyHeader*> FindKey(std::string_view path) const;

  // The payload of `key`, decompressed: exactly fObjlen bytes.
  Result<std::vector<uint8_t>> ReadPayload(const KeyHeader& key) const;

  // The file's StreamerInfo list, parsed once on first use.
  Result<const StreamerInfoList*> StreamerInfos() const;

 private:
  RootFile() = default;

  std::unique_ptr<ByteSource> source_;
  FileHeader header_;
  std::unique_ptr<Directory> top_;

  mutable std::once_flag streamers_once_;
  mutable Result<StreamerInfoList> streamers_{Status(StatusCode::kInternal, "not loaded")};
};

}  // namespace rootbatch
