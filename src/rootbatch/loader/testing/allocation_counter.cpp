#include "rootbatch/loader/testing/allocation_counter.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <mutex>

// A sanitizer runtime owns malloc: no wrappers then (see the header).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ROOTBATCH_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define ROOTBATCH_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef ROOTBATCH_COUNT_ALLOCATIONS
#define ROOTBATCH_COUNT_ALLOCATIONS 1
#endif

namespace rootbatch::testing {
namespace {

// Plain globals, zero-initialised before any constructor runs: malloc is
// called before main and from every thread.
std::atomic<int64_t> live_bytes{0};
std::atomic<int64_t> peak_bytes{0};
std::atomic<int64_t> mapped_bytes{0};
std::atomic<int64_t> mapped_at_peak{0};

void Count(int64_t delta, bool mapping) {
  const int64_t now = live_bytes.fetch_add(delta, std::memory_order_relaxed) + delta;
  if (mapping) mapped_bytes.fetch_add(delta, std::memory_order_relaxed);
  int64_t peak = peak_bytes.load(std::memory_order_relaxed);
  while (now > peak) {
    if (peak_bytes.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
      mapped_at_peak.store(mapped_bytes.load(std::memory_order_relaxed), std::memory_order_relaxed);
      break;
    }
  }
}

}  // namespace

bool CountingAllocations() { return ROOTBATCH_COUNT_ALLOCATIONS != 0; }
int64_t LiveBytes() { return live_bytes.load(); }
int64_t MappedBytes() { return mapped_bytes.load(); }
int64_t PeakBytes() { return peak_bytes.load(); }
int64_t MappedBytesAtPeak() { return mapped_at_peak.load(); }
void ResetPeak() {
  peak_bytes.store(live_bytes.load());
  mapped_at_peak.store(mapped_bytes.load());
}

}  // namespace rootbatch::testing

#if ROOTBATCH_COUNT_ALLOCATIONS

extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* pointer, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
void __libc_free(void* pointer);
}

namespace {

using rootbatch::testing::Count;

void* Counted(void* pointer) {
  if (pointer != nullptr) Count(static_cast<int64_t>(malloc_usable_size(pointer)), false);
  return pointer;
}

void Uncount(void* pointer) {
  if (pointer != nullptr) Count(-static_cast<int64_t>(malloc_usable_size(pointer)), false);
}

// The anonymous mappings counted, so that munmap subtracts only what mmap
// added (also when it unmaps part of one). A fixed table: no allocation
// inside the allocator's hooks.
struct Mapping {
  uintptr_t begin = 0;
  uintptr_t end = 0;  // 0: a free entry
};
constexpr int kMaxMappings = 1024;
Mapping mappings[kMaxMappings];
std::mutex mappings_mutex;  // guards mappings

void AddMapping(uintptr_t begin, uintptr_t end) {
  std::lock_guard lock(mappings_mutex);
  for (Mapping& m : mappings) {
    if (m.end == 0) {
      m = {begin, end};
      Count(static_cast<int64_t>(end - begin), true);
      return;
    }
  }
  std::abort();  // more live mappings than any loader makes: a leak to look at
}

void RemoveRange(uintptr_t begin, uintptr_t end) {
  std::lock_guard lock(mappings_mutex);
  for (Mapping& m : mappings) {
    if (m.end == 0 || m.end <= begin || end <= m.begin) continue;
    const uintptr_t cut_begin = m.begin > begin ? m.begin : begin;
    const uintptr_t cut_end = m.end < end ? m.end : end;
    Count(-static_cast<int64_t>(cut_end - cut_begin), true);
    const Mapping before{m.begin, cut_begin};
    const Mapping after{cut_end, m.end};
    m = {};
    if (before.end > before.begin) m = before;
    if (after.end > after.begin) {
      if (m.end == 0) {
        m = after;
      } else {
        bool placed = false;
        for (Mapping& free_entry : mappings) {
          if (free_entry.end == 0) {
            free_entry = after;
            placed = true;
            break;
          }
        }
        if (!placed) std::abort();
      }
    }
  }
}

// The kernel maps and unmaps whole pages.
uintptr_t PageRounded(size_t length) {
  const auto page = static_cast<uintptr_t>(getpagesize());
  return (length + page - 1) / page * page;
}

}  // namespace

// The replacements. glibc documents which functions a replacement malloc
// provides; the rest of its allocation functions call these.
extern "C" {

void* malloc(size_t size) noexcept { return Counted(__libc_malloc(size)); }
void* calloc(size_t count, size_t size) noexcept { return Counted(__libc_calloc(count, size)); }
void* memalign(size_t alignment, size_t size) noexcept { return Counted(__libc_memalign(alignment, size)); }
void* aligned_alloc(size_t alignment, size_t size) noexcept { return Counted(__libc_memalign(alignment, size)); }
void* valloc(size_t size) noexcept { return Counted(__libc_memalign(static_cast<size_t>(getpagesize()), size)); }

int posix_memalign(void** out, size_t alignment, size_t size) noexcept {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* pointer = Counted(__libc_memalign(alignment, size));
  if (pointer == nullptr) return ENOMEM;
  *out = pointer;
  return 0;
}

void free(void* pointer) noexcept {
  Uncount(pointer);
  __libc_free(pointer);
}

void* realloc(void* pointer, size_t size) noexcept {
  const int64_t old_size = pointer != nullptr ? static_cast<int64_t>(malloc_usable_size(pointer)) : 0;
  void* moved = __libc_realloc(pointer, size);
  if (moved == nullptr) {
    if (size == 0) Count(-old_size, false);  // glibc freed it; a failed realloc keeps it
    return nullptr;
  }
  Count(static_cast<int64_t>(malloc_usable_size(moved)) - old_size, false);
  return moved;
}

// The kernel's calls, not glibc's mmap: glibc's own allocator maps memory
// through internal calls that never come here.
void* mmap(void* address, size_t length, int protection, int flags, int fd, off_t offset) noexcept {
  const long result = syscall(SYS_mmap, address, length, protection, flags, fd, offset);
  if (result == -1) return MAP_FAILED;
  auto begin = static_cast<uintptr_t>(result);
  if ((flags & MAP_ANONYMOUS) != 0) {
    const uintptr_t end = begin + PageRounded(length);
    if ((flags & MAP_FIXED) != 0) RemoveRange(begin, end);  // replaces what was there
    AddMapping(begin, end);
  }
  return reinterpret_cast<void*>(result);
}

void* mmap64(void* address, size_t length, int protection, int flags, int fd, off_t offset) noexcept {
  return mmap(address, length, protection, flags, fd, offset);
}

int munmap(void* address, size_t length) noexcept {
  const long result = syscall(SYS_munmap, address, length);
  if (result == 0) {
    auto begin = reinterpret_cast<uintptr_t>(address);
    RemoveRange(begin, begin + PageRounded(length));
  }
  return static_cast<int>(result);
}

}  // extern "C"

#endif  // ROOTBATCH_COUNT_ALLOCATIONS
