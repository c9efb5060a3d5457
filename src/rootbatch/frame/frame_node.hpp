// The inside of a Frame: an immutable chain of nodes from the dataset to the
// node a user holds, each one transformation. Internal to the frame layer.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/frame/dataset.hpp"
#include "rootbatch/frame/row_selection.hpp"

namespace rootbatch::frame {

struct Node;

// A column as one node sees it: a column of the files or a define.
struct ColumnRef {
  ColumnSpec spec;               // spec.name is the name visible at the node
  int base = -1;                 // index in the dataset's (first file's) columns, or
  const Node* define = nullptr;  // the Define node that computes it
};

// A computation over rows: a compiled expression or a C++ callable. `eval`
// takes the inputs over `num_rows` rows and, when `reads_entry_numbers`,
// those rows' entry numbers (rdfentry_; empty otherwise, so that a pass
// over millions of rows does not build them for a kernel that ignores
// them); it keeps no state and runs on any thread.
struct Kernel {
  std::string text;  // the expression, or a description of the callable
  std::vector<ColumnRef> inputs;
  ColumnSpec result;
  bool reads_entry_numbers = true;
  std::function<Result<Column>(std::span<const Column* const> inputs, int64_t num_rows,
                               std::span<const int64_t> entry_numbers)>
      eval;
};

enum class OpKind : uint8_t { kSource, kFilter, kDefine, kRange };

// What one filter of a chain let through, in one selection pass.
struct CutCount {
  std::string name;  // empty for an unnamed filter
  int64_t pass = 0;
  int64_t all = 0;
};

// The result of a node's selection pass.
struct Selection {
  std::vector<std::shared_ptr<const RowSelection>> files;  // per file of the dataset
  std::vector<CutCount> cuts;                               // every filter of the chain, in order
  int64_t NumRows() const;
  int64_t ResidentBytes() const;
};

struct Node {
  OpKind kind = OpKind::kSource;
  std::shared_ptr<const Node> parent;   // null for the source
  std::shared_ptr<const Dataset> dataset;
  std::vector<std::string> paths;       // the files, when the frame opened them (Snapshot refuses to overwrite one)
  std::vector<ColumnRef> columns;       // visible at this node, in RDataFrame's order
  std::string name;                     // kFilter: its name; kDefine: the column
  std::shared_ptr<const Kernel> kernel; // kFilter, kDefine
  int64_t range_begin = 0, range_end = 0, range_stride = 1;  // kRange

  // The chain from the first transformation to this node (the source excluded).
  std::vector<const Node*> Chain() const;
  bool HasFilters() const;  // a filter or a range in the chain

  // The selection pass runs once per node; errors are not kept (a retry reruns).
  mutable std::mutex mutex;
  mutable std::shared_ptr<const Selection> selection;
};

// Runs (or returns the kept result of) `node`'s selection pass over the
// dataset with `num_threads` threads (a chain with a Range runs in one, as
// Range counts rows in order).
Result<std::shared_ptr<const Selection>> SelectRows(const Node& node, int num_threads);

// For each column of the first file, its index in `file` (-1 if missing or
// different in type, kind or shape).
std::vector<int> MapColumns(const Dataset& dataset, size_t file);

// The columns of a file (indices, sorted, as MapColumns maps them) that
// computing `columns` reads: base columns themselves, defines through their
// inputs down to the file. What a remote file fetches ahead for them.
std::vector<size_t> FileColumnsRead(std::vector<const ColumnRef*> columns, std::span<const int> file_columns);

// Evaluates columns of one file over a set of its entries, reading base
// columns once over the range the entries span and keeping every column it
// computed; Keep() drops rows (from all kept columns at once).
class RowChunk {
 public:
  // `entries`: local entry numbers in `file`, increasing.
  RowChunk(const Dataset& dataset, size_t file, std::span<const int> file_columns, std::vector<int64_t> entries,
           ReadStats* stats);

  const std::vector<int64_t>& Entries() const { return entries_; }
  // rdfentry_ of each row: the dataset-wide entry number (built on first use).
  std::span<const int64_t> EntryNumbers();
  // `ref` over the current rows.
  Result<const Column*> Get(const ColumnRef& ref);
  // Keeps the rows whose mask byte is nonzero; with `columns_too` false the
  // computed columns are dropped instead of picked (nothing reads them again).
  void Keep(std::span<const uint8_t> mask, bool columns_too = true);
  // Where later reads count what they cost.
  void SetStats(ReadStats* stats) { stats_ = stats; }
  // Moves a column out (computing it first if needed); a later Get of it
  // computes it again.
  Result<Column> Take(const ColumnRef& ref);

 private:
  struct Kept {
    const void* key;
    ColumnSpec spec;
    Column column;
  };
  Kept* Find(const ColumnRef& ref);

  const Dataset& dataset_;
  size_t file_;
  std::span<const int> file_columns_;
  std::vector<int64_t> entries_;
  std::vector<int64_t> entry_numbers_;  // empty until EntryNumbers() is asked for
  bool have_entry_numbers_ = false;
  ReadStats* stats_;
  std::deque<Kept> kept_;  // a deque: pointers handed out stay valid as columns are added
};

// The mask of a filter kernel's result: 1 where nonzero.
std::vector<uint8_t> MaskOf(const Column& column);
std::vector<uint8_t> MaskOf(Column&& column);

}  // namespace rootbatch::frame
