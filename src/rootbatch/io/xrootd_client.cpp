#include "rootbatch/io/xrootd_client.hpp"

#include <XrdCl/XrdClDefaultEnv.hh>
#include <XrdCl/XrdClEnv.hh>
#include <XProtocol/XProtocol.hh>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <mutex>

#include "rootbatch/io/remote_options.hpp"

namespace rootbatch::xrootd {

void StartClientOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    setenv("XRD_RUNFORKHANDLER", "1", /*overwrite=*/0);
    XrdCl::Env* env = XrdCl::DefaultEnv::GetEnv();
    const RemoteOptions options = RemoteOptionsFromEnv();
    // PutInt keeps a value the user set through the environment.
    env->PutInt("ConnectionRetry", 1);
    env->PutInt("ConnectionWindow", std::max(1, options.timeout_seconds / 3));
    env->PutInt("RequestTimeout", options.timeout_seconds);
    env->PutInt("StreamErrorWindow", 0);
  });
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
