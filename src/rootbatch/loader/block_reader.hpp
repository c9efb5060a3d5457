// BlockReader: reads one segment of entries, column by column, and converts
// it into the loader's row format (a StagedBlock). Called from worker
// threads: every method is const and thread-safe.
//
// Columns are read whole, then scattered into rows tile by tile (256 rows
// at a time, all columns), so that the rows being written stay in cache;
// scattering one column at a time over a large block would stream the whole
// block through the cache once per column.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
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
  // Left uninitialised: every byte of every part is written by ReadBlock and
  // Allocate (padding between parts is never copied into a batch).
  std::unique_ptr<uint8_t[]> fixed;
  size_t fixed_bytes = 0;
  size_t fixed_capacity = 0;
  std::vector<Ragged> ragged;

  size_t Bytes() const;
};

class BlockReader {
 public:
  // `indices[input][file][route]` as BuildLayout returns them.
  BlockReader(std::vector<LoaderInput> inputs, RowLayout layout, std::vector<std::vector<std::vector<size_t>>> indices);

  const RowLayout& Layout() const { return layout_; }
  size_t NumRoutes() const { return layout_.routes.size(); }

  // An empty block sized for `segment`, reusing `recycled`'s memory when it
  // is large enough.
  std::unique_ptr<StagedBlock> Allocate(const Segment& segment, std::unique_ptr<StagedBlock> recycled = nullptr) const;
  // Reads every column of `segment` into `block` (from Allocate), and
  // writes each row's entry number and class label. Errors name the column,
  // the entries and the source. Stops early, returning kCancelled, when
  // `cancelled` (optional) becomes true between two columns.
  Status ReadBlock(const Segment& segment, StagedBlock* block, ReadStats* stats,
                   const std::atomic<bool>* cancelled = nullptr) const;
  // Starts fetching every basket `segment` needs, of every column, where its
  // file is remote (coalesced requests, in flight while earlier segments are
  // read); a ticket for EndFetch, -1 where nothing started. Non-blocking.
  int64_t StartFetch(const Segment& segment) const;
  void EndFetch(const Segment& segment, int64_t ticket) const;
  // What a StartFetch holds per row until its EndFetch, for the budget: the
  // largest ColumnSource::PrefetchBytesPerEntry over the files (0 when no
  // file is remote).
  double FetchBytesPerRow() const;
  // Reads without converting (the decompression ceiling, estimates); the
  // reader's output is checked against the column contract.
  Result<Column> ReadColumn(const Segment& segment, size_t route, ReadStats* stats) const;

  // Fails if route `route` has check_exact and `values` (read for
  // `segment`) hold a value its output type rounds; names the column, the
  // value, the entry and the source.
  Status CheckExact(const Segment& segment, size_t route, const Column& values) const;

  // The column index each route reads in `segment`'s file.
  const std::vector<size_t>& ColumnsOf(const Segment& segment) const {
    return indices_[static_cast<size_t>(segment.input)][static_cast<size_t>(segment.file)];
  }

  const ColumnSource& Source(const Segment& segment) const {
    return inputs_[static_cast<size_t>(segment.input)].dataset->File(static_cast<size_t>(segment.file));
  }

 private:
  // Writes the entry numbers and class label of rows [begin, end).
  void WriteRowIds(const Segment& segment, int64_t begin, int64_t end, StagedBlock* block) const;
  // Converts the values of one column (already read) into rows [begin, end).
  void ConvertListsOfLists(const ColumnRoute& r, const Column& values, int64_t begin, int64_t end,
                           StagedBlock* block) const;
  void Convert(size_t route, const Column& values, int64_t begin, int64_t end, StagedBlock* block) const;
  // Weights mode of the reweighting: each row's weight from its class and bin.
  Status WriteWeights(const Segment& segment, std::span<const Column> columns, int64_t begin, int64_t end,
                      StagedBlock* block) const;
  // class_columns: the index of each row's one-hot class column.
  Status WriteClassIndex(const Segment& segment, std::span<const Column> columns, int64_t begin, int64_t end,
                         StagedBlock* block) const;

  std::vector<LoaderInput> inputs_;
  RowLayout layout_;
  std::vector<std::vector<std::vector<size_t>>> indices_;
};

}  // namespace rootbatch::loader
