#include "rootbatch/tfile/streamer_info.hpp"

#include "rootbatch/io/byte_cursor.hpp"
#include "rootbatch/tfile/object_reader.hpp"

namespace rootbatch {
namespace {

// The TStreamerElement base, inside the subclass's own envelope.
void ReadElementBase(ByteCursor& cursor, StreamerElement& element) {
  Envelope envelope = ReadEnvelope(cursor);
  Named named = ReadTNamed(cursor);
  element.name = std::move(named.name);
  element.title = std::move(named.title);
  element.type = cursor.ReadI32();          // fType
  element.size = cursor.ReadI32();          // fSize
  element.array_length = cursor.ReadI32();  // fArrayLength
  element.array_dim = cursor.ReadI32();     // fArrayDim
  if (envelope.version == 1) {
    int32_t n = cursor.ReadI32();  // version 1 wrote a counted fMaxIndex
    for (int32_t i = 0; i < n && cursor.Ok(); ++i) {
      int32_t value = cursor.ReadI32();
      if (i < 5) element.max_index[i] = value;
    }
  } else {
    for (int32_t& value : element.max_index) value = cursor.ReadI32();  // fMaxIndex
  }
  element.type_name = cursor.ReadTString();  // fTypeName
  SkipToEnd(cursor, envelope, "TStreamerElement");
}

Status ReadElement(ByteCursor& cursor, const ObjectAny& item, StreamerElement& element) {
  element.element_class = item.class_name;
  Envelope envelope = ReadEnvelope(cursor);
  if (item.class_name == "TStreamerSTLstring") {
    // Three nested envelopes: STLstring, STL, element.
    Envelope stl = ReadEnvelope(cursor);
    ReadElementBase(cursor, element);
    element.stl_type = cursor.ReadI32();  // fSTLtype
    element.ctype = cursor.ReadI32();     // fCtype
    SkipToEnd(cursor, stl, "TStreamerSTL");
  } else {
    ReadElementBase(cursor, element);
    if (item.class_name == "TStreamerSTL") {
      element.stl_type = cursor.ReadI32();  // fSTLtype
      element.ctype = cursor.ReadI32();     // fCtype
    } else if (item.class_name == "TStreamerBasicPointer" || item.class_name == "TStreamerLoop") {
      cursor.ReadI32();                          // fCountVersion
      element.count_name = cursor.ReadTString();  // fCountName
      cursor.ReadTString();                      // fCountClass
    }
  }
  SkipToEnd(cursor, envelope, item.class_name.c_str());
  return cursor.status();
}

Status ReadStreamerInfo(ByteCursor& cursor, ObjectRefs& refs, StreamerInfo& info) {
  Envelope envelope = ReadEnvelope(cursor);
  Named named = ReadTNamed(cursor);
  info.class_name = std::move(named.name);
  info.checksum = cursor.ReadU32();       // fCheckSum
  info.class_version = cursor.ReadI32();  // fClassVersion
  ObjectAny elements = ReadObjectAny(cursor, refs);  // fElements
  RB_RETURN_IF_ERROR(cursor.status());
  if (elements.kind == ObjectAny::Kind::kNew) {
    RB_RETURN_IF_ERROR(ReadObjArray(cursor, refs, [&](const ObjectAny& item) -> Status {
      if (item.kind != ObjectAny::Kind::kNew) return Status::Ok();
      StreamerElement element;
      RB_RETURN_IF_ERROR_CTX(ReadElement(cursor, item, element), "element of class '" + info.class_name + "'");
      info.elements.push_back(std::move(element));
      return Status::Ok();
    }));
  }
  SkipToEnd(cursor, envelope, "TStreamerInfo");
  return cursor.status();
}

}  // namespace

const StreamerInfo* StreamerInfoList::Find(std::string_view class_name, int version) const {
  const StreamerInfo* best = nullptr;
  for (const auto& info : infos) {
    if (info.class_name != class_name) continue;
    if (version >= 0 ? info.class_version == version
                     : (!best || info.class_version > best->class_version)) {
      best = &info;
    }
  }
  return best;
}

Result<StreamerInfoList> ParseStreamerInfoList(std::span<const uint8_t> payload, int32_t key_length,
                                               int64_t file_offset) {
  ByteCursor cursor(payload, file_offset);
  ObjectRefs refs(key_length);
  StreamerInfoList list;
  // TList: envelope, TObject, fName, n, then n x (object any, option string).
  Envelope envelope = ReadEnvelope(cursor);
  ReadTObject(cursor);
  cursor.ReadTString();  // fName
  int32_t count = cursor.ReadI32();
  if (cursor.Ok() && (count < 0 || count > cursor.Remaining() / 4)) {
    cursor.Fail("StreamerInfo list claims " + std::to_string(count) + " entries");
  }
  for (int32_t i = 0; i < count && cursor.Ok(); ++i) {
    ObjectAny item = ReadObjectAny(cursor, refs);
    if (!cursor.Ok()) break;
    if (item.kind == ObjectAny::Kind::kNew) {
      if (item.class_name == "TStreamerInfo") {
        StreamerInfo info;
        RB_RETURN_IF_ERROR(ReadStreamerInfo(cursor, refs, info));
        list.infos.push_back(std::move(info));
      }
      // Other entries (the schema-evolution rules list) are skipped.
      if (item.end >= 0) cursor.Seek(item.end);
    }
    int64_t option_length = cursor.ReadU8();  // the TList option string
    cursor.Skip(option_length);
  }
  SkipToEnd(cursor, envelope, "TList");
  RB_RETURN_IF_ERROR(cursor.status());
  return list;
}

}  // namespace rootbatch
