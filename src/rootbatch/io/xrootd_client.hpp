// What the XRootD byte source and the directory listing share about the
// client library (XrdCl): starting it the way rootbatch needs it, and turning
// its statuses into rootbatch's. Internal to io/, built with the client only.
#pragma once

#include <XrdCl/XrdClFile.hh>
#include <XrdCl/XrdClXRootDResponses.hh>

#include <memory>
#include <string>

#include "rootbatch/base/status.hpp"

namespace rootbatch::xrootd {

// Sets, once per process and before the client's first use, what rootbatch
// relies on: fork handling (TakeOverForkHandling), and the client's own
// reconnection loop shortened to the timeout of remote_options.hpp (its
// defaults wait minutes before reporting an error; rootbatch retries itself,
// within its stated budget). XRD_* variables the user set win.
void StartClientOnce();

// Runs the client's fork handler from a handler of rootbatch's, which lets a
// fork go on only once the client threads it stopped have exited (why:
// xrootd_fork.cpp). Does nothing where the user set XRD_RUNFORKHANDLER.
void TakeOverForkHandling();

// Opens `url` read-only in `file`, waiting for the client's answer at most
// `timeout_seconds` plus a grace period. The client times a request out
// itself, but only while its event loop runs in this process; should it not
// (a forked child whose event loop is stuck: see xrootd_fork.cpp), the open
// fails with errOperationExpired, a transient error, instead of waiting
// forever. `file` is then abandoned, not destroyed: the
// client may still hold it.
XrdCl::XRootDStatus OpenWithDeadline(std::shared_ptr<XrdCl::File>& file, const std::string& url, int timeout_seconds);

// Errors worth a retry with a fresh connection: the link or the server, not
// the request.
bool Transient(const XrdCl::XRootDStatus& status);

// `what` failed with `status`: NotFound (ENOENT) for a missing file or
// directory, IOError with EACCES where the server denies it, Unsupported
// where the server does not implement it, IOError otherwise; each names the
// URL.
Status FromClient(const XrdCl::XRootDStatus& status, const std::string& what, const std::string& url);

}  // namespace rootbatch::xrootd
