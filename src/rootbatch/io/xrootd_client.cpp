#include "rootbatch/io/xrootd_client.hpp"

#include <XrdCl/XrdClDefaultEnv.hh>
#include <XrdCl/XrdClEnv.hh>
#include <XProtocol/XProtocol.hh>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <new>

#include "rootbatch/io/remote_options.hpp"

namespace rootbatch::xrootd {

void StartClientOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    TakeOverForkHandling();
    XrdCl::Env* env = XrdCl::DefaultEnv::GetEnv();
    const RemoteOptions options = RemoteOptionsFromEnv();
    // PutInt keeps a value the user set through the environment.
    env->PutInt("ConnectionRetry", 1);
    env->PutInt("ConnectionWindow", std::max(1, options.timeout_seconds / 3));
    env->PutInt("RequestTimeout", options.timeout_seconds);
    env->PutInt("StreamErrorWindow", 0);
  });
}

namespace {

// Beyond the request's own timeout: the client reports a timed-out request
// itself, at its next timer tick, but a connection that is accepted and never
// answered takes it up to 15 s whatever the timeout, and a loaded machine is
// late. The deadline is a backstop, far beyond any of these.
constexpr int kOpenGraceSeconds = 60;

// The answer to one open, shared by the waiting thread and the handler
// (which may run after the waiter gave up).
struct OpenAnswer {
  std::mutex mutex;
  std::condition_variable arrived;
  bool done = false;
  XrdCl::XRootDStatus status;
};

class OpenHandler final : public XrdCl::ResponseHandler {
 public:
  explicit OpenHandler(std::shared_ptr<OpenAnswer> answer) : answer_(std::move(answer)) {}
  void HandleResponse(XrdCl::XRootDStatus* status, XrdCl::AnyObject* response) override {
    {
      std::lock_guard lock(answer_->mutex);
      answer_->status = status != nullptr ? *status : XrdCl::XRootDStatus(XrdCl::stError, XrdCl::errInternal);
      answer_->done = true;
    }
    answer_->arrived.notify_all();
    delete status;
    delete response;
    delete this;
  }

 private:
  std::shared_ptr<OpenAnswer> answer_;
};

}  // namespace

XrdCl::XRootDStatus OpenWithDeadline(std::shared_ptr<XrdCl::File>& file, const std::string& url, int timeout_seconds) {
  auto answer = std::make_shared<OpenAnswer>();
  auto* handler = new OpenHandler(answer);
  const XrdCl::XRootDStatus sent =
      file->Open(url, XrdCl::OpenFlags::Read, XrdCl::Access::None, handler, static_cast<uint16_t>(timeout_seconds));
  if (!sent.IsOK()) {  // not sent: no answer will come
    delete handler;
    return sent;
  }
  std::unique_lock lock(answer->mutex);
  if (answer->arrived.wait_for(lock, std::chrono::seconds(timeout_seconds + kOpenGraceSeconds),
                               [&] { return answer->done; })) {
    return answer->status;
  }
  // The open is still in the client's hands: leave the File to it.
  new std::shared_ptr<XrdCl::File>(std::move(file));
  file = std::make_shared<XrdCl::File>();
  return XrdCl::XRootDStatus(XrdCl::stError, XrdCl::errOperationExpired, 0,
                             "no answer from the XRootD client within " +
                                 std::to_string(timeout_seconds + kOpenGraceSeconds) +
                                 " s (its event loop is not running in this process?)");
}

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
  if (status.code == XrdCl::errErrorResponse && status.errNo == kXR_NotFound) {
    return NotFound(what + ": no such file or directory on the server (" + status.ToString() + ")")
        .WithPath(url)
        .WithErrno(ENOENT);
  }
  if (status.code == XrdCl::errErrorResponse && status.errNo == kXR_NotAuthorized) {
    return IOError(what + ": permission denied by the server (" + status.ToString() + ")").WithPath(url).WithErrno(EACCES);
  }
  if (status.code == XrdCl::errErrorResponse && status.errNo == kXR_Unsupported) {
    return Unsupported(what + ": the server does not support it (" + status.ToString() + ")").WithPath(url);
  }
  if (status.code == XrdCl::errTlsError) {
    // Most often the server's certificate does not verify: say where the
    // client looks for the CAs.
    return IOError(what + ": " + status.ToString() +
                   " (TLS: the server's certificate must verify against the CA certificates in X509_CERT_DIR, "
                   "default /etc/grid-security/certificates, and name the host of the URL)")
        .WithPath(url);
  }
  return IOError(what + ": " + status.ToString()).WithPath(url);
}

}  // namespace rootbatch::xrootd
