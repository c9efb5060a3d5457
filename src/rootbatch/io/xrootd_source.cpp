// root:// and roots:// URLs through the XRootD client library (XrdCl).
//
// Fork: the client's threads and connections do not survive a fork. The
// client is told to run its fork handlers (XRD_RUNFORKHANDLER, set before
// its first use), and each source opens its file in the process that reads:
// a handle opened before a fork is abandoned in the child (not closed:
// closing it would act on the parent's connection) and the child opens its
// own. So a loader built in a parent works in forked DataLoader workers.
//
// Faults: a read that fails on the connection (socket errors, a server that
// went away, a timed-out request) drops the handle and retries with a fresh
// one after an exponential backoff, within a budget of attempts
// (ROOTBATCH_XROOTD_RETRIES, default 5; backoff 0.25 s doubling up to 4 s)
// and a timeout per request (ROOTBATCH_XROOTD_TIMEOUT seconds, default 30).
// A server that answers with an error (no such file, permission) fails at
// once. Every error names the URL and what was being read.
#include <unistd.h>

#include <XrdCl/XrdClDefaultEnv.hh>
#include <XrdCl/XrdClEnv.hh>
#include <XrdCl/XrdClFile.hh>
#include <XProtocol/XProtocol.hh>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "rootbatch/io/byte_source.hpp"
#include "rootbatch/io/remote_options.hpp"

namespace rootbatch {
namespace {

// One request reads at most this much (the protocol's size field is 32 bits,
// and a smaller request keeps a retry cheap).
constexpr uint32_t kMaxRequestBytes = 8u << 20;
// Vector reads: the server takes at most 1024 chunks of at most 2,097,136
// bytes in one request, and the client does not split larger ones (it
// fails with misleading errors): split here.
constexpr int64_t kMaxChunkBytes = 2'097'136;
constexpr size_t kMaxChunksPerRequest = 1024;
// Ranges closer than this are fetched as one stretch, gap included: a
// round trip costs more than reading 64 KiB more.
constexpr int64_t kMergeGapBytes = int64_t{64} << 10;

std::atomic<int64_t> g_reads{0};
std::atomic<int64_t> g_vector_reads{0};
std::atomic<int64_t> g_chunks{0};
std::atomic<int64_t> g_bytes{0};

// What Prefetch fetched, per thread: contiguous stretches of one source.
struct Fetched {
  int64_t offset = 0;
  std::vector<uint8_t> bytes;
};
struct PrefetchCache {
  const void* owner = nullptr;
  std::vector<Fetched> stretches;  // by offset
};
thread_local PrefetchCache t_cache;

void StartClientOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    setenv("XRD_RUNFORKHANDLER", "1", /*overwrite=*/0);
    XrdCl::Env* env = XrdCl::DefaultEnv::GetEnv();
    // The client's own reconnection loop would wait minutes before an error
    // (its defaults); rootbatch retries itself, within its stated budget.
    // Values the user set (XRD_* variables) win: PutInt keeps them.
    env->PutInt("ConnectionRetry", 1);
    env->PutInt("ConnectionWindow", std::max(1, RemoteOptionsFromEnv().timeout_seconds / 3));
    env->PutInt("RequestTimeout", RemoteOptionsFromEnv().timeout_seconds);
    env->PutInt("StreamErrorWindow", 0);
  });
}

// Errors worth a retry with a fresh connection: the link or the server, not
// the request.
bool Transient(const XrdCl::XRootDStatus& status) {
  if (XrdCl::Status::IsSocketError(status.code)) return true;
  switch (status.code) {
    case XrdCl::errRetry:
    case XrdCl::errOperationExpired:
    case XrdCl::errOperationInterrupted:
    case XrdCl::errInvalidSession:
    case XrdCl::errRedirectLimit:
      return true;
    case XrdCl::errErrorResponse:
      return status.errNo == kXR_ServerError || status.errNo == kXR_Overloaded || status.errNo == kXR_noserver;
    default:
      return false;
  }
}

Status FromClient(const XrdCl::XRootDStatus& status, const std::string& what, const std::string& url) {
  std::string text = what + ": " + status.ToString();
  if (status.code == XrdCl::errErrorResponse && status.errNo == kXR_NotFound) {
    return NotFound(what + ": no such file on the server (" + status.ToString() + ")").WithPath(url).WithErrno(ENOENT);
  }
  return IOError(text).WithPath(url);
}

class XRootDSource final : public ByteSource {
 public:
  XRootDSource(std::string url, int64_t size, std::shared_ptr<XrdCl::File> file, RemoteOptions options)
      : url_(std::move(url)), size_(size), options_(options), file_(std::move(file)), pid_(getpid()) {}
  ~XRootDSource() override {
    if (file_ && pid_ == getpid() && file_->IsOpen()) (void)file_->Close(1);
  }

  const std::string& Name() const override { return url_; }
  int64_t Size() const override { return size_; }

