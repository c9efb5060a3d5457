// BufferPool: 64-byte-aligned byte buffers that return to a free list when
// the last reference is dropped, so that a steady stream of equally sized
// batches allocates nothing after the first few.
//
// Buffers are handed out as std::shared_ptr<Buffer>. A batch's tensors alias
// into one buffer, and exporters (DLPack, the buffer protocol) keep the
// shared_ptr alive, so a buffer outlives the loader and the pool if a user
// holds on to it: a released buffer checks, through a weak reference, whether
// its pool still exists, and frees itself otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace rootbatch::loader {

inline constexpr size_t kBufferAlignment = 64;

class Buffer {
 public:
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer();

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

  static std::unique_ptr<Buffer> Allocate(size_t size);

 private:
  Buffer(uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t* data_;
  size_t size_;
};

class BufferPool {
 public:
  // Keeps at most `max_idle` released buffers for reuse.
  static std::shared_ptr<BufferPool> Create(size_t max_idle);

  // A buffer of exactly `size` bytes (contents unspecified).
  std::shared_ptr<Buffer> Acquire(size_t size);

  size_t Idle() const;
  int64_t Allocations() const;  // buffers allocated (not reused) so far

 private:
  struct State {
    std::mutex mutex;  // guards idle and allocations
    std::vector<std::unique_ptr<Buffer>> idle;
    size_t max_idle = 0;
    int64_t allocations = 0;
  };
  explicit BufferPool(size_t max_idle);
  std::shared_ptr<State> state_;
};

}  // namespace rootbatch::loader
