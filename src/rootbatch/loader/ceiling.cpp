#include "rootbatch/loader/ceiling.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace rootbatch::loader {

Result<CeilingResult> RunCeiling(const Loader& loader, int threads) {
  const EpochOrder& order = loader.Order();
  const BlockReader& reader = loader.Reader();
  const size_t routes = reader.NumRoutes();
  const size_t tasks = order.segments.size() * routes;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;  // guards error and total
  Status error;
  ReadStats total;
  auto start = std::chrono::steady_clock::now();
  // Each worker takes the next (segment, column) in epoch order.
  auto work = [&] {
    ReadStats mine;
    for (size_t task = next++; task < tasks && !failed.load(); task = next++) {
      auto column = reader.ReadColumn(order.segments[task / routes], task % routes, &mine);
      if (!column.IsOk()) {
        std::lock_guard lock(mutex);
        if (error.IsOk()) error = column.status();
        failed = true;
      }
    }
    std::lock_guard lock(mutex);
    total += mine;
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(threads, 1); ++t) pool.emplace_back(work);
  for (auto& thread : pool) thread.join();
  if (!error.IsOk()) return std::move(error).WithContext("decompression ceiling");
  CeilingResult result;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.events = order.Rows();
  result.reads = total;
  return result;
}

}  // namespace rootbatch::loader
