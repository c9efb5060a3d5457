#include "rootbatch/write/rntuple_writer.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "rootbatch/base/endian.hpp"
#include "rootbatch/write/byte_writer.hpp"
#include "rootbatch/write/compress_slices.hpp"
#include "rootbatch/write/file_writer.hpp"
#include "rootbatch/write/key_header.hpp"

namespace rootbatch {
namespace write {

// One physical column being filled.
struct RNTupleColumn {
  RNTupleColumnType type = RNTupleColumnType::kUInt8;
  uint32_t field_id = 0;  // the on-disk field it belongs to
  int width = 1;          // bytes per element in memory
  int64_t max_page_elements = 1;
  std::vector<uint8_t> open_page;   // elements of the open page, in memory form
  int64_t total_elements = 0;       // elements appended so far (all clusters)
  int64_t cluster_first_element = 0;  // the element offset of the open cluster
  std::vector<RNTuplePage> cluster_pages;  // sealed pages of the open cluster
  uint64_t local_end = 0;  // index columns: the cluster-local end offset of the last entry
};

}  // namespace write

namespace {

using write::EnvelopeType;
using write::Locator;
using write::RNTupleBuffer;
using write::RNTupleColumn;
using write::RNTupleColumnType;

constexpr int16_t kAnchorClassVersion = 2;  // ROOT::RNTuple class version
// RNTuple format version written in the anchor: 1.0.0.0 (ROOT 6.34's).
constexpr uint16_t kVersionEpoch = 1, kVersionMajor = 0, kVersionMinor = 0, kVersionPatch = 0;
constexpr uint16_t kRoleLeaf = 0, kRoleCollection = 1;  // field record "structural role"

std::string TypeName(DataType type) {
  switch (type) {
    case DataType::kBool: return "bool";
    case DataType::kInt8: return "std::int8_t";
    case DataType::kUInt8: return "std::uint8_t";
    case DataType::kInt16: return "std::int16_t";
    case DataType::kUInt16: return "std::uint16_t";
    case DataType::kInt32: return "std::int32_t";
    case DataType::kUInt32: return "std::uint32_t";
    case DataType::kInt64: return "std::int64_t";
    case DataType::kUInt64: return "std::uint64_t";
    case DataType::kFloat32: return "float";
    case DataType::kFloat64: return "double";
    case DataType::kChar: return "char";
  }
  return "";
}

std::string FieldTypeName(const RNTupleFieldSpec& spec) {
  switch (spec.kind) {
    case RNTupleFieldKind::kScalar: return TypeName(spec.type);
    case RNTupleFieldKind::kVector: return "std::vector<" + TypeName(spec.type) + ">";
    case RNTupleFieldKind::kString: return "std::string";
  }
  return "";
}

// A field record (RNTuple spec "Field record frame").
void PutField(RNTupleBuffer& out, uint32_t parent_id, uint16_t role, const std::string& name,
              const std::string& type_name) {
  const size_t frame = out.BeginRecord();
  out.PutU32(0);          // field version
  out.PutU32(0);          // type version
  out.PutU32(parent_id);  // parent field ID (itself for top-level fields)
  out.PutU16(role);       // structural role
  out.PutU16(0);          // flags: not repetitive, not projected, no type checksum
  out.PutString(name);
  out.PutString(type_name);
  out.PutString("");  // type alias
  out.PutString("");  // field description
  out.EndFrame(frame);
}

}  // namespace

RNTupleWriter::RNTupleWriter(FileWriter* file, write::Directory* directory, std::string name,
                             RNTupleWriterOptions options, CompressionSetting compression)
    : file_(file), directory_(directory), name_(std::move(name)), options_(std::move(options)),
      compression_(compression) {
  split_ = compression_.codec != Codec::kNone && compression_.level > 0;
}

RNTupleWriter::~RNTupleWriter() = default;

Result<size_t> RNTupleWriter::AddField(RNTupleFieldSpec spec) {
  const std::string context = "RNTuple '" + name_ + "'";
  if (finished_ || !columns_.empty()) {
    return InvalidArgument("fields must be added before the first Append").WithContext(context);
  }
  if (spec.name.empty()) return InvalidArgument("a field name is empty").WithContext(context);
  for (char c : spec.name) {
    if (c == '.' || c == '/' || c == '\0' || c == ' ') {
      return InvalidArgument("field name '" + spec.name + "' contains '" + std::string(1, c) + "'")
          .WithContext(context);
    }
  }
  for (const auto& f : fields_) {
    if (f.name == spec.name) return InvalidArgument("field '" + spec.name + "' already exists").WithContext(context);
  }
  if ((spec.kind == RNTupleFieldKind::kString) != (spec.type == DataType::kChar)) {
    return InvalidArgument("field '" + spec.name + "': strings are kString fields of type char, and only they are")
        .WithContext(context);
  }
  fields_.push_back(std::move(spec));
  return fields_.size() - 1;
}

void RNTupleWriter::BuildColumns() {
  // On-disk order, as ROOT serializes the schema: the top-level fields (IDs
  // 0..n-1), then their item fields breadth-first; columns follow the fields.
  const int64_t page_bits = std::max<int64_t>(8, options_.page_size * 8);
  auto add_column = [&](RNTupleColumnType type, uint32_t field_id) {
    auto column = std::make_unique<RNTupleColumn>();
    column->type = type;
    column->field_id = field_id;
    column->width = write::ColumnMemoryWidth(type);
    // nElements is an i32 on disk.
    column->max_page_elements =
        std::clamp<int64_t>(page_bits / write::ColumnBits(type), 1, std::numeric_limits<int32_t>::max());
    columns_.push_back(std::move(column));
    return columns_.size() - 1;
  };
  field_columns_.assign(fields_.size(), {});
  for (size_t i = 0; i < fields_.size(); ++i) {
    const auto id = static_cast<uint32_t>(i);
    switch (fields_[i].kind) {
      case RNTupleFieldKind::kScalar:
        field_columns_[i].push_back(add_column(write::ValueColumnType(fields_[i].type, split_), id));
        break;
      case RNTupleFieldKind::kVector:
        field_columns_[i].push_back(add_column(write::IndexColumnType(split_), id));
        break;
      case RNTupleFieldKind::kString:
        field_columns_[i].push_back(add_column(write::IndexColumnType(split_), id));
        field_columns_[i].push_back(add_column(RNTupleColumnType::kChar, id));
        break;
    }
  }
  uint32_t child_id = static_cast<uint32_t>(fields_.size());
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].kind != RNTupleFieldKind::kVector) continue;
    field_columns_[i].push_back(add_column(write::ValueColumnType(fields_[i].type, split_), child_id++));
  }
}

