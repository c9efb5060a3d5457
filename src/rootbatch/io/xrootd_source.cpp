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
    for (size_t done = 0; done < out.size();) {
      const auto length = static_cast<uint32_t>(std::min<size_t>(out.size() - done, kMaxRequestBytes));
      RB_RETURN_IF_ERROR(ReadRequest(offset + static_cast<int64_t>(done), out.subspan(done, length)));
      done += length;
    }
    return Status::Ok();
  }

 private:
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
    const auto start = std::chrono::steady_clock::now();
    double backoff = options_.first_backoff_seconds;
    Status cause;
    int attempt = 0;
    for (; attempt <= options_.retries; ++attempt) {
      if (attempt > 0) {
        std::this_thread::sleep_for(std::chrono::duration<double>(backoff));
        backoff = std::min(backoff * 2, options_.max_backoff_seconds);
      }
      auto handle = Handle();
      if (!handle.IsOk()) {
        cause = handle.status();
        if (cause.Code() == StatusCode::kNotFound) {  // removed from the server: no retry helps
          return NotFound(what + ": the file is no longer on the server (" + cause.Message() + ")")
              .WithPath(url_)
              .WithOffset(offset)
              .WithErrno(ENOENT);
        }
        continue;
      }
      uint32_t got = 0;
      const XrdCl::XRootDStatus status = (*handle)->Read(static_cast<uint64_t>(offset), static_cast<uint32_t>(out.size()),
                                                         out.data(), got, static_cast<uint16_t>(options_.timeout_seconds));
      if (status.IsOK() && got == out.size()) return Status::Ok();
      if (status.IsOK()) {
        return IOError(what + ": the server sent " + std::to_string(got) + " bytes (the file shrank?)")
            .WithPath(url_)
            .WithOffset(offset);
      }
      cause = FromClient(status, "the server answered", url_);
      if (!Transient(status)) return Status(cause.Code(), what + ": " + cause.Message()).WithPath(url_).WithOffset(offset);
      Drop(*handle);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char waited[32];
    std::snprintf(waited, sizeof(waited), "%.1f", seconds);
    return IOError(what + " failed " + std::to_string(attempt) + " times over " + waited +
                   " s (ROOTBATCH_XROOTD_RETRIES=" + std::to_string(options_.retries) + "): " + cause.Message())
        .WithPath(url_)
        .WithOffset(offset);
  }

  std::string url_;
  int64_t size_;
  RemoteOptions options_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<XrdCl::File> file_;  // guarded by mutex_
  mutable pid_t pid_;                          // the process file_ was opened in; guarded by mutex_
};

}  // namespace

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
