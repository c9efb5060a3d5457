// SnapshotSink: writes columns of rows as one TTree or RNTuple with
// rootbatch's writer, for Snapshot and the shuffled Snapshot. The schema is
// checked before the file is created, so a refused column leaves no file.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/frame/frame.hpp"

namespace rootbatch {

class FileWriter;
class TreeWriter;
class RNTupleWriter;

namespace frame {

class SnapshotSink {
 public:
  static Result<std::unique_ptr<SnapshotSink>> Create(const std::string& path, const std::string& tree,
                                                      std::span<const ColumnSpec> specs,
                                                      const SnapshotOptions& options);
  ~SnapshotSink();
  // `columns[i]` holds `num_rows` rows of specs[i].
  Status Append(std::span<const Column> columns, int64_t num_rows);
  Status Close();

 private:
  SnapshotSink() = default;
  std::string path_;
  std::unique_ptr<FileWriter> file_;
  TreeWriter* tree_ = nullptr;
  RNTupleWriter* ntuple_ = nullptr;
};

}  // namespace frame
}  // namespace rootbatch
