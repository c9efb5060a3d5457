#include "rootbatch/io/byte_cursor.hpp"

namespace rootbatch {

void ByteCursor::Fail(std::string_view what) {
  if (!status_.IsOk()) return;
  status_ = Corrupt(std::string(what) + " at byte " + std::to_string(FileOffset())).WithOffset(FileOffset());
}

void ByteCursor::Fail(Status status) {
  if (!status_.IsOk() || status.IsOk()) return;
  status_ = std::move(status);
}

bool ByteCursor::Require(size_t n, std::string_view what) {
  if (!status_.IsOk()) return false;
  if (n > bytes_.size() - pos_) {
    status_ = Corrupt("reading " + std::string(what) + " of " + std::to_string(n) +
                      " bytes at byte " + std::to_string(FileOffset()) + " passes the end of the record (" +
                      std::to_string(Remaining()) + " bytes left)")
                  .WithOffset(FileOffset());
    return false;
  }
  return true;
}

std::span<const uint8_t> ByteCursor::ReadBytes(int64_t n) {
  if (n < 0) {
    Fail("negative length " + std::to_string(n));
    return {};
  }
  if (!Require(static_cast<size_t>(n), "a block")) return {};
  auto out = bytes_.subspan(pos_, static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n);
  return out;
}

std::string ByteCursor::ReadTString() {
  int64_t length = ReadU8();
  if (length == 255) length = ReadU32();
  auto bytes = ReadBytes(length);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::string ByteCursor::ReadCString() {
  if (!status_.IsOk()) return {};
  size_t end = pos_;
  while (end < bytes_.size() && bytes_[end] != 0) ++end;
  if (end == bytes_.size()) {
    Fail("unterminated string");
    return {};
  }
  std::string out(reinterpret_cast<const char*>(bytes_.data() + pos_), end - pos_);
  pos_ = end + 1;
  return out;
}

void ByteCursor::Seek(int64_t position) {
  if (!status_.IsOk()) return;
  if (position < 0 || position > Size()) {
    Fail("seek to relative position " + std::to_string(position) + " outside a record of " +
         std::to_string(Size()) + " bytes");
    return;
  }
  pos_ = static_cast<size_t>(position);
}

}  // namespace rootbatch
