// LargeMemory: a big, lazily committed, huge-page backed byte array for the
// shuffle buffer. Rows are read at random all over it, so with 4 KiB pages
// nearly every access would also miss the TLB; transparent huge pages (asked
// for with madvise, Linux's default THP mode) make those misses rare. Pages
// are committed as they are first written, so RSS grows with the fill, or
// all at once by Commit. The mapping is exactly the array's pages (aligned
// to a huge page; no slack kept on either side), so what it can ever make
// resident is its size rounded up to a page.
#pragma once

#include <cstddef>
#include <cstdint>

#include "rootbatch/base/thread_pool.hpp"

namespace rootbatch::loader {

class LargeMemory {
 public:
  explicit LargeMemory(size_t bytes);
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

 private:
  void* mapping_ = nullptr;  // == data_, page-rounded to mapped_ bytes
  size_t mapped_ = 0;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t committed_ = 0;  // bytes Commit already wrote
};

}  // namespace rootbatch::loader
