#include "rootbatch/loader/buffer_pool.hpp"

#include <cstdlib>
#include <new>

namespace rootbatch::loader {

Buffer::~Buffer() { std::free(data_); }

std::unique_ptr<Buffer> Buffer::Allocate(size_t size) {
  size_t rounded = (size + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
  void* data = std::aligned_alloc(kBufferAlignment, rounded == 0 ? kBufferAlignment : rounded);
  if (data == nullptr) throw std::bad_alloc();
  return std::unique_ptr<Buffer>(new Buffer(static_cast<uint8_t*>(data), size));
}

BufferPool::BufferPool(size_t max_idle) : state_(std::make_shared<State>()) { state_->max_idle = max_idle; }

std::shared_ptr<BufferPool> BufferPool::Create(size_t max_idle) {
  return std::shared_ptr<BufferPool>(new BufferPool(max_idle));
}

std::shared_ptr<Buffer> BufferPool::Acquire(size_t size) {
  std::unique_ptr<Buffer> buffer;
  {
    std::lock_guard lock(state_->mutex);
    for (size_t i = 0; i < state_->idle.size(); ++i) {
      if (state_->idle[i]->size() == size) {
        buffer = std::move(state_->idle[i]);
        state_->idle.erase(state_->idle.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
    if (!buffer) ++state_->allocations;
  }
  if (!buffer) buffer = Buffer::Allocate(size);
  std::weak_ptr<State> weak = state_;
  return std::shared_ptr<Buffer>(buffer.release(), [weak](Buffer* released) {
    std::unique_ptr<Buffer> owned(released);
    if (auto state = weak.lock()) {
      std::lock_guard lock(state->mutex);
      if (state->idle.size() < state->max_idle) state->idle.push_back(std::move(owned));
    }
  });
}

size_t BufferPool::Idle() const {
  std::lock_guard lock(state_->mutex);
  return state_->idle.size();
}

int64_t BufferPool::Allocations() const {
  std::lock_guard lock(state_->mutex);
  return state_->allocations;
}

}  // namespace rootbatch::loader
