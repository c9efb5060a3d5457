#include "rootbatch/frame/frame_source.hpp"

#include <algorithm>
#include <atomic>

#include "rootbatch/column/gather.hpp"

namespace rootbatch::frame {
namespace {

std::atomic<uint64_t> next_source_id{1};

// One thread's last rows: which source and range, and the chunk computed.
struct LastRows {
  uint64_t source = 0;
  EntryRange range;
  std::unique_ptr<RowChunk> chunk;
};
thread_local LastRows last_rows;

}  // namespace

FrameSource::FrameSource(std::shared_ptr<const Node> node, std::shared_ptr<const Selection> selection, size_t file)
    : node_(std::move(node)),
      selection_(std::move(selection)),
      file_(file),
      rows_(selection_->files[file].get()),
      file_columns_(MapColumns(*node_->dataset, file)),
      id_(next_source_id.fetch_add(1)) {
  for (const ColumnRef& c : node_->columns) specs_.push_back(c.spec);
  // Every define reachable from the visible columns, and what they read.
  auto key = [](const ColumnRef& r) { return r.define ? static_cast<const void*>(r.define) : nullptr; };
  std::vector<const ColumnRef*> inputs;
  std::vector<const Node*> pending;
  for (const ColumnRef& c : node_->columns) {
    if (c.define) pending.push_back(c.define);
  }
  for (size_t i = 0; i < pending.size(); ++i) {
    for (const ColumnRef& in : pending[i]->kernel->inputs) {
      inputs.push_back(&in);
      if (in.define && std::find(pending.begin(), pending.end(), in.define) == pending.end()) {
        pending.push_back(in.define);
      }
    }
  }
  for (const ColumnRef& c : node_->columns) {
    bool read = false;
    for (const ColumnRef* in : inputs) {
      read = read || (c.define ? key(*in) == key(c) : (in->define == nullptr && in->base == c.base));
    }
    define_input_.push_back(read);
  }
}

std::string FrameSource::Description() const {
  return "rows of " + node_->dataset->File(file_).Description() + " passing its frame's filters";
}

std::vector<int64_t> FrameSource::ToRows(const std::vector<int64_t>& entry_bounds) const {
  std::vector<int64_t> rows{0};
  for (int64_t e : entry_bounds) {
    const int64_t r = rows_->Rank(std::min(e, rows_->NumEntries()));
    if (r > rows.back()) rows.push_back(r);
  }
  if (rows.back() != NumEntries()) rows.push_back(NumEntries());
  return rows;
}

std::vector<int64_t> FrameSource::ClusterBoundaries() const {
  return ToRows(node_->dataset->File(file_).ClusterBoundaries());
}

std::vector<int64_t> FrameSource::UnitBoundaries(size_t column) const {
  const ColumnRef& ref = node_->columns[column];
  if (ref.define == nullptr && file_columns_[static_cast<size_t>(ref.base)] >= 0) {
    return ToRows(node_->dataset->File(file_).UnitBoundaries(static_cast<size_t>(file_columns_[static_cast<size_t>(ref.base)])));
  }
  return ClusterBoundaries();
}

std::vector<size_t> FrameSource::FileColumnsOf(std::span<const size_t> columns) const {
  std::vector<const ColumnRef*> refs;
  for (size_t column : columns) {
    if (column < node_->columns.size()) refs.push_back(&node_->columns[column]);
  }
  return FileColumnsRead(std::move(refs), file_columns_);
}

int64_t FrameSource::PrefetchRows(EntryRange range, std::span<const size_t> columns) const {
  if (range.begin < 0 || range.end > NumEntries() || range.begin >= range.end) return -1;
  std::vector<int64_t> first, last;
  rows_->Entries(range.begin, range.begin + 1, first);
  rows_->Entries(range.end - 1, range.end, last);
  if (first.empty() || last.empty()) return -1;
  return node_->dataset->File(file_).PrefetchRows({first.front(), last.back() + 1}, FileColumnsOf(columns));
}

double FrameSource::PrefetchBytesPerEntry(std::span<const size_t> columns) const {
  // Rows that passed the filters read the entries between them too: per row,
  // the file's bytes per entry over the fraction of entries kept.
  if (NumEntries() <= 0) return 0;
  const ColumnSource& file = node_->dataset->File(file_);
  return file.PrefetchBytesPerEntry(FileColumnsOf(columns)) * static_cast<double>(file.NumEntries()) /
         static_cast<double>(NumEntries());
}

std::vector<int64_t> FrameSource::EntriesOf(EntryRange range) const {
  std::vector<int64_t> entries;
  rows_->Entries(range.begin, range.end, entries);
  return entries;
}

Result<Column> FrameSource::ReadColumn(size_t column, EntryRange range, ReadStats* stats) const {
  if (column >= specs_.size()) {
    return InvalidArgument("column index " + std::to_string(column) + " out of range in " + Description());
  }
  if (range.begin < 0 || range.end > NumEntries() || range.begin > range.end) {
    return InvalidArgument("rows [" + std::to_string(range.begin) + ", " + std::to_string(range.end) +
                           ") out of range: " + Description() + " has " + std::to_string(NumEntries()));
  }
  if (range.Size() == 0) return EmptyColumn(specs_[column]);
  LastRows& last = last_rows;
  if (last.source != id_ || !(last.range == range) || !last.chunk) {
    last.chunk.reset();  // the previous rows' memory goes before this range's is read
    last.chunk = std::make_unique<RowChunk>(*node_->dataset, file_, file_columns_, EntriesOf(range), stats);
    last.source = id_;
    last.range = range;
  } else {
    last.chunk->SetStats(stats);
  }
  const ColumnRef& ref = node_->columns[column];
  if (!define_input_[column]) {
    // Nothing else of the range reads it: moved out, not copied.
    auto taken = last.chunk->Take(ref);
    if (!taken.IsOk()) last = LastRows{};
    return taken;
  }
  auto got = last.chunk->Get(ref);
  if (!got.IsOk()) {
    last = LastRows{};
    return std::move(got).status();
  }
  return **got;  // a copy: a define of the next column of the range may read this one

}

const std::vector<UnreadableColumn>& FrameSource::UnreadableColumns() const {
  return node_->dataset->File(file_).UnreadableColumns();
}

Result<std::vector<std::unique_ptr<FrameSource>>> SourcesOf(const std::shared_ptr<const Node>& node,
                                                            int num_threads) {
  RB_ASSIGN_OR_RETURN(std::shared_ptr<const Selection> selection, SelectRows(*node, num_threads));
  std::vector<std::unique_ptr<FrameSource>> sources;
  for (size_t f = 0; f < node->dataset->NumFiles(); ++f) {
    sources.push_back(std::make_unique<FrameSource>(node, selection, f));
  }
  return sources;
}

Result<size_t> ColumnIndex(const Node& node, std::string_view name) {
  for (size_t c = 0; c < node.columns.size(); ++c) {
    if (node.columns[c].spec.name == name) return c;
  }
  return NotFound("no column '" + std::string(name) + "'");
}

Status ForEachPiece(const FrameSource& source, std::span<const size_t> columns, int64_t piece_rows,
                    const std::function<Status(std::vector<Column>& piece, EntryRange rows)>& visit) {
  for (int64_t b = 0; b < source.NumEntries(); b += piece_rows) {
    const EntryRange rows{b, std::min(source.NumEntries(), b + piece_rows)};
    std::vector<Column> piece;
    piece.reserve(columns.size());
    for (size_t c : columns) {
      RB_ASSIGN_OR_RETURN(Column col, source.ReadColumn(c, rows));
      piece.push_back(std::move(col));
    }
    RB_RETURN_IF_ERROR(visit(piece, rows));
  }
  last_rows = LastRows{};  // an action's thread keeps no rows once it is done
  return Status::Ok();
}

}  // namespace rootbatch::frame
