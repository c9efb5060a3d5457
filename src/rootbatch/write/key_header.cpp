#include "rootbatch/write/key_header.hpp"

namespace rootbatch::write {

int32_t KeyHeader::HeaderSize() const {
  const int32_t fixed = IsLarge() ? 34 : 26;
  return fixed + static_cast<int32_t>(TStringSize(class_name) + TStringSize(name) + TStringSize(title));
}

void KeyHeader::Serialize(ByteWriter& out) const {
  out.PutI32(nbytes);
  out.PutI16(version);
  out.PutI32(objlen);
  out.PutU32(datime);
  out.PutI16(keylen);
  out.PutI16(cycle);
  if (IsLarge()) {
    out.PutI64(seek_key);
    out.PutI64(seek_pdir);
  } else {
    out.PutI32(static_cast<int32_t>(seek_key));
    out.PutI32(static_cast<int32_t>(seek_pdir));
  }
  out.PutTString(class_name);
  out.PutTString(name);
  out.PutTString(title);
}

uint32_t EncodeDatime(std::time_t when) {
  std::tm parts{};
  localtime_r(&when, &parts);
  const uint32_t year = static_cast<uint32_t>(parts.tm_year + 1900);
  return ((year - 1995) << 26) | (static_cast<uint32_t>(parts.tm_mon + 1) << 22) |
         (static_cast<uint32_t>(parts.tm_mday) << 17) | (static_cast<uint32_t>(parts.tm_hour) << 12) |
         (static_cast<uint32_t>(parts.tm_min) << 6) | static_cast<uint32_t>(parts.tm_sec);
}

}  // namespace rootbatch::write
