// Thread counts for the leak tests: the threads of this process as
// /proc/self/task lists them.
#pragma once

#include <dirent.h>

#include <chrono>
#include <thread>

namespace rootbatch::testing {

// Threads of this process now, or -1 if /proc cannot be read.
inline int CountThreads() {
  int count = 0;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  while (dirent* entry = readdir(dir)) count += entry->d_name[0] != '.';
  closedir(dir);
  return count;
}

// The thread count once it settles at `expected`, or after 2 s whatever it
// is: a joined thread can stay listed in /proc for a moment after join()
// returns (the kernel wakes the joiner before it reaps the task), which made
// an exact count right after a join flaky on a loaded machine.
inline int CountThreadsSettlingAt(int expected) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  int count = CountThreads();
  while (count != expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    count = CountThreads();
  }
  return count;
}

}  // namespace rootbatch::testing
