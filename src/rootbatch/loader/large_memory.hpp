// LargeMemory: a big, lazily committed, huge-page backed byte array for the
// shuffle buffer. Rows are read at random all over it, so with 4 KiB pages
// nearly every access would also miss the TLB; transparent huge pages (asked
// for with madvise, Linux's default THP mode) make those misses rare. Pages
// are committed as they are first written, so RSS grows with the fill, or
// all at once by Commit, which times each huge page it touches and commits
// the rest in small pages once one is slow to come by (a VM whose host takes
// freed memory back: seconds per buffer, against a tenth of that). The mapping is exactly the array's pages (aligned
// to a huge page; no slack kept on either side), so what it can ever make
// resident is its size rounded up to a page.
#pragma once

#include <cstddef>
#include <cstdint>

#include "rootbatch/base/thread_pool.hpp"

namespace rootbatch::loader {

class LargeMemory {
 public:
  // `slow_huge_page_seconds`: the first touch of a huge page that takes
  // longer makes Commit fall back to small pages (tests force either way).
  explicit LargeMemory(size_t bytes, double slow_huge_page_seconds = kSlowHugePageSeconds);

  // A huge page whose first touch takes longer than this is one the machine
  // must fetch, not only zero: on a VM whose host takes back the memory the
  // guest frees (free page reporting hands over whole 2 MiB blocks), each
  // took about 25 ms, the 224 MB buffer 2.5-3.8 s of system time per
  // process, against 0.1-0.15 s in 4 KiB pages. Zeroing 2 MiB takes well
  // under 1 ms.
  static constexpr double kSlowHugePageSeconds = 0.004;
  LargeMemory(const LargeMemory&) = delete;
  LargeMemory& operator=(const LargeMemory&) = delete;
  ~LargeMemory();

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

  // Commits the first `bytes` now, on the calling thread and the pool's
  // threads together, and returns when all of it is committed. Why: the
  // kernel zeroes every new page, which on one thread costs the shuffle
  // buffer's first fill a large share of an epoch, while the readers wait.
  // Pool tasks that never start (a pool shutting down) leave their share to
  // the caller, so this never waits on a dropped task. Not thread-safe:
  // called by one owner at a time.
  void Commit(size_t bytes, ThreadPool* pool);
  // False once Commit found huge pages slow (or madvise refused them).
  bool HugePages() const { return huge_pages_; }

 private:
  void* mapping_ = nullptr;  // == data_, page-rounded to mapped_ bytes
  size_t mapped_ = 0;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t committed_ = 0;  // bytes Commit already wrote
  bool huge_pages_ = false;
  double slow_huge_page_seconds_;
};

}  // namespace rootbatch::loader
