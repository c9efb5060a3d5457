// FrameSource: the rows of one file that passed a frame's selection, as a
// ColumnSource whose entries are those rows, with the frame's defines as
// columns. The loader plans and reads it as any other source, so every
// guarantee it gives (exactly once, equal batch counts, resume) counts rows.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <memory>
#include <string>
#include <vector>

#include "rootbatch/frame/frame_node.hpp"

namespace rootbatch::frame {

class FrameSource final : public ColumnSource {
 public:
  FrameSource(std::shared_ptr<const Node> node, std::shared_ptr<const Selection> selection, size_t file);

  std::string Description() const override;
  int64_t NumEntries() const override { return rows_->NumRows(); }
  const std::vector<ColumnSpec>& Columns() const override { return specs_; }
  // A base cluster or unit boundary at entry e becomes the row boundary
  // Rank(e); a define's units are the clusters.
  std::vector<int64_t> ClusterBoundaries() const override;
  std::vector<int64_t> UnitBoundaries(size_t column) const override;
  // Reads the base columns over the entries the rows span, picks the rows
  // and evaluates the defines on them. Each thread keeps what it computed
  // for its last range of rows, so the columns of one loader segment (read
  // one after the other by one worker) share their inputs: two defines over
  // Jet_pt read it once.
  Result<Column> ReadColumn(size_t column, EntryRange range, ReadStats* stats = nullptr) const override;
  const std::vector<UnreadableColumn>& UnreadableColumns() const override;
  int64_t ResidentBytes() const override { return rows_->ResidentBytes(); }
  // The file's columns that `columns` read (defines: their inputs, down to
  // the file), over the entries rows [range) span (remote files).
  int64_t PrefetchRows(EntryRange range, std::span<const size_t> columns) const override;
  void EndRows(int64_t ticket) const override { node_->dataset->File(file_).EndRows(ticket); }
  double PrefetchBytesPerEntry(std::span<const size_t> columns) const override;

  // Local entry numbers in the file of rows [range).
  std::vector<int64_t> EntriesOf(EntryRange range) const;

 private:
  std::vector<int64_t> ToRows(const std::vector<int64_t>& entry_bounds) const;
  // The file's column indices that reading `columns` reads.
  std::vector<size_t> FileColumnsOf(std::span<const size_t> columns) const;

  std::shared_ptr<const Node> node_;
  std::shared_ptr<const Selection> selection_;
  size_t file_;
  const RowSelection* rows_;
  std::vector<ColumnSpec> specs_;
  std::vector<int> file_columns_;
  // Per column: whether a define reads it, so that the thread's cache must
  // keep it after handing it out (a copy); other columns are moved out.
  std::vector<bool> define_input_;
  // Names this source in each thread's cache of its last rows (a number, not
  // the address, which a later source may reuse).
  uint64_t id_;
};

// One FrameSource per file of `node`'s dataset, over its selection (run on
// `num_threads` if not kept yet): what every action reads.
Result<std::vector<std::unique_ptr<FrameSource>>> SourcesOf(const std::shared_ptr<const Node>& node,
                                                            int num_threads);
// Index of the column named `name` among those visible at `node`.
Result<size_t> ColumnIndex(const Node& node, std::string_view name);

// Rows an action (Take, Snapshot, the shuffle) reads at once.
inline constexpr int64_t kPieceRows = 1 << 16;

// Reads `columns` of the rows of `source` in pieces of `piece_rows` rows, in
// order, and calls `visit(piece, rows)` with one Column per column.
Status ForEachPiece(const FrameSource& source, std::span<const size_t> columns, int64_t piece_rows,
                    const std::function<Status(std::vector<Column>& piece, EntryRange rows)>& visit);

}  // namespace rootbatch::frame
