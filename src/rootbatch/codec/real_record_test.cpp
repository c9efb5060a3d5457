// Decompresses records of real ROOT files written by ROOT itself.
//
// The file header and TKey fields are read by hand here (the tfile layer does
// this properly); the test only needs fSeekInfo/fNbytesInfo and the first
// fields of each TKey.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "rootbatch/codec/codec.hpp"
#include "rootbatch/io/byte_cursor.hpp"
#include "rootbatch/io/byte_source.hpp"

namespace rootbatch {
namespace {

std::string TestFile(const std::string& name) {
  return std::string(ROOTBATCH_TESTDATA_DIR) + "/" + name;
}

struct FileHeader {
  int64_t begin = 0;     // fBEGIN
  int64_t end = 0;       // fEND
  int64_t seek_info = 0;  // fSeekInfo
  int32_t nbytes_info = 0;  // fNbytesInfo
};

Result<FileHeader> ReadFileHeader(const ByteSource& file) {
  RB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, file.Read(0, 64));
  ByteCursor c(bytes);
  const uint32_t magic = c.ReadU32();
  if (magic != 0x726F6F74) return Corrupt("not a ROOT file: " + file.Name());  // "root"
  const int32_t version = c.ReadI32();  // fVersion
  const bool large = version >= 1000000;
  FileHeader h;
  h.begin = c.ReadI32();                                        // fBEGIN
  h.end = large ? c.ReadI64() : c.ReadI32();                    // fEND
  c.Seek(large ? 45 : 37);
  h.seek_info = large ? c.ReadI64() : c.ReadI32();              // fSeekInfo
  h.nbytes_info = c.ReadI32();                                  // fNbytesInfo
  RB_RETURN_IF_ERROR(c.status());
  return h;
}

struct KeyPrefix {
  int32_t nbytes = 0;  // fNbytes
  int16_t version = 0;  // fVersion
  int32_t objlen = 0;  // fObjlen
  uint32_t datime = 0;  // fDatime
  int16_t keylen = 0;  // fKeylen
};

Result<KeyPrefix> ReadKeyPrefix(const ByteSource& file, int64_t seek) {
  RB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, file.Read(seek, 16));
  ByteCursor c(bytes, seek);
  KeyPrefix k;
  k.nbytes = c.ReadI32();
  k.version = c.ReadI16();
  k.objlen = c.ReadI32();
  k.datime = c.ReadU32();
  k.keylen = c.ReadI16();
  RB_RETURN_IF_ERROR(c.status());
  return k;
}

struct Decoded {
  Codec codec = Codec::kNone;
  std::vector<uint8_t> bytes;
};

// Reads the record at `seek` and decompresses it if it is compressed.
Result<Decoded> ReadRecord(const ByteSource& file, int64_t seek) {
  RB_ASSIGN_OR_RETURN(const KeyPrefix k, ReadKeyPrefix(file, seek));
  if (k.keylen <= 0 || k.nbytes < k.keylen || k.objlen < 0) {
    return Corrupt("implausible TKey at byte " + std::to_string(seek));
  }
  RB_ASSIGN_OR_RETURN(std::vector<uint8_t> payload,
                      file.Read(seek + k.keylen, k.nbytes - k.keylen));
  Decoded d;
  if (k.objlen == k.nbytes - k.keylen) {  // stored
    d.bytes = std::move(payload);
    return d;
  }
  d.codec = DetectCodec(payload);
  d.bytes.resize(static_cast<size_t>(k.objlen));
  RB_RETURN_IF_ERROR_CTX(Decompress(payload, d.bytes),
                         "record at byte " + std::to_string(seek) + " of " + file.Name());
  return d;
}

struct StreamerInfoCase {
  const char* file;
  Codec codec;  // of the StreamerInfo record, checked by hand with a hex dump
};

class RealStreamerInfo : public ::testing::TestWithParam<StreamerInfoCase> {};

