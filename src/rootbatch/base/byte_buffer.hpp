// A byte vector whose resize leaves new bytes uninitialised: for buffers
// that a read or a decompressor overwrites in full right away, where
// zero-filling first cost 5-8 % of the loader's CPU (docs/benchmarks.md).
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace rootbatch {

// std::allocator, except that value-initialisation (what resize(n) asks
// for) becomes default-initialisation, which for bytes is nothing.
template <typename T>
struct NoInitAllocator : std::allocator<T> {
  using value_type = T;
  NoInitAllocator() noexcept = default;
  template <typename U>
  NoInitAllocator(const NoInitAllocator<U>&) noexcept {}  // NOLINT: implicit, as allocators are
  template <typename U>
  struct rebind {
    using other = NoInitAllocator<U>;
  };
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using ByteBuffer = std::vector<uint8_t, NoInitAllocator<uint8_t>>;

}  // namespace rootbatch