Status RNTupleWriter::WriteHeader() {
  RNTupleBuffer h;
  h.BeginEnvelope(EnvelopeType::kHeader);
  h.PutFeatureFlags();
  h.PutString(name_);
  h.PutString(options_.description);
  h.PutString("rootbatch");  // writer identifier

  size_t n_fields = fields_.size();
  for (const auto& f : fields_) n_fields += f.kind == RNTupleFieldKind::kVector ? 1 : 0;
  const size_t fields = h.BeginList(static_cast<uint32_t>(n_fields));
  for (size_t i = 0; i < fields_.size(); ++i) {
    const bool collection = fields_[i].kind == RNTupleFieldKind::kVector;
    PutField(h, static_cast<uint32_t>(i), collection ? kRoleCollection : kRoleLeaf, fields_[i].name,
             FieldTypeName(fields_[i]));
  }
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].kind == RNTupleFieldKind::kVector) {
      PutField(h, static_cast<uint32_t>(i), kRoleLeaf, "_0", TypeName(fields_[i].type));
    }
  }
  h.EndFrame(fields);

  const size_t columns = h.BeginList(static_cast<uint32_t>(columns_.size()));
  for (const auto& c : columns_) {
    const size_t frame = h.BeginRecord();
    h.PutU16(static_cast<uint16_t>(c->type));  // column type
    h.PutU16(write::ColumnBits(c->type));      // bits on storage
    h.PutU32(c->field_id);                     // field ID
    h.PutU16(0);                               // flags: not deferred, no value range
    h.PutU16(0);                               // representation index
    h.EndFrame(frame);
  }
  h.EndFrame(columns);
  h.PutEmptyList();  // alias columns
  h.PutEmptyList();  // extra type information
  header_checksum_ = h.FinishEnvelope();
  header_length_ = h.Size();
  RB_ASSIGN_OR_RETURN(auto written, WriteEnvelope(h.Release()));
  header_locator_ = written.first;
  header_written_ = true;
  return Status::Ok();
}

