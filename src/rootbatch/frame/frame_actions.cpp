// Actions: each runs the node's selection pass (kept after the first) and
// then reads only the columns it needs, file by file, in pieces of rows.
#include <algorithm>
#include <cmath>
#include <limits>

#include "rootbatch/column/gather.hpp"
#include "rootbatch/frame/frame.hpp"
#include "rootbatch/frame/frame_node.hpp"
#include "rootbatch/frame/frame_source.hpp"

namespace rootbatch {

using frame::FrameSource;
using frame::Node;
using frame::OpKind;

namespace {

bool IsPlain(const Node& node) { return node.kind == OpKind::kSource; }

// Calls `visit(piece)` for each piece of passing rows of every source, in
// order: `visit(std::span<const Column>)` gets one Column per name.
template <typename Visit>
Status ForEachPieceOf(const std::vector<std::unique_ptr<FrameSource>>& sources, std::span<const size_t> columns,
                      Visit&& visit) {
  for (const auto& source : sources) {
    RB_RETURN_IF_ERROR(frame::ForEachPiece(*source, columns, frame::kPieceRows, [&](std::vector<Column>& piece, EntryRange) {
      return visit(std::span<const Column>(piece));
    }));
  }
  return Status::Ok();
}

}  // namespace

Result<int64_t> Frame::Count(int num_threads) const {
  if (!node_->HasFilters()) return node_->dataset->NumEntries();
  RB_ASSIGN_OR_RETURN(auto selection, frame::SelectRows(*node_, num_threads));
  return selection->NumRows();
}

Result<std::vector<double>> Frame::Reduce(std::string_view column, int num_threads) const {
  RB_ASSIGN_OR_RETURN(ColumnSpec spec, ColumnSpecOf(column));
  if (spec.kind == ColumnKind::kString) {
    return InvalidArgument("column '" + spec.name + "' holds strings (" + spec.source_type + "): no sum, mean, min or max");
  }
  RB_ASSIGN_OR_RETURN(size_t index, frame::ColumnIndex(*node_, spec.name));
  RB_ASSIGN_OR_RETURN(auto sources, frame::SourcesOf(node_, num_threads));
  // {sum, count, min, max}; the sum is compensated (Kahan), as ROOT's Mean is.
  double sum = 0, carry = 0, count = 0;
  double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
  const size_t columns[] = {index};
  RB_RETURN_IF_ERROR(ForEachPieceOf(sources, columns, [&](std::span<const Column> piece) -> Status {
    VisitDataType(piece[0].type, [&](auto tag) {
      using T = decltype(tag);
      for (T v : piece[0].As<T>()) {
        const double x = static_cast<double>(v);
        const double y = x - carry;
        const double t = sum + y;
        carry = (t - sum) - y;
        sum = t;
        count += 1;
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
    });
    return Status::Ok();
  }));
  return std::vector<double>{sum, count, lo, hi};
}

Result<double> Frame::Sum(std::string_view column, int num_threads) const {
  RB_ASSIGN_OR_RETURN(auto r, Reduce(column, num_threads));
  return r[0];
}

Result<double> Frame::Mean(std::string_view column, int num_threads) const {
  RB_ASSIGN_OR_RETURN(auto r, Reduce(column, num_threads));
  return r[1] == 0 ? 0.0 : r[0] / r[1];
}

Result<double> Frame::Min(std::string_view column, int num_threads) const {
  RB_ASSIGN_OR_RETURN(auto r, Reduce(column, num_threads));
  return r[2];
}

Result<double> Frame::Max(std::string_view column, int num_threads) const {
  RB_ASSIGN_OR_RETURN(auto r, Reduce(column, num_threads));
  return r[3];
}

Result<std::vector<Column>> Frame::Take(std::span<const std::string> columns, int num_threads) const {
  std::vector<size_t> indices;
  std::vector<ColumnSpec> specs;
  for (const std::string& name : columns) {
    RB_ASSIGN_OR_RETURN(ColumnSpec spec, ColumnSpecOf(name));
    RB_ASSIGN_OR_RETURN(size_t index, frame::ColumnIndex(*node_, spec.name));
    indices.push_back(index);
    specs.push_back(spec);
  }
  std::vector<Column> out;
  for (const ColumnSpec& spec : specs) out.push_back(EmptyColumn(spec));
  RB_ASSIGN_OR_RETURN(auto sources, frame::SourcesOf(node_, num_threads));
  RB_RETURN_IF_ERROR(ForEachPieceOf(sources, indices, [&](std::span<const Column> piece) -> Status {
    for (size_t i = 0; i < piece.size(); ++i) AppendEntries(out[i], piece[i], specs[i]);
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<CutInfo>> Frame::Report(int num_threads) const {
  RB_ASSIGN_OR_RETURN(auto selection, frame::SelectRows(*node_, num_threads));
  std::vector<CutInfo> report;
  for (const frame::CutCount& cut : selection->cuts) {
    if (!cut.name.empty()) report.push_back({cut.name, cut.pass, cut.all});
  }
  return report;
}

Result<std::vector<int64_t>> Frame::EntryNumbers(int num_threads) const {
  RB_ASSIGN_OR_RETURN(auto sources, frame::SourcesOf(node_, num_threads));
  std::vector<int64_t> entries;
  for (size_t f = 0; f < sources.size(); ++f) {
    const int64_t start = node_->dataset->FileStart(f);
    for (int64_t e : sources[f]->EntriesOf({0, sources[f]->NumEntries()})) entries.push_back(start + e);
  }
  return entries;
}

Result<std::shared_ptr<const Dataset>> Frame::Materialize(int num_threads) const {
  if (IsPlain(*node_)) return node_->dataset;
  RB_ASSIGN_OR_RETURN(auto sources, frame::SourcesOf(node_, num_threads));
  std::vector<std::unique_ptr<ColumnSource>> as_sources;
  for (auto& s : sources) as_sources.push_back(std::move(s));
  return Dataset::FromSources(std::move(as_sources));
}

}  // namespace rootbatch
