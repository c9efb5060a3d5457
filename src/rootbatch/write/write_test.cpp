// The writer's tests: serialization units, then round trips through
// rootbatch's own reader (OpenTreeSource, RootFile) for every branch kind and
// codec, then the error paths and the sample generator.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "rootbatch/base/endian.hpp"
#include "rootbatch/tfile/root_file.hpp"
#include "rootbatch/ttree/tree_source.hpp"
#include "rootbatch/write/branch_spec.hpp"
#include "rootbatch/write/byte_writer.hpp"
#include "rootbatch/write/file_writer.hpp"
#include "rootbatch/write/key_header.hpp"
#include "rootbatch/write/object_writer.hpp"
#include "rootbatch/write/sample_generator.hpp"
#include "rootbatch/write/streamer_info.hpp"
#include "rootbatch/write/test_pattern.hpp"

namespace rootbatch {
namespace {

using write::PatternBranches;
using write::PatternColumn;

std::string TempPath(const std::string& name) {
  return testing::TempDir() + "/rootbatch_write_test_" + std::to_string(getpid()) + "_" + name;
}

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Writes the test pattern into `path` as tree `tree` in `dir`.
void WritePatternFile(const std::string& path, int64_t entries, CompressionSetting compression,
                      TreeWriterOptions options = {}, const std::string& dir = "",
                      FileWriterOptions file_options = {}, int64_t batch = 1000) {
  auto file = FileWriter::Create(path, compression, file_options);
  ASSERT_TRUE(file.IsOk()) << file.status().ToString();
  auto tree = (*file)->MakeTree("pattern", "test pattern", dir, options);
  ASSERT_TRUE(tree.IsOk()) << tree.status().ToString();
  Status status = write::WritePattern(**tree, entries, batch);
  ASSERT_TRUE(status.IsOk()) << status.ToString();
  status = (*file)->Close();
  ASSERT_TRUE(status.IsOk()) << status.ToString();
}

// Reads every pattern branch over `range` and compares with the formula.
void ExpectPatternRange(const ColumnSource& source, EntryRange range) {
  for (const BranchSpec& spec : PatternBranches()) {
    SCOPED_TRACE("branch " + spec.name + " entries [" + std::to_string(range.begin) + ", " +
                 std::to_string(range.end) + ")");
    auto index = source.FindColumn(spec.name);
    ASSERT_TRUE(index.IsOk()) << index.status().ToString();
    auto column = source.ReadColumn(*index, range);
    ASSERT_TRUE(column.IsOk()) << column.status().ToString();
    const Column want = PatternColumn(spec, range.begin, range.end);
    EXPECT_EQ(column->type, want.type);
    EXPECT_EQ(column->num_entries, want.num_entries);
    EXPECT_EQ(column->offsets, want.offsets);
    EXPECT_TRUE(column->values == want.values) << "values differ";
  }
}

// --- serialization units ----------------------------------------------------

TEST(ByteWriterTest, TStringsAndByteCounts) {
  write::ByteWriter out;
  out.PutTString("abc");
  out.PutTString(std::string(300, 'x'));
  const size_t count = out.BeginObject(7);
  out.PutI32(-2);
  out.EndByteCount(count);
  const auto& b = out.Bytes();
  ASSERT_EQ(b.size(), 4u + 5 + 300 + 4 + 2 + 4);
  EXPECT_EQ(b[0], 3);
  EXPECT_EQ(b[4], 255);  // long form: 255 then a u32 length
  EXPECT_EQ(LoadBigEndian<uint32_t>(&b[5]), 300u);
  const size_t at = 4 + 5 + 300;
  EXPECT_EQ(LoadBigEndian<uint32_t>(&b[at]), 0x40000000u | 6);  // version + i32 follow the count
  EXPECT_EQ(LoadBigEndian<int16_t>(&b[at + 4]), 7);
  EXPECT_EQ(LoadBigEndian<int32_t>(&b[at + 6]), -2);
  EXPECT_EQ(write::TStringSize("abc"), 4u);
  EXPECT_EQ(write::TStringSize(std::string(300, 'x')), 305u);
}

TEST(KeyHeaderTest, SmallAndLargeLayouts) {
  write::KeyHeader key;
  key.class_name = "TTree";
  key.name = "t";
  key.title = "";
  key.seek_key = 1234;
  key.seek_pdir = 100;
  EXPECT_EQ(key.HeaderSize(), 26 + 6 + 2 + 1);
  write::ByteWriter small;
  key.keylen = static_cast<int16_t>(key.HeaderSize());
  key.Serialize(small);
  EXPECT_EQ(small.Size(), static_cast<size_t>(key.keylen));
  EXPECT_EQ(LoadBigEndian<int32_t>(&small.Bytes()[18]), 1234);
  key.version += write::kLargeKeyOffset;
  EXPECT_TRUE(key.IsLarge());
  EXPECT_EQ(key.HeaderSize(), 34 + 6 + 2 + 1);
  write::ByteWriter large;
  key.Serialize(large);
  EXPECT_EQ(LoadBigEndian<int16_t>(&large.Bytes()[4]), 1004);
  EXPECT_EQ(LoadBigEndian<int64_t>(&large.Bytes()[18]), 1234);
  EXPECT_EQ(LoadBigEndian<int64_t>(&large.Bytes()[26]), 100);
}

TEST(KeyHeaderTest, DatimePacksLocalTimeFields) {
  std::tm parts{};
  parts.tm_year = 2024 - 1900;
  parts.tm_mon = 2;  // March
  parts.tm_mday = 9;
  parts.tm_hour = 13;
  parts.tm_min = 45;
  parts.tm_sec = 30;
  parts.tm_isdst = -1;
  const uint32_t d = write::EncodeDatime(std::mktime(&parts));
  EXPECT_EQ(d >> 26, 2024u - 1995);
  EXPECT_EQ((d >> 22) & 0xF, 3u);
  EXPECT_EQ((d >> 17) & 0x1F, 9u);
  EXPECT_EQ((d >> 12) & 0x1F, 13u);
  EXPECT_EQ((d >> 6) & 0x3F, 45u);
  EXPECT_EQ(d & 0x3F, 30u);
}

TEST(ObjectWriterTest, ClassTagsAndReferencesCountFromTheKeyStart) {
  const int64_t keylen = 60;
  write::ObjectWriter out(keylen);
  out.PutU32(0xdeadbeef);  // something before, so positions are not 0
  const size_t first = out.BeginObjectAny("TLeafF");
  out.EndObjectAny(first);
  const size_t second = out.BeginObjectAny("TLeafF");
  out.EndObjectAny(second);
  const auto& b = out.Bytes();
  // First use: count, kNewClassTag, "TLeafF\0".
  EXPECT_EQ(LoadBigEndian<uint32_t>(&b[first]), 0x40000000u | (4 + 7));
  EXPECT_EQ(LoadBigEndian<uint32_t>(&b[first + 4]), write::kNewClassTag);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&b[first + 8])), "TLeafF");
  // Second use: the tag's position in the key + kMapOffset, with kClassMask.
  const uint32_t tag = static_cast<uint32_t>(keylen + first + 4 + write::kMapOffset);
  EXPECT_EQ(LoadBigEndian<uint32_t>(&b[second + 4]), tag | write::kClassMask);
  EXPECT_EQ(out.ReferenceTo(second), static_cast<uint32_t>(keylen + second + write::kMapOffset));
}