TEST_P(RealStreamerInfo, DecompressesToATList) {
  const StreamerInfoCase& tc = GetParam();
  Result<std::unique_ptr<ByteSource>> file = OpenLocalFile(TestFile(tc.file));
  ASSERT_TRUE(file.IsOk()) << file.status().ToString();
  Result<FileHeader> header = ReadFileHeader(**file);
  ASSERT_TRUE(header.IsOk()) << header.status().ToString();
  Result<KeyPrefix> key = ReadKeyPrefix(**file, header->seek_info);
  ASSERT_TRUE(key.IsOk()) << key.status().ToString();
  EXPECT_EQ(key->nbytes, header->nbytes_info);

  Result<Decoded> record = ReadRecord(**file, header->seek_info);
  ASSERT_TRUE(record.IsOk()) << record.status().ToString();
  EXPECT_EQ(record->codec, tc.codec);
  ASSERT_EQ(record->bytes.size(), static_cast<size_t>(key->objlen));
  // A TList starts with a byte count: kByteCountMask (0x40000000) | n, where
  // n counts the rest of the object.
  ASSERT_GE(record->bytes.size(), 6u);
  EXPECT_EQ(record->bytes[0] & 0x40, 0x40);
  const uint32_t count = LoadBigEndian<uint32_t>(record->bytes.data()) & ~0x40000000u;
  EXPECT_EQ(count + 4, record->bytes.size());
}

INSTANTIATE_TEST_SUITE_P(
    Files, RealStreamerInfo,
    ::testing::Values(
        // ROOT 6.10 wrote StreamerInfo with zlib whatever the file setting.
        StreamerInfoCase{"uproot-HZZ-lz4.root", Codec::kZlib},
        StreamerInfoCase{"uproot-HZZ-lzma.root", Codec::kZlib},
        StreamerInfoCase{"uproot-HZZ-zstd.root", Codec::kZstd},
        StreamerInfoCase{"uproot-HZZ-zlib.root", Codec::kZlib},
        StreamerInfoCase{"uproot-sample-6.14.00-lz4.root", Codec::kLz4},
        StreamerInfoCase{"uproot-sample-6.20.04-lzma.root", Codec::kLzma},
        StreamerInfoCase{"uproot-HZZ-objects.root", Codec::kLz4},
        StreamerInfoCase{"uproot-issue-951.root", Codec::kZstd},
        // Big-file header (fVersion >= 1000000), 64-bit seeks.
        StreamerInfoCase{"other-writers/uproot-issue412.root", Codec::kZlib}),
    [](const auto& info) {
      std::string name = info.param.file;
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

// Every record of a ROOT-written file lies back to back between fBEGIN and
// fEND, so walking them reaches every basket: all compressed ones must
// decode to exactly fObjlen bytes.
class RealFileAllRecords : public ::testing::TestWithParam<std::pair<const char*, Codec>> {};

TEST_P(RealFileAllRecords, EveryCompressedRecordDecodes) {
  const auto [name, basket_codec] = GetParam();
  Result<std::unique_ptr<ByteSource>> file = OpenLocalFile(TestFile(name));
  ASSERT_TRUE(file.IsOk()) << file.status().ToString();
  Result<FileHeader> header = ReadFileHeader(**file);
  ASSERT_TRUE(header.IsOk()) << header.status().ToString();

  std::map<Codec, int> by_codec;
  int64_t pos = header->begin;
  while (pos < header->end) {
    Result<KeyPrefix> key = ReadKeyPrefix(**file, pos);
    ASSERT_TRUE(key.IsOk()) << key.status().ToString();
    ASSERT_NE(key->nbytes, 0) << "at byte " << pos;
    if (key->nbytes < 0) {  // a free gap
      pos -= key->nbytes;
      continue;
    }
    Result<Decoded> record = ReadRecord(**file, pos);
    ASSERT_TRUE(record.IsOk()) << record.status().ToString();
    EXPECT_EQ(record->bytes.size(), static_cast<size_t>(key->objlen)) << "at byte " << pos;
    ++by_codec[record->codec];
    pos += key->nbytes;
  }
  EXPECT_EQ(pos, header->end);
  // The baskets use the file's algorithm: most records are in it.
  EXPECT_GE(by_codec[basket_codec], 40) << name;
}

INSTANTIATE_TEST_SUITE_P(Files, RealFileAllRecords,
                         ::testing::Values(std::pair{"uproot-HZZ-lz4.root", Codec::kLz4},
                                           std::pair{"uproot-HZZ-lzma.root", Codec::kLzma},
                                           std::pair{"uproot-HZZ-zstd.root", Codec::kZstd},
                                           std::pair{"uproot-HZZ-zlib.root", Codec::kZlib}),
                         [](const auto& info) {
                           return std::string(CodecName(info.param.second));
                         });

}  // namespace
}  // namespace rootbatch
