// The envelope of ROOT's object serialization.
//
// Most objects start with `u32 bytecount | 0x40000000` then an i16 class
// version; the count says where the object ends, so unknown trailing members
// can be skipped. Pointers and collection items are written as "object any":
// null, a new class tag followed by the class name, a reference to a class
// seen before, or a reference to an object seen before. References are byte
// positions counted from the start of the key record (fKeylen included), so
// ObjectRefs is built with the key length.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "rootbatch/base/status.hpp"
#include "rootbatch/io/byte_cursor.hpp"

namespace rootbatch {

inline constexpr uint32_t kByteCountMask = 0x40000000;
inline constexpr uint32_t kClassMask = 0x80000000;
inline constexpr uint32_t kNewClassTag = 0xFFFFFFFF;
inline constexpr uint32_t kMapOffset = 2;
inline constexpr int16_t kStreamedMemberWise = 0x4000;

struct Envelope {
  int16_t version = 0;
  int64_t start = 0;  // cursor position of the envelope
  int64_t end = -1;   // cursor position just past the object; -1 without a byte count
};

// Reads `bytecount? + version` (and the checksum of version <= 0 classes).
Envelope ReadEnvelope(ByteCursor& cursor);
// Moves to the end of an object with a byte count; fails if the parser
// already read past it (a layout we got wrong, or corrupt data).
void SkipToEnd(ByteCursor& cursor, const Envelope& envelope, const char* what);

// TObject: version, fUniqueID, fBits (+ pid index when referenced).
void ReadTObject(ByteCursor& cursor);
struct Named {
  std::string name;   // fName
  std::string title;  // fTitle
};
Named ReadTNamed(ByteCursor& cursor);

// The map from reference tags to classes and to objects already read.
class ObjectRefs {
 public:
  explicit ObjectRefs(int64_t key_length) : key_length_(key_length) {}
  // Map key of the byte at cursor position `position`.
  uint32_t KeyAt(int64_t position) const {
    return static_cast<uint32_t>(position + key_length_ + kMapOffset);
  }
  void AddClass(uint32_t key, std::string name) { classes_[key] = std::move(name); }
  const std::string* FindClass(uint32_t key) const {
    auto it = classes_.find(key);
    return it == classes_.end() ? nullptr : &it->second;
  }
  // Objects are identified by a caller-chosen id (e.g. an index into a table).
  void AddObject(uint32_t key, int64_t id) { objects_[key] = id; }
  int64_t FindObject(uint32_t key) const {
    auto it = objects_.find(key);
    return it == objects_.end() ? -1 : it->second;
  }

 private:
  int64_t key_length_;
  std::unordered_map<uint32_t, std::string> classes_;
  std::unordered_map<uint32_t, int64_t> objects_;
};

struct ObjectAny {
  enum class Kind { kNull, kNew, kReference };
  Kind kind = Kind::kNull;
  std::string class_name;  // kNew: the object's class
  uint32_t reference = 0;  // kReference: the map key of the referenced object
  uint32_t object_key = 0; // kNew: where to register the object (before reading it)
  int64_t end = -1;        // cursor position past the object, when a byte count exists
};

ObjectAny ReadObjectAny(ByteCursor& cursor, ObjectRefs& refs);

// Reads a TObjArray (fName, n, fLowerBound, n items) and calls `on_item` for
// each item; after a kNew item the cursor moves to the item's end.
Status ReadObjArray(ByteCursor& cursor, ObjectRefs& refs,
                    const std::function<Status(const ObjectAny&)>& on_item);

}  // namespace rootbatch
