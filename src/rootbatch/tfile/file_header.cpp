#include "rootbatch/tfile/file_header.hpp"

#include <algorithm>
#include <cstring>

#include "rootbatch/io/byte_cursor.hpp"

namespace rootbatch {

std::string FileHeader::RootVersionString() const {
  char text[32];
  std::snprintf(text, sizeof(text), "%d.%02d/%02d", version / 10000, (version / 100) % 100,
                version % 100);
  return text;
}

Result<FileHeader> ReadFileHeader(const ByteSource& source) {
  const int64_t size = source.Size();
  if (size == 0) return Corrupt("'" + source.Name() + "' is empty (0 bytes), not a ROOT file");
  std::vector<uint8_t> bytes(static_cast<size_t>(std::min(size, kFileHeaderReadSize)));
  RB_RETURN_IF_ERROR(source.ReadAt(0, bytes));
  if (bytes.size() < 4 || std::memcmp(bytes.data(), "root", 4) != 0) {
    return Corrupt("'" + source.Name() + "' is not a ROOT file: it does not start with \"root\" at byte 0");
  }
  ByteCursor cursor(bytes);
  cursor.Skip(4);
  FileHeader header;
  int32_t version = cursor.ReadI32();  // fVersion
  header.big = version >= kBigFileVersionOffset;
  header.version = header.big ? version - kBigFileVersionOffset : version;
  header.begin = cursor.ReadI32();  // fBEGIN
  if (header.big) {
    header.end = cursor.ReadI64();        // fEND
    header.seek_free = cursor.ReadI64();  // fSeekFree
  } else {
    header.end = cursor.ReadI32();        // fEND
    header.seek_free = cursor.ReadI32();  // fSeekFree
  }
  header.nbytes_free = cursor.ReadI32();  // fNbytesFree
  header.nfree = cursor.ReadI32();        // nfree
  header.nbytes_name = cursor.ReadI32();  // fNbytesName
  header.units = cursor.ReadU8();         // fUnits
  header.compress = cursor.ReadI32();     // fCompress
  header.seek_info = header.big ? cursor.ReadI64() : cursor.ReadI32();  // fSeekInfo
  header.nbytes_info = cursor.ReadI32();  // fNbytesInfo
  if (!cursor.Ok()) {
    return Corrupt("'" + source.Name() + "' is truncated inside its file header (" +
                   std::to_string(size) + " bytes)");
  }
  if (header.begin < 60 || header.begin >= size) {
    return Corrupt("'" + source.Name() + "': file header fBEGIN=" + std::to_string(header.begin) +
                   " at byte 8 is outside the file (" + std::to_string(size) + " bytes)");
  }
  // ROOT itself rejects these values (TFile::Init).
  if (header.nbytes_name < 10 || header.nbytes_name > 10000) {
    return Corrupt("'" + source.Name() + "': file header fNbytesName=" +
                   std::to_string(header.nbytes_name) + " is outside [10, 10000]");
  }
  return header;
}

}  // namespace rootbatch
