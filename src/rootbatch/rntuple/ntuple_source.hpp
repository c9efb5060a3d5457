// Opening an RNTuple as a ColumnSource: every readable leaf field is a
// column named as ROOT's RDataFrame names it (records flattened with dots,
// the item field of a collection or array unnamed: "four_v_LVs.pt",
// "my_struct.sub_struct.i", "tuple._0"); fields it cannot read are listed by
// UnreadableColumns() with the reason. Immutable after Open; ReadColumn is
// safe from several threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/rntuple/descriptor.hpp"
#include "rootbatch/tfile/root_file.hpp"

namespace rootbatch {

namespace rntuple {

// One on-disk column of a field, as the alternative physical columns of its
// representations (one of which is active in each cluster).
struct Slot {
  std::vector<uint32_t> alternatives;
  bool Empty() const { return alternatives.empty(); }
};

// A collection level between an entry and its values: the index column, and
// a column under the collection's item whose element offset in a cluster,
// divided by `probe_divisor`, is the item count before that cluster.
struct Level {
  Slot index;
  Slot probe;
  int64_t probe_divisor = 1;
};

// How one leaf column is read.
struct LeafPlan {
  ColumnSpec spec;
  std::vector<Level> levels;  // outermost first
  Slot data;                  // the data column (chars for strings)
  int64_t repeat = 1;         // values per innermost item (std::array sizes)
  bool cardinality = false;   // RNTupleCardinality: item counts of `data`, an index column
};

// Where one leaf column's data lies, for listings: summed over every
// on-disk column it reads (collection indices and data) and every cluster.
struct ColumnStorage {
  int64_t pages = 0;
  std::string encoding;     // column types: "SplitIndex64+SplitReal32"; "/" between representations
  std::string compression;  // ROOT settings seen: "505", "0"
  int64_t stored_bytes = 0;        // pages as stored (compressed)
  int64_t uncompressed_bytes = 0;  // pages decoded
};

}  // namespace rntuple

class NTupleSource final : public ColumnSource {
 public:
  static Result<std::unique_ptr<NTupleSource>> Open(std::shared_ptr<const RootFile> file, const std::string& path);

  std::string Description() const override;
  int64_t NumEntries() const override { return descriptor_.num_entries; }
  const std::vector<ColumnSpec>& Columns() const override { return specs_; }
  std::vector<int64_t> ClusterBoundaries() const override;
  std::vector<int64_t> UnitBoundaries(size_t column) const override;
  Result<Column> ReadColumn(size_t column, EntryRange range, ReadStats* stats = nullptr) const override;
  const std::vector<UnreadableColumn>& UnreadableColumns() const override { return skipped_; }
  // Remote files: the pages entries `range` of `columns` need (for columns
  // under a collection, every page of the clusters the range touches: their
  // element ranges are known only from the offsets).
  int64_t PrefetchRows(EntryRange range, std::span<const size_t> columns) const override;
  void EndRows(int64_t ticket) const override { file_->Source().DropPrefetched(ticket); }
  double PrefetchBytesPerEntry(std::span<const size_t> columns) const override;

  const rntuple::Descriptor& Descriptor() const { return descriptor_; }
  const rntuple::LeafPlan& Plan(size_t column) const { return plans_[column]; }
  rntuple::ColumnStorage Storage(size_t column) const;
  const std::string& Path() const { return path_; }
  int16_t Cycle() const { return cycle_; }
  const RootFile& File() const { return *file_; }

 private:
  NTupleSource() = default;
  void BuildPlans();
  std::vector<ByteRange> PageRanges(EntryRange range, std::span<const size_t> columns) const;
  // Fails, naming the page, if a page the elements [first, first + count)
  // touch claims more than fits one page or than its stored bytes expand to.
  Status CheckPagesBeforeReading(const rntuple::Slot& slot, int64_t first, int64_t count) const;
  Result<std::vector<uint8_t>> ReadElements(const rntuple::Slot& slot, int64_t first, int64_t count, DataType type,
                                            ReadStats* stats) const;
  Result<std::vector<int64_t>> ReadOffsets(const rntuple::Level& level, int64_t first, int64_t count,
                                           ReadStats* stats) const;
  Result<int64_t> ClusterBase(const rntuple::Level& level, size_t cluster, ReadStats* stats) const;
  Result<std::vector<int64_t>> ReadCounts(const rntuple::Slot& index, int64_t first, int64_t count,
                                          ReadStats* stats) const;
  Status ReadPage(uint32_t column, size_t cluster, size_t page, std::vector<uint8_t>& decoded,
                  ReadStats* stats) const;
  // The same into `decoded`, which holds exactly the page's elements in
  // their memory type (a page the read covers whole decodes in place).
  Status ReadPageInto(uint32_t column, size_t cluster, size_t page, std::span<uint8_t> decoded,
                      ReadStats* stats) const;
  // The alternative active in `cluster`, or -1 when the column has no
  // elements there.
  int64_t Active(const rntuple::Slot& slot, size_t cluster) const;
  int64_t Capacity(const rntuple::Slot& slot) const;
  std::string ColumnLabel(uint32_t column) const;

  std::shared_ptr<const RootFile> file_;
  std::string path_;
  int16_t cycle_ = 0;
  rntuple::Descriptor descriptor_;
  std::vector<rntuple::LeafPlan> plans_;
  std::vector<ColumnSpec> specs_;
  std::vector<UnreadableColumn> skipped_;
};

// Opens the RNTuple `path` ("events", "dir/ntuple;1") in the ROOT file at
// `file_path` as a ColumnSource.
Result<std::unique_ptr<ColumnSource>> OpenNTupleSource(const std::string& file_path, const std::string& path);

}  // namespace rootbatch
