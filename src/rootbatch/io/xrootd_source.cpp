// root:// and roots:// URLs through the XRootD client library (XrdCl).
//
// Fork: the client's threads and connections do not survive a fork. The
// client's fork handler runs from rootbatch's (xrootd_fork.cpp), and each
// source opens its file in the process that reads:
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

#include <XrdCl/XrdClFile.hh>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "rootbatch/io/byte_source.hpp"
#include "rootbatch/io/remote_options.hpp"
#include "rootbatch/io/xrootd_client.hpp"

namespace rootbatch {
namespace {

using xrootd::FromClient;
using xrootd::OpenWithDeadline;
using xrootd::StartClientOnce;
using xrootd::Transient;

// One request reads at most this much (the protocol's size field is 32 bits,
// and a smaller request keeps a retry cheap).
constexpr uint32_t kMaxRequestBytes = 8u << 20;
// Vector reads: the server takes at most 1024 chunks of at most 2,097,136
// bytes in one request, and the client does not split larger ones (it
// fails with misleading errors): split here.
constexpr int64_t kMaxChunkBytes = 2'097'136;
constexpr size_t kMaxChunksPerRequest = 1024;

std::atomic<int64_t> g_reads{0};
std::atomic<int64_t> g_vector_reads{0};
std::atomic<int64_t> g_chunks{0};
std::atomic<int64_t> g_bytes{0};

// One Prefetch: contiguous stretches of the file, filled by asynchronous
// vector reads. `mutex` guards outstanding and failed; the stretches'
// bytes are written by the client's threads before the last completion
// and read only after it.
struct Fetched {
  int64_t offset = 0;
  int64_t size = 0;
  std::unique_ptr<uint8_t[]> bytes;  // left uninitialised: the reads write every byte
};
struct Fetch {
  std::vector<Fetched> stretches;  // by offset
  std::shared_ptr<XrdCl::File> file;  // alive until every answer came
  std::mutex mutex;
  std::condition_variable done;
  int outstanding = 0;
  bool failed = false;
};

// Completion of one vector read of a Fetch (the client deletes nothing: we do).
class FetchHandler final : public XrdCl::ResponseHandler {
 public:
  explicit FetchHandler(std::shared_ptr<Fetch> fetch) : fetch_(std::move(fetch)) {}
  void HandleResponse(XrdCl::XRootDStatus* status, XrdCl::AnyObject* response) override {
    const bool ok = status != nullptr && status->IsOK();
    delete status;
    delete response;
    ++g_vector_reads;
    {
      std::lock_guard lock(fetch_->mutex);
      if (!ok) fetch_->failed = true;
      --fetch_->outstanding;
    }
    fetch_->done.notify_all();
    delete this;
  }

 private:
  std::shared_ptr<Fetch> fetch_;
};

class XRootDSource final : public ByteSource {
 public:
  XRootDSource(std::string url, int64_t size, std::shared_ptr<XrdCl::File> file, RemoteOptions options)
      : url_(std::move(url)), size_(size), options_(options), file_(std::move(file)), pid_(getpid()) {}
  ~XRootDSource() override {
    if (file_ && pid_ == getpid() && file_->IsOpen()) {
      const XrdCl::XRootDStatus closed = file_->Close(1);  // a read-only file: nothing is lost if it fails
      (void)closed;
    }
  }

  const std::string& Name() const override { return url_; }
  int64_t Size() const override { return size_; }

  Status ReadAt(int64_t offset, std::span<uint8_t> out) const override {
    RB_RETURN_IF_ERROR(CheckRange(offset, static_cast<int64_t>(out.size())));
    if (FromPrefetched(offset, out)) return Status::Ok();
    for (size_t done = 0; done < out.size();) {
      const auto length = static_cast<uint32_t>(std::min<size_t>(out.size() - done, kMaxRequestBytes));
      RB_RETURN_IF_ERROR(ReadRequest(offset + static_cast<int64_t>(done), out.subspan(done, length)));
      done += length;
    }
    return Status::Ok();
  }

  int64_t Prefetch(std::span<const ByteRange> ranges) const override;
  bool FetchesAhead() const override { return true; }
  void DropPrefetched(int64_t ticket) const override {
    std::lock_guard lock(mutex_);
    if (pid_ == getpid()) fetches_.erase(ticket);  // a parent's fetch is never destroyed in a child
  }

 private:
  // Serves [offset, offset + out.size()) from a fetch holding it, waiting
  // for the fetch to arrive; false if none holds it or it failed.
  bool FromPrefetched(int64_t offset, std::span<uint8_t> out) const {
    std::shared_ptr<Fetch> fetch;
    const Fetched* stretch = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (pid_ != getpid()) return false;  // the parent's fetches never complete here (Handle() resets them)
      for (const auto& [ticket, candidate] : fetches_) {
        const auto& stretches = candidate->stretches;
        auto it = std::upper_bound(stretches.begin(), stretches.end(), offset,
                                   [](int64_t at, const Fetched& f) { return at < f.offset; });
        if (it == stretches.begin()) continue;
        --it;
        if (offset + static_cast<int64_t>(out.size()) <= it->offset + it->size) {
          fetch = candidate;
          stretch = &*it;
          break;
        }
      }
    }
    if (!fetch) return false;
    std::unique_lock lock(fetch->mutex);
    // The client times each request out itself; the wait is a guard only.
    if (!fetch->done.wait_for(lock, std::chrono::seconds(4 * options_.timeout_seconds),
                              [&] { return fetch->outstanding == 0; }) ||
        fetch->failed) {
      return false;
    }
    std::copy_n(stretch->bytes.get() + (offset - stretch->offset), out.size(), out.data());
    return true;
  }
  // The file open in this process: the one opened here, or a fresh one
  // after a fork or after a failed read dropped it.
  Result<std::shared_ptr<XrdCl::File>> Handle() const {
    std::lock_guard lock(mutex_);
    if (pid_ != getpid()) {
      // Abandoned, not closed: they belong to the parent's connection.
      new std::shared_ptr<XrdCl::File>(std::move(file_));
      new std::map<int64_t, std::shared_ptr<Fetch>>(std::move(fetches_));
      file_.reset();
      fetches_.clear();
      pid_ = getpid();
    }
    if (!file_) {
      auto file = std::make_shared<XrdCl::File>();
      const XrdCl::XRootDStatus status = OpenWithDeadline(file, url_, options_.timeout_seconds);
      if (!status.IsOK()) return FromClient(status, "cannot reopen '" + url_ + "'", url_);
      file_ = std::move(file);
    }
    return file_;
  }
  void Drop(const std::shared_ptr<XrdCl::File>& failed) const {
    std::lock_guard lock(mutex_);
    if (file_ == failed) file_.reset();  // another thread may have replaced it already
  }

