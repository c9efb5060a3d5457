#include "rootbatch/tfile/object_reader.hpp"

namespace rootbatch {
namespace {
constexpr uint32_t kIsReferenced = 1u << 4;  // TObject::kIsReferenced
constexpr int32_t kMaxArrayItems = 10'000'000;
}  // namespace

Envelope ReadEnvelope(ByteCursor& cursor) {
  Envelope envelope;
  envelope.start = cursor.Position();
  uint32_t first = cursor.PeekU32();
  if (first & kByteCountMask) {
    uint32_t count = cursor.ReadU32() & ~kByteCountMask;
    envelope.end = cursor.Position() + count;
    if (envelope.end > cursor.Size()) {
      cursor.Fail("byte count " + std::to_string(count) + " passes the end of the record");
    }
  }
  envelope.version = cursor.ReadI16();
  if (envelope.version <= 0 && cursor.Ok()) cursor.ReadU32();  // class checksum
  return envelope;
}

void SkipToEnd(ByteCursor& cursor, const Envelope& envelope, const char* what) {
  if (!cursor.Ok() || envelope.end < 0) return;
  if (cursor.Position() > envelope.end) {
    cursor.Fail(std::string(what) + " (version " + std::to_string(envelope.version) + ") read " +
                std::to_string(cursor.Position() - envelope.end) +
                " bytes past its byte count; unexpected layout");
    return;
  }
  cursor.Seek(envelope.end);
}

void ReadTObject(ByteCursor& cursor) {
  cursor.ReadI16();                   // version
  cursor.ReadU32();                   // fUniqueID
  uint32_t bits = cursor.ReadU32();   // fBits
  if (bits & kIsReferenced) cursor.ReadU16();  // pid index
}

Named ReadTNamed(ByteCursor& cursor) {
  Envelope envelope = ReadEnvelope(cursor);
  ReadTObject(cursor);
  Named named;
  named.name = cursor.ReadTString();   // fName
  named.title = cursor.ReadTString();  // fTitle
  SkipToEnd(cursor, envelope, "TNamed");
  return named;
}

ObjectAny ReadObjectAny(ByteCursor& cursor, ObjectRefs& refs) {
  ObjectAny out;
  const int64_t begin = cursor.Position();
  uint32_t word = cursor.ReadU32();
  uint32_t tag = word;
  bool has_count = false;
  if ((word & kByteCountMask) && word != kNewClassTag) {
    has_count = true;
    out.end = cursor.Position() + (word & ~kByteCountMask);
    if (out.end > cursor.Size()) {
      cursor.Fail("object byte count passes the end of the record");
      return out;
    }
    tag = cursor.ReadU32();
  }
  if (!cursor.Ok()) return out;
  if (!(tag & kClassMask)) {
    if (tag == 0) return out;  // null pointer
    out.kind = ObjectAny::Kind::kReference;
    out.reference = tag;
    return out;
  }
  out.kind = ObjectAny::Kind::kNew;
  if (tag == kNewClassTag) {
    const int64_t tag_position = cursor.Position() - 4;
    out.class_name = cursor.ReadCString();
    refs.AddClass(refs.KeyAt(tag_position), out.class_name);
  } else {
    const std::string* name = refs.FindClass(tag & ~kClassMask);
    if (!name) {
      cursor.Fail("reference to unknown class tag " + std::to_string(tag & ~kClassMask));
      return out;
    }
    out.class_name = *name;
  }
  out.object_key = refs.KeyAt(begin);
  if (!has_count) out.end = -1;
  return out;
}

Status ReadObjArray(ByteCursor& cursor, ObjectRefs& refs,
                    const std::function<Status(const ObjectAny&)>& on_item) {
  Envelope envelope = ReadEnvelope(cursor);
  ReadTObject(cursor);
  cursor.ReadTString();               // fName
  int32_t count = cursor.ReadI32();   // nobjects
  cursor.ReadI32();                   // fLowerBound
  if (cursor.Ok() && (count < 0 || count > kMaxArrayItems || count > cursor.Remaining() / 4)) {
    cursor.Fail("TObjArray claims " + std::to_string(count) + " items");
  }
  RB_RETURN_IF_ERROR(cursor.status());
  for (int32_t i = 0; i < count; ++i) {
    ObjectAny item = ReadObjectAny(cursor, refs);
    RB_RETURN_IF_ERROR(cursor.status());
    RB_RETURN_IF_ERROR(on_item(item));
    RB_RETURN_IF_ERROR(cursor.status());
    if (item.kind == ObjectAny::Kind::kNew && item.end >= 0) {
      if (cursor.Position() > item.end) {
        cursor.Fail("item " + std::to_string(i) + " (" + item.class_name + ") read past its byte count");
      } else {
        cursor.Seek(item.end);
      }
    }
  }
  SkipToEnd(cursor, envelope, "TObjArray");
  return cursor.status();
}

}  // namespace rootbatch
