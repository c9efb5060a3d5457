// Opening a TTree as a ColumnSource: the one entry point that the frame and
// the loader need from the TTree reader.
#pragma once

#include <memory>
#include <string>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/tfile/root_file.hpp"
#include "rootbatch/ttree/interpretation.hpp"
#include "rootbatch/ttree/tree_model.hpp"

namespace rootbatch {

// A TTree exposed column by column. Every readable branch is a column (leaf
// lists give one column per leaf, "branch.leaf"); branches it cannot read
// are listed by Skipped() with the reason. Immutable after Open; ReadColumn
// is safe from several threads.
class TreeSource final : public ColumnSource {
 public:
  static Result<std::unique_ptr<TreeSource>> Open(std::shared_ptr<const RootFile> file,
                                                  const std::string& tree_path);

  std::string Description() const override;
  int64_t NumEntries() const override { return model_.entries; }
  const std::vector<ColumnSpec>& Columns() const override { return specs_; }
  std::vector<int64_t> ClusterBoundaries() const override;
  std::vector<int64_t> UnitBoundaries(size_t column) const override;
  Result<Column> ReadColumn(size_t column, EntryRange range, ReadStats* stats = nullptr) const override;
  // The on-disk baskets of `columns` (and of their counter branches) that
  // hold `range`, to the file's source as one prefetch.
  int64_t PrefetchRows(EntryRange range, std::span<const size_t> columns) const override;
  double PrefetchBytesPerEntry(std::span<const size_t> columns) const override;
  void EndRows(int64_t ticket) const override;

  const TreeModel& Model() const { return model_; }
  const std::string& Path() const { return path_; }
  int16_t Cycle() const { return cycle_; }
  const std::string& ClassName() const { return class_name_; }
  const Interpretation& ColumnInterpretation(size_t column) const { return interpretations_.columns[column]; }
  const std::vector<BranchInterpretations::Skipped>& Skipped() const { return interpretations_.skipped; }
  const std::vector<UnreadableColumn>& UnreadableColumns() const override { return interpretations_.skipped; }
  const RootFile& File() const { return *file_; }
  // Entries stored for one column: the tree's, or more when branches were
  // filled on their own and the tree's fEntries was never updated.
  int64_t ColumnEntries(size_t column) const;

 private:
  // The baskets of `columns` (and their counters) that hold entries `range`.
  std::vector<ByteRange> BasketRanges(EntryRange range, std::span<const size_t> columns) const;
  TreeSource() = default;
  Status ReadBranchColumn(const Interpretation& in, EntryRange range, ReadStats* stats, Column& out) const;

  std::shared_ptr<const RootFile> file_;
  std::string path_;
  int16_t cycle_ = 0;
  std::string class_name_;
  TreeModel model_;
  BranchInterpretations interpretations_;
  std::vector<ColumnSpec> specs_;
};

// Opens `tree_path` ("events", "dir/sub/tree", "tree;2") in the ROOT file at
// `path` as a ColumnSource.
Result<std::unique_ptr<ColumnSource>> OpenTreeSource(const std::string& path,
                                                     const std::string& tree_path);

}  // namespace rootbatch