Status RNTupleWriter::CheckBatch(std::span<const ColumnView> columns, int64_t num_entries) const {
  if (num_entries < 0) return InvalidArgument("negative number of entries");
  if (columns.size() != fields_.size()) {
    return InvalidArgument("expected " + std::to_string(fields_.size()) + " columns (one per field), got " +
                           std::to_string(columns.size()));
  }
  for (size_t i = 0; i < fields_.size(); ++i) {
    const RNTupleFieldSpec& spec = fields_[i];
    const ColumnView& column = columns[i];
    const std::string where = "field '" + spec.name + "'";
    const int64_t width = ByteWidth(spec.type);
    int64_t expected_values = num_entries;
    if (spec.kind != RNTupleFieldKind::kScalar) {
      if (static_cast<int64_t>(column.offsets.size()) != num_entries + 1) {
        return InvalidArgument("expected " + std::to_string(num_entries + 1) + " offsets, got " +
                               std::to_string(column.offsets.size()))
            .WithContext(where);
      }
      for (int64_t e = 0; e < num_entries; ++e) {
        if (column.offsets[e + 1] < column.offsets[e]) {
          return InvalidArgument("offsets decrease at entry " + std::to_string(e)).WithContext(where);
        }
      }
      expected_values = column.offsets[num_entries] - column.offsets[0];
    } else if (!column.offsets.empty()) {
      return InvalidArgument("offsets given for a scalar field").WithContext(where);
    }
    if (static_cast<int64_t>(column.values.size()) != expected_values * width) {
      return InvalidArgument("expected " + std::to_string(expected_values * width) + " bytes of values, got " +
                             std::to_string(column.values.size()))
          .WithContext(where);
    }
  }
  return Status::Ok();
}

Status RNTupleWriter::Append(std::span<const ColumnView> columns, int64_t num_entries) {
  const std::string context = "RNTuple '" + name_ + "' in '" + file_->Path() + "'";
  if (finished_) return InvalidArgument("the RNTuple is closed").WithContext(context);
  if (fields_.empty()) return InvalidArgument("the RNTuple has no fields").WithContext(context);
  RB_RETURN_IF_ERROR_CTX(CheckBatch(columns, num_entries), context);
  if (columns_.empty()) BuildColumns();
  if (!header_written_) RB_RETURN_IF_ERROR_CTX(WriteHeader(), context);
  int64_t begin = 0;
  while (begin < num_entries) {
    const int64_t n = std::min(num_entries - begin, options_.cluster_size - entries_in_cluster_);
    RB_RETURN_IF_ERROR_CTX(AppendRange(columns, begin, begin + n), context);
    begin += n;
    entries_in_cluster_ += n;
    num_entries_ += n;
    if (entries_in_cluster_ == options_.cluster_size) RB_RETURN_IF_ERROR_CTX(CommitCluster(), context);
  }
  return Status::Ok();
}

