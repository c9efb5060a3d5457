// Frames over in-memory sources (loader/testing/memory_source.hpp) for the
// frame layer's tests.
#pragma once

#include <memory>
#include <vector>

#include "rootbatch/frame/frame.hpp"
#include "rootbatch/loader/testing/memory_source.hpp"

namespace rootbatch::testing {

// One in-memory file of `entries` entries (event_id = entry number).
inline Frame MemoryFrame(int64_t entries, int64_t cluster_size, int64_t basket_size = 100) {
  MemorySourceOptions o;
  o.num_entries = entries;
  o.cluster_size = cluster_size;
  o.basket_size = basket_size;
  std::vector<std::unique_ptr<ColumnSource>> sources;
  sources.push_back(MakeMemorySource(o));
  return Frame::FromDataset(*Dataset::FromSources(std::move(sources)));
}

}  // namespace rootbatch::testing
