// BlockReader: reads one segment of entries, column by column, and converts
// it into the loader's row format (a StagedBlock). Called from worker
// threads: every method is const and thread-safe, and different columns of
// one StagedBlock may be filled concurrently (they write disjoint bytes).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/loader/epoch_order.hpp"
#include "rootbatch/loader/layout.hpp"
#include "rootbatch/loader/options.hpp"

namespace rootbatch::loader {

// One segment in row format: `rows` fixed rows of layout.row_bytes, plus
// each ragged column's values (output type) and offsets (rows + 1).
struct StagedBlock {
  struct Ragged {
    std::vector<uint8_t> values;
    std::vector<int64_t> offsets;
  };
  int64_t rows = 0;
  std::vector<uint8_t> fixed;
  std::vector<Ragged> ragged;

  size_t Bytes() const;
};

class BlockReader {
 public:
  // `indices[input][file][route]` as BuildLayout returns them.
  BlockReader(std::vector<LoaderInput> inputs, RowLayout layout, std::vector<std::vector<std::vector<size_t>>> indices);

  const RowLayout& Layout() const { return layout_; }
  size_t NumRoutes() const { return layout_.routes.size(); }

  // An empty block for `segment` (the class label already written).
  std::unique_ptr<StagedBlock> Allocate(const Segment& segment) const;
  // Reads route `route` of `segment` into `block`. Errors name the column,
  // the entries and the source.
  Status ReadInto(const Segment& segment, size_t route, StagedBlock* block, ReadStats* stats) const;
  // Reads without converting (the decompression ceiling, estimates); the
  // reader's output is checked against the column contract.
  Result<Column> ReadColumn(const Segment& segment, size_t route, ReadStats* stats) const;

  const ColumnSource& Source(const Segment& segment) const {
    return inputs_[static_cast<size_t>(segment.input)].dataset->File(static_cast<size_t>(segment.file));
  }

 private:
  std::vector<LoaderInput> inputs_;
  RowLayout layout_;
  std::vector<std::vector<std::vector<size_t>>> indices_;
};

}  // namespace rootbatch::loader
