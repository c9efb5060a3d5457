// The RNTuple reader on every RNTuple file in the shared test data: structure
// against golden/rntuple/*.json (written by an independent parser), values
// against the generating macros' documented contents, and hostile copies.
#include "rootbatch/rntuple/ntuple_source.hpp"

#include <gtest/gtest.h>

#include <dirent.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>

#include "rootbatch/base/endian.hpp"
#include "rootbatch/io/byte_source.hpp"

namespace rootbatch {
namespace {

std::string TestFile(const std::string& name) { return std::string(ROOTBATCH_TESTDATA_DIR) + "/" + name; }

std::vector<std::string> RNTupleFiles() {
  std::vector<std::string> names;
  if (DIR* dir = opendir(ROOTBATCH_TESTDATA_DIR)) {
    while (dirent* e = readdir(dir)) {
      const std::string name = e->d_name;
      if (name.find("rntuple") != std::string::npos && name.size() > 5 && name.substr(name.size() - 5) == ".root") {
        names.push_back(name);
      }
    }
    closedir(dir);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The raw text of `"key":value` in one line of a golden file (strings
// without their quotes), or "" when absent.
std::string JsonValue(const std::string& line, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  const size_t at = line.find(needle);
  if (at == std::string::npos) return "";
  size_t i = at + needle.size();
  if (line[i] == '"') {
    const size_t end = line.find('"', i + 1);
    return line.substr(i + 1, end - i - 1);
  }
  size_t end = line.find_first_of(",}]", i);
  return line.substr(i, end - i);
}

struct GoldenNTuple {
  std::string header;               // the RNTuple's line
  std::vector<std::string> fields;  // one line per field
};

std::vector<GoldenNTuple> ReadGolden(const std::string& file) {
  std::string json = file.substr(0, file.size() - 5) + ".json";
  std::ifstream in(TestFile("golden/rntuple/" + json));
  std::vector<GoldenNTuple> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("{\"key\":", 0) == 0) out.push_back({line, {}});
    else if (line.rfind("{\"id\":", 0) == 0 && !out.empty()) out.back().fields.push_back(line);
  }
  return out;
}

std::unique_ptr<NTupleSource> Open(const std::string& file, const std::string& name) {
  auto root = RootFile::Open(TestFile(file));
  EXPECT_TRUE(root.IsOk()) << root.status().ToString();
  if (!root.IsOk()) return nullptr;
  auto source = NTupleSource::Open(*root, name);
  EXPECT_TRUE(source.IsOk()) << source.status().ToString();
  return source.IsOk() ? std::move(*source) : nullptr;
}

TEST(RNTupleTest, EveryTestFileMatchesItsGoldenStructure) {
  const auto files = RNTupleFiles();
  ASSERT_GE(files.size(), 20u);
  size_t ntuples = 0;
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    const auto golden = ReadGolden(file);
    ASSERT_FALSE(golden.empty()) << "no golden file for " << file;
    for (const auto& g : golden) {
      const std::string key = JsonValue(g.header, "key");
      SCOPED_TRACE(key);
      auto source = Open(file, key);
      ASSERT_NE(source, nullptr);
      ++ntuples;
      const auto& d = source->Descriptor();
      EXPECT_EQ(d.anchor.Version(), JsonValue(g.header, "format"));
      EXPECT_EQ(std::to_string(d.anchor.seek_header), JsonValue(g.header, "seek_header"));
      EXPECT_EQ(std::to_string(d.anchor.nbytes_header), JsonValue(g.header, "nbytes_header"));
      EXPECT_EQ(std::to_string(d.anchor.len_header), JsonValue(g.header, "len_header"));
      EXPECT_EQ(std::to_string(d.anchor.seek_footer), JsonValue(g.header, "seek_footer"));
      EXPECT_EQ(std::to_string(d.anchor.nbytes_footer), JsonValue(g.header, "nbytes_footer"));
      EXPECT_EQ(std::to_string(d.anchor.len_footer), JsonValue(g.header, "len_footer"));
      EXPECT_EQ(std::to_string(d.anchor.max_key_size), JsonValue(g.header, "max_key_size"));
      EXPECT_EQ(d.schema.name, JsonValue(g.header, "name"));
      EXPECT_EQ(d.schema.writer, JsonValue(g.header, "writer"));
      EXPECT_EQ(d.header_compression, JsonValue(g.header, "header_compression"));
      EXPECT_EQ(d.footer_compression, JsonValue(g.header, "footer_compression"));
      EXPECT_EQ(std::to_string(d.schema.header_columns), JsonValue(g.header, "ncolumns"));
      EXPECT_EQ(std::to_string(d.groups.size()), JsonValue(g.header, "cluster_groups"));
      EXPECT_EQ(std::to_string(d.clusters.size()), JsonValue(g.header, "clusters"));
      EXPECT_EQ(std::to_string(source->NumEntries()), JsonValue(g.header, "entries"));
      ASSERT_EQ(d.schema.header_fields, g.fields.size());
      for (size_t i = 0; i < g.fields.size(); ++i) {
        const auto& f = d.schema.fields[i];
        const std::string& line = g.fields[i];
        EXPECT_EQ(std::to_string(i), JsonValue(line, "id"));
        EXPECT_EQ(f.name, JsonValue(line, "name"));
        EXPECT_EQ(f.type_name, JsonValue(line, "type"));
        EXPECT_EQ(std::to_string(f.parent_id), JsonValue(line, "parent"));
        EXPECT_EQ(std::to_string(f.role), JsonValue(line, "role"));
        EXPECT_EQ(std::to_string(f.flags), JsonValue(line, "flags"));
        EXPECT_EQ((f.flags & 1) ? std::to_string(f.array_size) : "null", JsonValue(line, "repetition"));
      }
      // Clusters tile the entries; the source's boundaries are theirs.
      const auto bounds = source->ClusterBoundaries();
      EXPECT_EQ(bounds.front(), 0);
      EXPECT_EQ(bounds.back(), source->NumEntries());
      EXPECT_EQ(bounds.size(), source->NumEntries() > 0 ? d.clusters.size() + 1 : 1u);
    }
  }
  EXPECT_EQ(ntuples, 26u);  // 21 files, two of them with several RNTuples
}

// Every readable column of every RNTuple reads over all its entries (and in
// two halves that join to the same values), and its page boundaries are a
// refinement of the clusters.
TEST(RNTupleTest, EveryColumnOfEveryFileReads) {
  size_t columns = 0;
  for (const auto& file : RNTupleFiles()) {
    for (const auto& g : ReadGolden(file)) {
      const std::string key = JsonValue(g.header, "key");
      SCOPED_TRACE(file + " " + key);
      auto source = Open(file, key);
      ASSERT_NE(source, nullptr);
      const int64_t n = source->NumEntries();
      if (n > 1000000) continue;  // test_int_multicluster: read in its own test
      for (size_t c = 0; c < source->Columns().size(); ++c) {
        SCOPED_TRACE(source->Columns()[c].name);
        ReadStats stats;
        auto all = source->ReadColumn(c, {0, n}, &stats);
        ASSERT_TRUE(all.IsOk()) << all.status().ToString();
        ++columns;
        EXPECT_EQ(all->num_entries, n);
        const auto& spec = source->Columns()[c];
        if (spec.kind == ColumnKind::kJagged || spec.kind == ColumnKind::kString ||
            spec.kind == ColumnKind::kDoublyJagged) {
          ASSERT_EQ(all->offsets.size(), static_cast<size_t>(n) + 1);
        }
        const int64_t half = n / 2;
        auto a = source->ReadColumn(c, {0, half});
        auto b = source->ReadColumn(c, {half, n});
        ASSERT_TRUE(a.IsOk() && b.IsOk());
        std::vector<uint8_t> joined = a->values;
        joined.insert(joined.end(), b->values.begin(), b->values.end());
        EXPECT_EQ(joined, all->values);
        const auto units = source->UnitBoundaries(c);
        EXPECT_EQ(units.front(), 0);
        EXPECT_EQ(units.back(), n);
        for (int64_t bound : source->ClusterBoundaries()) {
          EXPECT_TRUE(std::binary_search(units.begin(), units.end(), bound)) << bound;
        }
      }
    }
  }
  EXPECT_GT(columns, 100u);
}

template <typename T>
std::vector<T> Values(const NTupleSource& source, const std::string& name, EntryRange range = {0, -1}) {
  auto index = source.FindColumn(name);
  EXPECT_TRUE(index.IsOk()) << index.status().ToString();
  if (!index.IsOk()) return {};
  if (range.end < 0) range.end = source.NumEntries();
  auto column = source.ReadColumn(*index, range);
  EXPECT_TRUE(column.IsOk()) << column.status().ToString();
  if (!column.IsOk()) return {};
  auto span = column->As<T>();
  return {span.begin(), span.end()};
}

std::vector<int64_t> Offsets(const NTupleSource& source, const std::string& name) {
  auto index = source.FindColumn(name);
  EXPECT_TRUE(index.IsOk());
  auto column = source.ReadColumn(*index, {0, source.NumEntries()});
  EXPECT_TRUE(column.IsOk()) << column.status().ToString();
  return column.IsOk() ? column->offsets : std::vector<int64_t>{};
}

// Values the generating macros document (scikit-hep-testdata dev/make-root).
TEST(RNTupleTest, ScalarsBitsAndSplitIntegers) {
  auto t = Open("test_int_float_rntuple_v1-0-0-0.root", "ntuple");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(Values<int32_t>(*t, "one_integers"), (std::vector<int32_t>{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));
  auto floats = Values<float>(*t, "two_floats");
  ASSERT_EQ(floats.size(), 10u);
  EXPECT_EQ(floats[0], 9.9f);
  EXPECT_EQ(floats[9], 0.0f);
  auto bits = Open("test_bit_rntuple_v1-0-0-0.root", "ntuple");
  ASSERT_NE(bits, nullptr);
  EXPECT_EQ(Values<bool>(*bits, "one_bit"), (std::vector<bool>{1, 0, 0, 1, 0, 0, 1, 0, 0, 1}));
  EXPECT_EQ(bits->Columns()[0].type, DataType::kBool);
}

TEST(RNTupleTest, HundredMillionEntriesWithSharedPages) {
  auto t = Open("test_int_multicluster_rntuple_v1-0-0-0.root", "ntuple");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->NumEntries(), 100000000);
  // 50,000,000 entries of 2 then 50,000,000 of 1.
  EXPECT_EQ(Values<int16_t>(*t, "one_integers", {49999998, 50000002}), (std::vector<int16_t>{2, 2, 1, 1}));
  EXPECT_EQ(Values<int16_t>(*t, "one_integers", {0, 2}), (std::vector<int16_t>{2, 2}));
  EXPECT_EQ(Values<int16_t>(*t, "one_integers", {99999999, 100000000}), (std::vector<int16_t>{1}));
  EXPECT_GT(t->UnitBoundaries(0).size(), 100u);  // many pages, one cluster
}

TEST(RNTupleTest, VectorsAcrossClustersAreGlobalOffsets) {
  auto t = Open("test_index_multicluster_rntuple_v1-0-0-0.root", "ntuple");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->Descriptor().clusters.size(), 3u);
  auto offsets = Offsets(*t, "int_vector");
  ASSERT_EQ(offsets.size(), 201u);
  for (size_t i = 1; i < offsets.size(); ++i) ASSERT_LE(offsets[i - 1], offsets[i]);
  // Reading from the second cluster on gives the same lists as the whole read.
  const int64_t second = t->ClusterBoundaries()[1];
  auto index = t->FindColumn("int_vector");
  auto all = t->ReadColumn(*index, {0, 200});
  auto tail = t->ReadColumn(*index, {second - 1, 200});
  ASSERT_TRUE(all.IsOk() && tail.IsOk());
  const int64_t skip = all->offsets[static_cast<size_t>(second - 1)];
  std::vector<int16_t> expected(all->As<int16_t>().begin() + skip, all->As<int16_t>().end());
  EXPECT_EQ(std::vector<int16_t>(tail->As<int16_t>().begin(), tail->As<int16_t>().end()), expected);
  for (size_t i = 0; i < tail->offsets.size(); ++i) {
    EXPECT_EQ(tail->offsets[i], all->offsets[static_cast<size_t>(second - 1) + i] - skip);
  }
}

TEST(RNTupleTest, NamesAreRDataFramesAndKindsFollowTheFields) {
  auto t = Open("test_stl_containers_rntuple_v1-0-0-0.root", "ntuple");
  ASSERT_NE(t, nullptr);
  auto kind = [&](const std::string& name) {
    auto index = t->FindColumn(name);
    EXPECT_TRUE(index.IsOk()) << index.status().ToString();
    return index.IsOk() ? t->Columns()[*index].kind : ColumnKind::kScalar;
  };
  EXPECT_EQ(kind("string"), ColumnKind::kString);
  EXPECT_EQ(kind("vector_int32"), ColumnKind::kJagged);
  EXPECT_EQ(kind("array_float"), ColumnKind::kFixedArray);
  EXPECT_EQ(kind("vector_vector_int32"), ColumnKind::kDoublyJagged);
  EXPECT_EQ(kind("tuple_int32_string._0"), ColumnKind::kScalar);
  EXPECT_EQ(kind("tuple_int32_string._1"), ColumnKind::kString);
  EXPECT_EQ(kind("pair_int32_string._1"), ColumnKind::kString);
  EXPECT_EQ(kind("vector_tuple_int32_string._0"), ColumnKind::kJagged);
  EXPECT_EQ(kind("lorentz_vector.pt"), ColumnKind::kScalar);
  EXPECT_EQ(kind("array_lv.pt"), ColumnKind::kFixedArray);
  // Variants and lists of strings are listed with a reason.
  auto variant = t->FindColumn("variant_int32_string");
  EXPECT_EQ(variant.status().Code(), StatusCode::kUnsupported);
  EXPECT_NE(variant.status().Message().find("variant"), std::string::npos) << variant.status().Message();
  auto strings = t->FindColumn("vector_string");
  EXPECT_EQ(strings.status().Code(), StatusCode::kUnsupported);

  auto lv = Open("test_int_vfloat_tlv_vtlv_rntuple_v1-0-0-0.root", "ntuple");
  ASSERT_NE(lv, nullptr);
  std::vector<std::string> names;
  for (const auto& spec : lv->Columns()) names.push_back(spec.name);
  EXPECT_EQ(names, (std::vector<std::string>{"one_integers", "two_v_floats", "three_LV.pt", "three_LV.eta",
                                             "three_LV.phi", "three_LV.mass", "four_v_LVs.pt", "four_v_LVs.eta",
                                             "four_v_LVs.phi", "four_v_LVs.mass"}));
  // Sibling jagged columns of one collection share their offsets.
  EXPECT_EQ(Offsets(*lv, "four_v_LVs.pt"), Offsets(*lv, "four_v_LVs.mass"));

  auto nested = Open("test_nested_structs_rntuple_v1-0-0-0.root", "ntuple");
  ASSERT_NE(nested, nullptr);
  EXPECT_TRUE(nested->FindColumn("my_struct.sub_struct.sub_sub_struct.v").IsOk());
  auto inherit = Open("test_class_inheritance_rntuple_v1-0-0-1.root", "rntpl");
  ASSERT_NE(inherit, nullptr);
  EXPECT_TRUE(inherit->FindColumn("multi_grandparent.:_1.:_1.base_b").IsOk());
  EXPECT_TRUE(inherit->FindColumn("child.:_0.base_a3").IsOk());
}

TEST(RNTupleTest, CardinalityAndProjectedFieldsReadThroughAliases) {
  auto t = Open("Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root", "Events");
  ASSERT_NE(t, nullptr);
  auto n = Values<uint32_t>(*t, "nMuon");
  auto offsets = Offsets(*t, "Muon_pt");
  ASSERT_EQ(n.size(), 1000u);
  ASSERT_EQ(offsets.size(), 1001u);
  for (size_t i = 0; i < n.size(); ++i) ASSERT_EQ(n[i], offsets[i + 1] - offsets[i]) << i;
  EXPECT_EQ(Values<float>(*t, "Muon_pt"), Values<float>(*t, "_collection0.Muon_pt"));
  EXPECT_EQ(Values<int32_t>(*t, "Muon_charge"), Values<int32_t>(*t, "_collection0.Muon_charge"));
}

TEST(RNTupleTest, ExtensionColumnsReadAsZerosBeforeTheyBegin) {
  auto t = Open("test_extension_columns_rntuple_v1-0-0-0.root", "ntuple");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->NumEntries(), 600);
  auto floats = Values<float>(*t, "float_field");
  auto ints = Values<int32_t>(*t, "int_field");
  ASSERT_EQ(floats.size(), 600u);
  for (int i = 0; i < 200; ++i) ASSERT_EQ(floats[static_cast<size_t>(i)], 0.0f) << i;
  auto vec = Offsets(*t, "intvec_field");
  ASSERT_EQ(vec.size(), 601u);
  EXPECT_EQ(vec[400], 0);  // empty before entry 400
}

