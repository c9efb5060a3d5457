// RNTupleWriter: fills one RNTuple (ROOT's columnar format 1.0), streaming its
// pages into the file (ROOTIO-FORMAT.md §5).
//
// Fields are declared first (AddField), then entries are appended in batches,
// columnar: one ColumnView per field per call (Append), the same views the
// TreeWriter takes. Field kinds and their columns, as ROOT writes them:
//   kScalar  numbers and bool: one column (SplitInt*/SplitUInt*/SplitReal*,
//            Int8/UInt8, Bit);
//   kVector  std::vector<T>: a collection field with an offset column
//            (SplitIndex64: cluster-local end offsets) and a child field `_0`
//            holding the values;
//   kString  std::string: an offset column (SplitIndex64) and a Char column.
// With no compression the plain column types are used (Int32, Real32,
// Index64, ...), as ROOT does.
//
// Each column gathers its elements in one open page and seals it (encodes,
// compresses, checksums) when it holds `page_size` bytes; every
// `cluster_size` entries the cluster's pages are written as one RBlob key and
// the cluster is recorded. Every `clusters_per_group` clusters (0: at the end
// only) a page-list envelope closes a cluster group. Close of the FileWriter
// writes the last cluster and group, the footer envelope and the
// `ROOT::RNTuple` anchor key (class version 2). The header envelope is
// written at the first Append (or at close when there is none).
// Memory: the current cluster's sealed pages plus one open page per column.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/codec/codec.hpp"
#include "rootbatch/column/data_type.hpp"
#include "rootbatch/write/branch_spec.hpp"
#include "rootbatch/write/rntuple_column.hpp"
#include "rootbatch/write/rntuple_envelope.hpp"

namespace rootbatch {

class FileWriter;
namespace write {
struct Directory;
}

enum class RNTupleFieldKind : uint8_t {
  kScalar,  // one number or bool per entry
  kVector,  // std::vector<T>: a variable number of values per entry
  kString,  // std::string (type must be kChar)
};

struct RNTupleFieldSpec {
  std::string name;
  DataType type = DataType::kFloat32;  // kVector: the element type; kString: kChar
  RNTupleFieldKind kind = RNTupleFieldKind::kScalar;
};

struct RNTupleWriterOptions {
  int64_t cluster_size = 100000;       // entries per cluster; > 0
  int64_t page_size = 64 << 10;        // uncompressed bytes a page gathers before it is sealed
  int64_t clusters_per_group = 0;      // clusters per cluster group; 0: one group for all
  std::optional<CompressionSetting> compression;  // default: the file's
  bool page_checksums = true;          // an XXH3-64 after each page, as ROOT writes by default
  std::string description;             // the header's description string
};

// The largest RBlob key the anchor allows (fMaxKeySize); ROOT's default, 1 GiB.
inline constexpr uint64_t kRNTupleMaxKeySize = uint64_t{1} << 30;

namespace write {
struct RNTupleColumn;  // defined in rntuple_writer.cpp
// A sealed page: its element count (nElements) and where it is stored.
struct RNTuplePage {
  int64_t elements = 0;
  Locator locator;  // offset: within the cluster blob until that is written, then absolute
};
}  // namespace write

class RNTupleWriter {
 public:
  ~RNTupleWriter();
  RNTupleWriter(const RNTupleWriter&) = delete;
  RNTupleWriter& operator=(const RNTupleWriter&) = delete;

  // Declares a top-level field; only before the first Append. Returns its
  // index, the position of its ColumnView in Append.
  Result<size_t> AddField(RNTupleFieldSpec spec);

  // Appends `num_entries` entries: `columns[i]` holds them for field i.
  // kScalar: num_entries values; kVector and kString: num_entries + 1 offsets
  // (counting elements, resp. bytes; offsets[0] need not be 0, values start at
  // element offsets[0]) and the values they span. Sizes are checked first; on
  // error nothing is appended.
  Status Append(std::span<const ColumnView> columns, int64_t num_entries);

  const std::string& Name() const { return name_; }
  int64_t NumEntries() const { return num_entries_; }
  size_t NumFields() const { return fields_.size(); }
  const RNTupleFieldSpec& Field(size_t index) const { return fields_[index]; }
  // Counts so far (sealed clusters and pages), for tests and the CLI.
  int64_t NumClusters() const { return num_clusters_; }
  int64_t NumClusterGroups() const { return static_cast<int64_t>(groups_.size()); }
  int64_t NumPages() const { return num_pages_; }

 private:
  friend class FileWriter;
  using Page = write::RNTuplePage;
  struct ClusterRecord {
    int64_t first_entry = 0;
    int64_t entries = 0;
    std::vector<std::vector<Page>> pages;  // per column
    std::vector<int64_t> first_elements;   // per column: its element offset in this cluster
  };
  struct GroupRecord {
    int64_t min_entry = 0;
    int64_t entry_span = 0;
    uint32_t clusters = 0;
    uint64_t page_list_length = 0;  // uncompressed envelope size
    write::Locator page_list;
  };

  RNTupleWriter(FileWriter* file, write::Directory* directory, std::string name, RNTupleWriterOptions options,
                CompressionSetting compression);
  Status CheckBatch(std::span<const ColumnView> columns, int64_t num_entries) const;
  void BuildColumns();  // the on-disk field and column lists, at the first Append
  Status WriteHeader();
  Status AppendRange(std::span<const ColumnView> columns, int64_t begin, int64_t end);
  Status AppendElements(write::RNTupleColumn& column, const uint8_t* data, int64_t n);
  Status SealPage(write::RNTupleColumn& column);
  Status CommitCluster();
  Status CommitGroup();
  Status WriteFooterAndAnchor();
  Result<write::Locator> WriteBlob(std::span<const uint8_t> payload);
  Result<std::pair<write::Locator, uint64_t>> WriteEnvelope(std::vector<uint8_t> envelope);
  // Writes the open cluster and group, the footer and the anchor (called once, by FileWriter::Close).
  // Compression errors inside Append leave the RNTuple unusable (the file is then not valid).
  Status Finish();
  void CollectStreamerClasses(std::set<std::string>& classes) const;

  FileWriter* file_;
  write::Directory* directory_;
  std::string name_;
  RNTupleWriterOptions options_;
  CompressionSetting compression_;
  bool split_ = true;  // Split* encodings (compressed) or plain ones (uncompressed)
  std::vector<RNTupleFieldSpec> fields_;
  // Per field: its columns' indices in columns_ (index + values, or the one value column).
  std::vector<std::vector<size_t>> field_columns_;
  std::vector<std::unique_ptr<write::RNTupleColumn>> columns_;
  bool header_written_ = false;
  uint64_t header_checksum_ = 0;
  write::Locator header_locator_;
  uint64_t header_length_ = 0;

  std::vector<uint8_t> cluster_blob_;  // the open cluster's sealed pages (and their checksums)
  int64_t num_entries_ = 0;
  int64_t cluster_first_entry_ = 0;
  int64_t entries_in_cluster_ = 0;
  int64_t num_clusters_ = 0;
  int64_t num_pages_ = 0;
  std::vector<ClusterRecord> group_clusters_;  // clusters of the open group
  std::vector<GroupRecord> groups_;
  bool finished_ = false;
};

}  // namespace rootbatch