TEST(StreamerInfoTest, ParsesBackWithRootsChecksums) {
  std::set<std::string> classes = write::CoreStreamerClasses();
  classes.insert({"TLeafF", "TLeafI", "TBranchElement", "TLeafElement", "vector<float>", "vector<Long64_t>"});
  const int32_t keylen = 70;
  const std::vector<uint8_t> payload = write::BuildStreamerInfoList(classes, keylen);
  auto list = ParseStreamerInfoList(payload, keylen, 1000);
  ASSERT_TRUE(list.IsOk()) << list.status().ToString();
  EXPECT_EQ(list->infos.size(), classes.size());
  const StreamerInfo* tree = list->Find("TTree");
  ASSERT_NE(tree, nullptr);
  EXPECT_EQ(tree->class_version, 20);
  EXPECT_EQ(tree->checksum, 0x7264e07fu);
  const StreamerInfo* branch = list->Find("TBranch");
  ASSERT_NE(branch, nullptr);
  EXPECT_EQ(branch->checksum, 0x10978aacu);
  bool found_basket_bytes = false;
  for (const auto& e : branch->elements) {
    if (e.name == "fBasketBytes") {
      found_basket_bytes = true;
      EXPECT_EQ(e.type, 43);
      EXPECT_EQ(e.count_name, "fMaxBaskets");
    }
  }
  EXPECT_TRUE(found_basket_bytes);
  const StreamerInfo* vec = list->Find("vector<float>");
  ASSERT_NE(vec, nullptr);
  EXPECT_EQ(vec->checksum, 0x055a169bu);  // as ROOT wrote it in uproot-HZZ-objects.root
  ASSERT_EQ(vec->elements.size(), 1u);
  EXPECT_EQ(vec->elements[0].stl_type, 1);
  EXPECT_EQ(vec->elements[0].ctype, 5);
  ASSERT_NE(list->Find("vector<Long64_t>"), nullptr);
  EXPECT_EQ(list->Find("vector<Long64_t>")->elements[0].ctype, 16);
}

