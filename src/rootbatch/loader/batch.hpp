// Batch: what the loader yields. Every tensor is a dense row-major array in
// memory owned by a reference-counted buffer, with the shape, dtype and
// strides that DLPack and the buffer protocol need, so that Python and C++
// users can take the data without copying; the buffer lives as long as any
// tensor (or exported view) refers to it, also after the loader is gone.
//
//   features  [rows, F]            feature_type
//   targets   [rows, T]            target type (if targets or class labels)
//   weights   [rows]               weight_type (if a weight column)
//   entries   [rows]               int64: global entry index of each row
//   padded[i] [rows, L, inner...]  per padded jagged column, with masks[i]
//             [rows, L] bool where a mask was asked for
//   ragged[i] values [items, inner...] + offsets [rows + 1] int64
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rootbatch/column/data_type.hpp"

namespace rootbatch::loader {

struct Tensor {
  std::string name;
  DataType dtype = DataType::kFloat32;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;   // in elements (DLPack's convention); row-major
  std::shared_ptr<void> owner;    // keeps `data` alive
  void* data = nullptr;           // 64-byte aligned for the first tensor of a buffer

  int64_t NumElements() const;
  size_t NumBytes() const { return static_cast<size_t>(NumElements()) * static_cast<size_t>(ByteWidth(dtype)); }
  // Typed view; T must match dtype's width (checked in debug builds).
  template <typename T>
  std::span<const T> Values() const {
    return {static_cast<const T*>(data), static_cast<size_t>(NumElements())};
  }
  template <typename T>
  std::span<T> MutableValues() {
    return {static_cast<T*>(data), static_cast<size_t>(NumElements())};
  }
};

// Dense row-major strides for `shape`.
std::vector<int64_t> RowMajorStrides(const std::vector<int64_t>& shape);

struct RaggedTensor {
  std::string name;
  Tensor values;   // [items, inner...]
  Tensor offsets;  // [rows + 1], int64, from 0
};

struct Batch {
  int64_t epoch = 0;
  int64_t index = 0;     // batch number within the epoch (this shard)
  int64_t num_rows = 0;
  Tensor features;
  std::optional<Tensor> targets;
  std::optional<Tensor> weights;
  Tensor entries;
  std::vector<Tensor> padded;
  std::vector<std::optional<Tensor>> masks;  // parallel to padded
  std::vector<RaggedTensor> ragged;
};

}  // namespace rootbatch::loader
