// Snapshot: the passing rows of some columns written with rootbatch's own
// writer, as a TTree or an RNTuple, in pieces of rows (memory: one piece),
// or in a random order (shuffle_snapshot.cpp).
#include <filesystem>

#include "rootbatch/frame/frame.hpp"
#include "rootbatch/frame/frame_node.hpp"
#include "rootbatch/frame/frame_source.hpp"
#include "rootbatch/frame/shuffle_snapshot.hpp"
#include "rootbatch/frame/snapshot_sink.hpp"

namespace rootbatch {

Status Frame::Snapshot(const std::string& tree, const std::string& path, std::span<const std::string> columns,
                       const SnapshotOptions& options, int num_threads) const {
  // Writing over an input would truncate it while it is read.
  for (const std::string& input : node_->paths) {
    std::error_code error;
    if (std::filesystem::equivalent(path, input, error)) {
      return InvalidArgument("Snapshot to '" + path + "' would overwrite its input '" + input +
                             "'; write to another file");
    }
  }
  std::vector<std::string> names(columns.begin(), columns.end());
  if (names.empty()) names = ColumnNames();
  std::vector<size_t> indices;
  std::vector<ColumnSpec> specs;
  for (const std::string& name : names) {
    RB_ASSIGN_OR_RETURN(ColumnSpec spec, ColumnSpecOf(name));
    RB_ASSIGN_OR_RETURN(size_t index, frame::ColumnIndex(*node_, spec.name));
    indices.push_back(index);
    specs.push_back(std::move(spec));
  }
  RB_ASSIGN_OR_RETURN(auto sources, frame::SourcesOf(node_, num_threads));
  if (options.shuffle) return frame::WriteShuffled(sources, indices, specs, tree, path, options);
  // The schema is checked before the file is created, so a refused column leaves nothing behind.
  RB_ASSIGN_OR_RETURN(auto sink, frame::SnapshotSink::Create(path, tree, specs, options));
  for (const auto& source : sources) {
    RB_RETURN_IF_ERROR(frame::ForEachPiece(*source, indices, frame::kPieceRows, [&](std::vector<Column>& piece, EntryRange rows) {
      return sink->Append(piece, rows.Size());
    }));
  }
  return sink->Close();
}

}  // namespace rootbatch