  Status ReadAt(int64_t offset, std::span<uint8_t> out) const override {
    RB_RETURN_IF_ERROR(CheckRange(offset, static_cast<int64_t>(out.size())));
    if (t_cache.owner == this && FromPrefetched(offset, out)) return Status::Ok();
    for (size_t done = 0; done < out.size();) {
      const auto length = static_cast<uint32_t>(std::min<size_t>(out.size() - done, kMaxRequestBytes));
      RB_RETURN_IF_ERROR(ReadRequest(offset + static_cast<int64_t>(done), out.subspan(done, length)));
      done += length;
    }
    return Status::Ok();
  }

  Status Prefetch(std::span<const ByteRange> ranges) const override;
  void DropPrefetched() const override {
    if (t_cache.owner == this) t_cache = PrefetchCache();
  }

 private:
  bool FromPrefetched(int64_t offset, std::span<uint8_t> out) const {
    const auto& stretches = t_cache.stretches;
    auto it = std::upper_bound(stretches.begin(), stretches.end(), offset,
                               [](int64_t at, const Fetched& f) { return at < f.offset; });
    if (it == stretches.begin()) return false;
    --it;
    const int64_t end = it->offset + static_cast<int64_t>(it->bytes.size());
    if (offset + static_cast<int64_t>(out.size()) > end) return false;
    std::copy_n(it->bytes.data() + (offset - it->offset), out.size(), out.data());
    return true;
  }
  // Runs `request` on this process's handle, retrying transient failures
  // with a fresh handle after a backoff, within the budget; `what` says
  // what was asked for, in the errors.
  template <typename Request>
  Status WithRetries(const std::string& what, int64_t offset, Request request) const;

  // The file open in this process: the one opened here, or a fresh one
  // after a fork or after a failed read dropped it.
  Result<std::shared_ptr<XrdCl::File>> Handle() const {
    std::lock_guard lock(mutex_);
    if (pid_ != getpid()) {
      new std::shared_ptr<XrdCl::File>(std::move(file_));  // abandoned: it belongs to the parent
      file_.reset();
      pid_ = getpid();
    }
    if (!file_) {
      auto file = std::make_shared<XrdCl::File>();
      const XrdCl::XRootDStatus status =
          file->Open(url_, XrdCl::OpenFlags::Read, XrdCl::Access::None, static_cast<uint16_t>(options_.timeout_seconds));
      if (!status.IsOK()) return FromClient(status, "cannot reopen '" + url_ + "'", url_);
      file_ = std::move(file);
    }
    return file_;
  }
  void Drop(const std::shared_ptr<XrdCl::File>& failed) const {
    std::lock_guard lock(mutex_);
    if (file_ == failed) file_.reset();  // another thread may have replaced it already
  }

  Status ReadRequest(int64_t offset, std::span<uint8_t> out) const {
    const std::string what =
        "reading " + std::to_string(out.size()) + " bytes at byte " + std::to_string(offset) + " of '" + url_ + "'";
    return WithRetries(what, offset, [&](XrdCl::File& file) -> Result<bool> {
      uint32_t got = 0;
      const XrdCl::XRootDStatus status = file.Read(static_cast<uint64_t>(offset), static_cast<uint32_t>(out.size()),
                                                   out.data(), got, static_cast<uint16_t>(options_.timeout_seconds));
      ++g_reads;
      if (!status.IsOK()) return Status(FromStatus(status));
      if (got != out.size()) {
        return IOError(what + ": the server sent " + std::to_string(got) + " bytes (the file shrank?)").WithPath(url_);
      }
      g_bytes += got;
      return true;
    });
  }

  // The client's status as a Status; TransientError marks those worth a retry.
  Status FromStatus(const XrdCl::XRootDStatus& status) const {
    Status out = FromClient(status, "the server answered", url_);
    return Transient(status) ? Status(StatusCode::kIOError, kTransientMark + out.Message()) : out;
  }
  static constexpr const char* kTransientMark = "(transient) ";

  std::string url_;
  int64_t size_;
  RemoteOptions options_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<XrdCl::File> file_;  // guarded by mutex_
  mutable pid_t pid_;                          // the process file_ was opened in; guarded by mutex_
};

template <typename Request>
Status XRootDSource::WithRetries(const std::string& what, int64_t offset, Request request) const {
  const auto start = std::chrono::steady_clock::now();
  double backoff = options_.first_backoff_seconds;
  std::string cause;
  int attempt = 0;
  for (; attempt <= options_.retries; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(backoff));
      backoff = std::min(backoff * 2, options_.max_backoff_seconds);
    }
    auto handle = Handle();
    if (!handle.IsOk()) {
      if (handle.status().Code() == StatusCode::kNotFound) {  // removed from the server: no retry helps
        return NotFound(what + ": the file is no longer on the server (" + handle.status().Message() + ")")
            .WithPath(url_)
            .WithOffset(offset)
            .WithErrno(ENOENT);
      }
      cause = handle.status().Message();
      continue;
    }
    Result<bool> done = request(**handle);
    if (done.IsOk()) return Status::Ok();
    const std::string& message = done.status().Message();
    if (message.rfind(kTransientMark, 0) != 0) {
      return Status(done.status().Code(), what + ": " + message).WithPath(url_).WithOffset(offset);
    }
    cause = message.substr(std::string_view(kTransientMark).size());
    Drop(*handle);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char waited[32];
  std::snprintf(waited, sizeof(waited), "%.1f", seconds);
  return IOError(what + " failed " + std::to_string(attempt) + " times over " + waited +
                 " s (ROOTBATCH_XROOTD_RETRIES=" + std::to_string(options_.retries) + "): " + cause)
      .WithPath(url_)
      .WithOffset(offset);
}

