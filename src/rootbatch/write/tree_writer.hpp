// TreeWriter: fills one TTree, streaming its baskets into the file.
//
// Branches are declared first (AddBranch), then entries are appended in
// batches, columnar: one ColumnView per branch per call (Append). Each branch
// gathers its entries in one open basket and writes it as a TBasket key as soon
// as it holds `basket_size` bytes, so memory stays at one basket per branch
// plus per-basket metadata (three numbers per basket), whatever the number of
// entries. Every `cluster_size` entries all baskets are written, whatever their
// fill: that is a cluster boundary (fAutoFlush), so a cluster holds one or
// more baskets per branch and basket boundaries fall inside clusters too.
//
// The TTree record itself (TTree v20 / TBranch v13 / TLeaf* v1, or
// TBranchElement v10 + TLeafElement v1 for std::vector) is written by
// FileWriter::Close.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/codec/codec.hpp"
#include "rootbatch/write/branch_spec.hpp"

namespace rootbatch {

class FileWriter;
namespace write {
struct Directory;
class BranchWriter;
}  // namespace write

struct TreeWriterOptions {
  int32_t basket_size = 32000;    // fBasketSize: bytes of data a basket gathers before it is written
  int64_t cluster_size = 100000;  // entries per cluster (fAutoFlush); > 0
  std::optional<CompressionSetting> compression;  // default: the file's
};

class TreeWriter {
 public:
  ~TreeWriter();
  TreeWriter(const TreeWriter&) = delete;
  TreeWriter& operator=(const TreeWriter&) = delete;

  // Declares a branch; only before the first Append. Returns its index, the
  // position of its ColumnView in Append. A counter array's counter must be an
  // int32 (or uint32) scalar branch declared before it.
  Result<size_t> AddBranch(BranchSpec spec);

  // Appends `num_entries` entries: `columns[i]` holds them for branch i. Sizes
  // are checked (fixed kinds: num_entries * values per entry; jagged kinds:
  // num_entries + 1 offsets), and each counter branch must agree with the
  // item counts of the arrays that use it. On error nothing is appended.
  Status Append(std::span<const ColumnView> columns, int64_t num_entries);

  const std::string& Name() const { return name_; }
  int64_t NumEntries() const { return num_entries_; }
  size_t NumBranches() const;
  const BranchSpec& Branch(size_t index) const;

 private:
  friend class FileWriter;
  TreeWriter(FileWriter* file, write::Directory* directory, std::string name, std::string title,
             TreeWriterOptions options);
  Status CheckBatch(std::span<const ColumnView> columns, int64_t num_entries) const;
  // Writes the open baskets and the TTree key (called once, by FileWriter::Close).
  Status Finish();
  // Classes the StreamerInfo record must describe for this tree.
  void CollectStreamerClasses(std::set<std::string>& classes) const;

  FileWriter* file_;
  write::Directory* directory_;
  std::string name_;
  std::string title_;
  TreeWriterOptions options_;
  CompressionSetting compression_;
  std::vector<std::unique_ptr<write::BranchWriter>> branches_;
  std::vector<int> counter_of_;  // per branch: index of its counter branch, or -1
  int64_t num_entries_ = 0;
  int64_t entries_in_cluster_ = 0;
  bool finished_ = false;
};

}  // namespace rootbatch
