// Thread counts for the leak tests (base/thread_count.hpp), settling.
#pragma once

#include <chrono>
#include <thread>

#include "rootbatch/base/thread_count.hpp"

namespace rootbatch::testing {

using rootbatch::CountThreads;

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