TEST(StreamerInfoTest, StlChecksumsMatchRoot) {
  // Values ROOT wrote into the test files (uproot-HZZ-objects.root, uproot-stl_containers.root).
  EXPECT_EQ(write::StlClassChecksum("vector<bool>"), 0x01c8b117u);
  EXPECT_EQ(write::StlClassChecksum("vector<int>"), 0x00983b88u);
  // ROOT hashes its normalized name, with a space between closing brackets.
  EXPECT_EQ(write::StlClassChecksum("vector<vector<double> >"), 0x8431864fu);
  EXPECT_TRUE(write::IsKnownStreamerClass("vector<double>"));
  EXPECT_FALSE(write::IsKnownStreamerClass("vector<std::string>"));
  EXPECT_FALSE(write::IsKnownStreamerClass("TH1F"));
}

TEST(BranchSpecTest, TitlesAndValidation) {
  BranchSpec jagged{"Jet_pt", DataType::kFloat32, BranchKind::kCounterArray, {2}, "nJet", ""};
  EXPECT_EQ(write::LeafTitle(jagged), "Jet_pt[nJet][2]");
  EXPECT_EQ(write::DefaultBranchTitle(jagged), "Jet_pt[nJet][2]/F");
  BranchSpec fixed{"m", DataType::kUInt16, BranchKind::kFixedArray, {3, 4}, "", ""};
  EXPECT_EQ(write::DefaultBranchTitle(fixed), "m[3][4]/s");
  EXPECT_EQ(write::ValuesPerItem(fixed), 12);
  BranchSpec vec{"v", DataType::kInt64, BranchKind::kVector, {}, "", ""};
  EXPECT_EQ(write::DefaultBranchTitle(vec), "v");
  EXPECT_EQ(write::VectorClassName(DataType::kInt64), "vector<Long64_t>");
  EXPECT_TRUE(write::ValidateBranchSpec(jagged).IsOk());
  EXPECT_FALSE(write::ValidateBranchSpec({"a/b", DataType::kFloat32, BranchKind::kScalar, {}, "", ""}).IsOk());
  EXPECT_FALSE(write::ValidateBranchSpec({"", DataType::kFloat32, BranchKind::kScalar, {}, "", ""}).IsOk());
  EXPECT_FALSE(write::ValidateBranchSpec({"a", DataType::kFloat32, BranchKind::kFixedArray, {}, "", ""}).IsOk());
  EXPECT_FALSE(write::ValidateBranchSpec({"a", DataType::kFloat32, BranchKind::kFixedArray, {0}, "", ""}).IsOk());
  EXPECT_FALSE(write::ValidateBranchSpec({"a", DataType::kFloat32, BranchKind::kCounterArray, {}, "", ""}).IsOk());
  EXPECT_FALSE(write::ValidateBranchSpec({"a", DataType::kFloat32, BranchKind::kScalar, {}, "n", ""}).IsOk());
  EXPECT_EQ(write::ValidateBranchSpec({"s", DataType::kChar, BranchKind::kScalar, {}, "", ""}).Code(),
            StatusCode::kUnsupported);
}

// --- round trips through rootbatch's reader ------------------------------------

class RoundTripTest : public testing::TestWithParam<Codec> {};

