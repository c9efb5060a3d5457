// Snapshot: the passing rows of some columns written with rootbatch's own
// writer, as a TTree or an RNTuple, in pieces of rows (memory: one piece).
#include <filesystem>

#include "rootbatch/frame/frame.hpp"
#include "rootbatch/frame/frame_node.hpp"
#include "rootbatch/frame/frame_source.hpp"
#include "rootbatch/write/file_writer.hpp"
#include "rootbatch/write/rntuple_writer.hpp"
#include "rootbatch/write/tree_writer.hpp"

namespace rootbatch {
namespace {

constexpr int64_t kPieceRows = 1 << 16;

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

Status Frame::Snapshot(const std::string& tree, const std::string& path, std::span<const std::string> columns,
                       const SnapshotOptions& options, int num_threads) const {
  std::vector<std::string> names(columns.begin(), columns.end());
  if (names.empty()) names = ColumnNames();
  std::vector<size_t> indices;
  std::vector<ColumnSpec> specs;
  for (const std::string& name : names) {
    RB_ASSIGN_OR_RETURN(ColumnSpec spec, ColumnSpecOf(name));
    for (size_t c = 0; c < node_->columns.size(); ++c) {
      if (node_->columns[c].spec.name == spec.name) indices.push_back(c);
    }
    specs.push_back(std::move(spec));
  }
  RB_ASSIGN_OR_RETURN(Codec codec, ParseCodec(options.compression));
  const CompressionSetting compression{codec, codec == Codec::kNone ? 0 : options.level};

  // The schema is checked before the file is created, so a refused column leaves nothing behind.
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
  RB_ASSIGN_OR_RETURN(auto selection, frame::SelectRows(*node_, num_threads));

  RB_ASSIGN_OR_RETURN(std::unique_ptr<FileWriter> file, FileWriter::Create(path, compression));
  TreeWriter* tree_writer = nullptr;
  RNTupleWriter* ntuple_writer = nullptr;
  if (options.format == SnapshotFormat::kTTree) {
    RB_ASSIGN_OR_RETURN(tree_writer, file->MakeTree(tree));
    for (BranchSpec& b : branches) RB_RETURN_IF_ERROR(tree_writer->AddBranch(std::move(b)).status());
  } else {
    RB_ASSIGN_OR_RETURN(ntuple_writer, file->MakeRNTuple(tree));
    for (RNTupleFieldSpec& f : fields) RB_RETURN_IF_ERROR(ntuple_writer->AddField(std::move(f)).status());
  }
  for (size_t f = 0; f < node_->dataset->NumFiles(); ++f) {
    frame::FrameSource source(node_, selection, f);
    for (int64_t b = 0; b < source.NumEntries(); b += kPieceRows) {
      const EntryRange rows{b, std::min(source.NumEntries(), b + kPieceRows)};
      std::vector<Column> piece;
      std::vector<ColumnView> views;
      for (size_t c : indices) {
        RB_ASSIGN_OR_RETURN(Column col, source.ReadColumn(c, rows));
        piece.push_back(std::move(col));
      }
      for (const Column& col : piece) views.push_back(ColumnView::Of(col));
      if (tree_writer) {
        RB_RETURN_IF_ERROR_CTX(tree_writer->Append(views, rows.Size()), "Snapshot to " + path);
      } else {
        RB_RETURN_IF_ERROR_CTX(ntuple_writer->Append(views, rows.Size()), "Snapshot to " + path);
      }
    }
  }
  return file->Close();
}

}  // namespace rootbatch
