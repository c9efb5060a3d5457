// LargeMemory: a big, lazily committed, huge-page backed byte array for the
// shuffle buffer. Rows are read at random all over it, so with 4 KiB pages
// nearly every access would also miss the TLB; transparent huge pages (asked
// for with madvise, Linux's default THP mode) make those misses rare. Pages
// are committed as they are first written, so RSS grows with the fill.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rootbatch::loader {

class LargeMemory {
 public:
  explicit LargeMemory(size_t bytes);
  LargeMemory(const LargeMemory&) = delete;
  LargeMemory& operator=(const LargeMemory&) = delete;
  ~LargeMemory();

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void* mapping_ = nullptr;
  size_t mapped_ = 0;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace rootbatch::loader
