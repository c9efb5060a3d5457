// Hostile and damaged files: truncated copies of real files cut at many
// offsets, and copies with bytes overwritten. Every case must end in either
// the same values as the intact file or a clear error that names the file and
// a byte offset; never a crash, a hang or a silently different value. Run
// under the asan preset as well.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>

#include "rootbatch/base/endian.hpp"
#include "rootbatch/ttree/tree_source.hpp"

namespace rootbatch {
namespace {

std::string TestFile(const std::string& name) { return std::string(ROOTBATCH_TESTDATA_DIR) + "/" + name; }

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Everything a reader can get out of a file: every column of every tree, or
// the first error on the way.
struct Outcome {
  Status status;
  std::vector<Column> columns;
};

Outcome ReadEverything(std::vector<uint8_t> bytes, const std::string& name) {
  Outcome outcome;
  auto file = RootFile::Open(MakeMemorySource(name, std::move(bytes)));
  if (!file.IsOk()) {
    outcome.status = file.status();
    return outcome;
  }
  std::shared_ptr<const RootFile> shared = *file;
  for (const auto& entry : shared->AllKeys()) {
    if (entry.key->class_name != "TTree") continue;
    auto tree = TreeSource::Open(shared, entry.path + ";" + std::to_string(entry.key->cycle));
    if (!tree.IsOk()) {
      outcome.status = tree.status();
      return outcome;
    }
    for (size_t c = 0; c < (*tree)->Columns().size(); ++c) {
      auto column = (*tree)->ReadColumn(c, {0, (*tree)->NumEntries()});
      if (!column.IsOk()) {
        outcome.status = column.status();
        return outcome;
      }
      outcome.columns.push_back(std::move(*column));
    }
  }
  return outcome;
}

bool SameColumns(const std::vector<Column>& a, const std::vector<Column>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].values != b[i].values || a[i].offsets != b[i].offsets || a[i].num_entries != b[i].num_entries) {
      return false;
    }
  }
  return true;
}

void ExpectClearError(const Status& status, const std::string& name, const std::string& what) {
  const std::string text = status.ToString();
  EXPECT_NE(text.find(name), std::string::npos) << what << ": error does not name the file: " << text;
  EXPECT_NE(text.find("byte"), std::string::npos) << what << ": error names no byte offset: " << text;
  EXPECT_TRUE(status.Code() == StatusCode::kCorrupt || status.Code() == StatusCode::kUnsupported ||
              status.Code() == StatusCode::kIOError)
      << what << ": " << text;
}

class TruncationTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TruncationTest, EveryCutFailsCleanlyOrReadsTheSameValues) {
  const std::string name = GetParam();
  const std::vector<uint8_t> intact = ReadAll(TestFile(name));
  ASSERT_GT(intact.size(), 1000u);
  Outcome reference = ReadEverything(intact, name);
  ASSERT_TRUE(reference.status.IsOk()) << reference.status.ToString();
  ASSERT_FALSE(reference.columns.empty());
  // Cuts inside the header, at 97 spread positions, and just before the end.
  std::vector<size_t> cuts = {0, 1, 3, 4, 8, 20, 40, 60, 99, 100, 101, 150};
  for (int i = 1; i < 98; ++i) cuts.push_back(intact.size() * static_cast<size_t>(i) / 98);
  for (size_t back = 1; back <= 64; back *= 2) cuts.push_back(intact.size() - back);
  int failures = 0;
  for (size_t cut : cuts) {
    std::vector<uint8_t> truncated(intact.begin(), intact.begin() + static_cast<std::ptrdiff_t>(cut));
    Outcome outcome = ReadEverything(std::move(truncated), name);
    const std::string what = name + " cut at " + std::to_string(cut);
    if (outcome.status.IsOk()) {
      EXPECT_TRUE(SameColumns(outcome.columns, reference.columns)) << what << " read different values";
    } else {
      ++failures;
      ExpectClearError(outcome.status, name, what);
    }
  }
  // The keys list sits at the end of a file: nearly every cut must fail.
  EXPECT_GT(failures, static_cast<int>(cuts.size()) / 2);
}

INSTANTIATE_TEST_SUITE_P(RealFiles, TruncationTest,
                         ::testing::Values("uproot-HZZ-zlib.root", "uproot-HZZ-lz4.root", "uproot-HZZ-lzma.root",
                                           "uproot-HZZ-zstd.root", "uproot-HZZ-uncompressed.root",
                                           "uproot-small-evnt-tree-fullsplit.root", "uproot-issue-172.root",
                                           "uproot-leaflist.root", "other-writers/uproot-from-geant4.root",
                                           "uproot-sample-6.20.04-uncompressed.root"));