TEST(RNTupleTest, MultipleRepresentationsPickTheActiveOnePerCluster) {
  auto t = Open("test_multiple_representations_rntuple_v1-0-0-0.root", "ntuple");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Descriptor().clusters.size(), 3u);
  EXPECT_EQ(Values<float>(*t, "real").size(), 3u);
}

TEST(RNTupleTest, SeveralRNTuplesInOneFile) {
  auto a = Open("rntviewer-testfile-multiple-rntuples-v1-0-0-0.root", "A");
  auto b = Open("rntviewer-testfile-multiple-rntuples-v1-0-0-0.root", "B");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->Columns()[0].name, "f");
  EXPECT_EQ(b->Columns()[0].name, "g");
  EXPECT_EQ(a->NumEntries(), 100);
}

TEST(RNTupleTest, ReadStatsCountPages) {
  auto t = Open("ntpl001_staff_rntuple_v1-0-0-0.root", "Staff");
  ASSERT_NE(t, nullptr);
  ReadStats stats;
  auto index = t->FindColumn("Nation");
  ASSERT_TRUE(index.IsOk());
  ASSERT_TRUE(t->ReadColumn(*index, {0, t->NumEntries()}, &stats).IsOk());
  EXPECT_GE(stats.units_read, 2);  // index and char pages
  EXPECT_GT(stats.bytes_read, 0);
  EXPECT_GT(stats.bytes_decompressed, stats.bytes_read);
}