Status RNTupleWriter::AppendRange(std::span<const ColumnView> columns, int64_t begin, int64_t end) {
  std::vector<uint64_t> index;
  for (size_t i = 0; i < fields_.size(); ++i) {
    const ColumnView& view = columns[i];
    const std::vector<size_t>& ids = field_columns_[i];
    const int64_t width = ByteWidth(fields_[i].type);
    if (fields_[i].kind == RNTupleFieldKind::kScalar) {
      RB_RETURN_IF_ERROR(AppendElements(*columns_[ids[0]], view.values.data() + begin * width, end - begin));
      continue;
    }
    // Offset column: cluster-local end offsets of each entry, in elements of the value column.
    RNTupleColumn& offsets = *columns_[ids[0]];
    index.resize(static_cast<size_t>(end - begin));
    for (int64_t e = begin; e < end; ++e) {
      offsets.local_end += static_cast<uint64_t>(view.offsets[e + 1] - view.offsets[e]);
      index[static_cast<size_t>(e - begin)] = offsets.local_end;
    }
    RB_RETURN_IF_ERROR(AppendElements(offsets, reinterpret_cast<const uint8_t*>(index.data()), end - begin));
    const int64_t first = view.offsets[begin] - view.offsets[0];
    RB_RETURN_IF_ERROR(AppendElements(*columns_[ids[1]], view.values.data() + first * width,
                                      view.offsets[end] - view.offsets[begin]));
  }
  return Status::Ok();
}

Status RNTupleWriter::AppendElements(RNTupleColumn& column, const uint8_t* data, int64_t n) {
  const auto width = static_cast<size_t>(column.width);
  while (n > 0) {
    const int64_t in_page = static_cast<int64_t>(column.open_page.size() / width);
    const int64_t take = std::min(n, column.max_page_elements - in_page);
    column.open_page.insert(column.open_page.end(), data, data + static_cast<size_t>(take) * width);
    data += static_cast<size_t>(take) * width;
    n -= take;
    column.total_elements += take;
    if (in_page + take == column.max_page_elements) RB_RETURN_IF_ERROR(SealPage(column));
  }
  return Status::Ok();
}

Status RNTupleWriter::SealPage(RNTupleColumn& column) {
  // Called for a full page or, at a cluster's end, for a non-empty one.
  const size_t n = column.open_page.size() / static_cast<size_t>(column.width);
  std::vector<uint8_t> encoded;
  write::EncodePage(column.type, column.open_page, n, encoded);
  column.open_page.clear();
  // Compress gives the input back when compression does not shrink it: a
  // stored page is one whose size equals its uncompressed size.
  RB_ASSIGN_OR_RETURN(const std::vector<uint8_t> stored, Compress(encoded, compression_));
  Page page;
  page.elements = static_cast<int64_t>(n);
  page.locator = {stored.size(), cluster_blob_.size()};
  cluster_blob_.insert(cluster_blob_.end(), stored.begin(), stored.end());
  if (options_.page_checksums) {
    uint8_t checksum[8];
    StoreLittleEndian<uint64_t>(checksum, write::Xxh3(stored));
    cluster_blob_.insert(cluster_blob_.end(), checksum, checksum + 8);
  }
  column.cluster_pages.push_back(page);
  ++num_pages_;
  return Status::Ok();
}

