#include "rootbatch/write/byte_writer.hpp"

namespace rootbatch::write {

void ByteWriter::PutTString(std::string_view s) {
  if (s.size() < 255) {
    PutU8(static_cast<uint8_t>(s.size()));
  } else {
    PutU8(255);
    PutU32(static_cast<uint32_t>(s.size()));
  }
  PutBytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

void ByteWriter::PutCString(std::string_view s) {
  PutBytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  PutU8(0);
}

}  // namespace rootbatch::write