// --- hostile input ---------------------------------------------------------

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Opens `bytes` as a file and reads every column (the first 2^20 entries).
Result<std::vector<Column>> ReadEverything(std::vector<uint8_t> bytes, const std::string& name) {
  RB_ASSIGN_OR_RETURN(auto root, RootFile::Open(MakeMemorySource("hostile.root", std::move(bytes))));
  RB_ASSIGN_OR_RETURN(auto source, NTupleSource::Open(root, name));
  const int64_t n = std::min<int64_t>(source->NumEntries(), 1 << 20);
  std::vector<Column> out;
  for (size_t c = 0; c < source->Columns().size(); ++c) {
    RB_ASSIGN_OR_RETURN(auto column, source->ReadColumn(c, {0, n}));
    out.push_back(std::move(column));
  }
  return out;
}

Status OpenAndReadAll(std::vector<uint8_t> bytes, const std::string& name) {
  return ReadEverything(std::move(bytes), name).status();
}

bool SameValues(const std::vector<Column>& a, const std::vector<Column>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].values != b[i].values || a[i].offsets != b[i].offsets || a[i].inner_offsets != b[i].inner_offsets) {
      return false;
    }
  }
  return true;
}

TEST(RNTupleTest, ChecksumMismatchesAreNamedWithTheEnvelopeAndOffset) {
  const std::string file = "test_int_vfloat_tlv_vtlv_rntuple_v1-0-0-0.root";
  auto bytes = ReadAll(TestFile(file));
  auto t = Open(file, "ntuple");
  ASSERT_NE(t, nullptr);
  const auto& anchor = t->Descriptor().anchor;
  // Flip a byte in the (compressed) header: either zstd or the checksum catches it.
  auto header = bytes;
  header[anchor.seek_header + anchor.nbytes_header - 3] ^= 0x40;
  Status s = OpenAndReadAll(header, "ntuple");
  EXPECT_EQ(s.Code(), StatusCode::kCorrupt);
  EXPECT_NE(s.ToString().find("header envelope"), std::string::npos) << s.ToString();
  EXPECT_NE(s.ToString().find(std::to_string(anchor.seek_header)), std::string::npos) << s.ToString();
  // An uncompressed footer with a flipped payload byte: a checksum mismatch.
  auto uncompressed = ReadAll(TestFile("rntviewer-testfile-uncomp-single-rntuple-v1-0-0-0.root"));
  auto u = Open("rntviewer-testfile-uncomp-single-rntuple-v1-0-0-0.root", "Contributors");
  ASSERT_NE(u, nullptr);
  const auto& ua = u->Descriptor().anchor;
  ASSERT_EQ(ua.nbytes_footer, ua.len_footer);
  uncompressed[ua.seek_footer + 20] ^= 0x01;
  s = OpenAndReadAll(uncompressed, "Contributors");
  EXPECT_EQ(s.Code(), StatusCode::kCorrupt);
  EXPECT_NE(s.ToString().find("checksum mismatch in the RNTuple footer envelope at byte " +
                              std::to_string(ua.seek_footer)),
            std::string::npos)
      << s.ToString();
  EXPECT_EQ(s.Offset(), static_cast<int64_t>(ua.seek_footer));
}

