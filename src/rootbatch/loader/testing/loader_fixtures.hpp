// Helpers for loader tests: datasets of MemorySources and batch collection.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "rootbatch/frame/dataset.hpp"
#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/testing/memory_source.hpp"

namespace rootbatch::testing {

// Files of `sizes` entries; event ids continue across files, so a row's
// event_id equals its global entry index.
inline std::shared_ptr<const Dataset> MakeDataset(const std::vector<int64_t>& sizes, MemorySourceOptions base = {}) {
  std::vector<std::unique_ptr<ColumnSource>> sources;
  int64_t first = base.first_event_id;
  for (size_t i = 0; i < sizes.size(); ++i) {
    MemorySourceOptions options = base;
    options.name = base.name + std::to_string(i);
    options.num_entries = sizes[i];
    options.first_event_id = first;
    first += sizes[i];
    sources.push_back(MakeMemorySource(options));
  }
  auto dataset = Dataset::FromSources(std::move(sources));
  EXPECT_TRUE(dataset.IsOk()) << dataset.status().ToString();
  return *dataset;
}

inline std::vector<loader::Batch> Drain(loader::Loader& loader) {
  std::vector<loader::Batch> batches;
  for (;;) {
    auto next = loader.Next();
    EXPECT_TRUE(next.IsOk()) << next.status().ToString();
    if (!next.IsOk() || !next->has_value()) break;
    batches.push_back(std::move(**next));
  }
  return batches;
}

// Runs `epochs` whole epochs, dropping each batch before the next Next() (as
// the memory budget assumes), and expects `rows` rows in each.
inline void ExpectEpochRows(loader::Loader& loader, int64_t rows, int epochs) {
  for (int64_t epoch = 0; epoch < epochs; ++epoch) {
    ASSERT_TRUE(loader.SetEpoch(epoch).IsOk());
    int64_t seen = 0;
    for (;;) {
      auto next = loader.Next();
      ASSERT_TRUE(next.IsOk()) << next.status().ToString();
      if (!next->has_value()) break;
      seen += (*next)->num_rows;
    }
    ASSERT_EQ(seen, rows) << "epoch " << epoch;
  }
}

inline std::vector<int64_t> Entries(const std::vector<loader::Batch>& batches) {
  std::vector<int64_t> entries;
  for (const auto& batch : batches) {
    auto values = batch.entries.Values<int64_t>();
    entries.insert(entries.end(), values.begin(), values.end());
  }
  return entries;
}

inline std::vector<loader::LoaderInput> In(std::shared_ptr<const Dataset> dataset) {
  loader::LoaderInput input;
  input.dataset = std::move(dataset);
  return {input};
}

inline std::unique_ptr<loader::Loader> MustCreate(std::vector<loader::LoaderInput> inputs,
                                                  const loader::LoaderOptions& options) {
  auto loader = loader::Loader::Create(std::move(inputs), options);
  EXPECT_TRUE(loader.IsOk()) << loader.status().ToString();
  return loader.IsOk() ? std::move(*loader) : nullptr;
}

// Every row's values must be the ones its entry index says (features f0..f2
// and target event_id of a MakeDataset).
inline void CheckRows(const loader::Batch& batch) {
  auto entries = batch.entries.Values<int64_t>();
  auto features = batch.features.Values<float>();
  ASSERT_TRUE(batch.targets.has_value());
  ASSERT_EQ(batch.targets->dtype, DataType::kInt64);
  auto ids = batch.targets->Values<int64_t>();
  const int64_t width = batch.features.shape[1];
  for (int64_t r = 0; r < batch.num_rows; ++r) {
    ASSERT_EQ(ids[static_cast<size_t>(r)], entries[static_cast<size_t>(r)]);
    for (int k = 0; k < 3; ++k) {
      ASSERT_EQ(features[static_cast<size_t>(r * width + k)], FeatureValue(entries[static_cast<size_t>(r)], k));
    }
  }
}

// Byte-identical batches: rows, indices, entries, features and targets.
inline bool SameBatches(const std::vector<loader::Batch>& a, const std::vector<loader::Batch>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].num_rows != b[i].num_rows || a[i].index != b[i].index) return false;
    if (std::memcmp(a[i].entries.data, b[i].entries.data, a[i].entries.NumBytes()) != 0) return false;
    if (std::memcmp(a[i].features.data, b[i].features.data, a[i].features.NumBytes()) != 0) return false;
    if (std::memcmp(a[i].targets->data, b[i].targets->data, a[i].targets->NumBytes()) != 0) return false;
  }
  return true;
}

}  // namespace rootbatch::testing
