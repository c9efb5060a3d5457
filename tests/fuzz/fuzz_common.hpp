// Helpers shared by the libFuzzer harnesses: reading a few control bytes
// from the front of the input, the one rule every harness checks (a hostile
// input is a kCorrupt/kUnsupported/... error, never kInternal), and a
// bounded read of every column of a ColumnSource.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"

namespace rootbatch::fuzz {

// Entries read per column per input, and per ReadColumn call: a forged entry
// count must not make the harness itself loop for long.
inline constexpr int64_t kMaxEntriesPerColumn = 1 << 16;
inline constexpr int64_t kEntriesPerRead = 4096;

// Control bytes taken from the front of the input; past the end they read 0.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : bytes_(data, size) {}
  uint8_t U8() { return at_ < bytes_.size() ? bytes_[at_++] : 0; }
  uint16_t U16() { return static_cast<uint16_t>(U8() | (U8() << 8)); }
  uint32_t U32() { return static_cast<uint32_t>(U16() | (uint32_t{U16()} << 16)); }
  // Whatever the control bytes left.
  std::span<const uint8_t> Rest() const { return bytes_.subspan(std::min(at_, bytes_.size())); }

 private:
  std::span<const uint8_t> bytes_;
  size_t at_ = 0;
};

// kInternal means a bug in rootbatch, never bad input: stop with the message.
inline void CheckNotInternal(const Status& status, const char* where) {
  if (status.Code() == StatusCode::kInternal) {
    std::fprintf(stderr, "%s: kInternal from hostile input: %s\n", where, status.ToString().c_str());
    std::abort();
  }
}

// Reads every column over at most kMaxEntriesPerColumn entries, in steps.
inline void ReadEveryColumn(const ColumnSource& source, const char* where) {
  const int64_t entries = std::min(source.NumEntries(), kMaxEntriesPerColumn);
  for (size_t c = 0; c < source.Columns().size(); ++c) {
    for (int64_t begin = 0; begin < entries; begin += kEntriesPerRead) {
      auto column = source.ReadColumn(c, {begin, std::min(entries, begin + kEntriesPerRead)});
      if (!column.IsOk()) {
        CheckNotInternal(column.status(), where);
        break;
      }
    }
  }
}

}  // namespace rootbatch::fuzz