// Replaces the first 8-byte little-endian `from` in [begin, begin + size)
// with `to`, then rewrites the envelope's XXH3 (its last 8 bytes), so that
// only the forged locator is wrong. Returns false when `from` is absent.
bool ForgeLocator(std::vector<uint8_t>& bytes, uint64_t begin, uint64_t size, uint64_t from, uint64_t to) {
  for (uint64_t at = begin; at + 8 <= begin + size - 8; ++at) {
    if (LoadLittleEndian<uint64_t>(bytes.data() + at) != from) continue;
    StoreLittleEndian(bytes.data() + at, to);
    const uint64_t sum = rntuple::Xxh3(std::span<const uint8_t>(bytes.data() + begin, size - 8));
    StoreLittleEndian(bytes.data() + begin + size - 8, sum);
    return true;
  }
  return false;
}

// A page list whose page locator points past the end of the file, and a
// footer whose link to the page list does: both kCorrupt naming the page or
// envelope and the byte offset, checksums being right.
TEST(RNTupleTest, PageListPointingOutsideTheFile) {
  const std::string file = "rntviewer-testfile-uncomp-single-rntuple-v1-0-0-0.root";
  const std::string key = "Contributors";
  auto t = Open(file, key);
  ASSERT_NE(t, nullptr);
  const auto& d = t->Descriptor();
  ASSERT_FALSE(d.groups.empty());
  const rntuple::Locator list = d.groups[0].page_list.locator;
  ASSERT_EQ(list.size, d.groups[0].page_list.length);  // stored uncompressed: patchable in place
  ASSERT_FALSE(d.clusters.empty());
  size_t column = 0;
  while (column < d.clusters[0].columns.size() && d.clusters[0].columns[column].pages.empty()) ++column;
  ASSERT_LT(column, d.clusters[0].columns.size());
  const uint64_t page_at = d.clusters[0].columns[column].pages[0].locator.offset;
  const std::vector<uint8_t> intact = ReadAll(TestFile(file));
  const uint64_t outside = intact.size() + 1000;

  auto page = intact;
  ASSERT_TRUE(ForgeLocator(page, list.offset, list.size, page_at, outside));
  Status s = OpenAndReadAll(page, key);
  EXPECT_EQ(s.Code(), StatusCode::kCorrupt) << s.ToString();
  EXPECT_NE(s.ToString().find("page 0 of"), std::string::npos) << s.ToString();
  EXPECT_NE(s.ToString().find("at byte " + std::to_string(outside) + " lies outside the file (" +
                              std::to_string(intact.size()) + " bytes)"),
            std::string::npos)
      << s.ToString();
  EXPECT_EQ(s.Offset(), static_cast<int64_t>(outside));

  const auto& anchor = d.anchor;
  ASSERT_EQ(anchor.nbytes_footer, anchor.len_footer);
  auto link = intact;
  ASSERT_TRUE(ForgeLocator(link, anchor.seek_footer, anchor.nbytes_footer, list.offset, outside));
  s = OpenAndReadAll(link, key);
  EXPECT_EQ(s.Code(), StatusCode::kCorrupt) << s.ToString();
  EXPECT_NE(s.ToString().find("RNTuple page list envelope of " + std::to_string(list.size) + " bytes at byte " +
                              std::to_string(outside) + " lies outside the file"),
            std::string::npos)
      << s.ToString();
  EXPECT_EQ(s.Offset(), static_cast<int64_t>(outside));
}