Status RNTupleWriter::CommitCluster() {
  if (entries_in_cluster_ == 0) return Status::Ok();
  ClusterRecord cluster;
  cluster.first_entry = cluster_first_entry_;
  cluster.entries = entries_in_cluster_;
  for (auto& column : columns_) {
    if (!column->open_page.empty()) RB_RETURN_IF_ERROR(SealPage(*column));
  }
  if (cluster_blob_.size() > kRNTupleMaxKeySize) {
    return InvalidArgument("cluster " + std::to_string(num_clusters_) + " holds " +
                           std::to_string(cluster_blob_.size()) + " bytes of pages, over the " +
                           std::to_string(kRNTupleMaxKeySize) + "-byte key limit: use a smaller cluster size");
  }
  uint64_t blob_offset = 0;
  if (!cluster_blob_.empty()) {
    RB_ASSIGN_OR_RETURN(const Locator blob, WriteBlob(cluster_blob_));
    blob_offset = blob.offset;
  }
  for (auto& column : columns_) {
    for (Page& page : column->cluster_pages) page.locator.offset += blob_offset;
    cluster.pages.push_back(std::move(column->cluster_pages));
    column->cluster_pages.clear();
    cluster.first_elements.push_back(column->cluster_first_element);
    column->cluster_first_element = column->total_elements;
    column->local_end = 0;  // offsets restart in every cluster
  }
  cluster_blob_.clear();
  group_clusters_.push_back(std::move(cluster));
  ++num_clusters_;
  cluster_first_entry_ = num_entries_;
  entries_in_cluster_ = 0;
  if (options_.clusters_per_group > 0 &&
      static_cast<int64_t>(group_clusters_.size()) == options_.clusters_per_group) {
    RB_RETURN_IF_ERROR(CommitGroup());
  }
  return Status::Ok();
}

Status RNTupleWriter::CommitGroup() {
  if (group_clusters_.empty()) return Status::Ok();
  RNTupleBuffer p;
  p.BeginEnvelope(EnvelopeType::kPageList);
  p.PutU64(header_checksum_);
  const auto n_clusters = static_cast<uint32_t>(group_clusters_.size());
  const size_t summaries = p.BeginList(n_clusters);
  for (const auto& cluster : group_clusters_) {
    const size_t frame = p.BeginRecord();
    p.PutU64(static_cast<uint64_t>(cluster.first_entry));  // first entry
    p.PutU64(static_cast<uint64_t>(cluster.entries));      // entry count (low 56 bits), flags 0
    p.EndFrame(frame);
  }
  p.EndFrame(summaries);
  const auto compression = static_cast<uint32_t>(compression_.ToRoot());
  const size_t clusters = p.BeginList(n_clusters);
  for (const auto& cluster : group_clusters_) {
    const size_t columns = p.BeginList(static_cast<uint32_t>(cluster.pages.size()));
    for (size_t c = 0; c < cluster.pages.size(); ++c) {
      const size_t pages = p.BeginList(static_cast<uint32_t>(cluster.pages[c].size()));
      for (const Page& page : cluster.pages[c]) {
        // A negative element count says an XXH3-64 follows the page on storage.
        const auto elements = static_cast<int32_t>(page.elements);
        p.PutI32(options_.page_checksums ? -elements : elements);
        p.PutLocator(page.locator);
      }
      p.PutI64(cluster.first_elements[c]);  // element offset of the column in this cluster
      p.PutU32(compression);                // compression settings
      p.EndFrame(pages);
    }
    p.EndFrame(columns);
  }
  p.EndFrame(clusters);
  p.FinishEnvelope();
  GroupRecord group;
  group.min_entry = group_clusters_.front().first_entry;
  group.entry_span = group_clusters_.back().first_entry + group_clusters_.back().entries - group.min_entry;
  group.clusters = n_clusters;
  group.page_list_length = p.Size();
  RB_ASSIGN_OR_RETURN(auto written, WriteEnvelope(p.Release()));
  group.page_list = written.first;
  groups_.push_back(group);
  group_clusters_.clear();
  return Status::Ok();
}

