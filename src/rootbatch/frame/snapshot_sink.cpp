// SnapshotSink: the writer behind Snapshot (snapshot_sink.hpp).
#include "rootbatch/frame/snapshot_sink.hpp"

#include "rootbatch/write/file_writer.hpp"
#include "rootbatch/write/rntuple_writer.hpp"
#include "rootbatch/write/tree_writer.hpp"

namespace rootbatch::frame {
namespace {

Result<BranchSpec> BranchOf(const ColumnSpec& spec) {
  BranchSpec b;
  b.name = spec.name;
  b.type = spec.type;
  switch (spec.kind) {
    case ColumnKind::kScalar: b.kind = BranchKind::kScalar; return b;
    case ColumnKind::kFixedArray: b.kind = BranchKind::kFixedArray; b.dims = spec.inner_shape; return b;
    case ColumnKind::kJagged:
      if (spec.inner_shape.empty()) {
        b.kind = BranchKind::kVector;
        return b;
      }
      break;
    default: break;
  }
  return Unsupported("Snapshot cannot write column '" + spec.name + "' (" + spec.source_type +
                     ") as a TTree branch yet: numbers, fixed arrays and std::vector<number> are written; "
                     "strings go into an RNTuple (format rntuple)");
}

Result<RNTupleFieldSpec> FieldOf(const ColumnSpec& spec) {
  RNTupleFieldSpec f;
  f.name = spec.name;
  f.type = spec.type;
  if (spec.kind == ColumnKind::kScalar) return f;
  if (spec.kind == ColumnKind::kJagged && spec.inner_shape.empty()) {
    f.kind = RNTupleFieldKind::kVector;
    return f;
  }
  if (spec.kind == ColumnKind::kString) {
    f.kind = RNTupleFieldKind::kString;
    return f;
  }
  return Unsupported("Snapshot cannot write column '" + spec.name + "' (" + spec.source_type +
                     ") as an RNTuple field yet: numbers, std::vector<number> and strings are written");
}

}  // namespace

SnapshotSink::~SnapshotSink() = default;

Result<std::unique_ptr<SnapshotSink>> SnapshotSink::Create(const std::string& path, const std::string& tree,
                                                           std::span<const ColumnSpec> specs,
                                                           const SnapshotOptions& options) {
  RB_ASSIGN_OR_RETURN(Codec codec, ParseCodec(options.compression));
  const CompressionSetting compression{codec, codec == Codec::kNone ? 0 : options.level};
  std::vector<BranchSpec> branches;
  std::vector<RNTupleFieldSpec> fields;
  for (const ColumnSpec& spec : specs) {
    if (options.format == SnapshotFormat::kTTree) {
      RB_ASSIGN_OR_RETURN(BranchSpec b, BranchOf(spec));
      branches.push_back(std::move(b));
    } else {
      RB_ASSIGN_OR_RETURN(RNTupleFieldSpec f, FieldOf(spec));
      fields.push_back(std::move(f));
    }
  }
  std::unique_ptr<SnapshotSink> sink(new SnapshotSink());
  sink->path_ = path;
  RB_ASSIGN_OR_RETURN(sink->file_, FileWriter::Create(path, compression));
  if (options.format == SnapshotFormat::kTTree) {
    RB_ASSIGN_OR_RETURN(sink->tree_, sink->file_->MakeTree(tree));
    for (BranchSpec& b : branches) RB_RETURN_IF_ERROR(sink->tree_->AddBranch(std::move(b)).status());
  } else {
    RB_ASSIGN_OR_RETURN(sink->ntuple_, sink->file_->MakeRNTuple(tree));
    for (RNTupleFieldSpec& f : fields) RB_RETURN_IF_ERROR(sink->ntuple_->AddField(std::move(f)).status());
  }
  return sink;
}

Status SnapshotSink::Append(std::span<const Column> columns, int64_t num_rows) {
  std::vector<ColumnView> views;
  views.reserve(columns.size());
  for (const Column& col : columns) views.push_back(ColumnView::Of(col));
  Status s = tree_ ? tree_->Append(views, num_rows) : ntuple_->Append(views, num_rows);
  return std::move(s).WithContext("Snapshot to " + path_);
}

Status SnapshotSink::Close() { return file_->Close(); }

}  // namespace rootbatch::frame
