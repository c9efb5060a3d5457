// Forged records in otherwise real files: a key pointing past the end of the
// file and directory records that form a cycle. Each must be a kCorrupt
// error naming the object and the byte offset, found before anything is
// allocated or read twice.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "rootbatch/base/endian.hpp"
#include "rootbatch/io/byte_cursor.hpp"
#include "rootbatch/tfile/root_file.hpp"

namespace rootbatch {
namespace {

std::string TestFile(const std::string& name) { return std::string(ROOTBATCH_TESTDATA_DIR) + "/" + name; }

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Where each key header of the top directory's keys list starts in the file.
std::vector<int64_t> TopKeyOffsets(const RootFile& file) {
  const DirectoryRecord& record = file.Top().record;
  auto bytes = file.Source().Read(record.seek_keys, record.nbytes_keys);
  EXPECT_TRUE(bytes.IsOk());
  ByteCursor cursor(*bytes, record.seek_keys);
  const KeyHeader list = ParseKeyHeader(cursor);  // the list's own key
  cursor.Seek(list.keylen);
  const int32_t nkeys = cursor.ReadI32();
  std::vector<int64_t> offsets;
  for (int32_t i = 0; i < nkeys && cursor.Ok(); ++i) {
    offsets.push_back(cursor.FileOffset());
    ParseKeyHeader(cursor);
  }
  return offsets;
}

// fSeekKey of the key header at `at`: bytes 18.. (64 bits when fVersion > 1000).
void SetSeekKey(std::vector<uint8_t>& bytes, int64_t at, int64_t seek) {
  const int16_t version = LoadBigEndian<int16_t>(bytes.data() + at + 4);
  if (version > 1000) {
    StoreBigEndian(bytes.data() + at + 18, seek);
  } else {
    StoreBigEndian(bytes.data() + at + 18, static_cast<int32_t>(seek));
  }
}

TEST(HostileTFile, KeyPointingPastTheEndOfTheFile) {
  const std::string path = TestFile("uproot-HZZ.root");
  auto intact = RootFile::Open(path);
  ASSERT_TRUE(intact.IsOk()) << intact.status().ToString();
  const std::vector<int64_t> keys = TopKeyOffsets(**intact);
  ASSERT_FALSE(keys.empty());
  std::vector<uint8_t> bytes = ReadAll(path);
  const int64_t past = static_cast<int64_t>(bytes.size()) + 4096;
  SetSeekKey(bytes, keys[0], past);

  auto file = RootFile::Open(MakeMemorySource("forged-key.root", bytes));
  ASSERT_FALSE(file.IsOk());
  const Status& s = file.status();
  EXPECT_EQ(s.Code(), StatusCode::kCorrupt);
  const std::string text = s.ToString();
  EXPECT_NE(text.find("key 'events;1' at byte " + std::to_string(past)), std::string::npos) << text;
  EXPECT_NE(text.find("passes the end of the file (" + std::to_string(bytes.size()) + " bytes)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("forged-key.root"), std::string::npos) << text;
  EXPECT_EQ(s.Offset(), past);
  EXPECT_EQ(s.Object(), "events;1");
}

TEST(HostileTFile, DirectoryRecordsFormingACycle) {
  const std::string path = TestFile("uproot-nesteddirs.root");
  auto intact = RootFile::Open(path);
  ASSERT_TRUE(intact.IsOk()) << intact.status().ToString();
  const RootFile& f = **intact;
  const std::vector<int64_t> keys = TopKeyOffsets(f);
  // Point the first subdirectory's key at the top directory's own record.
  size_t sub = 0;
  while (sub < f.Top().keys.size() && !IsDirectoryClass(f.Top().keys[sub].class_name)) ++sub;
  ASSERT_LT(sub, keys.size());
  const KeyHeader& key = f.Top().keys[sub];
  const int64_t top = int64_t{f.Header().begin} + f.Header().nbytes_name;
  std::vector<uint8_t> bytes = ReadAll(path);
  SetSeekKey(bytes, keys[sub], top - key.keylen);

  auto file = RootFile::Open(MakeMemorySource("cycle.root", bytes));
  ASSERT_FALSE(file.IsOk());
  const Status& s = file.status();
  EXPECT_EQ(s.Code(), StatusCode::kCorrupt);
  const std::string text = s.ToString();
  EXPECT_NE(text.find("directory '" + key.name + "' at byte " + std::to_string(top)), std::string::npos) << text;
  EXPECT_NE(text.find("form a cycle"), std::string::npos) << text;
  EXPECT_NE(text.find("cycle.root"), std::string::npos) << text;
  EXPECT_EQ(s.Offset(), top);
}

TEST(HostileTFile, TwoDirectoriesSharingOneKeysListAreRefused) {
  const std::string path = TestFile("uproot-nesteddirs.root");
  auto intact = RootFile::Open(path);
  ASSERT_TRUE(intact.IsOk()) << intact.status().ToString();
  const Directory& top = (*intact)->Top();
  ASSERT_FALSE(top.subdirectories.empty());
  // The first subdirectory's fSeekKeys: the top directory's keys list.
  size_t k = 0;
  while (k < top.keys.size() && !IsDirectoryClass(top.keys[k].class_name)) ++k;
  ASSERT_LT(k, top.keys.size());
  // A subdirectory's record is its key's payload.
  const int64_t record = top.keys[k].seek_key + top.keys[k].keylen;
  std::vector<uint8_t> bytes = ReadAll(path);
  const int16_t version = LoadBigEndian<int16_t>(bytes.data() + record);
  if (version > 1000) {
    StoreBigEndian(bytes.data() + record + 34, top.record.seek_keys);  // fSeekKeys after fSeekDir, fSeekParent
  } else {
    StoreBigEndian(bytes.data() + record + 26, static_cast<int32_t>(top.record.seek_keys));
  }
  auto file = RootFile::Open(MakeMemorySource("shared-keys.root", bytes));
  ASSERT_FALSE(file.IsOk());
  const std::string text = file.status().ToString();
  EXPECT_EQ(file.status().Code(), StatusCode::kCorrupt) << text;
  EXPECT_NE(text.find("keys list at byte " + std::to_string(top.record.seek_keys)), std::string::npos) << text;
  EXPECT_EQ(file.status().Offset(), top.record.seek_keys);
}

}  // namespace
}  // namespace rootbatch