Status RNTupleWriter::WriteFooterAndAnchor() {
  RNTupleBuffer f;
  f.BeginEnvelope(EnvelopeType::kFooter);
  f.PutFeatureFlags();
  f.PutU64(header_checksum_);
  const size_t extension = f.BeginRecord();  // schema extension: nothing added after the header
  for (int list = 0; list < 4; ++list) f.PutEmptyList();  // fields, columns, alias columns, extra type info
  f.EndFrame(extension);
  const size_t groups = f.BeginList(static_cast<uint32_t>(groups_.size()));
  for (const auto& g : groups_) {
    const size_t frame = f.BeginRecord();
    f.PutU64(static_cast<uint64_t>(g.min_entry));   // min entry
    f.PutU64(static_cast<uint64_t>(g.entry_span));  // entry span
    f.PutU32(g.clusters);                           // number of clusters
    f.PutEnvelopeLink(g.page_list_length, g.page_list);
    f.EndFrame(frame);
  }
  f.EndFrame(groups);
  f.FinishEnvelope();
  const uint64_t footer_length = f.Size();
  RB_ASSIGN_OR_RETURN(auto footer, WriteEnvelope(f.Release()));

  // The anchor (big-endian, like all classic ROOT I/O): byte count, class
  // version, 64 bytes of fields, then the XXH3-64 of those 64 bytes.
  write::ByteWriter a;
  const size_t count = a.BeginObject(kAnchorClassVersion);
  const size_t fields_start = a.Size();
  a.PutU16(kVersionEpoch);              // fVersionEpoch
  a.PutU16(kVersionMajor);              // fVersionMajor
  a.PutU16(kVersionMinor);              // fVersionMinor
  a.PutU16(kVersionPatch);              // fVersionPatch
  a.PutU64(header_locator_.offset);     // fSeekHeader
  a.PutU64(header_locator_.size);       // fNBytesHeader
  a.PutU64(header_length_);             // fLenHeader
  a.PutU64(footer.first.offset);        // fSeekFooter
  a.PutU64(footer.first.size);          // fNBytesFooter
  a.PutU64(footer_length);              // fLenFooter
  a.PutU64(kRNTupleMaxKeySize);         // fMaxKeySize
  a.EndByteCount(count);
  const uint64_t checksum = write::Xxh3(std::span<const uint8_t>(a.Bytes()).subspan(fields_start));
  a.PutU64(checksum);
  write::KeyHeader key = file_->NewKey("ROOT::RNTuple", name_, "", directory_, 0, /*force_large=*/true);
  return file_->WriteKey(key, {}, a.Bytes(), CompressionSetting{Codec::kNone, 0}, directory_);
}

Result<Locator> RNTupleWriter::WriteBlob(std::span<const uint8_t> payload) {
  // Pages and envelopes live in anonymous RBlob keys of the top directory,
  // listed nowhere, 64-bit like ROOT's; the locator points past the key header.
  write::KeyHeader key = file_->NewKey("RBlob", "", "", nullptr, 0, /*force_large=*/true);
  RB_RETURN_IF_ERROR(file_->WriteKey(key, {}, payload, CompressionSetting{Codec::kNone, 0}, nullptr));
  return Locator{payload.size(), static_cast<uint64_t>(key.seek_key + key.keylen)};
}

Result<std::pair<Locator, uint64_t>> RNTupleWriter::WriteEnvelope(std::vector<uint8_t> envelope) {
  // In slices: a page list grows with the entries (24 bytes a page), and one
  // zstd call over megabytes would take tens of MB of working memory.
  RB_ASSIGN_OR_RETURN(const std::vector<uint8_t> compressed, write::CompressInSlices(envelope, compression_));
  const bool shrinks = !compressed.empty() && compressed.size() < envelope.size();
  RB_ASSIGN_OR_RETURN(const Locator locator, WriteBlob(shrinks ? compressed : envelope));
  return std::pair<Locator, uint64_t>{locator, envelope.size()};
}

Status RNTupleWriter::Finish() {
  if (finished_) return Status::Ok();
  finished_ = true;
  const std::string context = "RNTuple '" + name_ + "'";
  if (columns_.empty()) BuildColumns();
  if (!header_written_) RB_RETURN_IF_ERROR_CTX(WriteHeader(), context);
  RB_RETURN_IF_ERROR_CTX(CommitCluster(), context);
  RB_RETURN_IF_ERROR_CTX(CommitGroup(), context);
  return WriteFooterAndAnchor().WithContext(context);
}

void RNTupleWriter::CollectStreamerClasses(std::set<std::string>& classes) const { classes.insert("ROOT::RNTuple"); }

}  // namespace rootbatch
