// Helpers for loader tests: datasets of MemorySources and batch collection.
#pragma once

#include <gtest/gtest.h>

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

inline std::vector<int64_t> Entries(const std::vector<loader::Batch>& batches) {
  std::vector<int64_t> entries;
  for (const auto& batch : batches) {
    auto values = batch.entries.Values<int64_t>();
    entries.insert(entries.end(), values.begin(), values.end());
  }
  return entries;
}

}  // namespace rootbatch::testing
