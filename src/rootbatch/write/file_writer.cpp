#include "rootbatch/write/file_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>

#include "rootbatch/write/byte_writer.hpp"
#include "rootbatch/write/compress_slices.hpp"
#include "rootbatch/write/streamer_info.hpp"

namespace rootbatch {
namespace write {

// A directory being written: the top one (seek 100) or a subdirectory.
struct Directory {
  std::string name;   // file name for the top directory
  std::string title;
  std::string path;   // "" for the top, "a/b" below it
  Directory* parent = nullptr;
  int64_t seek_dir = 0;         // fSeekDir: where the directory's key starts
  int32_t nbytes_name = 0;      // fNbytesName: key header (+ the TFile strings for the top)
  int64_t record_position = 0;  // where its 60-byte record sits (fSeekDir + fNbytesName)
  int64_t seek_keys = 0;        // fSeekKeys
  int32_t nbytes_keys = 0;      // fNbytesKeys
  std::vector<std::vector<uint8_t>> key_headers;  // the keys it lists, as written
  std::set<std::string> names;  // names used by those keys
};

}  // namespace write

namespace {

using write::ByteWriter;
using write::Directory;
using write::KeyHeader;
using write::kStartBigFile;

constexpr int32_t kRootFileVersion = 63206;  // ROOT 6.32/06: what the header says wrote the file
constexpr int32_t kBigFileVersionOffset = 1000000;
constexpr int32_t kDirectoryRecordSize = 60;  // TDirectoryFile::Sizeof()
constexpr size_t kMinObjectCompressSize = 257;  // TKey compresses only objects over 256 bytes

std::string BaseName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The 60-byte directory record (ROOTIO-FORMAT.md §1.3); 64-bit seeks when any is beyond 2e9.
std::vector<uint8_t> DirectoryRecord(const Directory& d, uint32_t datime, const uint8_t uuid[16]) {
  const int64_t seek_parent = d.parent ? d.parent->seek_dir : 0;
  const bool large = d.seek_dir > kStartBigFile || seek_parent > kStartBigFile || d.seek_keys > kStartBigFile;
  ByteWriter out;
  out.PutI16(large ? 1005 : 5);  // fVersion
  out.PutU32(datime);            // fDatimeC
  out.PutU32(datime);            // fDatimeM
  out.PutI32(d.nbytes_keys);     // fNbytesKeys
  out.PutI32(d.nbytes_name);     // fNbytesName
  if (large) {
    out.PutI64(d.seek_dir);   // fSeekDir
    out.PutI64(seek_parent);  // fSeekParent
    out.PutI64(d.seek_keys);  // fSeekKeys
  } else {
    out.PutI32(static_cast<int32_t>(d.seek_dir));
    out.PutI32(static_cast<int32_t>(seek_parent));
    out.PutI32(static_cast<int32_t>(d.seek_keys));
  }
  out.PutU16(1);  // fUUID version
  out.PutBytes({uuid, 16});
  out.PutZeros(kDirectoryRecordSize - out.Size());  // room for the 64-bit form
  return out.Release();
}

Status ValidateObjectName(std::string_view what, std::string_view name) {
  if (name.empty()) return InvalidArgument(std::string(what) + " name is empty");
  for (char c : name) {
    if (c == '/' || c == ';' || c == '\0') {
      return InvalidArgument(std::string(what) + " name '" + std::string(name) + "' contains '" +
                             std::string(1, c) + "'");
    }
  }
  return Status::Ok();
}

}  // namespace

FileWriter::FileWriter(std::string path, int fd, CompressionSetting compression, FileWriterOptions options)
    : path_(std::move(path)), fd_(fd), compression_(compression), options_(std::move(options)) {
  const std::time_t now = options_.timestamp != 0 ? options_.timestamp : std::time(nullptr);
  datime_ = write::EncodeDatime(now);
  uint64_t state = options_.uuid_seed;
  if (state == 0) {
    state = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
            (static_cast<uint64_t>(getpid()) << 32) ^ std::hash<std::string>{}(path_);
  }
  const uint64_t a = SplitMix64(state);
  const uint64_t b = SplitMix64(state);
  std::memcpy(uuid_, &a, 8);
  std::memcpy(uuid_ + 8, &b, 8);
}

FileWriter::~FileWriter() {
  if (!closed_) (void)Close();
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<FileWriter>> FileWriter::Create(const std::string& path, CompressionSetting compression,
                                                       FileWriterOptions options) {
  if (compression.codec == Codec::kOldRoot) {
    return Unsupported("writing ROOT's old 'CS' compression is not supported").WithContext("file '" + path + "'");
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IOError("cannot create '" + path + "': " + std::strerror(errno));
  std::unique_ptr<FileWriter> file(new FileWriter(path, fd, compression, std::move(options)));
  RB_RETURN_IF_ERROR_CTX(file->Start(), "file '" + path + "'");
  return file;
}

Status FileWriter::Start() {
  // The header is rewritten at Close; until then the file starts with zeros.
  std::vector<uint8_t> header(write::kBegin, 0);
  RB_RETURN_IF_ERROR(Append(header));

  auto top = std::make_unique<Directory>();
  top->name = BaseName(path_);
  top->title = options_.title;
  top->seek_dir = write::kBegin;

  // The TFile key: its payload is the file's name and title, then the top
  // directory's record. fSeekPdir 0: it is no directory's key.
  KeyHeader key;
  key.class_name = "TFile";
  key.name = top->name;
  key.title = top->title;
  key.datime = datime_;
  key.seek_key = end_;
  key.seek_pdir = 0;
  key.keylen = static_cast<int16_t>(key.HeaderSize());
  top->nbytes_name =
      key.keylen + static_cast<int32_t>(write::TStringSize(top->name) + write::TStringSize(top->title));
  top->record_position = top->seek_dir + top->nbytes_name;

  ByteWriter payload;
  payload.PutTString(top->name);
  payload.PutTString(top->title);
  payload.PutBytes(DirectoryRecord(*top, datime_, uuid_));
  directories_.push_back(std::move(top));
  return WriteKey(key, {}, payload.Bytes(), CompressionSetting{Codec::kNone, 0}, nullptr);
}

int64_t FileWriter::SeekDir(const Directory* directory) { return directory->seek_dir; }

KeyHeader FileWriter::NewKey(std::string class_name, std::string name, std::string title,
                             const Directory* directory, int32_t extra_bytes, bool force_large) const {
  KeyHeader key;
  key.class_name = std::move(class_name);
  key.name = std::move(name);
  key.title = std::move(title);
  key.datime = datime_;
  key.seek_key = end_;
  key.seek_pdir = directory ? directory->seek_dir : write::kBegin;
  if (force_large || end_ > kStartBigFile) key.version += write::kLargeKeyOffset;
  key.keylen = static_cast<int16_t>(key.HeaderSize() + extra_bytes);
  return key;
}

Status FileWriter::WriteKey(KeyHeader& header, std::span<const uint8_t> extra, std::span<const uint8_t> payload,
                            CompressionSetting compression, Directory* list_in) {
  if (header.seek_key != end_) {
    return Internal("key '" + header.name + "' was prepared for byte " + std::to_string(header.seek_key) +
                    " but the file ends at " + std::to_string(end_));
  }
  if (payload.size() > static_cast<size_t>(INT32_MAX - header.keylen)) {
    return InvalidArgument("record '" + header.name + "' is larger than 2 GiB");
  }
  // Baskets are compressed whatever their size; other objects only above 256 bytes.
  const bool is_basket = header.class_name == "TBasket";
  std::vector<uint8_t> compressed;
  std::span<const uint8_t> stored = payload;
  if (compression.codec != Codec::kNone && compression.level > 0 &&
      (is_basket || payload.size() >= kMinObjectCompressSize)) {
    RB_ASSIGN_OR_RETURN_CTX(compressed, write::CompressInSlices(payload, compression), "record '" + header.name + "'");
    if (!compressed.empty() && compressed.size() < payload.size()) stored = compressed;
  }
  header.objlen = static_cast<int32_t>(payload.size());
  header.nbytes = header.keylen + static_cast<int32_t>(stored.size());

  ByteWriter head;
  head.Reserve(static_cast<size_t>(header.keylen));
  header.Serialize(head);
  head.PutBytes(extra);
  if (head.Size() != static_cast<size_t>(header.keylen)) {
    return Internal("key '" + header.name + "' header is " + std::to_string(head.Size()) +
                    " bytes, fKeylen says " + std::to_string(header.keylen));
  }
  RB_RETURN_IF_ERROR(Append(head.Bytes()));
  RB_RETURN_IF_ERROR(Append(stored));
  if (list_in != nullptr) {
    ByteWriter listed;
    header.Serialize(listed);
    list_in->key_headers.push_back(listed.Release());
    list_in->names.insert(header.name);
  }
  return Status::Ok();
}

Status FileWriter::Append(std::span<const uint8_t> bytes) {
  pending_.insert(pending_.end(), bytes.begin(), bytes.end());
  end_ += static_cast<int64_t>(bytes.size());
  if (pending_.size() >= options_.write_buffer_size) return Flush();
  return Status::Ok();
}

Status FileWriter::Flush() {
  size_t done = 0;
  while (done < pending_.size()) {
    const ssize_t n = ::write(fd_, pending_.data() + done, pending_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IOError("writing '" + path_ + "' at byte " + std::to_string(flushed_ + static_cast<int64_t>(done)) +
                     ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  flushed_ += static_cast<int64_t>(pending_.size());
  pending_.clear();
  return Status::Ok();
}

Status FileWriter::WriteAt(int64_t offset, std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, offset + static_cast<int64_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IOError("rewriting '" + path_ + "' at byte " + std::to_string(offset) + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Result<Directory*> FileWriter::FindOrMakeDirectory(std::string_view path) {
  Directory* current = directories_.front().get();
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view part = path.substr(start, slash - start);
    start = slash + 1;
    if (part.empty()) continue;  // "a//b", leading or trailing '/'
    RB_RETURN_IF_ERROR(ValidateObjectName("directory", part));
    Directory* found = nullptr;
    for (auto& d : directories_) {
      if (d->parent == current && d->name == part) found = d.get();
    }
    if (found == nullptr) {
      if (current->names.count(std::string(part))) {
        return InvalidArgument("'" + std::string(part) + "' already names another object in that directory");
      }
      auto dir = std::make_unique<Directory>();
      dir->name = std::string(part);
      dir->title = std::string(part);
      dir->path = current->path.empty() ? dir->name : current->path + "/" + dir->name;
      dir->parent = current;
      KeyHeader key = NewKey("TDirectory", dir->name, dir->title, current);
      dir->seek_dir = key.seek_key;
      dir->nbytes_name = key.keylen;
      dir->record_position = key.seek_key + key.keylen;
      // Written now with no keys; the record is rewritten at Close.
      const std::vector<uint8_t> record = DirectoryRecord(*dir, datime_, uuid_);
      RB_RETURN_IF_ERROR(WriteKey(key, {}, record, CompressionSetting{Codec::kNone, 0}, current));
      found = dir.get();
      directories_.push_back(std::move(dir));
    }
    current = found;
  }
  return current;
}

Result<Directory*> FileWriter::ClaimObjectName(std::string_view what, std::string_view name,
                                               std::string_view directory) {
  RB_RETURN_IF_ERROR(ValidateObjectName(what, name));
  RB_ASSIGN_OR_RETURN(Directory * dir, FindOrMakeDirectory(directory));
  // A tree's or an RNTuple's name is claimed here, a subdirectory's when its key is written.
  if (dir->names.count(std::string(name))) {
    return InvalidArgument("'" + std::string(name) + "' already names an object in " +
                           (dir->path.empty() ? std::string("the top directory") : "directory '" + dir->path + "'"));
  }
  dir->names.insert(std::string(name));
  return dir;
}

Result<TreeWriter*> FileWriter::MakeTree(std::string_view name, std::string_view title, std::string_view directory,
                                         TreeWriterOptions options) {
  const std::string context = "file '" + path_ + "'";
  if (closed_) return InvalidArgument("the file is closed").WithContext(context);
  if (options.basket_size < 64 || options.basket_size > (1 << 30)) {
    return InvalidArgument("basket size " + std::to_string(options.basket_size) + " is outside [64, 1 GiB]")
        .WithContext(context);
  }
  if (options.cluster_size <= 0) {
    return InvalidArgument("cluster size must be positive, got " + std::to_string(options.cluster_size))
        .WithContext(context);
  }
  if (options.compression && options.compression->codec == Codec::kOldRoot) {
    return Unsupported("writing ROOT's old 'CS' compression is not supported").WithContext(context);
  }
  RB_ASSIGN_OR_RETURN_CTX(Directory * dir, ClaimObjectName("tree", name, directory), context);
  trees_.push_back(std::unique_ptr<TreeWriter>(
      new TreeWriter(this, dir, std::string(name), std::string(title), options)));
  return trees_.back().get();
}

Result<RNTupleWriter*> FileWriter::MakeRNTuple(std::string_view name, std::string_view directory,
                                              RNTupleWriterOptions options) {
  const std::string context = "file '" + path_ + "'";
  if (closed_) return InvalidArgument("the file is closed").WithContext(context);
  if (options.cluster_size <= 0) {
    return InvalidArgument("cluster size must be positive, got " + std::to_string(options.cluster_size))
        .WithContext(context);
  }
  if (options.page_size < 1 || options.page_size > (int64_t{1} << 30)) {
    return InvalidArgument("page size " + std::to_string(options.page_size) + " is outside [1, 1 GiB]")
        .WithContext(context);
  }
  if (options.clusters_per_group < 0) {
    return InvalidArgument("clusters per group must be >= 0, got " + std::to_string(options.clusters_per_group))
        .WithContext(context);
  }
  const CompressionSetting compression = options.compression.value_or(compression_);
  if (compression.codec == Codec::kOldRoot) {
    return Unsupported("writing ROOT's old 'CS' compression is not supported").WithContext(context);
  }
  RB_ASSIGN_OR_RETURN_CTX(Directory * dir, ClaimObjectName("RNTuple", name, directory), context);
  rntuples_.push_back(std::unique_ptr<RNTupleWriter>(
      new RNTupleWriter(this, dir, std::string(name), std::move(options), compression)));
  return rntuples_.back().get();
}

Status FileWriter::WriteStreamerInfo(const std::set<std::string>& classes) {
  KeyHeader key = NewKey("TList", "StreamerInfo", "Doubly linked list", directories_.front().get());
  const std::vector<uint8_t> payload = write::BuildStreamerInfoList(classes, key.keylen);
  RB_RETURN_IF_ERROR(WriteKey(key, {}, payload, compression_, nullptr));
  seek_info_ = key.seek_key;
  nbytes_info_ = key.nbytes;
  return Status::Ok();
}

Status FileWriter::WriteKeysList(Directory& directory) {
  // ROOT names the top directory's keys list after the file, class "TFile".
  KeyHeader key = NewKey(directory.parent ? "TDirectory" : "TFile", directory.name, directory.title, &directory);
  ByteWriter payload;
  payload.PutI32(static_cast<int32_t>(directory.key_headers.size()));
  for (const auto& header : directory.key_headers) payload.PutBytes(header);
  RB_RETURN_IF_ERROR(WriteKey(key, {}, payload.Bytes(), CompressionSetting{Codec::kNone, 0}, nullptr));
  directory.seek_keys = key.seek_key;
  directory.nbytes_keys = key.nbytes;
  return Status::Ok();
}

Status FileWriter::WriteFreeSegments() {
  // One free segment: from the end of this record to "infinity" (2e9, moved
  // up in 1e9 steps past a large file's end, as TFree::GetBestFree does).
  const Directory& top = *directories_.front();
  KeyHeader key = NewKey("TFile", top.name, top.title, &top);
  int64_t first = key.seek_key + key.keylen + 10;
  bool large = first > kStartBigFile;
  if (large) first = key.seek_key + key.keylen + 18;
  int64_t last = kStartBigFile;
  while (last < first) last += 1000000000;
  ByteWriter payload;
  payload.PutI16(large ? 1001 : 1);  // TFree version
  if (large) {
    payload.PutI64(first);
    payload.PutI64(last);
  } else {
    payload.PutI32(static_cast<int32_t>(first));
    payload.PutI32(static_cast<int32_t>(last));
  }
  RB_RETURN_IF_ERROR(WriteKey(key, {}, payload.Bytes(), CompressionSetting{Codec::kNone, 0}, nullptr));
  seek_free_ = key.seek_key;
  nbytes_free_ = key.nbytes;
  if (end_ != first) return Internal("free segment starts at " + std::to_string(first) + ", file ends at " + std::to_string(end_));
  return Status::Ok();
}

Status FileWriter::RewriteHeader() {
  const Directory& top = *directories_.front();
  const bool large = end_ > kStartBigFile;
  ByteWriter h;
  h.PutBytes({reinterpret_cast<const uint8_t*>("root"), 4});
  h.PutI32(kRootFileVersion + (large ? kBigFileVersionOffset : 0));  // fVersion
  h.PutI32(static_cast<int32_t>(write::kBegin));                    // fBEGIN
  if (large) {
    h.PutI64(end_);        // fEND
    h.PutI64(seek_free_);  // fSeekFree
  } else {
    h.PutI32(static_cast<int32_t>(end_));
    h.PutI32(static_cast<int32_t>(seek_free_));
  }
  h.PutI32(nbytes_free_);      // fNbytesFree
  h.PutI32(1);                 // nfree
  h.PutI32(top.nbytes_name);   // fNbytesName
  h.PutU8(large ? 8 : 4);      // fUnits
  h.PutI32(compression_.ToRoot());  // fCompress
  if (large) {
    h.PutI64(seek_info_);  // fSeekInfo
  } else {
    h.PutI32(static_cast<int32_t>(seek_info_));
  }
  h.PutI32(nbytes_info_);  // fNbytesInfo
  h.PutU16(1);             // fUUID version
  h.PutBytes({uuid_, 16});
  h.PutZeros(write::kBegin - h.Size());
  return WriteAt(0, h.Bytes());
}

Status FileWriter::Close() {
  if (closed_) return Status::Ok();
  closed_ = true;
  return CloseImpl().WithContext("closing file '" + path_ + "'");
}

Status FileWriter::CloseImpl() {
  // The TTree classes are described only when the file has a tree (an
  // RNTuple-only file lists just ROOT::RNTuple, as ROOT's do).
  std::set<std::string> classes;
  if (!trees_.empty()) classes = write::CoreStreamerClasses();
  for (auto& tree : trees_) {
    RB_RETURN_IF_ERROR(tree->Finish());
    tree->CollectStreamerClasses(classes);
  }
  for (auto& ntuple : rntuples_) {
    RB_RETURN_IF_ERROR(ntuple->Finish());
    ntuple->CollectStreamerClasses(classes);
  }
  RB_RETURN_IF_ERROR(WriteStreamerInfo(classes));
  for (auto& d : directories_) RB_RETURN_IF_ERROR(WriteKeysList(*d));
  RB_RETURN_IF_ERROR(WriteFreeSegments());
  RB_RETURN_IF_ERROR(Flush());
  for (const auto& d : directories_) {
    RB_RETURN_IF_ERROR(WriteAt(d->record_position, DirectoryRecord(*d, datime_, uuid_)));
  }
  RB_RETURN_IF_ERROR(RewriteHeader());
  trees_.clear();
  rntuples_.clear();
  if (::close(fd_) != 0) {
    fd_ = -1;
    return IOError(std::string("close failed: ") + std::strerror(errno));
  }
  fd_ = -1;
  return Status::Ok();
}

}  // namespace rootbatch
