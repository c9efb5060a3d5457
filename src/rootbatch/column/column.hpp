// The contract between file formats (TTree, RNTuple) and their users (the
// frame, the loader, the CLI). A format reader exposes a ColumnSource; users
// read typed Columns of entry ranges from it and never learn the format.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/data_type.hpp"

namespace rootbatch {

// The shape of one entry of a column.
enum class ColumnKind : uint8_t {
  kScalar,      // one value per entry
  kFixedArray,  // `inner_shape` values per entry (x[3][4] -> {3, 4})
  kJagged,      // a variable number of items per entry; each item has `inner_shape` values
  kString,      // a variable number of chars per entry (values are bytes)
  // A variable number of lists per entry, each a variable number of items
  // (std::vector<std::vector<float>>); each item has `inner_shape` values.
  kDoublyJagged,
};

struct ColumnSpec {
  std::string name;       // path inside the tree ("Jet_pt", "evt/P3/P3.Px")
  DataType type;          // element type in memory
  ColumnKind kind = ColumnKind::kScalar;
  std::vector<int64_t> inner_shape;  // fixed dims per entry (kFixedArray) or per item (the jagged kinds)
  std::string source_type;  // the format's own type name: "float", "float[]", "std::vector<float>"
  // The type ROOT's RDataFrame gives the column (GetColumnType), where it
  // differs from source_type with std::vector read as ROOT::VecOps::RVec:
  // "Float_t" and "ROOT::VecOps::RVec<Float_t>" for TTree leaves.
  std::string rdf_type = {};

  // Values per entry for kScalar/kFixedArray; values per item for kJagged
  // and kDoublyJagged.
  int64_t InnerSize() const;
};

// Half-open range of entries [begin, end).
struct EntryRange {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t Size() const { return end - begin; }
  bool operator==(const EntryRange&) const = default;
};

// Values of one column over an entry range, native byte order, contiguous.
// For kJagged and kString, `offsets` has num_entries + 1 elements counting
// items (kJagged) or chars (kString) from 0; values holds
// offsets.back() * InnerSize() elements. For kDoublyJagged, `offsets` has
// num_entries + 1 elements counting lists, `inner_offsets` has
// offsets.back() + 1 elements counting items, both from 0 (entry i holds
// lists [offsets[i], offsets[i+1]); list j holds items [inner_offsets[j],
// inner_offsets[j+1])), and values holds inner_offsets.back() * InnerSize()
// elements. Otherwise `offsets` is empty and values holds
// num_entries * InnerSize() elements. `inner_offsets` is empty unless
// kDoublyJagged.
struct Column {
  DataType type = DataType::kFloat32;
  int64_t num_entries = 0;
  std::vector<uint8_t> values;
  std::vector<int64_t> offsets;
  std::vector<int64_t> inner_offsets;

  int64_t NumValues() const { return static_cast<int64_t>(values.size()) / ByteWidth(type); }
  template <typename T>
  std::span<const T> As() const {
    return {reinterpret_cast<const T*>(values.data()), values.size() / sizeof(T)};
  }
};

// What a read cost, for benchmarks and loader statistics. Each caller owns
// its own instance; sum them yourself across threads.
struct ReadStats {
  // Compressed bytes fetched from the source. A TTree basket embedded in the
  // TTree record (fBasketSeek 0) counts its entry data and offset table as
  // they lie in that record, already read when the tree was opened.
  int64_t bytes_read = 0;
  int64_t bytes_decompressed = 0;  // bytes after decompression (embedded: as bytes_read)
  int64_t units_read = 0;          // baskets (embedded ones too) or pages

  ReadStats& operator+=(const ReadStats& other) {
    bytes_read += other.bytes_read;
    bytes_decompressed += other.bytes_decompressed;
    units_read += other.units_read;
    return *this;
  }
};

// A column a format knows of but cannot read (a class it does not decode),
// kept so that asking for it says why instead of "no such column".
struct UnreadableColumn {
  std::string name;       // as a column would be named
  std::string type_name;  // the format's type name
  std::string reason;
};

class ColumnSource {
 public:
  virtual ~ColumnSource() = default;

  // "tree 'events' in 'a.root'", used as error context by callers.
  virtual std::string Description() const = 0;
  virtual int64_t NumEntries() const = 0;
  virtual const std::vector<ColumnSpec>& Columns() const = 0;

  // Entry numbers where clusters start, from 0 up to and including
  // NumEntries(): the natural units to plan reads in.
  virtual std::vector<int64_t> ClusterBoundaries() const = 0;
  // Entry numbers where the storage units (baskets, pages) of one column
  // start, from 0 up to and including NumEntries().
  virtual std::vector<int64_t> UnitBoundaries(size_t column) const = 0;

  // Reads entries `range` of column `column`. Safe to call from several
  // threads at once. `stats`, if given, is incremented.
  virtual Result<Column> ReadColumn(size_t column, EntryRange range,
                                    ReadStats* stats = nullptr) const = 0;

  // A hint that entries `range` of `columns` will be read soon: a source
  // over a remote file starts fetching their storage units in a few
  // coalesced requests (ByteSource::Prefetch) and returns a ticket for
  // EndRows once they are read; -1 (nothing started) by default.
  virtual int64_t PrefetchRows(EntryRange range, std::span<const size_t> columns) const {
    (void)range;
    (void)columns;
    return -1;
  }
  virtual void EndRows(int64_t ticket) const { (void)ticket; }
  // Bytes a PrefetchRows of `columns` holds per entry until its EndRows, on
  // average over the source (the coalesced stretches: the storage units and
  // the gaps merged between them); 0 where PrefetchRows fetches nothing. The
  // loader counts it against its budget for every segment read ahead.
  virtual double PrefetchBytesPerEntry(std::span<const size_t> columns) const {
    (void)columns;
    return 0;
  }

  // Memory the source keeps for as long as it lives, beyond what a format
  // reader holds for its metadata (a frame's selection bitmap): the loader
  // counts it against its budget. 0 by default.
  virtual int64_t ResidentBytes() const { return 0; }

  // Columns that exist but cannot be read; none by default.
  virtual const std::vector<UnreadableColumn>& UnreadableColumns() const;

  // Index of the column named `name`: its full path, or, when no column has
  // that path, the unique column whose path ends in "/" + name (the leaf
  // "Px" of "evt/P3/Px", as uproot accepts branch names). Fails with
  // kUnsupported (and the reason) for an unreadable column, kInvalidArgument
  // listing the candidates for an ambiguous short name, and kNotFound with
  // the closest names ("did you mean ...?") and the column count otherwise.
  Result<size_t> FindColumn(std::string_view name) const;
};

}  // namespace rootbatch