// A page record whose element count claims far more than its stored bytes
// can expand to (checksum right): refused from the page list, naming the
// page and its offset, before the result of the read is allocated.
TEST(RNTupleTest, PageClaimingMoreElementsThanItsBytesHold) {
  const std::string file = "rntviewer-testfile-uncomp-single-rntuple-v1-0-0-0.root";
  const std::string key = "Contributors";
  auto t = Open(file, key);
  ASSERT_NE(t, nullptr);
  const auto& d = t->Descriptor();
  const rntuple::Locator list = d.groups[0].page_list.locator;
  ASSERT_EQ(list.size, d.groups[0].page_list.length);
  size_t column = 0;
  while (column < d.clusters[0].columns.size() && d.clusters[0].columns[column].pages.empty()) ++column;
  ASSERT_LT(column, d.clusters[0].columns.size());
  const auto& page = d.clusters[0].columns[column].pages[0];
  // 2^24 elements of at least a byte each, from fewer than 256 stored bytes:
  // more than 65 536 : 1, yet within one page's 256 MiB.
  ASSERT_LT(page.locator.size, 256u);
  std::vector<uint8_t> bytes = ReadAll(TestFile(file));
  // The page record: i32 element count (negative: a checksum follows the
  // page), then its locator: i32 size, u64 offset.
  bool forged = false;
  for (uint64_t at = list.offset; at + 16 <= list.offset + list.size - 8 && !forged; ++at) {
    if (LoadLittleEndian<uint64_t>(bytes.data() + at + 8) != page.locator.offset ||
        LoadLittleEndian<uint32_t>(bytes.data() + at + 4) != page.locator.size) {
      continue;
    }
    const auto count = static_cast<int32_t>(LoadLittleEndian<uint32_t>(bytes.data() + at));
    ASSERT_EQ(std::abs(count), page.num_elements);
    StoreLittleEndian(bytes.data() + at, static_cast<uint32_t>(count < 0 ? -(1 << 24) : (1 << 24)));
    const uint64_t sum = rntuple::Xxh3(std::span<const uint8_t>(bytes.data() + list.offset, list.size - 8));
    StoreLittleEndian(bytes.data() + list.offset + list.size - 8, sum);
    forged = true;
  }
  ASSERT_TRUE(forged);
  Status s = OpenAndReadAll(bytes, key);
  EXPECT_EQ(s.Code(), StatusCode::kCorrupt) << s.ToString();
  EXPECT_NE(s.ToString().find("page 0 of column " + std::to_string(column)), std::string::npos) << s.ToString();
  EXPECT_NE(s.ToString().find("claims 16777216 elements"), std::string::npos) << s.ToString();
  EXPECT_NE(s.ToString().find("more than one page holds or its bytes can expand to"), std::string::npos)
      << s.ToString();
  EXPECT_EQ(s.Offset(), static_cast<int64_t>(page.locator.offset));
}