  // One read of at most kMaxRequestBytes on this process's handle, retried
  // on transient failures with a fresh handle after a backoff, within the
  // budget.
  Status ReadRequest(int64_t offset, std::span<uint8_t> out) const {
    const std::string what =
        "reading " + std::to_string(out.size()) + " bytes at byte " + std::to_string(offset) + " of '" + url_ + "'";
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
      uint32_t got = 0;
      const XrdCl::XRootDStatus status = (*handle)->Read(static_cast<uint64_t>(offset), static_cast<uint32_t>(out.size()),
                                                         out.data(), got, static_cast<uint16_t>(options_.timeout_seconds));
      ++g_reads;
      if (status.IsOK() && got == out.size()) {
        g_bytes += got;
        return Status::Ok();
      }
      if (status.IsOK()) {
        return IOError(what + ": the server sent " + std::to_string(got) + " bytes (the file shrank?)")
            .WithPath(url_)
            .WithOffset(offset);
      }
      const Status answer = FromClient(status, "the server answered", url_);
      if (!Transient(status)) return Status(answer.Code(), what + ": " + answer.Message()).WithPath(url_).WithOffset(offset);
      cause = answer.Message();
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

  std::string url_;
  int64_t size_;
  RemoteOptions options_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<XrdCl::File> file_;  // guarded by mutex_
  mutable pid_t pid_;                          // the process file_ was opened in; guarded by mutex_
  mutable std::map<int64_t, std::shared_ptr<Fetch>> fetches_;  // by ticket; guarded by mutex_
  mutable int64_t next_ticket_ = 0;                           // guarded by mutex_
};

int64_t XRootDSource::Prefetch(std::span<const ByteRange> ranges) const {
  const std::vector<ByteRange> stretches = CoalesceRanges(ranges, size_);
  if (stretches.empty()) return -1;
  auto fetch = std::make_shared<Fetch>();
  for (const ByteRange& stretch : stretches) {
    Fetched f;
    f.offset = stretch.offset;
    f.size = stretch.length;
    f.bytes.reset(new uint8_t[static_cast<size_t>(f.size)]);
    fetch->stretches.push_back(std::move(f));
  }
  // Chunks of at most kMaxChunkBytes into the stretches, 1024 per request.
  XrdCl::ChunkList chunks;
  for (Fetched& f : fetch->stretches) {
    for (int64_t at = 0; at < f.size; at += kMaxChunkBytes) {
      const int64_t length = std::min<int64_t>(kMaxChunkBytes, f.size - at);
      chunks.emplace_back(static_cast<uint64_t>(f.offset + at), static_cast<uint32_t>(length), f.bytes.get() + at);
    }
  }
  auto handle = Handle();
  if (!handle.IsOk()) return -1;  // the reads will retry, and report
  fetch->file = *handle;
  const size_t requests = (chunks.size() + kMaxChunksPerRequest - 1) / kMaxChunksPerRequest;
  fetch->outstanding = static_cast<int>(requests);
  for (size_t first = 0; first < chunks.size(); first += kMaxChunksPerRequest) {
    XrdCl::ChunkList part(chunks.begin() + static_cast<std::ptrdiff_t>(first),
                          chunks.begin() + static_cast<std::ptrdiff_t>(std::min(chunks.size(), first + kMaxChunksPerRequest)));
    auto* handler = new FetchHandler(fetch);
    const XrdCl::XRootDStatus status =
        fetch->file->VectorRead(part, nullptr, handler, static_cast<uint16_t>(options_.timeout_seconds));
    if (!status.IsOK()) {  // not sent: no answer will come
      delete handler;
      std::lock_guard lock(fetch->mutex);
      fetch->failed = true;
      --fetch->outstanding;
    } else {
      g_chunks += static_cast<int64_t>(part.size());
      for (const auto& chunk : part) g_bytes += chunk.length;
    }
  }
  std::lock_guard lock(mutex_);
  const int64_t ticket = next_ticket_++;
  fetches_[ticket] = std::move(fetch);
  return ticket;
}

}  // namespace

RemoteRequestCounts RemoteRequests() {
  return {g_reads.load(), g_vector_reads.load(), g_chunks.load(), g_bytes.load()};
}

Result<std::unique_ptr<ByteSource>> OpenRemoteFile(const std::string& url) {
  StartClientOnce();
  const RemoteOptions options = RemoteOptionsFromEnv();
  auto file = std::make_shared<XrdCl::File>();
  XrdCl::XRootDStatus status = OpenWithDeadline(file, url, options.timeout_seconds);
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
