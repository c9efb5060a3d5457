// ObjectWriter: a ByteWriter for objects streamed the way TBufferFile does,
// with class tags and object references.
//
// Pointers and collection elements are written "object-any" (ROOTIO-FORMAT.md
// §2.2): a byte count, then either kNewClassTag + the class name (first use of
// a class in this record) or kClassMask | the tag registered at first use,
// then the object. A later pointer to the same object is just its reference
// number. Tags and references are positions counted from the start of the key
// record, so the writer needs to know where its buffer starts inside the key:
// `origin` is the key's fKeylen (the payload starts right after the header).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "rootbatch/write/byte_writer.hpp"

namespace rootbatch::write {

inline constexpr uint32_t kNewClassTag = 0xFFFFFFFF;  // kNewClassTag
inline constexpr uint32_t kClassMask = 0x80000000;    // kClassMask
inline constexpr uint32_t kMapOffset = 2;             // kMapOffset

// fBits values as ROOT 6.40 leaves them on the objects it writes (kIsOnHeap
// plus class-specific bits); readers ignore them, but matching keeps files familiar.
inline constexpr uint32_t kBitsPlain = 0x01000000;
inline constexpr uint32_t kBitsTree = 0x01000008;
inline constexpr uint32_t kBitsBranch = 0x01400000;       // + TBranch::kDoNotUseBufferMap
inline constexpr uint32_t kBitsStreamerInfo = 0x03010000;
inline constexpr uint32_t kBitsStreamerElement = 0x03000000;

class ObjectWriter : public ByteWriter {
 public:
  explicit ObjectWriter(int64_t origin) : origin_(origin) {}

  // Starts an object-any of class `class_name`: byte count + class tag. The
  // object's own streamer follows; finish with EndObjectAny(returned position).
  size_t BeginObjectAny(std::string_view class_name);
  void EndObjectAny(size_t count_position) { EndByteCount(count_position); }
  // The reference number that points back at the object started at `count_position`.
  uint32_t ReferenceTo(size_t count_position) const {
    return static_cast<uint32_t>(origin_ + static_cast<int64_t>(count_position)) + kMapOffset;
  }
  void PutNullPointer() { PutU32(0); }

  // TObject (version 1, no byte count): fUniqueID 0 and `bits`.
  void PutTObject(uint32_t bits);
  // TNamed (version 1) with its TObject.
  void PutTNamed(std::string_view name, std::string_view title, uint32_t bits);
  // TObjArray header (version 3): TObject, empty fName, n, fLowerBound 0. The
  // caller writes n object-any elements, then EndByteCount(returned position).
  size_t BeginTObjArray(int32_t n, uint32_t bits = 0);
  // ROOT::TIOFeatures written as TTree/TBranch members: a class without ClassDef,
  // so version 0 + checksum, then fIOBits = 0.
  void PutTIOFeatures();

 private:
  int64_t origin_;
  std::map<std::string, uint32_t, std::less<>> class_tags_;
};

}  // namespace rootbatch::write
