// How remote (root://) reads retry and time out. Read from the environment
// so that the CLI, C++ and Python (including DataLoader workers, which
// inherit it) see the same values:
//   ROOTBATCH_XROOTD_RETRIES  retries of a failed request (default 5)
//   ROOTBATCH_XROOTD_TIMEOUT  seconds per request and to connect (default 30)
// Backoff between retries: 0.25 s, doubling, at most 4 s; so the default
// budget gives up on a server gone for good after about 8 s of waiting plus
// the timeouts of the attempts (a refused connection fails at once).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

namespace rootbatch {

struct RemoteOptions {
  int retries = 5;
  int timeout_seconds = 30;
  double first_backoff_seconds = 0.25;
  double max_backoff_seconds = 4.0;
};

// Requests this process sent to XRootD servers so far (all sources): single
// reads, vector reads and their chunks, and the bytes they brought.
struct RemoteRequestCounts {
  int64_t reads = 0;
  int64_t vector_reads = 0;
  int64_t chunks = 0;
  int64_t bytes = 0;
};
RemoteRequestCounts RemoteRequests();

inline RemoteOptions RemoteOptionsFromEnv() {
  RemoteOptions options;
  auto read = [](const char* name, int fallback, int lo, int hi) {
    const char* text = std::getenv(name);
    if (text == nullptr || *text == '\0') return fallback;
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < lo || value > hi) return fallback;
    return static_cast<int>(value);
  };
  options.retries = read("ROOTBATCH_XROOTD_RETRIES", options.retries, 0, 100);
  options.timeout_seconds = read("ROOTBATCH_XROOTD_TIMEOUT", options.timeout_seconds, 1, 3600);
  return options;
}

}  // namespace rootbatch
