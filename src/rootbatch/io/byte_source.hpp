// ByteSource: the physical layer. It reads bytes at offsets and knows nothing
// about what they mean. Implementations: a local file (pread), memory, and
// later XRootD.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"

namespace rootbatch {

// A stretch of a source: bytes [offset, offset + length).
struct ByteRange {
  int64_t offset = 0;
  int64_t length = 0;
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // The path or URL, used in every error message about this source.
  virtual const std::string& Name() const = 0;
  virtual int64_t Size() const = 0;

  // Fills `out` with the bytes at [offset, offset + out.size()). Safe to call
  // from several threads at once. A read that would pass the end of the
  // source fails with kCorrupt naming the offset; it never returns less.
  virtual Status ReadAt(int64_t offset, std::span<uint8_t> out) const = 0;

  // Convenience: allocates and returns the bytes.
  Result<std::vector<uint8_t>> Read(int64_t offset, int64_t length) const;

  // A hint: reads inside `ranges` (a block's baskets of every column it
  // reads) are coming. A remote source starts fetching them at once, in a
  // few coalesced requests, and returns a ticket (-1: nothing started, as
  // for local files); reads inside them, from any thread, then wait for the
  // fetch instead of asking the server. A fetch that fails leaves the reads
  // to go one by one and report their own errors.
  virtual int64_t Prefetch(std::span<const ByteRange> ranges) const {
    (void)ranges;
    return -1;
  }
  // Frees what the fetch `ticket` brought (its reads are done).
  virtual void DropPrefetched(int64_t ticket) const { (void)ticket; }
  // Whether Prefetch fetches (and holds, until DropPrefetched) the bytes of
  // the stretches CoalesceRanges makes of its ranges: the loader counts
  // them against its memory budget. False for local files.
  virtual bool FetchesAhead() const { return false; }

 protected:
  // Checks [offset, offset + length) against Size(); shared by implementations.
  Status CheckRange(int64_t offset, int64_t length) const;
};

// Ranges closer than this are fetched as one stretch, gap included: a round
// trip costs more than reading 64 KiB more.
inline constexpr int64_t kCoalesceGapBytes = int64_t{64} << 10;
// The stretches a prefetch of `ranges` holds: clipped to [0, size), sorted,
// merged where they overlap or lie less than `max_gap` bytes apart.
std::vector<ByteRange> CoalesceRanges(std::span<const ByteRange> ranges, int64_t size,
                                      int64_t max_gap = kCoalesceGapBytes);
// The bytes those stretches hold in all.
int64_t CoalescedBytes(std::span<const ByteRange> ranges, int64_t size, int64_t max_gap = kCoalesceGapBytes);

// Opens a local file for positional reads. NotFound / IOError name the path.
Result<std::unique_ptr<ByteSource>> OpenLocalFile(const std::string& path);

// root://host[:port]//path and roots://... (XRootD).
bool IsRemoteUrl(const std::string& path);
// Opens an XRootD URL (xrootd_source.cpp; remote_options.hpp says how it
// retries). Unsupported where rootbatch was built without the client
// (ROOTBATCH_WITH_XROOTD=OFF).
Result<std::unique_ptr<ByteSource>> OpenRemoteFile(const std::string& url);
// One entry of a remote directory.
struct RemoteEntry {
  std::string name;         // the entry's name, without the directory
  bool is_directory = false;
  int64_t size = -1;        // bytes; -1 where the server did not say
};
// Lists the directory an XRootD URL names (root://host//dir), sorted by name,
// where the server allows listings: NotFound for a missing directory, an
// IOError (EACCES) where the server denies it, Unsupported where it does not
// list or rootbatch was built without the client. Transient failures retry
// as reads do (remote_options.hpp).
Result<std::vector<RemoteEntry>> ListRemoteDirectory(const std::string& url);
// A local path or a remote URL: what every reader opens.
Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path_or_url);

// A source over bytes held in memory (tests, fuzzers, decompressed records).
std::unique_ptr<ByteSource> MakeMemorySource(std::string name, std::vector<uint8_t> bytes);

}  // namespace rootbatch