TEST_P(RoundTripTest, EveryBranchKindManyBasketsAndClusters) {
  const Codec codec = GetParam();
  const std::string path = TempPath(std::string(CodecName(codec)) + ".root");
  const int64_t entries = 2345;
  TreeWriterOptions options;
  options.basket_size = 700;   // many baskets...
  options.cluster_size = 500;  // ...several per cluster, split mid-cluster
  WritePatternFile(path, entries, {codec, codec == Codec::kNone ? 0 : 3}, options, "", {}, /*batch=*/333);

  auto source = OpenTreeSource(path, "pattern");
  ASSERT_TRUE(source.IsOk()) << source.status().ToString();
  EXPECT_EQ((*source)->NumEntries(), entries);
  ExpectPatternRange(**source, {0, entries});
  ExpectPatternRange(**source, {123, 1789});  // starts and ends inside baskets
  ExpectPatternRange(**source, {2344, 2345});

  std::vector<int64_t> clusters;
  for (int64_t e = 0; e < entries; e += 500) clusters.push_back(e);
  clusters.push_back(entries);
  EXPECT_EQ((*source)->ClusterBoundaries(), clusters);
  auto x = (*source)->FindColumn("x_f8");
  ASSERT_TRUE(x.IsOk());
  const std::vector<int64_t> units = (*source)->UnitBoundaries(*x);
  EXPECT_GT(units.size(), 2 * clusters.size());
  for (int64_t c : clusters) EXPECT_NE(std::find(units.begin(), units.end(), c), units.end()) << c;

  // What the reader makes of each kind.
  const auto& specs = (*source)->Columns();
  auto kind_of = [&](const std::string& name) { return specs[*(*source)->FindColumn(name)]; };
  EXPECT_EQ(kind_of("x_u2").kind, ColumnKind::kScalar);
  EXPECT_EQ(kind_of("m_f4").kind, ColumnKind::kFixedArray);
  EXPECT_EQ(kind_of("m_f4").inner_shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(kind_of("A_i8").kind, ColumnKind::kJagged);
  EXPECT_EQ(kind_of("P_f4").inner_shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(kind_of("v_b").kind, ColumnKind::kJagged);
  EXPECT_EQ(kind_of("v_b").type, DataType::kBool);
  std::filesystem::remove(path);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, RoundTripTest,
                         testing::Values(Codec::kZlib, Codec::kLzma, Codec::kLz4, Codec::kZstd, Codec::kNone),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(RoundTripTest, EveryLevelOfEveryCodec) {
  for (Codec codec : {Codec::kZlib, Codec::kLzma, Codec::kLz4, Codec::kZstd}) {
    for (int level = 1; level <= 9; ++level) {
      SCOPED_TRACE(std::string(CodecName(codec)) + " level " + std::to_string(level));
      const std::string path = TempPath("level.root");
      WritePatternFile(path, 300, {codec, level});
      auto root = RootFile::Open(path);
      ASSERT_TRUE(root.IsOk()) << root.status().ToString();
      EXPECT_EQ(root->get()->Header().compress, (CompressionSetting{codec, level}.ToRoot()));
      auto source = OpenTreeSource(path, "pattern");
      ASSERT_TRUE(source.IsOk()) << source.status().ToString();
      ExpectPatternRange(**source, {0, 300});
      std::filesystem::remove(path);
    }
  }
}

TEST(RoundTripTest, EmptyTreeAndOneEntry) {
  for (int64_t entries : {0, 1}) {
    SCOPED_TRACE(entries);
    const std::string path = TempPath("tiny.root");
    WritePatternFile(path, entries, {Codec::kZstd, 5});
    auto source = OpenTreeSource(path, "pattern");
    ASSERT_TRUE(source.IsOk()) << source.status().ToString();
    EXPECT_EQ((*source)->NumEntries(), entries);
    EXPECT_EQ((*source)->Columns().size(), PatternBranches().size());
    ExpectPatternRange(**source, {0, entries});
    std::filesystem::remove(path);
  }
}

TEST(RoundTripTest, BasketsLargerThanAClusterAndOneEntryPerBasket) {
  for (auto [basket, cluster] : {std::pair{1 << 20, 97}, std::pair{64, 1000}}) {
    SCOPED_TRACE(std::to_string(basket) + "/" + std::to_string(cluster));
    const std::string path = TempPath("sizes.root");
    TreeWriterOptions options;
    options.basket_size = basket;
    options.cluster_size = cluster;
    WritePatternFile(path, 1000, {Codec::kLz4, 4}, options);
    auto source = OpenTreeSource(path, "pattern");
    ASSERT_TRUE(source.IsOk()) << source.status().ToString();
    ExpectPatternRange(**source, {0, 1000});
    ExpectPatternRange(**source, {500, 777});
    std::filesystem::remove(path);
  }
}

TEST(RoundTripTest, TreesInSubdirectoriesWithTheirOwnSettings) {
  const std::string path = TempPath("dirs.root");
  {
    auto file = FileWriter::Create(path, {Codec::kZlib, 1}, {.title = "several trees"});
    ASSERT_TRUE(file.IsOk()) << file.status().ToString();
    TreeWriterOptions other;
    other.compression = CompressionSetting{Codec::kLzma, 2};
    other.basket_size = 2000;
    other.cluster_size = 64;
    auto top = (*file)->MakeTree("top", "at the top");
    auto deep = (*file)->MakeTree("deep", "two levels down", "a/b", other);
    auto sibling = (*file)->MakeTree("sibling", "", "a/c");
    ASSERT_TRUE(top.IsOk() && deep.IsOk() && sibling.IsOk());
    // Interleaved appends: baskets of the three trees alternate in the file.
    ASSERT_TRUE(write::WritePattern(**deep, 0).IsOk());
    ASSERT_TRUE(write::WritePattern(**top, 250, 50).IsOk());
    ASSERT_TRUE(write::WritePattern(**sibling, 3).IsOk());
    const auto specs = PatternBranches();
    std::vector<Column> columns;
    for (const auto& s : specs) columns.push_back(PatternColumn(s, 0, 400));
    std::vector<ColumnView> views;
    for (const auto& c : columns) views.push_back(ColumnView::Of(c));
    ASSERT_TRUE((*deep)->Append(views, 400).IsOk());
    EXPECT_EQ((*file)->MakeTree("top", "").status().Code(), StatusCode::kInvalidArgument);
    EXPECT_EQ((*file)->MakeTree("a", "").status().Code(), StatusCode::kInvalidArgument);  // a directory
    ASSERT_TRUE((*file)->Close().IsOk());
  }
  auto root = RootFile::Open(path);
  ASSERT_TRUE(root.IsOk()) << root.status().ToString();
  std::vector<std::string> paths;
  for (const auto& k : root->get()->AllKeys()) paths.push_back(k.path + ":" + k.key->class_name);
  // Directories are written when a tree first needs them, trees at Close.
  EXPECT_EQ(paths, (std::vector<std::string>{"a:TDirectory", "a/b:TDirectory", "a/b/deep:TTree", "a/c:TDirectory",
                                             "a/c/sibling:TTree", "top:TTree"}));
  for (auto [tree, entries] : {std::pair{"top", 250}, std::pair{"a/b/deep", 400}, std::pair{"a/c/sibling", 3}}) {
    auto source = OpenTreeSource(path, tree);
    ASSERT_TRUE(source.IsOk()) << source.status().ToString();
    EXPECT_EQ((*source)->NumEntries(), entries);
    ExpectPatternRange(**source, {0, entries});
  }
  std::filesystem::remove(path);
}

TEST(FileLayoutTest, HeaderKeysAndFreeSegments) {
  const std::string path = TempPath("layout.root");
  WritePatternFile(path, 1000, {Codec::kZstd, 5}, {}, "sub");
  const std::vector<uint8_t> bytes = ReadAll(path);
  auto root = RootFile::Open(path);
  ASSERT_TRUE(root.IsOk()) << root.status().ToString();
  const FileHeader& h = root->get()->Header();
  EXPECT_EQ(h.end, static_cast<int64_t>(bytes.size()));
  EXPECT_FALSE(h.big);
  EXPECT_EQ(h.begin, 100);
  EXPECT_EQ(h.units, 4);
  EXPECT_EQ(h.nfree, 1);
  EXPECT_EQ(h.compress, 505);
  // Free segments: the last record, one TFree [fEND, 2e9].
  EXPECT_EQ(h.seek_free + h.nbytes_free, h.end);
  auto free_key = ReadKeyHeader(root->get()->Source(), h.seek_free);
  ASSERT_TRUE(free_key.IsOk());
  const uint8_t* tfree = bytes.data() + h.seek_free + free_key->keylen;
  EXPECT_EQ(LoadBigEndian<int16_t>(tfree), 1);
  EXPECT_EQ(LoadBigEndian<int32_t>(tfree + 2), h.end);
  EXPECT_EQ(LoadBigEndian<int32_t>(tfree + 6), 2000000000);
  // StreamerInfo.
  auto info_key = ReadKeyHeader(root->get()->Source(), h.seek_info);
  ASSERT_TRUE(info_key.IsOk());
  EXPECT_EQ(info_key->class_name, "TList");
  EXPECT_EQ(info_key->name, "StreamerInfo");
  EXPECT_EQ(info_key->nbytes, h.nbytes_info);
  auto infos = root->get()->StreamerInfos();
  ASSERT_TRUE(infos.IsOk()) << infos.status().ToString();
  for (const char* c : {"TTree", "TBranch", "TBranchElement", "TLeafElement", "TLeafO", "TLeafD", "vector<bool>"}) {
    EXPECT_NE((*infos)->Find(c), nullptr) << c;
  }
  // Every listed key is where it says, with fSeekPdir = its directory.
  for (const auto& entry : root->get()->AllKeys()) {
    auto at = ReadKeyHeader(root->get()->Source(), entry.key->seek_key);
    ASSERT_TRUE(at.IsOk());
    EXPECT_EQ(at->nbytes, entry.key->nbytes);
    EXPECT_EQ(at->name, entry.key->name);
    EXPECT_GE(entry.key->seek_pdir, 100);
  }
  // Baskets: 64-bit keys whose fSeekKey is their position and whose name is the branch.
  auto source = OpenTreeSource(path, "sub/pattern");
  ASSERT_TRUE(source.IsOk()) << source.status().ToString();
  std::filesystem::remove(path);
}

TEST(FileLayoutTest, LargeTreeRecordIsCompressedInSeveralBlocks) {
  // Tiny baskets: the TTree record (basket metadata) grows past 256 KiB and is
  // compressed slice by slice, which bounds the codec's memory.
  const std::string path = TempPath("blocks.root");
  TreeWriterOptions options;
  options.basket_size = 64;
  WritePatternFile(path, 20000, {Codec::kZstd, 5}, options);
  auto root = RootFile::Open(path);
  ASSERT_TRUE(root.IsOk()) << root.status().ToString();
  auto key = root->get()->FindKey("pattern");
  ASSERT_TRUE(key.IsOk());
  EXPECT_GT((*key)->objlen, 2 * (256 << 10));
  EXPECT_TRUE((*key)->IsCompressed());
  auto stored = root->get()->Source().Read((*key)->seek_key + (*key)->keylen, (*key)->nbytes - (*key)->keylen);
  ASSERT_TRUE(stored.IsOk());
  int blocks = 0;
  int64_t uncompressed = 0;
  for (size_t pos = 0; pos + kBlockHeaderSize <= stored->size(); ++blocks) {
    const uint8_t* h = stored->data() + pos;
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(h), 2), "ZS");
    const int64_t c = h[3] | (h[4] << 8) | (h[5] << 16);
    uncompressed += h[6] | (h[7] << 8) | (h[8] << 16);
    pos += kBlockHeaderSize + static_cast<size_t>(c);
  }
  EXPECT_GT(blocks, 1);
  EXPECT_EQ(uncompressed, (*key)->objlen);
  auto source = OpenTreeSource(path, "pattern");
  ASSERT_TRUE(source.IsOk()) << source.status().ToString();
  ExpectPatternRange(**source, {0, 20000});
  std::filesystem::remove(path);
}

TEST(FileLayoutTest, ReproducibleWithAFixedTimestampAndUuid) {
  FileWriterOptions fixed{.title = "", .timestamp = 1700000000, .uuid_seed = 7};
  TreeWriterOptions options;
  options.basket_size = 1000;
  options.cluster_size = 300;
  const std::string a = TempPath("a.root");
  const std::string b = TempPath("b.root");
  // The file name is part of the file (the TFile key), so write the same path twice.
  WritePatternFile(a, 1000, {Codec::kZlib, 1}, options, "", fixed, /*batch=*/7);
  const auto first = ReadAll(a);
  WritePatternFile(a, 1000, {Codec::kZlib, 1}, options, "", fixed, /*batch=*/7);
  EXPECT_GT(first.size(), 10000u);
  EXPECT_TRUE(first == ReadAll(a));
  // Another batching interleaves the branches' baskets differently in the
  // file, but every branch is cut into the same baskets and reads the same.
  WritePatternFile(b, 1000, {Codec::kZlib, 1}, options, "", fixed, /*batch=*/1000);
  auto small_batches = OpenTreeSource(a, "pattern");
  auto one_batch = OpenTreeSource(b, "pattern");
  ASSERT_TRUE(small_batches.IsOk() && one_batch.IsOk());
  for (size_t c = 0; c < (*one_batch)->Columns().size(); ++c) {
    EXPECT_EQ((*small_batches)->UnitBoundaries(c), (*one_batch)->UnitBoundaries(c));
  }
  ExpectPatternRange(**one_batch, {0, 1000});
  std::filesystem::remove(a);
  std::filesystem::remove(b);
}

// --- errors -----------------------------------------------------------------------

TEST(WriterErrorsTest, BadAppendsChangeNothing) {
  const std::string path = TempPath("errors.root");
  auto file = FileWriter::Create(path, {Codec::kNone, 0});
  ASSERT_TRUE(file.IsOk());
  auto tree = (*file)->MakeTree("t");
  ASSERT_TRUE(tree.IsOk());
  TreeWriter& t = **tree;
  ASSERT_TRUE(t.AddBranch({"n", DataType::kInt32, BranchKind::kScalar, {}, "", ""}).IsOk());
  ASSERT_TRUE(t.AddBranch({"x", DataType::kFloat32, BranchKind::kCounterArray, {}, "n", ""}).IsOk());
  EXPECT_EQ(t.AddBranch({"x", DataType::kFloat32, BranchKind::kScalar, {}, "", ""}).status().Code(),
            StatusCode::kInvalidArgument);  // duplicate
  EXPECT_EQ(t.AddBranch({"y", DataType::kFloat32, BranchKind::kCounterArray, {}, "m", ""}).status().Code(),
            StatusCode::kInvalidArgument);  // unknown counter
  EXPECT_EQ(t.AddBranch({"z", DataType::kFloat32, BranchKind::kCounterArray, {}, "x", ""}).status().Code(),
            StatusCode::kInvalidArgument);  // counter is not an int scalar

  std::vector<int32_t> n = {2, 0, 1};
  std::vector<float> x = {1, 2, 3};
  std::vector<int64_t> offsets = {0, 2, 2, 3};
  std::vector<int64_t> wrong_offsets = {0, 1, 2, 3};
  std::vector<ColumnView> good = {ColumnView::Of(n), ColumnView::Of(x, offsets)};
  std::vector<ColumnView> mismatch = {ColumnView::Of(n), ColumnView::Of(x, wrong_offsets)};
  auto status = t.Append(mismatch, 3);
  EXPECT_EQ(status.Code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.ToString().find("counter 'n'"), std::string::npos) << status.ToString();
  EXPECT_EQ(t.Append(std::span<const ColumnView>(good).first(1), 3).Code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.Append(good, 2).Code(), StatusCode::kInvalidArgument);  // sizes do not match 2 entries
  std::vector<int64_t> decreasing = {0, 2, 1, 3};
  std::vector<ColumnView> bad_offsets = {ColumnView::Of(n), ColumnView::Of(x, decreasing)};
  EXPECT_EQ(t.Append(bad_offsets, 3).Code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.NumEntries(), 0);
  ASSERT_TRUE(t.Append(good, 3).IsOk());
  EXPECT_EQ(t.NumEntries(), 3);
  EXPECT_EQ(t.AddBranch({"late", DataType::kFloat32, BranchKind::kScalar, {}, "", ""}).status().Code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE((*file)->Close().IsOk());

  auto source = OpenTreeSource(path, "t");
  ASSERT_TRUE(source.IsOk()) << source.status().ToString();
  auto column = (*source)->ReadColumn(*(*source)->FindColumn("x"), {0, 3});
  ASSERT_TRUE(column.IsOk());
  EXPECT_EQ(column->offsets, offsets);
  EXPECT_EQ(std::vector<float>(column->As<float>().begin(), column->As<float>().end()), x);
  std::filesystem::remove(path);
}

TEST(RoundTripTest, UnsignedCounterAndLeafMaximum) {
  const std::string path = TempPath("ucounter.root");
  {
    auto file = FileWriter::Create(path, {Codec::kLz4, 1});
    ASSERT_TRUE(file.IsOk());
    auto tree = (*file)->MakeTree("t");
    ASSERT_TRUE(tree.IsOk());
    ASSERT_TRUE((*tree)->AddBranch({"n", DataType::kUInt32, BranchKind::kScalar, {}, "", ""}).IsOk());
    ASSERT_TRUE((*tree)->AddBranch({"d", DataType::kFloat64, BranchKind::kCounterArray, {}, "n", ""}).IsOk());
    std::vector<uint32_t> n = {3, 0, 7};
    std::vector<double> d(10);
    for (size_t k = 0; k < d.size(); ++k) d[k] = 0.5 * static_cast<double>(k);
    std::vector<int64_t> offsets = {0, 3, 3, 10};
    std::vector<ColumnView> views = {ColumnView::Of(n), ColumnView::Of(d, offsets)};
    ASSERT_TRUE((*tree)->Append(views, 3).IsOk());
    ASSERT_TRUE((*file)->Close().IsOk());
  }
  auto source = OpenTreeSource(path, "t");
  ASSERT_TRUE(source.IsOk()) << source.status().ToString();
  auto d = (*source)->ReadColumn(*(*source)->FindColumn("d"), {1, 3});
  ASSERT_TRUE(d.IsOk()) << d.status().ToString();
  EXPECT_EQ(d->offsets, (std::vector<int64_t>{0, 0, 7}));
  EXPECT_EQ(d->As<double>()[6], 4.5);
  // The counter leaf says it is one (fIsRange) and how large it gets (fMaximum 7):
  // its TLeafI is the last 4 + 4 bytes (fMinimum, fMaximum) of the first leaf.
  auto root = RootFile::Open(path);
  ASSERT_TRUE(root.IsOk());
  auto key = root->get()->FindKey("t");
  ASSERT_TRUE(key.IsOk());
  auto payload = root->get()->ReadPayload(**key);
  ASSERT_TRUE(payload.IsOk());
  const std::string bytes(payload->begin(), payload->end());
  const size_t leaf = bytes.find("TLeafI");
  ASSERT_NE(leaf, std::string::npos);
  const size_t title = bytes.find(std::string("\x01n\x01n", 4), leaf);  // TNamed "n", "n"
  ASSERT_NE(title, std::string::npos);
  const uint8_t* p = payload->data() + title + 4;
  EXPECT_EQ(LoadBigEndian<int32_t>(p), 1);       // fLen
  EXPECT_EQ(LoadBigEndian<int32_t>(p + 4), 4);   // fLenType
  EXPECT_EQ(p[12], 1);                           // fIsRange
  EXPECT_EQ(p[13], 1);                           // fIsUnsigned
  EXPECT_EQ(LoadBigEndian<uint32_t>(p + 14), 0u);  // fLeafCount: none
  EXPECT_EQ(LoadBigEndian<int32_t>(p + 18), 0);  // fMinimum
  EXPECT_EQ(LoadBigEndian<int32_t>(p + 22), 7);  // fMaximum
  std::filesystem::remove(path);
}

TEST(WriterErrorsTest, BadFilesTreesAndOptions) {
  EXPECT_EQ(FileWriter::Create("/nonexistent-dir/x.root", {}).status().Code(), StatusCode::kIOError);
  const std::string path = TempPath("options.root");
  auto file = FileWriter::Create(path, {});
  ASSERT_TRUE(file.IsOk());
  EXPECT_FALSE((*file)->MakeTree("").IsOk());
  EXPECT_FALSE((*file)->MakeTree("a;1").IsOk());
  TreeWriterOptions bad;
  bad.cluster_size = 0;
  EXPECT_FALSE((*file)->MakeTree("t", "", "", bad).IsOk());
  bad = {};
  bad.basket_size = 10;
  EXPECT_FALSE((*file)->MakeTree("t", "", "", bad).IsOk());
  ASSERT_TRUE((*file)->Close().IsOk());
  EXPECT_TRUE((*file)->Close().IsOk());  // idempotent
  EXPECT_FALSE((*file)->MakeTree("late").IsOk());
  std::filesystem::remove(path);
}

// --- the sample generator -------------------------------------------------------

TEST(SampleGeneratorTest, EventsDependOnlyOnSeedAndId) {
  write::SampleOptions options;
  write::SampleBatch whole, tail, other_seed;
  whole.Generate(options, 0, 1000);
  tail.Generate(options, 600, 1000);
  const auto w = whole.Views(options);
  const auto t = tail.Views(options);
  ASSERT_EQ(w.size(), t.size());
  ASSERT_EQ(w.size(), write::SampleBranches(options).size());
  for (size_t c = 0; c < w.size(); ++c) {
    SCOPED_TRACE(write::SampleBranches(options)[c].name);
    if (w[c].offsets.empty()) {
      const size_t width = w[c].values.size() / 1000;
      EXPECT_TRUE(std::equal(t[c].values.begin(), t[c].values.end(), w[c].values.begin() + 600 * width));
    } else {
      const int64_t first = w[c].offsets[600];
      const size_t width = ByteWidth(write::SampleBranches(options)[c].type);
      EXPECT_EQ(t[c].offsets.back(), w[c].offsets[1000] - first);
      EXPECT_TRUE(std::equal(t[c].values.begin(), t[c].values.end(),
                             w[c].values.begin() + static_cast<std::ptrdiff_t>(first * width)));
    }
  }
  options.seed = 43;
  other_seed.Generate(options, 0, 1000);
  EXPECT_FALSE(std::equal(w[3].values.begin(), w[3].values.end(), other_seed.Views(options)[3].values.begin()));
}

TEST(SampleGeneratorTest, BranchContract) {
  write::SampleOptions options;
  options.features = 30;
  const auto specs = write::SampleBranches(options);
  ASSERT_EQ(specs.size(), 3u + 30 + 1 + 5 + 4);
  EXPECT_EQ(specs[0].name, "event_id");
  EXPECT_EQ(specs[0].type, DataType::kInt64);
  EXPECT_EQ(specs[1].name, "label");
  EXPECT_EQ(specs[1].type, DataType::kInt32);
  EXPECT_EQ(specs[2].name, "weight");
  EXPECT_EQ(specs[3].name, "lepton_pT");
  EXPECT_EQ(specs[3 + 28].name, "feat_28");
  EXPECT_EQ(specs[3 + 30].name, "nJet");
  EXPECT_EQ(specs[3 + 31].name, "Jet_pt");
  EXPECT_EQ(specs[3 + 31].counter, "nJet");
  EXPECT_EQ(specs.back().kind, BranchKind::kVector);
  options.jagged = false;
  options.features = 5;
  EXPECT_EQ(write::SampleBranches(options).size(), 8u);
  options.signal_fraction = 1.5;
  EXPECT_FALSE(write::ValidateSampleOptions(options).IsOk());
}

TEST(SampleGeneratorTest, WrittenSampleReadsBack) {
  const std::string path = TempPath("sample.root");
  write::SampleOptions options;
  options.events = 30000;
  options.batch_events = 7000;
  options.signal_fraction = 0.3;
  int64_t last_progress = 0;
  {
    auto file = FileWriter::Create(path, {Codec::kZstd, 1});
    ASSERT_TRUE(file.IsOk());
    TreeWriterOptions tree_options;
    tree_options.cluster_size = 10000;
    auto tree = (*file)->MakeTree("events", "", "", tree_options);
    ASSERT_TRUE(tree.IsOk());
    ASSERT_TRUE(write::WriteSample(**tree, options, [&](int64_t done) { last_progress = done; }).IsOk());
    ASSERT_TRUE((*file)->Close().IsOk());
  }
  EXPECT_EQ(last_progress, 30000);
  auto source = OpenTreeSource(path, "events");
  ASSERT_TRUE(source.IsOk()) << source.status().ToString();
  const ColumnSource& s = **source;
  ASSERT_EQ(s.NumEntries(), 30000);
  auto ids = s.ReadColumn(*s.FindColumn("event_id"), {0, 30000});
  ASSERT_TRUE(ids.IsOk());
  for (int64_t i = 0; i < 30000; ++i) ASSERT_EQ(ids->As<int64_t>()[static_cast<size_t>(i)], i);
  auto labels = s.ReadColumn(*s.FindColumn("label"), {0, 30000});
  ASSERT_TRUE(labels.IsOk());
  int64_t signal = 0;
  for (int32_t l : labels->As<int32_t>()) {
    ASSERT_TRUE(l == 0 || l == 1);
    signal += l;
  }
  EXPECT_NEAR(static_cast<double>(signal) / 30000, 0.3, 0.02);
  auto njet = s.ReadColumn(*s.FindColumn("nJet"), {0, 30000});
  auto pt = s.ReadColumn(*s.FindColumn("Jet_pt"), {0, 30000});
  ASSERT_TRUE(njet.IsOk() && pt.IsOk());
  for (size_t i = 0; i < 30000; ++i) {
    ASSERT_EQ(pt->offsets[i + 1] - pt->offsets[i], njet->As<int32_t>()[i]);
  }
  EXPECT_EQ(s.ClusterBoundaries(), (std::vector<int64_t>{0, 10000, 20000, 30000}));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rootbatch
