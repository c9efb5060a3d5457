#include "rootbatch/tfile/key.hpp"

#include <algorithm>

#include "rootbatch/codec/codec.hpp"

namespace rootbatch {
namespace {
constexpr int64_t kTypicalKeyHeaderSize = 512;
constexpr int64_t kMaxKeyHeaderSize = 64 * 1024;  // three TStrings of up to ~20 kB each
constexpr int64_t kSeekMask = 0x0000FFFFFFFFFFFF;   // fSeekPdir: top 16 bits are a pid offset
}  // namespace

std::string KeyHeader::Label() const { return "'" + name + ";" + std::to_string(cycle) + "'"; }

KeyHeader ParseKeyHeader(ByteCursor& cursor) {
  KeyHeader key;
  key.nbytes = cursor.ReadI32();    // fNbytes
  key.version = cursor.ReadI16();   // fVersion
  key.objlen = cursor.ReadI32();    // fObjlen
  key.datime = cursor.ReadU32();    // fDatime
  key.keylen = cursor.ReadI16();    // fKeylen
  key.cycle = cursor.ReadI16();     // fCycle
  if (key.version > 1000) {
    key.seek_key = cursor.ReadI64();                // fSeekKey
    key.seek_pdir = cursor.ReadI64() & kSeekMask;   // fSeekPdir
  } else {
    key.seek_key = cursor.ReadI32();   // fSeekKey
    key.seek_pdir = cursor.ReadI32();  // fSeekPdir
  }
  key.class_name = cursor.ReadTString();  // fClassName
  key.name = cursor.ReadTString();        // fName
  key.title = cursor.ReadTString();       // fTitle
  return key;
}

Status ValidateKey(const KeyHeader& key, int64_t file_size) {
  auto where = [&] { return " in key " + key.Label() + " at byte " + std::to_string(key.seek_key); };
  if (key.keylen <= 0 || key.nbytes < key.keylen) {
    return Corrupt("impossible sizes fNbytes=" + std::to_string(key.nbytes) +
                   " fKeylen=" + std::to_string(key.keylen) + where());
  }
  // The payload is stored as is (fObjlen equals it) or as compressed blocks,
  // none of which expands more than kMaxCompressionRatio: a larger fObjlen is
  // forged, and refused before anyone allocates it.
  const int64_t payload = int64_t{key.nbytes} - key.keylen;
  if (key.objlen < 0 || key.objlen > std::max<int64_t>(payload, payload * kMaxCompressionRatio)) {
    return Corrupt("impossible fObjlen=" + std::to_string(key.objlen) + " for a payload of " +
                   std::to_string(payload) + " bytes" + where());
  }
  if (key.seek_key < 0 || key.seek_key > file_size || key.nbytes > file_size - key.seek_key) {
    return Corrupt("record of " + std::to_string(key.nbytes) + " bytes" + where() +
                   " passes the end of the file (" + std::to_string(file_size) +
                   " bytes); the file is truncated")
        .WithOffset(key.seek_key)
        .WithObject(key.name + ";" + std::to_string(key.cycle));
  }
  return Status::Ok();
}

Result<KeyHeader> ReadKeyHeader(const ByteSource& source, int64_t offset) {
  const int64_t size = source.Size();
  if (offset < 0 || offset >= size) {
    return Corrupt("key offset " + std::to_string(offset) + " is outside '" + source.Name() + "' (" +
                   std::to_string(size) + " bytes)");
  }
  // Most key headers are short: try a small read first, a large one if the
  // three strings did not fit.
  KeyHeader key;
  for (int64_t want : {kTypicalKeyHeaderSize, kMaxKeyHeaderSize}) {
    std::vector<uint8_t> bytes(static_cast<size_t>(std::min(want, size - offset)));
    RB_RETURN_IF_ERROR(source.ReadAt(offset, bytes));
    ByteCursor cursor(bytes, offset);
    key = ParseKeyHeader(cursor);
    if (cursor.Ok()) break;
    if (want == kMaxKeyHeaderSize || static_cast<int64_t>(bytes.size()) < want) {
      return cursor.status().WithContext("key header at byte " + std::to_string(offset));
    }
  }
  // Baskets' fSeekKey is checked by their reader; here trust the position we read from.
  key.seek_key = offset;
  RB_RETURN_IF_ERROR(ValidateKey(key, size));
  return key;
}

Result<std::vector<uint8_t>> ReadKeyPayload(const ByteSource& source, const KeyHeader& key) {
  RB_RETURN_IF_ERROR(ValidateKey(key, source.Size()));
  const int64_t stored = key.nbytes - key.keylen;
  RB_ASSIGN_OR_RETURN(std::vector<uint8_t> raw, source.Read(key.seek_key + key.keylen, stored));
  if (!key.IsCompressed()) return raw;
  // fObjlen is checked against the block headers before it is allocated.
  Status status = CheckDeclaredSize(raw, key.objlen);
  std::vector<uint8_t> out;
  if (status.IsOk()) {
    out.resize(static_cast<size_t>(key.objlen));
    status = Decompress(raw, out);
  }
  if (!status.IsOk()) {
    return std::move(status).WithContext("payload of key " + key.Label() + " (" + key.class_name +
                                         ") at byte " + std::to_string(key.seek_key + key.keylen));
  }
  return out;
}

}  // namespace rootbatch
