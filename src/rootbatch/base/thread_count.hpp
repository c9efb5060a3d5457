// The threads of this process as /proc/self/task lists them: for the leak
// tests, and for the XRootD fork handler, which waits for the client's
// stopped threads to be gone (io/xrootd_fork.cpp).
#pragma once

#include <dirent.h>

namespace rootbatch {

// Threads of this process now, or -1 if /proc cannot be read.
inline int CountThreads() {
  int count = 0;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  while (dirent* entry = readdir(dir)) count += entry->d_name[0] != '.';
  closedir(dir);
  return count;
}

}  // namespace rootbatch
