#include "rootbatch/io/byte_source.hpp"

#include <algorithm>
#include <cstring>

#include "rootbatch/io/remote_options.hpp"

namespace rootbatch {

Result<std::vector<uint8_t>> ByteSource::Read(int64_t offset, int64_t length) const {
  RB_RETURN_IF_ERROR(CheckRange(offset, length));
  std::vector<uint8_t> bytes(static_cast<size_t>(length));
  RB_RETURN_IF_ERROR(ReadAt(offset, bytes));
  return bytes;
}

Status ByteSource::CheckRange(int64_t offset, int64_t length) const {
  if (offset < 0 || length < 0 || offset > Size() || length > Size() - offset) {
    return Corrupt("read of " + std::to_string(length) + " bytes at byte " + std::to_string(offset) +
                   " passes the end of '" + Name() + "' (" + std::to_string(Size()) +
                   " bytes); the file is truncated or an offset in it is wrong")
        .WithPath(Name())
        .WithOffset(offset);
  }
  return Status::Ok();
}

namespace {

class MemorySource final : public ByteSource {
 public:
  MemorySource(std::string name, std::vector<uint8_t> bytes)
      : name_(std::move(name)), bytes_(std::move(bytes)) {}

  const std::string& Name() const override { return name_; }
  int64_t Size() const override { return static_cast<int64_t>(bytes_.size()); }

  Status ReadAt(int64_t offset, std::span<uint8_t> out) const override {
    RB_RETURN_IF_ERROR(CheckRange(offset, static_cast<int64_t>(out.size())));
    if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return Status::Ok();
  }

 private:
  std::string name_;
  std::vector<uint8_t> bytes_;
};

}  // namespace

std::unique_ptr<ByteSource> MakeMemorySource(std::string name, std::vector<uint8_t> bytes) {
  return std::make_unique<MemorySource>(std::move(name), std::move(bytes));
}

std::vector<ByteRange> CoalesceRanges(std::span<const ByteRange> ranges, int64_t size, int64_t max_gap) {
  std::vector<ByteRange> sorted;
  sorted.reserve(ranges.size());
  for (const ByteRange& r : ranges) {
    const int64_t begin = std::clamp<int64_t>(r.offset, 0, size);
    const int64_t end = std::clamp<int64_t>(r.offset + std::max<int64_t>(r.length, 0), 0, size);
    if (end > begin) sorted.push_back({begin, end - begin});
  }
  std::sort(sorted.begin(), sorted.end(), [](const ByteRange& a, const ByteRange& b) { return a.offset < b.offset; });
  std::vector<ByteRange> stretches;
  for (const ByteRange& r : sorted) {
    if (!stretches.empty() && r.offset <= stretches.back().offset + stretches.back().length + max_gap) {
      ByteRange& last = stretches.back();
      last.length = std::max(last.offset + last.length, r.offset + r.length) - last.offset;
    } else {
      stretches.push_back(r);
    }
  }
  return stretches;
}

int64_t CoalescedBytes(std::span<const ByteRange> ranges, int64_t size, int64_t max_gap) {
  int64_t bytes = 0;
  for (const ByteRange& stretch : CoalesceRanges(ranges, size, max_gap)) bytes += stretch.length;
  return bytes;
}

bool IsRemoteUrl(const std::string& path) { return path.rfind("root://", 0) == 0 || path.rfind("roots://", 0) == 0; }

Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path_or_url) {
  if (IsRemoteUrl(path_or_url)) return OpenRemoteFile(path_or_url);
  return OpenLocalFile(path_or_url);
}

#if !defined(ROOTBATCH_HAVE_XROOTD)
RemoteRequestCounts RemoteRequests() { return {}; }

Result<std::unique_ptr<ByteSource>> OpenRemoteFile(const std::string& url) {
  return Unsupported("cannot open '" + url + "': rootbatch was built without the XRootD client (configure with "
                     "-DROOTBATCH_WITH_XROOTD=ON where libxrootd-client-dev is installed)")
      .WithPath(url);
}

Result<std::vector<RemoteEntry>> ListRemoteDirectory(const std::string& url) {
  return Unsupported("cannot list '" + url + "': rootbatch was built without the XRootD client (configure with "
                     "-DROOTBATCH_WITH_XROOTD=ON where libxrootd-client-dev is installed)")
      .WithPath(url);
}
#endif

}  // namespace rootbatch
