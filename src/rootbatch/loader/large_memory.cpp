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
  // drops or starts late costs nothing. Each part is timed: the first that
  // takes longer than slow_huge_page_seconds_ (a huge page the machine had
  // to fetch, not only zero) turns the parts nobody has claimed yet to small
  // pages. Only the first few can tell: a process often gets back the huge
  // pages another just freed (fast), then fresh ones (slow).
  struct Work {
    uint8_t* begin = nullptr;
    size_t bytes = 0;
    size_t part_bytes = 0;
    size_t parts = 0;
    uint8_t* mapping_end = nullptr;
    size_t page = 0;
    double slow_seconds = 0;
    std::atomic<size_t> next{0};
    std::atomic<bool> small_pages{false};
    std::mutex mutex;
    std::condition_variable done;
    size_t finished = 0;  // guarded by mutex
  };
  auto work = std::make_shared<Work>();
  work->begin = data_ + committed_;
  work->bytes = bytes - committed_;
  work->part_bytes = kHugePage;
  work->parts = (work->bytes + work->part_bytes - 1) / work->part_bytes;
  work->mapping_end = data_ + mapped_;
  work->page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  work->slow_seconds = slow_huge_page_seconds_;
  work->small_pages = !huge_pages_;
  auto run = [work] {
    for (size_t part = work->next++; part < work->parts; part = work->next++) {
      volatile uint8_t* begin = work->begin + part * work->part_bytes;
      const size_t length = std::min(work->part_bytes, work->bytes - part * work->part_bytes);
      const auto start = std::chrono::steady_clock::now();
      for (size_t at = 0; at < length; at += work->page) begin[at] = 0;  // fresh pages read as 0 anyway
      if (!work->small_pages.load(std::memory_order_relaxed) &&
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > work->slow_seconds &&
          !work->small_pages.exchange(true)) {
        // From the first part not yet claimed (parts being touched now stay
        // as they are), on a page boundary.
        const size_t claimed = std::min(work->next.load(), work->parts);
        const auto from = reinterpret_cast<uintptr_t>(work->begin + claimed * work->part_bytes);
        auto* aligned = reinterpret_cast<uint8_t*>((from + work->page - 1) / work->page * work->page);
        if (aligned < work->mapping_end) {
          madvise(aligned, static_cast<size_t>(work->mapping_end - aligned), MADV_NOHUGEPAGE);
        }
      }
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
  huge_pages_ = !work->small_pages.load();
  committed_ = bytes;
}

LargeMemory::~LargeMemory() {
  if (mapping_ != nullptr) munmap(mapping_, mapped_);
}

}  // namespace rootbatch::loader
