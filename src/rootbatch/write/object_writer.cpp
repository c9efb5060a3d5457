#include "rootbatch/write/object_writer.hpp"

namespace rootbatch::write {

size_t ObjectWriter::BeginObjectAny(std::string_view class_name) {
  const size_t count_position = BeginByteCount();
  auto it = class_tags_.find(class_name);
  if (it != class_tags_.end()) {
    PutU32(it->second | kClassMask);
  } else {
    // The class is registered at the position of its tag word.
    const auto tag = static_cast<uint32_t>(origin_ + static_cast<int64_t>(Size())) + kMapOffset;
    class_tags_.emplace(std::string(class_name), tag);
    PutU32(kNewClassTag);
    PutCString(class_name);
  }
  return count_position;
}

void ObjectWriter::PutTObject(uint32_t bits) {
  PutI16(1);   // TObject version
  PutU32(0);   // fUniqueID
  PutU32(bits);  // fBits (kIsReferenced clear: no pid follows)
}

void ObjectWriter::PutTNamed(std::string_view name, std::string_view title, uint32_t bits) {
  const size_t count = BeginObject(1);
  PutTObject(bits);
  PutTString(name);   // fName
  PutTString(title);  // fTitle
  EndByteCount(count);
}

size_t ObjectWriter::BeginTObjArray(int32_t n, uint32_t bits) {
  const size_t count = BeginObject(3);
  PutTObject(bits);
  PutTString("");  // fName
  PutI32(n);       // number of slots
  PutI32(0);       // fLowerBound
  return count;
}

void ObjectWriter::PutTIOFeatures() {
  const size_t count = BeginObject(0);  // version 0: a checksum follows
  PutU32(0x1aa12f10);                    // ROOT::TIOFeatures class checksum
  PutU8(0);                              // fIOBits
  EndByteCount(count);
}

}  // namespace rootbatch::write
