// The StreamerInfo list: how each class stored in the file lays out its
// members. rootbatch needs it to type the members of split objects and to
// list classes in `rootbatch ls`.
//
// TStreamerInfo: TNamed (class name) | fCheckSum u32 | fClassVersion i32 |
// fElements (TObjArray of TStreamerElement subclasses).
// TStreamerElement: TNamed (member name, comment) | fType i32 | fSize i32 |
// fArrayLength i32 | fArrayDim i32 | fMaxIndex i32[5] | fTypeName TString.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rootbatch/base/status.hpp"

namespace rootbatch {

struct StreamerElement {
  std::string element_class;  // TStreamerBasicType, TStreamerSTL, ...
  std::string name;           // fName
  std::string title;          // fTitle (the comment; "[xmin,xmax,nbits]" for Double32)
  int32_t type = 0;           // fType
  int32_t size = 0;           // fSize
  int32_t array_length = 0;   // fArrayLength
  int32_t array_dim = 0;      // fArrayDim
  int32_t max_index[5] = {};  // fMaxIndex
  std::string type_name;      // fTypeName
  int32_t stl_type = -1;      // fSTLtype (TStreamerSTL)
  int32_t ctype = -1;         // fCtype (TStreamerSTL)
  std::string count_name;     // fCountName (TStreamerBasicPointer, TStreamerLoop)
};

struct StreamerInfo {
  std::string class_name;  // fName
  uint32_t checksum = 0;   // fCheckSum
  int32_t class_version = 0;  // fClassVersion
  std::vector<StreamerElement> elements;
};

struct StreamerInfoList {
  std::vector<StreamerInfo> infos;
  // The highest version of `class_name` unless `version` >= 0 asks for one.
  const StreamerInfo* Find(std::string_view class_name, int version = -1) const;
};

// Parses the decompressed payload of the StreamerInfo key. `key_length` is
// its fKeylen (object references count from the key start); `file_offset`
// is where the payload sits in the file, for error messages.
Result<StreamerInfoList> ParseStreamerInfoList(std::span<const uint8_t> payload, int32_t key_length,
                                               int64_t file_offset);

}  // namespace rootbatch
