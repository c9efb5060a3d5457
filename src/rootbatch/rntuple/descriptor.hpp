// What an RNTuple's anchor, header, footer and page lists say, parsed into
// plain structs: the anchor (a ROOT::RNTuple key), the schema (field and
// column records, alias columns, the footer's schema extension), cluster
// groups, clusters and each column's pages in each cluster.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/io/byte_source.hpp"
#include "rootbatch/rntuple/envelope.hpp"

namespace rootbatch::rntuple {

// The ROOT::RNTuple key's object, class version 2 (big-endian).
struct Anchor {
  uint16_t version_epoch = 0;  // fVersionEpoch (1)
  uint16_t version_major = 0;  // fVersionMajor
  uint16_t version_minor = 0;  // fVersionMinor
  uint16_t version_patch = 0;  // fVersionPatch
  uint64_t seek_header = 0;    // fSeekHeader
  uint64_t nbytes_header = 0;  // fNBytesHeader (stored)
  uint64_t len_header = 0;     // fLenHeader (uncompressed)
  uint64_t seek_footer = 0;    // fSeekFooter
  uint64_t nbytes_footer = 0;  // fNBytesFooter
  uint64_t len_footer = 0;     // fLenFooter
  uint64_t max_key_size = 0;   // fMaxKeySize
  std::string Version() const;  // "1.0.0.0"
};
// Parses the anchor from the key's (decompressed) payload; `origin` is the
// payload's file offset, for errors. Verifies its XXH3-64 checksum.
Result<Anchor> ParseAnchor(std::span<const uint8_t> payload, int64_t origin);

enum class StructuralRole : uint16_t { kLeaf = 0, kCollection = 1, kRecord = 2, kVariant = 3, kStreamer = 4 };

struct FieldRecord {
  uint32_t field_version = 0;  // field version
  uint32_t type_version = 0;   // type version
  uint32_t parent_id = 0;      // parent field ID (== own ID at top level)
  uint16_t role = 0;           // structural role
  uint16_t flags = 0;          // 1 repetitive, 2 projected, 4 type checksum
  std::string name;
  std::string type_name;
  std::string type_alias;
  std::string description;
  uint64_t array_size = 0;        // flag 1: elements per entry of a repetitive field
  std::optional<uint32_t> source_field_id;  // flag 2: projected fields
  bool extension = false;         // from the footer's schema extension
  bool IsTopLevel(uint32_t id) const { return parent_id == id; }
};

// On-disk column types of format 1.0.
enum class ColumnType : uint16_t {
  kBit = 0x00, kByte = 0x01, kChar = 0x02, kInt8 = 0x03, kUInt8 = 0x04, kInt16 = 0x05, kUInt16 = 0x06,
  kInt32 = 0x07, kUInt32 = 0x08, kInt64 = 0x09, kUInt64 = 0x0A, kReal16 = 0x0B, kReal32 = 0x0C, kReal64 = 0x0D,
  kIndex32 = 0x0E, kIndex64 = 0x0F, kSwitch = 0x10, kSplitInt16 = 0x11, kSplitUInt16 = 0x12, kSplitInt32 = 0x13,
  kSplitUInt32 = 0x14, kSplitInt64 = 0x15, kSplitUInt64 = 0x16, kSplitReal16 = 0x17, kSplitReal32 = 0x18,
  kSplitReal64 = 0x19, kSplitIndex32 = 0x1A, kSplitIndex64 = 0x1B, kReal32Trunc = 0x1C, kReal32Quant = 0x1D,
};
// "SplitReal32", "Index64", ...; "type 0x2a" for unknown values.
std::string ColumnTypeName(uint16_t type);
bool IsIndexColumn(uint16_t type);

struct ColumnRecord {
  uint16_t type = 0;            // column type
  uint16_t bits = 0;            // bits on storage
  uint32_t field_id = 0;        // the field it belongs to
  uint16_t flags = 0;           // 1 deferred, 2 value range
  uint16_t representation = 0;  // representation index
  int64_t first_element = 0;    // flag 1: elements before it read as zeros (negative: suppressed)
  std::optional<std::pair<double, double>> range;  // flag 2: min, max
  bool alias = false;           // an alias column (projected field)
  uint32_t physical_id = 0;     // for aliases, the column read; else the column's own ID
  bool extension = false;
};

struct Schema {
  std::string name;         // the RNTuple's name
  std::string description;
  std::string writer;       // "ROOT v6.35.001"
  std::vector<FieldRecord> fields;  // index = field ID; header then extension
  std::vector<ColumnRecord> columns;  // physical columns, index = column ID
  std::vector<ColumnRecord> aliases;  // alias columns
  size_t header_fields = 0;   // fields from the header (the rest from the extension)
  size_t header_columns = 0;
};

struct PageInfo {
  int64_t num_elements = 0;
  bool has_checksum = false;  // an XXH3-64 of the stored page follows it
  Locator locator;
};

struct ColumnPages {
  bool present = false;       // listed in this cluster (suppressed ones are listed too)
  bool suppressed = false;    // element offset negative: another representation is active
  int64_t element_offset = 0;
  uint32_t compression = 0;   // ROOT setting (505)
  std::vector<PageInfo> pages;
  int64_t NumElements() const;
};

struct Cluster {
  int64_t first_entry = 0;
  int64_t num_entries = 0;
  std::vector<ColumnPages> columns;  // index = physical column ID; may be shorter than the schema's
};

struct ClusterGroup {
  uint64_t min_entry = 0;
  uint64_t entry_span = 0;
  uint32_t num_clusters = 0;
  EnvelopeLink page_list;
};

struct Descriptor {
  Anchor anchor;
  Schema schema;
  std::string header_compression;  // "ZS", "none", ...
  std::string footer_compression;
  uint64_t header_checksum = 0;
  std::vector<ClusterGroup> groups;
  std::vector<Cluster> clusters;  // every cluster of every group, in entry order
  int64_t num_entries = 0;
};

// Reads the header, the footer and every page list the anchor points to.
// `label` names the RNTuple in errors ("RNTuple 'events'").
Result<Descriptor> ReadDescriptor(const ByteSource& source, const Anchor& anchor);

// Parsers for one envelope each (the bytes returned by ReadEnvelope); `origin`
// is the envelope's file offset when stored uncompressed (else 0).
Status ParseHeader(std::span<const uint8_t> envelope, Schema& schema);
Status ParseFooter(std::span<const uint8_t> envelope, Descriptor& descriptor);
Status ParsePageList(std::span<const uint8_t> envelope, const ClusterGroup& group, Descriptor& descriptor);

}  // namespace rootbatch::rntuple
