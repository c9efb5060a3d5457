#include "rootbatch/loader/large_memory.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <new>

namespace rootbatch::loader {
namespace {
constexpr size_t kHugePage = size_t{2} << 20;
}

LargeMemory::LargeMemory(size_t bytes) : size_(bytes) {
  // Over-map by one huge page so that the array can start on a huge-page
  // boundary (THP only backs aligned 2 MiB ranges).
  mapped_ = (bytes + kHugePage - 1) / kHugePage * kHugePage + kHugePage;
  mapping_ = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping_ == MAP_FAILED) {
    mapping_ = nullptr;
    throw std::bad_alloc();
  }
  auto address = reinterpret_cast<uintptr_t>(mapping_);
  auto aligned = (address + kHugePage - 1) / kHugePage * kHugePage;
  data_ = reinterpret_cast<uint8_t*>(aligned);
  madvise(data_, mapped_ - (aligned - address), MADV_HUGEPAGE);  // a hint: failure is harmless
}

LargeMemory::~LargeMemory() {
  if (mapping_ != nullptr) munmap(mapping_, mapped_);
}

}  // namespace rootbatch::loader
