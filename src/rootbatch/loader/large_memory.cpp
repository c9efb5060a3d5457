#include "rootbatch/loader/large_memory.hpp"

#include <sys/mman.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>

namespace rootbatch::loader {
namespace {
constexpr size_t kHugePage = size_t{2} << 20;
// Huge pages touched, and timed, before the buffer's commit is shared out.
constexpr size_t kProbeHugePages = 2;
}

LargeMemory::LargeMemory(size_t bytes, double slow_huge_page_seconds)
    : size_(bytes), slow_huge_page_seconds_(slow_huge_page_seconds) {
  // Over-map by one huge page so that the array can start on a huge-page
  // boundary (THP only backs aligned 2 MiB ranges), then give back the slack
  // on both sides: the mapping is the array's pages and no more, so the
  // kernel can never back a huge page that reaches past the array's end
  // (memory the budget does not count; memory_budget_test counts mappings).
  const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t length = std::max<size_t>((bytes + page - 1) / page * page, page);
  const size_t over = length + kHugePage;
  void* mapping = mmap(nullptr, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping == MAP_FAILED) throw std::bad_alloc();
  const auto address = reinterpret_cast<uintptr_t>(mapping);
  const auto aligned = (address + kHugePage - 1) / kHugePage * kHugePage;
  const size_t head = aligned - address;
  if (head > 0) munmap(mapping, head);
  if (over - head > length) munmap(reinterpret_cast<void*>(aligned + length), over - head - length);
  mapping_ = reinterpret_cast<void*>(aligned);
  mapped_ = length;
  data_ = reinterpret_cast<uint8_t*>(aligned);
  huge_pages_ = madvise(data_, mapped_, MADV_HUGEPAGE) == 0;  // a hint: failure is harmless
}

void LargeMemory::Commit(size_t bytes, ThreadPool* pool) {
  bytes = std::min(bytes, size_);
  if (bytes <= committed_) return;
  // Parts claimed one at a time by whoever is free, so that a task the pool
  // drops or starts late costs nothing.
  struct Work {
    uint8_t* begin = nullptr;
    size_t bytes = 0;
    size_t part_bytes = 0;
    size_t parts = 0;
    std::atomic<size_t> next{0};
    std::mutex mutex;
    std::condition_variable done;
    size_t finished = 0;  // guarded by mutex
  };
  auto work = std::make_shared<Work>();
  work->begin = data_ + committed_;
  work->bytes = bytes - committed_;
  work->part_bytes = kHugePage;
  work->parts = (work->bytes + work->part_bytes - 1) / work->part_bytes;
  const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  if (huge_pages_ && committed_ == 0 && work->parts > kProbeHugePages) {
    ProbeHugePages(work->next, page);  // before any task runs: no other thread counts yet
    work->finished = work->next.load();
  }
  auto run = [work, page] {
    for (size_t part = work->next++; part < work->parts; part = work->next++) {
      volatile uint8_t* begin = work->begin + part * work->part_bytes;
      const size_t length = std::min(work->part_bytes, work->bytes - part * work->part_bytes);
      for (size_t at = 0; at < length; at += page) begin[at] = 0;  // fresh pages read as 0 anyway
      std::lock_guard lock(work->mutex);
      if (++work->finished == work->parts) work->done.notify_all();
    }
  };
  if (pool != nullptr) {
    for (int t = 0; t < pool->NumThreads(); ++t) pool->Submit(run);
  }
  run();
  std::unique_lock lock(work->mutex);
  work->done.wait(lock, [&] { return work->finished == work->parts; });
  committed_ = bytes;
}

void LargeMemory::ProbeHugePages(std::atomic<size_t>& next_part, size_t page) {
  // Parts 0 .. kProbeHugePages - 1, on this thread, timed; if one is slow,
  // the rest of the array is committed in small pages (the TLB then misses
  // more: about 10 ns more per row in the exchange, far less than what the
  // slow pages cost an epoch).
  for (size_t part = 0; part < kProbeHugePages; ++part) {
    volatile uint8_t* begin = data_ + part * kHugePage;
    const auto start = std::chrono::steady_clock::now();
    for (size_t at = 0; at < kHugePage; at += page) begin[at] = 0;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds > slow_huge_page_seconds_) {
      const size_t done = (part + 1) * kHugePage;
      if (done < mapped_) madvise(data_ + done, mapped_ - done, MADV_NOHUGEPAGE);
      huge_pages_ = false;
      next_part = part + 1;
      return;
    }
  }
  next_part = kProbeHugePages;
}

LargeMemory::~LargeMemory() {
  if (mapping_ != nullptr) munmap(mapping_, mapped_);
}

}  // namespace rootbatch::loader
