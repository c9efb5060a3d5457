// Directory listings of XRootD servers (byte_source.hpp: ListRemoteDirectory).
#include <XrdCl/XrdClFileSystem.hh>
#include <XrdCl/XrdClURL.hh>

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include "rootbatch/io/byte_source.hpp"
#include "rootbatch/io/remote_options.hpp"
#include "rootbatch/io/xrootd_client.hpp"

namespace rootbatch {

Result<std::vector<RemoteEntry>> ListRemoteDirectory(const std::string& url) {
  xrootd::StartClientOnce();
  const XrdCl::URL parsed(url);
  if (!parsed.IsValid()) return InvalidArgument("'" + url + "' is not a valid XRootD URL").WithPath(url);
  const RemoteOptions options = RemoteOptionsFromEnv();
  const std::string what = "cannot list the directory '" + url + "'";
  double backoff = options.first_backoff_seconds;
  for (int attempt = 0;; ++attempt) {
    // A FileSystem per attempt: a fresh one does not reuse a failed session.
    XrdCl::FileSystem file_system(parsed);
    XrdCl::DirectoryList* raw = nullptr;
    const XrdCl::XRootDStatus status = file_system.DirList(parsed.GetPath(), XrdCl::DirListFlags::Stat, raw,
                                                           static_cast<uint16_t>(options.timeout_seconds));
    std::unique_ptr<XrdCl::DirectoryList> listing(raw);
    if (status.IsOK() && listing) {
      std::vector<RemoteEntry> entries;
      entries.reserve(listing->GetSize());
      for (auto it = listing->Begin(); it != listing->End(); ++it) {
        const XrdCl::DirectoryList::ListEntry* entry = *it;
        const XrdCl::StatInfo* info = entry->GetStatInfo();
        // Without a stat (a server that sends names only) an entry counts as a
        // file; opening it says otherwise if it is not.
        entries.push_back({entry->GetName(), info != nullptr && info->TestFlags(XrdCl::StatInfo::IsDir),
                           info != nullptr ? static_cast<int64_t>(info->GetSize()) : -1});
      }
      std::sort(entries.begin(), entries.end(),
                [](const RemoteEntry& a, const RemoteEntry& b) { return a.name < b.name; });
      return entries;
    }
    if (!xrootd::Transient(status) || attempt >= options.retries) {
      Status error = xrootd::FromClient(status, what, url);
      if (xrootd::Transient(status)) {
        error = Status(error.Code(), error.Message() + " (after " + std::to_string(attempt + 1) + " attempts)")
                    .WithPath(url);
      }
      return error;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(backoff));
    backoff = std::min(backoff * 2, options.max_backoff_seconds);
  }
}

}  // namespace rootbatch
