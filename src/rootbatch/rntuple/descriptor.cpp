#include "rootbatch/rntuple/descriptor.hpp"

#include <algorithm>
#include <cstdio>

#include "rootbatch/codec/codec.hpp"

namespace rootbatch::rntuple {
namespace {


// Fields of the anchor after its byte count and version: 4 x u16 + 7 x u64.
constexpr int64_t kAnchorFieldBytes = 64;

// The compression tag of a stored blob: its first two bytes when stored
// size differs from the uncompressed size, else "none".
std::string BlobCompression(const ByteSource& source, uint64_t offset, uint64_t stored, uint64_t length) {
  if (stored == length) return "none";
  auto head = source.Read(static_cast<int64_t>(offset), 2);
  if (!head.IsOk()) return "?";
  return std::string(head->begin(), head->end());
}

// The four schema lists shared by the header and the footer's extension.
void ParseSchemaLists(ByteCursor& cursor, Schema& schema, bool extension) {
  const uint32_t first_field = static_cast<uint32_t>(schema.fields.size());
  Frame fields = ReadFrame(cursor, true, "the field list");
  for (uint32_t i = 0; i < fields.count && cursor.Ok(); ++i) {
    Frame frame = ReadFrame(cursor, false, "a field record");
    FieldRecord f;
    f.field_version = cursor.ReadLE<uint32_t>();
    f.type_version = cursor.ReadLE<uint32_t>();
    f.parent_id = cursor.ReadLE<uint32_t>();
    f.role = cursor.ReadLE<uint16_t>();
    f.flags = cursor.ReadLE<uint16_t>();
    f.name = ReadString(cursor);
    f.type_name = ReadString(cursor);
    f.type_alias = ReadString(cursor);
    f.description = ReadString(cursor);
    if (f.flags & 1) f.array_size = cursor.ReadLE<uint64_t>();
    if (f.flags & 2) f.source_field_id = cursor.ReadLE<uint32_t>();
    if (f.flags & 4) cursor.ReadLE<uint32_t>();  // ROOT type checksum: not needed to read
    f.extension = extension;
    EndFrame(cursor, frame, "a field record");
    schema.fields.push_back(std::move(f));
  }
  EndFrame(cursor, fields, "the field list");
  (void)first_field;

  Frame columns = ReadFrame(cursor, true, "the column list");
  for (uint32_t i = 0; i < columns.count && cursor.Ok(); ++i) {
    Frame frame = ReadFrame(cursor, false, "a column record");
    ColumnRecord c;
    c.type = cursor.ReadLE<uint16_t>();
    c.bits = cursor.ReadLE<uint16_t>();
    c.field_id = cursor.ReadLE<uint32_t>();
    c.flags = cursor.ReadLE<uint16_t>();
    c.representation = cursor.ReadLE<uint16_t>();
    if (c.flags & 1) c.first_element = cursor.ReadLE<int64_t>();
    if (c.flags & 2) {
      const double lo = cursor.ReadLE<double>();
      const double hi = cursor.ReadLE<double>();
      c.range = std::make_pair(lo, hi);
    }
    c.extension = extension;
    c.physical_id = static_cast<uint32_t>(schema.columns.size());
    EndFrame(cursor, frame, "a column record");
    schema.columns.push_back(c);
  }
  EndFrame(cursor, columns, "the column list");

  Frame aliases = ReadFrame(cursor, true, "the alias column list");
  for (uint32_t i = 0; i < aliases.count && cursor.Ok(); ++i) {
    Frame frame = ReadFrame(cursor, false, "an alias column record");
    ColumnRecord c;
    c.alias = true;
    c.physical_id = cursor.ReadLE<uint32_t>();
    c.field_id = cursor.ReadLE<uint32_t>();
    c.extension = extension;
    EndFrame(cursor, frame, "an alias column record");
    schema.aliases.push_back(c);
  }
  EndFrame(cursor, aliases, "the alias column list");

  // Extra type information (streamer infos of streamer fields): not needed.
  Frame extra = ReadFrame(cursor, true, "the extra type information list");
  EndFrame(cursor, extra, "the extra type information list");
}

// Checks field and column references once both lists are complete.
Status CheckSchema(const Schema& schema) {
  const size_t n_fields = schema.fields.size();
  for (size_t i = 0; i < n_fields; ++i) {
    if (schema.fields[i].parent_id >= n_fields) {
      return Corrupt("RNTuple field " + std::to_string(i) + " ('" + schema.fields[i].name + "') has parent " +
                     std::to_string(schema.fields[i].parent_id) + " of " + std::to_string(n_fields) + " fields");
    }
    if (schema.fields[i].source_field_id && *schema.fields[i].source_field_id >= n_fields) {
      return Corrupt("RNTuple projected field '" + schema.fields[i].name + "' names source field " +
                     std::to_string(*schema.fields[i].source_field_id) + " of " + std::to_string(n_fields));
    }
  }
  // Parent chains must reach a top-level field (no cycles).
  for (size_t i = 0; i < n_fields; ++i) {
    size_t id = i;
    for (size_t steps = 0; schema.fields[id].parent_id != id; ++steps) {
      if (steps > n_fields) {
        return Corrupt("RNTuple field " + std::to_string(i) + " ('" + schema.fields[i].name +
                       "') has a cycle in its parents");
      }
      id = schema.fields[id].parent_id;
    }
  }
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    if (schema.columns[i].field_id >= n_fields) {
      return Corrupt("RNTuple column " + std::to_string(i) + " belongs to field " +
                     std::to_string(schema.columns[i].field_id) + " of " + std::to_string(n_fields));
    }
  }
  for (const auto& alias : schema.aliases) {
    if (alias.field_id >= n_fields || alias.physical_id >= schema.columns.size()) {
      return Corrupt("RNTuple alias column names field " + std::to_string(alias.field_id) + " and column " +
                     std::to_string(alias.physical_id) + " (" + std::to_string(n_fields) + " fields, " +
                     std::to_string(schema.columns.size()) + " columns)");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string Anchor::Version() const {
  return std::to_string(version_epoch) + "." + std::to_string(version_major) + "." + std::to_string(version_minor) +
         "." + std::to_string(version_patch);
}

Result<Anchor> ParseAnchor(std::span<const uint8_t> payload, int64_t origin) {
  ByteCursor cursor(payload, origin);
  const uint32_t bytecount = cursor.ReadU32();
  const uint16_t version = cursor.ReadU16();
  RB_RETURN_IF_ERROR(cursor.status());
  if ((bytecount & 0x40000000u) == 0) {
    return Corrupt("the RNTuple anchor at byte " + std::to_string(origin) + " has no byte count").WithOffset(origin);
  }
  if (version != 2) {
    return Unsupported("RNTuple anchor class version " + std::to_string(version) + " at byte " +
                       std::to_string(origin) + "; rootbatch reads version 2 (format 1.x)")
        .WithOffset(origin);
  }
  const int64_t fields_at = cursor.Position();
  Anchor a;
  a.version_epoch = cursor.ReadU16();
  a.version_major = cursor.ReadU16();
  a.version_minor = cursor.ReadU16();
  a.version_patch = cursor.ReadU16();
  a.seek_header = cursor.ReadU64();
  a.nbytes_header = cursor.ReadU64();
  a.len_header = cursor.ReadU64();
  a.seek_footer = cursor.ReadU64();
  a.nbytes_footer = cursor.ReadU64();
  a.len_footer = cursor.ReadU64();
  a.max_key_size = cursor.ReadU64();
  const uint64_t stored = cursor.ReadU64();
  RB_RETURN_IF_ERROR(cursor.status());
  const uint64_t computed = Xxh3(payload.subspan(static_cast<size_t>(fields_at), kAnchorFieldBytes));
  if (stored != computed) {
    return Corrupt("checksum mismatch in the RNTuple anchor at byte " + std::to_string(origin) + ": stored " +
                   Hex(stored) + ", computed " + Hex(computed))
        .WithOffset(origin);
  }
  if (a.version_epoch != 1) {
    return Unsupported("RNTuple format epoch " + std::to_string(a.version_epoch) + " (version " + a.Version() +
                       "); rootbatch reads format 1.x")
        .WithOffset(origin);
  }
  return a;
}

std::string ColumnTypeName(uint16_t type) {
  static const char* const kNames[] = {
      "Bit",         "Byte",         "Char",        "Int8",         "UInt8",        "Int16",
      "UInt16",      "Int32",        "UInt32",      "Int64",        "UInt64",       "Real16",
      "Real32",      "Real64",       "Index32",     "Index64",      "Switch",       "SplitInt16",
      "SplitUInt16", "SplitInt32",   "SplitUInt32", "SplitInt64",   "SplitUInt64",  "SplitReal16",
      "SplitReal32", "SplitReal64",  "SplitIndex32", "SplitIndex64", "Real32Trunc", "Real32Quant"};
  if (type < std::size(kNames)) return kNames[type];
  char buf[16];
  std::snprintf(buf, sizeof buf, "type 0x%02x", type);
  return buf;
}

bool IsIndexColumn(uint16_t type) {
  const auto t = static_cast<ColumnType>(type);
  return t == ColumnType::kIndex32 || t == ColumnType::kIndex64 || t == ColumnType::kSplitIndex32 ||
         t == ColumnType::kSplitIndex64;
}

int64_t ColumnPages::NumElements() const {
  int64_t n = 0;
  for (const auto& p : pages) n += p.num_elements;
  return n;
}

Status ParseHeader(std::span<const uint8_t> envelope, Schema& schema) {
  ByteCursor cursor(envelope.subspan(0, envelope.size() - 8));
  cursor.Skip(8);
  RB_RETURN_IF_ERROR(ReadFeatureFlags(cursor, "header"));
  schema.name = ReadString(cursor);
  schema.description = ReadString(cursor);
  schema.writer = ReadString(cursor);
  ParseSchemaLists(cursor, schema, false);
  RB_RETURN_IF_ERROR_CTX(cursor.status(), "in the RNTuple header (offsets count from the envelope's start)");
  schema.header_fields = schema.fields.size();
  schema.header_columns = schema.columns.size();
  return Status::Ok();
}

Status ParseFooter(std::span<const uint8_t> envelope, Descriptor& d) {
  ByteCursor cursor(envelope.subspan(0, envelope.size() - 8));
  cursor.Skip(8);
  RB_RETURN_IF_ERROR(ReadFeatureFlags(cursor, "footer"));
  const uint64_t header_checksum = cursor.ReadLE<uint64_t>();
  RB_RETURN_IF_ERROR(cursor.status());
  if (header_checksum != d.header_checksum) {
    return Corrupt("the RNTuple footer names header checksum " + Hex(header_checksum) + " but the header's is " +
                   Hex(d.header_checksum));
  }
  Frame extension = ReadFrame(cursor, false, "the schema extension");
  if (cursor.Ok()) ParseSchemaLists(cursor, d.schema, true);
  EndFrame(cursor, extension, "the schema extension");
  Frame groups = ReadFrame(cursor, true, "the cluster group list");
  for (uint32_t i = 0; i < groups.count && cursor.Ok(); ++i) {
    Frame frame = ReadFrame(cursor, false, "a cluster group record");
    ClusterGroup g;
    g.min_entry = cursor.ReadLE<uint64_t>();
    g.entry_span = cursor.ReadLE<uint64_t>();
    g.num_clusters = cursor.ReadLE<uint32_t>();
    g.page_list = ReadEnvelopeLink(cursor);
    EndFrame(cursor, frame, "a cluster group record");
    d.groups.push_back(g);
  }
  EndFrame(cursor, groups, "the cluster group list");
  // Format 1.0.1.0 appends linked attribute sets; the frame sizes let us skip them.
  RB_RETURN_IF_ERROR_CTX(cursor.status(), "in the RNTuple footer (offsets count from the envelope's start)");
  return CheckSchema(d.schema);
}

Status ParsePageList(std::span<const uint8_t> envelope, const ClusterGroup& group, Descriptor& d) {
  ByteCursor cursor(envelope.subspan(0, envelope.size() - 8));
  cursor.Skip(8);
  const uint64_t header_checksum = cursor.ReadLE<uint64_t>();
  RB_RETURN_IF_ERROR(cursor.status());
  if (header_checksum != d.header_checksum) {
    return Corrupt("an RNTuple page list names header checksum " + Hex(header_checksum) + " but the header's is " +
                   Hex(d.header_checksum));
  }
  const size_t first_cluster = d.clusters.size();
  Frame summaries = ReadFrame(cursor, true, "the cluster summaries");
  if (cursor.Ok() && summaries.count != group.num_clusters) {
    cursor.Fail("the page list has " + std::to_string(summaries.count) + " clusters, its group says " +
                std::to_string(group.num_clusters));
  }
  for (uint32_t i = 0; i < summaries.count && cursor.Ok(); ++i) {
    Frame frame = ReadFrame(cursor, false, "a cluster summary");
    Cluster c;
    const uint64_t first = cursor.ReadLE<uint64_t>();
    const uint64_t word = cursor.ReadLE<uint64_t>();
    EndFrame(cursor, frame, "a cluster summary");
    if (!cursor.Ok()) break;
    if ((word >> 56) & 0x01) {
      return Unsupported("RNTuple cluster " + std::to_string(d.clusters.size()) +
                         " is sharded (cluster flag 0x01), which rootbatch does not read");
    }
    c.first_entry = static_cast<int64_t>(first);
    c.num_entries = static_cast<int64_t>(word & ((uint64_t{1} << 56) - 1));
    if (first > (uint64_t{1} << 62)) cursor.Fail("cluster first entry " + std::to_string(first) + " is impossible");
    d.clusters.push_back(std::move(c));
  }
  EndFrame(cursor, summaries, "the cluster summaries");

  Frame clusters = ReadFrame(cursor, true, "the page locations");
  if (cursor.Ok() && clusters.count != summaries.count) {
    cursor.Fail("the page list locates pages of " + std::to_string(clusters.count) + " clusters, it summarises " +
                std::to_string(summaries.count));
  }
  for (uint32_t ci = 0; ci < clusters.count && cursor.Ok(); ++ci) {
    Cluster& cluster = d.clusters[first_cluster + ci];
    Frame columns = ReadFrame(cursor, true, "a cluster's columns");
    if (cursor.Ok() && columns.count > d.schema.columns.size()) {
      cursor.Fail("a cluster lists pages of " + std::to_string(columns.count) + " columns; the schema has " +
                  std::to_string(d.schema.columns.size()));
    }
    cluster.columns.resize(cursor.Ok() ? columns.count : 0);
    for (uint32_t col = 0; col < columns.count && cursor.Ok(); ++col) {
      ColumnPages& cp = cluster.columns[col];
      Frame pages = ReadFrame(cursor, true, "a column's pages");
      for (uint32_t p = 0; p < pages.count && cursor.Ok(); ++p) {
        PageInfo page;
        const int32_t n = cursor.ReadLE<int32_t>();
        page.has_checksum = n < 0;
        page.num_elements = n < 0 ? -static_cast<int64_t>(n) : n;
        page.locator = ReadLocator(cursor);
        cp.pages.push_back(page);
      }
      cp.present = true;
      cp.element_offset = cursor.ReadLE<int64_t>();
      cp.suppressed = cp.element_offset < 0;
      if (!cp.suppressed) cp.compression = cursor.ReadLE<uint32_t>();
      EndFrame(cursor, pages, "a column's pages");
    }
    EndFrame(cursor, columns, "a cluster's columns");
  }
  EndFrame(cursor, clusters, "the page locations");
  RB_RETURN_IF_ERROR_CTX(cursor.status(), "in an RNTuple page list (offsets count from the envelope's start)");
  return Status::Ok();
}

Result<Descriptor> ReadDescriptor(const ByteSource& source, const Anchor& anchor) {
  // Blobs larger than fMaxKeySize are split over several keys (the extra
  // offsets at the end of the first): not read by rootbatch.
  for (const auto& [what, size] : {std::pair<const char*, uint64_t>{"header", anchor.nbytes_header},
                                   {"footer", anchor.nbytes_footer}}) {
    if (anchor.max_key_size > 0 && size > anchor.max_key_size) {
      return Unsupported(std::string("the RNTuple ") + what + " is stored in " + std::to_string(size) +
                         " bytes, more than the maximum key size " + std::to_string(anchor.max_key_size) +
                         ": a blob split over several keys, which rootbatch does not read");
    }
  }
  Descriptor d;
  d.anchor = anchor;
  RB_ASSIGN_OR_RETURN(auto header, ReadEnvelope(source, {anchor.nbytes_header, anchor.seek_header},
                                                anchor.len_header, EnvelopeType::kHeader));
  d.header_checksum = LoadLittleEndian<uint64_t>(header.data() + header.size() - 8);
  d.header_compression = BlobCompression(source, anchor.seek_header, anchor.nbytes_header, anchor.len_header);
  RB_RETURN_IF_ERROR(ParseHeader(header, d.schema));
  RB_ASSIGN_OR_RETURN(auto footer, ReadEnvelope(source, {anchor.nbytes_footer, anchor.seek_footer},
                                                anchor.len_footer, EnvelopeType::kFooter));
  d.footer_compression = BlobCompression(source, anchor.seek_footer, anchor.nbytes_footer, anchor.len_footer);
  RB_RETURN_IF_ERROR(ParseFooter(footer, d));
  for (const auto& group : d.groups) {
    RB_ASSIGN_OR_RETURN(auto list, ReadEnvelope(source, group.page_list.locator, group.page_list.length,
                                                EnvelopeType::kPageList));
    RB_RETURN_IF_ERROR(ParsePageList(list, group, d));
  }
  std::sort(d.clusters.begin(), d.clusters.end(),
            [](const Cluster& a, const Cluster& b) { return a.first_entry < b.first_entry; });
  int64_t next = 0;
  for (size_t i = 0; i < d.clusters.size(); ++i) {
    if (d.clusters[i].first_entry != next) {
      return Corrupt("RNTuple cluster " + std::to_string(i) + " starts at entry " +
                     std::to_string(d.clusters[i].first_entry) + ", expected " + std::to_string(next) +
                     " (clusters must tile the entries)");
    }
    next += d.clusters[i].num_entries;
  }
  d.num_entries = next;
  return d;
}

}  // namespace rootbatch::rntuple