// The end of the last byte the RNTuple reads: envelopes and pages.
uint64_t DataEnd(const std::string& file, const std::string& key) {
  auto t = Open(file, key);
  if (!t) return 0;
  const auto& d = t->Descriptor();
  uint64_t end = std::max(d.anchor.seek_header + d.anchor.nbytes_header, d.anchor.seek_footer + d.anchor.nbytes_footer);
  for (const auto& g : d.groups) end = std::max(end, g.page_list.locator.offset + g.page_list.locator.size);
  for (const auto& c : d.clusters) {
    for (const auto& col : c.columns) {
      for (const auto& p : col.pages) end = std::max(end, p.locator.offset + p.locator.size + (p.has_checksum ? 8 : 0));
    }
  }
  return end;
}

TEST(RNTupleTest, TruncatedAndBitFlippedCopiesNeverCrash) {
  for (const auto& file : RNTupleFiles()) {
    if (file.find("physlite") != std::string::npos || file.find("multicluster") != std::string::npos) continue;
    SCOPED_TRACE(file);
    const auto bytes = ReadAll(TestFile(file));
    const auto golden = ReadGolden(file);
    ASSERT_FALSE(golden.empty());
    const std::string key = JsonValue(golden[0].header, "key");
    ASSERT_TRUE(OpenAndReadAll(bytes, key).IsOk());
    const uint64_t data_end = DataEnd(file, key);
    ASSERT_GT(data_end, 0u);
    // Truncations at many lengths: an error whenever a byte the RNTuple
    // needs is cut off. (Cuts in the file's trailing records, the
    // StreamerInfo and free-segment lists, leave the RNTuple readable.)
    for (size_t len = 0; len < bytes.size(); len += std::max<size_t>(1, bytes.size() / 97)) {
      std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len));
      Status s = OpenAndReadAll(std::move(cut), key);
      if (len < data_end) {
        EXPECT_FALSE(s.IsOk()) << "truncated to " << len << " of " << data_end;
      }
      EXPECT_NE(s.Code(), StatusCode::kInternal) << s.ToString();
    }
    // Single bit flips over the whole file: an error, or (in bytes nobody
    // needs, such as TKey titles, unused bits, padding) the same values;
    // never a crash or a silently different value.
    auto original = ReadEverything(bytes, key);
    ASSERT_TRUE(original.IsOk());
    for (size_t at = 0; at < bytes.size(); at += 7) {
      auto flipped = bytes;
      flipped[at] ^= static_cast<uint8_t>(1u << (at % 8));
      auto read = ReadEverything(std::move(flipped), key);
      EXPECT_NE(read.status().Code(), StatusCode::kInternal) << "flip at " << at << ": " << read.status().ToString();
      if (read.IsOk()) {
        EXPECT_TRUE(SameValues(*read, *original)) << "flip at " << at << " changed values silently";
      }
    }
  }
}