// Overwritten bytes: no crash, no hang; an error, when there is one, is clear.
// (Damage to uncompressed values cannot be detected by any reader, so values
// are not compared here.)
TEST(CorruptionTest, OverwrittenBytesNeverCrash) {
  std::mt19937 rng(12345);
  for (const char* name : {"uproot-HZZ-zlib.root", "uproot-HZZ-uncompressed.root", "uproot-small-dy-nooffsets.root",
                           "uproot-nesteddirs.root", "uproot-issue-951.root"}) {
    const std::vector<uint8_t> intact = ReadAll(TestFile(name));
    ASSERT_FALSE(intact.empty()) << name;
    std::uniform_int_distribution<size_t> where(0, intact.size() - 1);
    std::uniform_int_distribution<int> value(0, 255);
    for (int trial = 0; trial < 60; ++trial) {
      std::vector<uint8_t> damaged = intact;
      const size_t start = where(rng);
      for (size_t k = 0; k < 4 && start + k < damaged.size(); ++k) damaged[start + k] = static_cast<uint8_t>(value(rng));
      Outcome outcome = ReadEverything(std::move(damaged), name);
      if (!outcome.status.IsOk()) {
        const std::string text = outcome.status.ToString();
        EXPECT_FALSE(text.empty());
        EXPECT_NE(outcome.status.Code(), StatusCode::kInternal) << name << " at " << start << ": " << text;
      }
    }
  }
}

// The first on-disk basket of the tree's first column, and its branch.
struct FirstBasket {
  int64_t seek = 0;
  int32_t keylen = 0;
  std::string branch;
};

FirstBasket FindFirstBasket(const std::string& path) {
  FirstBasket out;
  auto file = RootFile::Open(path);
  EXPECT_TRUE(file.IsOk()) << file.status().ToString();
  if (!file.IsOk()) return out;
  auto tree = TreeSource::Open(*file, "events");
  EXPECT_TRUE(tree.IsOk()) << tree.status().ToString();
  if (!tree.IsOk()) return out;
  const Interpretation& in = (*tree)->ColumnInterpretation(0);
  const BranchModel& branch = (*tree)->Model().branches[static_cast<size_t>(in.branch)];
  EXPECT_GT(branch.write_basket, 0);
  out.seek = branch.basket_seek[0];
  out.branch = in.spec.name;
  auto key = ReadKeyHeader((*file)->Source(), out.seek);
  EXPECT_TRUE(key.IsOk());
  if (key.IsOk()) out.keylen = key->keylen;
  return out;
}

// A basket header whose fObjlen claims 4 GB (0xFFFFFFF0 read unsigned: a
// negative i32) or 2 GB (the largest i32) from a few kB on disk: refused
// from the header alone, naming the basket, its byte offset and the branch,
// and never allocated (under the fuzzer's 2 GB malloc limit this allocation
// was a crash).
TEST(HostileBasket, HeaderClaimingAFourGigabyteBasket) {
  const std::string name = "uproot-HZZ-zlib.root";
  const FirstBasket basket = FindFirstBasket(TestFile(name));
  ASSERT_GT(basket.seek, 0);
  for (uint32_t objlen : {0xFFFFFFF0u, 0x7FFFFFF0u}) {
    std::vector<uint8_t> bytes = ReadAll(TestFile(name));
    StoreBigEndian(bytes.data() + basket.seek + 6, objlen);  // fObjlen
    Outcome outcome = ReadEverything(std::move(bytes), name);
    ASSERT_FALSE(outcome.status.IsOk()) << objlen;
    const std::string text = outcome.status.ToString();
    EXPECT_EQ(outcome.status.Code(), StatusCode::kCorrupt) << text;
    EXPECT_NE(text.find("basket 0 at byte " + std::to_string(basket.seek)), std::string::npos) << text;
    EXPECT_NE(text.find("'" + basket.branch + "'"), std::string::npos) << text;
    // 2 GB from 1227 bytes is more than any codec expands: refused from the key alone.
    EXPECT_NE(text.find(objlen == 0xFFFFFFF0u ? "impossible fObjlen=-16"
                                              : "impossible fObjlen=2147483632 for a payload of"),
              std::string::npos)
        << text;
  }
}

// An LZ4 basket whose block checksum (XXH64, the 8 bytes after the block
// header) is wrong: the checksum error names the block, the basket, its byte
// offset and the branch.
TEST(HostileBasket, Lz4BlockWithAWrongChecksum) {
  const std::string name = "uproot-HZZ-lz4.root";
  const FirstBasket basket = FindFirstBasket(TestFile(name));
  ASSERT_GT(basket.seek, 0);
  std::vector<uint8_t> bytes = ReadAll(TestFile(name));
  ASSERT_EQ(bytes[basket.seek + basket.keylen], 'L');  // the block's tag "L4"
  bytes[basket.seek + basket.keylen + 9] ^= 0x01;
  Outcome outcome = ReadEverything(std::move(bytes), name);
  ASSERT_FALSE(outcome.status.IsOk());
  const std::string text = outcome.status.ToString();
  EXPECT_EQ(outcome.status.Code(), StatusCode::kCorrupt) << text;
  EXPECT_NE(text.find("lz4 block at payload offset 0: LZ4 block fails its XXH64 checksum"), std::string::npos) << text;
  EXPECT_NE(text.find("basket 0 at byte " + std::to_string(basket.seek)), std::string::npos) << text;
  EXPECT_NE(text.find("'" + basket.branch + "'"), std::string::npos) << text;
  EXPECT_NE(text.find(name), std::string::npos) << text;
}

}  // namespace
}  // namespace rootbatch