Status XRootDSource::Prefetch(std::span<const ByteRange> ranges) const {
  DropPrefetched();
  // Stretches: the ranges in order, merged across small gaps.
  std::vector<ByteRange> sorted;
  for (const ByteRange& r : ranges) {
    const int64_t begin = std::clamp<int64_t>(r.offset, 0, size_);
    const int64_t end = std::clamp<int64_t>(r.offset + std::max<int64_t>(r.length, 0), 0, size_);
    if (end > begin) sorted.push_back({begin, end - begin});
  }
  if (sorted.empty()) return Status::Ok();
  std::sort(sorted.begin(), sorted.end(), [](const ByteRange& a, const ByteRange& b) { return a.offset < b.offset; });
  std::vector<Fetched> stretches;
  int64_t begin = sorted[0].offset, end = sorted[0].offset + sorted[0].length;
  auto close = [&] {
    Fetched f;
    f.offset = begin;
    f.bytes.resize(static_cast<size_t>(end - begin));
    stretches.push_back(std::move(f));
  };
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].offset <= end + kMergeGapBytes) {
      end = std::max(end, sorted[i].offset + sorted[i].length);
    } else {
      close();
      begin = sorted[i].offset;
      end = sorted[i].offset + sorted[i].length;
    }
  }
  close();
  // Chunks of at most kMaxChunkBytes into the stretches, 1024 per request.
  XrdCl::ChunkList chunks;
  for (Fetched& f : stretches) {
    for (int64_t at = 0; at < static_cast<int64_t>(f.bytes.size()); at += kMaxChunkBytes) {
      const int64_t length = std::min<int64_t>(kMaxChunkBytes, static_cast<int64_t>(f.bytes.size()) - at);
      chunks.emplace_back(static_cast<uint64_t>(f.offset + at), static_cast<uint32_t>(length), f.bytes.data() + at);
    }
  }
  for (size_t first = 0; first < chunks.size(); first += kMaxChunksPerRequest) {
    XrdCl::ChunkList part(chunks.begin() + static_cast<std::ptrdiff_t>(first),
                          chunks.begin() + static_cast<std::ptrdiff_t>(std::min(chunks.size(), first + kMaxChunksPerRequest)));
    const std::string what = "a vector read of " + std::to_string(part.size()) + " chunks from byte " +
                             std::to_string(part.front().offset) + " of '" + url_ + "'";
    RB_RETURN_IF_ERROR(WithRetries(what, static_cast<int64_t>(part.front().offset), [&](XrdCl::File& file) -> Result<bool> {
      XrdCl::VectorReadInfo* info = nullptr;
      const XrdCl::XRootDStatus status = file.VectorRead(part, nullptr, info, static_cast<uint16_t>(options_.timeout_seconds));
      std::unique_ptr<XrdCl::VectorReadInfo> owned(info);
      ++g_vector_reads;
      if (!status.IsOK()) return Status(FromStatus(status));
      g_chunks += static_cast<int64_t>(part.size());
      if (owned) g_bytes += owned->GetSize();
      return true;
    }));
  }
  t_cache.owner = this;
  t_cache.stretches = std::move(stretches);
  return Status::Ok();
}

}  // namespace

RemoteRequestCounts RemoteRequests() {
  return {g_reads.load(), g_vector_reads.load(), g_chunks.load(), g_bytes.load()};
}

Result<std::unique_ptr<ByteSource>> OpenRemoteFile(const std::string& url) {
  StartClientOnce();
  const RemoteOptions options = RemoteOptionsFromEnv();
  auto file = std::make_shared<XrdCl::File>();
  XrdCl::XRootDStatus status =
      file->Open(url, XrdCl::OpenFlags::Read, XrdCl::Access::None, static_cast<uint16_t>(options.timeout_seconds));
  if (!status.IsOK()) return FromClient(status, "cannot open '" + url + "'", url);
  XrdCl::StatInfo* info = nullptr;
  status = file->Stat(false, info, static_cast<uint16_t>(options.timeout_seconds));
  std::unique_ptr<XrdCl::StatInfo> owned(info);
  if (!status.IsOK() || !owned) return FromClient(status, "cannot stat '" + url + "'", url);
  if (owned->TestFlags(XrdCl::StatInfo::IsDir)) return IOError("'" + url + "' is a directory, not a file").WithPath(url);
  return std::unique_ptr<ByteSource>(
      new XRootDSource(url, static_cast<int64_t>(owned->GetSize()), std::move(file), options));
}

}  // namespace rootbatch