// Every bit of two small files (a compressed one and an uncompressed one)
// flipped in turn: an error (never kInternal, never a crash), or, where the
// bit is one no reader needs (a TKey title, a block's method byte, an unused
// zstd header bit), exactly the original values.
TEST(RNTupleTest, EveryBitFlipOfSmallFilesIsCaughtOrHarmless) {
  for (const std::string file : {"test_bit_rntuple_v1-0-0-0.root", "rntviewer-testfile-uncomp-single-rntuple-v1-0-0-0.root"}) {
    SCOPED_TRACE(file);
    const auto bytes = ReadAll(TestFile(file));
    const std::string key = JsonValue(ReadGolden(file)[0].header, "key");
    auto original = ReadEverything(bytes, key);
    ASSERT_TRUE(original.IsOk());
    int caught = 0;
    for (size_t at = 0; at < bytes.size(); ++at) {
      for (int bit = 0; bit < 8; ++bit) {
        auto flipped = bytes;
        flipped[at] ^= static_cast<uint8_t>(1u << bit);
        auto read = ReadEverything(std::move(flipped), key);
        ASSERT_NE(read.status().Code(), StatusCode::kInternal) << "flip at " << at << ": " << read.status().ToString();
        if (read.IsOk()) {
          ASSERT_TRUE(SameValues(*read, *original)) << "flip at " << at << " bit " << bit << " changed values";
        } else {
          ++caught;
        }
      }
    }
    EXPECT_GT(caught, 1000);
  }
}

}  // namespace
}  // namespace rootbatch
