// The RNTuple writer's tests: the envelope building blocks and page encodings
// against hand-computed bytes, then whole files walked structurally (anchor,
// envelopes, page lists, every checksum) with an independent little walker
// here, and the error paths. Values are checked against ROOT and uproot in
// tests/python/test_rntuple_writer.py.
#include <gtest/gtest.h>
#include <unistd.h>

#include <xxhash.h>

#include <cstring>
#include <map>
#include <string>

#include "rootbatch/base/endian.hpp"
#include "rootbatch/codec/codec.hpp"
#include "rootbatch/tfile/root_file.hpp"
#include "rootbatch/write/file_writer.hpp"
#include "rootbatch/write/rntuple_column.hpp"
#include "rootbatch/write/rntuple_envelope.hpp"
#include "rootbatch/write/rntuple_writer.hpp"
#include "rootbatch/write/sample_generator.hpp"
#include "rootbatch/write/test_pattern.hpp"

namespace rootbatch {
namespace {

using write::RNTupleBuffer;
using write::RNTupleColumnType;

std::string TempPath(const std::string& name) {
  return testing::TempDir() + "/rootbatch_rntuple_writer_test_" + std::to_string(getpid()) + "_" + name;
}

std::vector<uint8_t> Encode(RNTupleColumnType type, const auto& values) {
  std::vector<uint8_t> out;
  write::EncodePage(type, {reinterpret_cast<const uint8_t*>(values.data()), values.size() * sizeof(values[0])},
                    values.size(), out);
  return out;
}

TEST(RNTupleEnvelopeTest, FramesCountThemselvesAndListsAreNegative) {
  RNTupleBuffer b;
  const size_t list = b.BeginList(2);
  const size_t record = b.BeginRecord();
  b.PutU32(7);
  b.EndFrame(record);
  b.PutString("ab");
  b.EndFrame(list);
  ASSERT_EQ(b.Size(), 8u + 4 + (8 + 4) + (4 + 2));
  EXPECT_EQ(LoadLittleEndian<int64_t>(b.Bytes().data()), -static_cast<int64_t>(b.Size()));
  EXPECT_EQ(LoadLittleEndian<uint32_t>(b.Bytes().data() + 8), 2u);
  EXPECT_EQ(LoadLittleEndian<int64_t>(b.Bytes().data() + 12), 12);
  EXPECT_EQ(LoadLittleEndian<uint32_t>(b.Bytes().data() + 24), 2u);  // string length
}

TEST(RNTupleEnvelopeTest, EnvelopeLengthIncludesTheChecksumOfEveryPrecedingByte) {
  RNTupleBuffer b;
  b.BeginEnvelope(write::EnvelopeType::kFooter);
  b.PutU64(0);
  const uint64_t checksum = b.FinishEnvelope();
  ASSERT_EQ(b.Size(), 24u);
  EXPECT_EQ(LoadLittleEndian<uint64_t>(b.Bytes().data()), 2u | (24u << 16));
  EXPECT_EQ(checksum, XXH3_64bits(b.Bytes().data(), 16));
  EXPECT_EQ(LoadLittleEndian<uint64_t>(b.Bytes().data() + 16), checksum);
  // XXH3-64 of no bytes, the published test vector.
  EXPECT_EQ(write::Xxh3({}), 0x2D06800538D394C2ULL);
}

TEST(RNTupleEnvelopeTest, LocatorsSmallAndLarge) {
  RNTupleBuffer b;
  b.PutLocator({100, 12345});
  ASSERT_EQ(b.Size(), 12u);
  EXPECT_EQ(LoadLittleEndian<int32_t>(b.Bytes().data()), 100);
  EXPECT_EQ(LoadLittleEndian<uint64_t>(b.Bytes().data() + 4), 12345u);
  RNTupleBuffer large;
  large.PutLocator({uint64_t{3} << 31, 7});
  ASSERT_EQ(large.Size(), 20u);
  const int32_t head = LoadLittleEndian<int32_t>(large.Bytes().data());
  ASSERT_LT(head, 0);
  EXPECT_EQ((-head) >> 24, 1);            // type 1: large
  EXPECT_EQ(((-head) & 0xFFFF) - 4, 16);  // payload bytes
  EXPECT_EQ(LoadLittleEndian<uint64_t>(large.Bytes().data() + 4), uint64_t{3} << 31);
}

TEST(RNTupleColumnTest, SplitZigzagDeltaAndBitPages) {
  const std::vector<int32_t> ints = {1, -1, 256};
  // zigzag: 2, 1, 512; then byte j of element i at j * 3 + i.
  EXPECT_EQ(Encode(RNTupleColumnType::kSplitInt32, ints),
            (std::vector<uint8_t>{2, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Encode(RNTupleColumnType::kInt32, ints),
            (std::vector<uint8_t>{1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 1, 0, 0}));
  const std::vector<uint16_t> shorts = {0x0102, 0x0304};
  EXPECT_EQ(Encode(RNTupleColumnType::kSplitUInt16, shorts), (std::vector<uint8_t>{2, 4, 1, 3}));
  const std::vector<uint64_t> index = {3, 3, 7};  // delta: 3, 0, 4
  std::vector<uint8_t> expected(24, 0);
  expected[0] = 3;
  expected[2] = 4;
  EXPECT_EQ(Encode(RNTupleColumnType::kSplitIndex64, index), expected);
  const std::vector<int64_t> min64 = {INT64_MIN};  // zigzag of the most negative value: all ones
  EXPECT_EQ(Encode(RNTupleColumnType::kSplitInt64, min64), std::vector<uint8_t>(8, 0xFF));
  const std::vector<uint8_t> bits = {1, 0, 1, 1, 0, 0, 0, 0, 1};
  EXPECT_EQ(Encode(RNTupleColumnType::kBit, bits), (std::vector<uint8_t>{0x0D, 0x01}));
  const std::vector<float> floats = {1.0f};  // 0x3F800000
  EXPECT_EQ(Encode(RNTupleColumnType::kSplitReal32, floats), (std::vector<uint8_t>{0, 0, 0x80, 0x3F}));
  EXPECT_EQ(write::ColumnBits(RNTupleColumnType::kBit), 1);
  EXPECT_EQ(write::ValueColumnType(DataType::kFloat64, true), RNTupleColumnType::kSplitReal64);
  EXPECT_EQ(write::ValueColumnType(DataType::kFloat64, false), RNTupleColumnType::kReal64);
  EXPECT_EQ(write::ValueColumnType(DataType::kInt8, true), RNTupleColumnType::kInt8);
}

// --- an independent structural walk of a written file ------------------------

class Cursor {
 public:
  Cursor(const std::vector<uint8_t>& bytes, size_t pos = 0) : bytes_(bytes), pos_(pos) {}
  template <typename T>
  T Get() {
    EXPECT_LE(pos_ + sizeof(T), bytes_.size());
    if (pos_ + sizeof(T) > bytes_.size()) return T{};
    const T v = LoadLittleEndian<T>(bytes_.data() + pos_);
    pos_ += sizeof(T);
    return v;
  }
  std::string String() {
    const uint32_t n = Get<uint32_t>();
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  // Enters a frame: returns its end; `count` gets the item count of a list frame.
  size_t Frame(uint32_t* count = nullptr) {
    const size_t start = pos_;
    const int64_t size = Get<int64_t>();
    if (size < 0 && count != nullptr) *count = Get<uint32_t>();
    EXPECT_EQ(size < 0, count != nullptr) << "frame kind at " << start;
    return start + static_cast<size_t>(size < 0 ? -size : size);
  }
  void Seek(size_t pos) { pos_ = pos; }
  size_t Pos() const { return pos_; }

 private:
  const std::vector<uint8_t>& bytes_;
  size_t pos_;
};

struct Walked {
  std::vector<std::string> field_names;
  std::vector<std::string> field_types;
  std::vector<uint16_t> column_types;
  int64_t groups = 0, clusters = 0, pages = 0, entries = 0;
  std::vector<int64_t> column_elements;  // per column, over all clusters
};

std::vector<uint8_t> ReadEnvelope(const RootFile& file, uint64_t seek, uint64_t nbytes, uint64_t length,
                                  uint16_t type, uint64_t* checksum) {
  auto stored = file.Source().Read(static_cast<int64_t>(seek), static_cast<int64_t>(nbytes));
  EXPECT_TRUE(stored.IsOk());
  std::vector<uint8_t> bytes(length);
  if (nbytes == length) {
    bytes = *stored;
  } else {
    EXPECT_TRUE(Decompress(*stored, bytes).IsOk());
  }
  const uint64_t id_length = LoadLittleEndian<uint64_t>(bytes.data());
  EXPECT_EQ(id_length & 0xFFFF, type);
  EXPECT_EQ(id_length >> 16, length);
  *checksum = LoadLittleEndian<uint64_t>(bytes.data() + length - 8);
  EXPECT_EQ(*checksum, XXH3_64bits(bytes.data(), length - 8)) << "envelope type " << type;
  return bytes;
}

Walked Walk(const std::string& path, const std::string& name) {
  Walked w;
  auto file = RootFile::Open(path);
  EXPECT_TRUE(file.IsOk()) << file.status().ToString();
  if (!file.IsOk()) return w;
  auto key = (*file)->FindKey(name);
  EXPECT_TRUE(key.IsOk());
  if (!key.IsOk()) return w;
  EXPECT_EQ((*key)->class_name, "ROOT::RNTuple");
  auto anchor = (*file)->ReadPayload(**key);
  EXPECT_TRUE(anchor.IsOk());
  const std::vector<uint8_t>& a = *anchor;
  EXPECT_EQ(a.size(), 78u);
  EXPECT_EQ(LoadBigEndian<uint32_t>(a.data()), 0x40000000u | 66u);  // byte count: version + 64 bytes
  EXPECT_EQ(LoadBigEndian<int16_t>(a.data() + 4), 2);
  EXPECT_EQ(LoadBigEndian<uint64_t>(a.data() + 70), XXH3_64bits(a.data() + 6, 64));
  EXPECT_EQ(LoadBigEndian<uint16_t>(a.data() + 6), 1);  // epoch
  auto u64 = [&](int k) { return LoadBigEndian<uint64_t>(a.data() + 14 + 8 * k); };

  uint64_t header_checksum = 0, footer_checksum = 0;
  const std::vector<uint8_t> header = ReadEnvelope(**file, u64(0), u64(1), u64(2), 1, &header_checksum);
  Cursor h(header, 8);
  EXPECT_EQ(h.Get<uint64_t>(), 0u);  // feature flags
  EXPECT_EQ(h.String(), name);
  h.String();
  h.String();
  uint32_t n_fields = 0;
  const size_t fields_end = h.Frame(&n_fields);
  for (uint32_t f = 0; f < n_fields; ++f) {
    const size_t end = h.Frame();
    h.Get<uint32_t>();
    h.Get<uint32_t>();
    const uint32_t parent = h.Get<uint32_t>();
    EXPECT_LE(parent, f);
    h.Get<uint16_t>();
    EXPECT_EQ(h.Get<uint16_t>(), 0);  // flags
    w.field_names.push_back(h.String());
    w.field_types.push_back(h.String());
    h.Seek(end);
  }
  h.Seek(fields_end);
  uint32_t n_columns = 0;
  const size_t columns_end = h.Frame(&n_columns);
  for (uint32_t c = 0; c < n_columns; ++c) {
    const size_t end = h.Frame();
    w.column_types.push_back(h.Get<uint16_t>());
    h.Get<uint16_t>();
    EXPECT_LT(h.Get<uint32_t>(), n_fields);
    h.Seek(end);
  }
  h.Seek(columns_end);
  w.column_elements.assign(n_columns, 0);

  const std::vector<uint8_t> footer = ReadEnvelope(**file, u64(3), u64(4), u64(5), 2, &footer_checksum);
  Cursor f(footer, 8);
  EXPECT_EQ(f.Get<uint64_t>(), 0u);
  EXPECT_EQ(f.Get<uint64_t>(), header_checksum);
  f.Seek(f.Frame());  // schema extension
  uint32_t n_groups = 0;
  const size_t groups_end = f.Frame(&n_groups);
  w.groups = n_groups;
  int64_t next_entry = 0;
  for (uint32_t g = 0; g < n_groups; ++g) {
    const size_t end = f.Frame();
    const auto min_entry = f.Get<uint64_t>();
    const auto span = f.Get<uint64_t>();
    const auto n_clusters = f.Get<uint32_t>();
    EXPECT_EQ(static_cast<int64_t>(min_entry), next_entry);
    next_entry += static_cast<int64_t>(span);
    const uint64_t length = f.Get<uint64_t>();
    const int32_t size = f.Get<int32_t>();
    const uint64_t offset = f.Get<uint64_t>();
    f.Seek(end);
    uint64_t page_list_checksum = 0;
    const std::vector<uint8_t> list =
        ReadEnvelope(**file, offset, static_cast<uint64_t>(size), length, 3, &page_list_checksum);
    Cursor p(list, 8);
    EXPECT_EQ(p.Get<uint64_t>(), header_checksum);
    uint32_t n_summaries = 0;
    const size_t summaries_end = p.Frame(&n_summaries);
    EXPECT_EQ(n_summaries, n_clusters);
    std::vector<int64_t> cluster_entries;
    for (uint32_t c = 0; c < n_summaries; ++c) {
      const size_t e = p.Frame();
      EXPECT_EQ(static_cast<int64_t>(p.Get<uint64_t>()), w.entries);
      const auto entries = static_cast<int64_t>(p.Get<uint64_t>());
      cluster_entries.push_back(entries);
      w.entries += entries;
      p.Seek(e);
    }
    p.Seek(summaries_end);
    uint32_t n_page_clusters = 0;
    p.Frame(&n_page_clusters);
    EXPECT_EQ(n_page_clusters, n_clusters);
    for (uint32_t c = 0; c < n_page_clusters; ++c) {
      uint32_t cols = 0;
      p.Frame(&cols);
      EXPECT_EQ(cols, n_columns);
      for (uint32_t col = 0; col < cols; ++col) {
        uint32_t n_pages = 0;
        const size_t col_end = p.Frame(&n_pages);
        int64_t elements = 0;
        for (uint32_t k = 0; k < n_pages; ++k) {
          const int32_t n = p.Get<int32_t>();
          const int32_t stored = p.Get<int32_t>();
          const uint64_t at = p.Get<uint64_t>();
          EXPECT_LT(n, 0) << "page checksums are on by default";
          elements += -n;
          auto page = (*file)->Source().Read(static_cast<int64_t>(at), stored + 8);
          EXPECT_TRUE(page.IsOk());
          if (page.IsOk()) {
            EXPECT_EQ(LoadLittleEndian<uint64_t>(page->data() + stored), XXH3_64bits(page->data(), stored))
                << "page checksum, column " << col;
          }
          ++w.pages;
        }
        EXPECT_EQ(p.Get<int64_t>(), w.column_elements[col]) << "element offset of column " << col;
        w.column_elements[col] += elements;
        p.Get<uint32_t>();  // compression
        EXPECT_EQ(p.Pos(), col_end);
        p.Seek(col_end);
      }
      ++w.clusters;
    }
  }
  f.Seek(groups_end);
  return w;
}

void WritePatternNTuple(const std::string& path, int64_t entries, CompressionSetting compression,
                        RNTupleWriterOptions options) {
  auto file = FileWriter::Create(path, compression);
  ASSERT_TRUE(file.IsOk()) << file.status().ToString();
  auto ntuple = (*file)->MakeRNTuple("pattern", "", options);
  ASSERT_TRUE(ntuple.IsOk()) << ntuple.status().ToString();
  Status status = write::WriteRNTuplePattern(**ntuple, entries, 333);
  ASSERT_TRUE(status.IsOk()) << status.ToString();
  EXPECT_EQ((*ntuple)->NumEntries(), entries);
  status = (*file)->Close();
  ASSERT_TRUE(status.IsOk()) << status.ToString();
}

TEST(RNTupleWriterTest, PatternFileWalksWithEveryChecksumRight) {
  for (Codec codec : {Codec::kZstd, Codec::kNone}) {
    const std::string path = TempPath(std::string("pattern_") + std::string(CodecName(codec)) + ".root");
    RNTupleWriterOptions options;
    options.cluster_size = 400;
    options.page_size = 512;
    options.clusters_per_group = 2;
    WritePatternNTuple(path, 1001, {codec, codec == Codec::kNone ? 0 : 5}, options);
    const Walked w = Walk(path, "pattern");
    EXPECT_EQ(w.entries, 1001);
    EXPECT_EQ(w.clusters, 3);  // 400 + 400 + 201
    EXPECT_EQ(w.groups, 2);    // clusters {0, 1} and {2}
    EXPECT_GT(w.pages, static_cast<int64_t>(w.column_types.size()) * 3);  // several pages per column
    // 11 x_, 11 A_, 11 v_ and s; then the 22 vector items _0.
    ASSERT_EQ(w.field_names.size(), 34u + 22u);
    EXPECT_EQ(w.field_names[0], "x_b");
    EXPECT_EQ(w.field_types[0], "bool");
    EXPECT_EQ(w.field_types[5], "std::int32_t");
    EXPECT_EQ(w.field_types[33], "std::string");
    EXPECT_EQ(w.field_names[34], "_0");
    EXPECT_EQ(w.field_types[11 + 9], "std::vector<float>");
    const bool split = codec != Codec::kNone;
    const std::map<std::string, uint16_t> expected = {
        {"x_b", 0x00}, {"x_i1", 0x03}, {"x_u1", 0x04}, {"x_i2", split ? 0x11 : 0x05}, {"x_u4", split ? 0x14 : 0x08},
        {"x_i8", split ? 0x15 : 0x09}, {"x_f4", split ? 0x18 : 0x0C}, {"x_f8", split ? 0x19 : 0x0D}};
    for (size_t f = 0; f < 11; ++f) {
      if (expected.count(w.field_names[f])) {
        EXPECT_EQ(w.column_types[f], expected.at(w.field_names[f])) << w.field_names[f];
      }
    }
    EXPECT_EQ(w.column_types[11], split ? 0x1B : 0x0F);  // A_b's offsets: (Split)Index64
    EXPECT_EQ(w.column_types[33], split ? 0x1B : 0x0F);  // s: offsets, then chars
    EXPECT_EQ(w.column_types[34], 0x02);
    // Column element totals: scalars one per entry, string chars as PatternString says.
    EXPECT_EQ(w.column_elements[0], 1001);
    int64_t chars = 0;
    for (int64_t i = 0; i < 1001; ++i) chars += static_cast<int64_t>(write::PatternString(i).size());
    EXPECT_EQ(w.column_elements[34], chars);
    int64_t a_items = 0;
    for (int64_t i = 0; i < 1001; ++i) a_items += i % 5;
    EXPECT_EQ(w.column_elements[35], a_items);  // A_b's values (the first item field)
    std::remove(path.c_str());
  }
}

TEST(RNTupleWriterTest, SampleHasTheTreeSamplesFieldsAndOneGroup) {
  const std::string path = TempPath("sample.root");
  {
    auto file = FileWriter::Create(path, {Codec::kLz4, 4});
    ASSERT_TRUE(file.IsOk());
    RNTupleWriterOptions options;
    options.cluster_size = 300;
    auto ntuple = (*file)->MakeRNTuple("events", "", options);
    ASSERT_TRUE(ntuple.IsOk());
    write::SampleOptions sample;
    sample.events = 1000;
    sample.features = 3;
    sample.batch_events = 128;
    ASSERT_TRUE(write::WriteSample(**ntuple, sample).IsOk());
    EXPECT_EQ((*ntuple)->NumClusters(), 3);  // the fourth is written at Close
    ASSERT_TRUE((*file)->Close().IsOk());
  }
  const Walked w = Walk(path, "events");
  EXPECT_EQ(w.entries, 1000);
  EXPECT_EQ(w.clusters, 4);
  EXPECT_EQ(w.groups, 1);
  const auto branches = write::SampleBranches({.features = 3});
  ASSERT_GE(w.field_names.size(), branches.size());
  for (size_t i = 0; i < branches.size(); ++i) EXPECT_EQ(w.field_names[i], branches[i].name);
  std::remove(path.c_str());
}

TEST(RNTupleWriterTest, NoEntriesStillGivesAValidRNTuple) {
  const std::string path = TempPath("empty.root");
  {
    auto file = FileWriter::Create(path, {Codec::kZlib, 1});
    ASSERT_TRUE(file.IsOk());
    auto ntuple = (*file)->MakeRNTuple("empty");
    ASSERT_TRUE(ntuple.IsOk());
    ASSERT_TRUE((*ntuple)->AddField({"x", DataType::kFloat32, RNTupleFieldKind::kScalar}).IsOk());
    ASSERT_TRUE((*file)->Close().IsOk());
  }
  const Walked w = Walk(path, "empty");
  EXPECT_EQ(w.entries, 0);
  EXPECT_EQ(w.clusters, 0);
  ASSERT_EQ(w.field_names.size(), 1u);
  std::remove(path.c_str());
}

TEST(RNTupleWriterTest, BadInputIsRefusedNamingTheField) {
  const std::string path = TempPath("bad.root");
  auto file = FileWriter::Create(path, {Codec::kZstd, 5});
  ASSERT_TRUE(file.IsOk());
  RNTupleWriterOptions no_clusters;
  no_clusters.cluster_size = 0;
  EXPECT_FALSE((*file)->MakeRNTuple("bad", "", no_clusters).IsOk());
  RNTupleWriterOptions no_pages;
  no_pages.page_size = 0;
  EXPECT_FALSE((*file)->MakeRNTuple("bad", "", no_pages).IsOk());
  auto ntuple = (*file)->MakeRNTuple("events");
  ASSERT_TRUE(ntuple.IsOk());
  EXPECT_FALSE((*file)->MakeRNTuple("events").IsOk());  // the name is taken
  EXPECT_FALSE((*file)->MakeTree("events").IsOk());
  RNTupleWriter& n = **ntuple;
  EXPECT_FALSE(n.AddField({"a.b", DataType::kFloat32, RNTupleFieldKind::kScalar}).IsOk());
  EXPECT_FALSE(n.AddField({"s", DataType::kFloat32, RNTupleFieldKind::kString}).IsOk());
  EXPECT_FALSE(n.AddField({"c", DataType::kChar, RNTupleFieldKind::kScalar}).IsOk());
  ASSERT_TRUE(n.AddField({"x", DataType::kInt32, RNTupleFieldKind::kScalar}).IsOk());
  ASSERT_TRUE(n.AddField({"v", DataType::kFloat32, RNTupleFieldKind::kVector}).IsOk());
  EXPECT_FALSE(n.AddField({"x", DataType::kInt32, RNTupleFieldKind::kScalar}).IsOk());
  const std::vector<int32_t> x = {1, 2};
  const std::vector<float> v = {1.0f};
  const std::vector<int64_t> offsets = {0, 1, 0};  // decreasing
  const std::vector<ColumnView> views = {ColumnView::Of(x), ColumnView::Of(v, offsets)};
  const Status status = n.Append(views, 2);
  ASSERT_FALSE(status.IsOk());
  EXPECT_NE(status.ToString().find("field 'v'"), std::string::npos) << status.ToString();
  EXPECT_NE(status.ToString().find("decrease"), std::string::npos) << status.ToString();
  EXPECT_FALSE(n.Append(std::vector<ColumnView>{ColumnView::Of(x)}, 2).IsOk());  // one column short
  EXPECT_EQ(n.NumEntries(), 0);
  ASSERT_TRUE((*file)->Close().IsOk());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace rootbatch
