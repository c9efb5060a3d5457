// Reading one basket of one branch: the bytes of its entries.
//
// On disk a basket is a key whose header is followed, still inside fKeylen,
// by: version i16 | fBufferSize i32 | fNevBufSize i32 (negative: an fIOBits
// byte follows) | fNevBuf i32 | fLast i32 | flag u8. The payload holds the
// entry data up to fLast - fKeylen, then, for variable-size entries, i32 n
// and n entry offsets counted from the key start.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "rootbatch/base/byte_buffer.hpp"
#include "rootbatch/base/status.hpp"
#include "rootbatch/codec/codec.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/io/byte_cursor.hpp"
#include "rootbatch/io/byte_source.hpp"
#include "rootbatch/tfile/key.hpp"
#include "rootbatch/ttree/tree_model.hpp"

namespace rootbatch {

// The TBasket fields that follow its key header, on disk and embedded alike.
struct BasketHeader {
  KeyHeader key;
  int32_t nevbuf_size = 0;  // fNevBufSize (made positive)
  int32_t nevbuf = 0;       // fNevBuf
  int32_t last = 0;         // fLast
};
BasketHeader ParseBasketHeader(ByteCursor& cursor);

struct BasketData {
  ByteBuffer buffer;  // decompressed payload (or embedded data)
  int64_t data_size = 0;        // bytes of entry data at the start of buffer
  int64_t first_entry = 0;      // tree entry of the basket's first entry
  int64_t num_entries = 0;      // fNevBuf
  int32_t nevbuf_size = 0;      // fNevBufSize: bytes per entry when fixed
  // Entry i spans [offsets[i], offsets[i+1]) of the data; num_entries + 1
  // values, or empty when the basket has no offset table.
  std::vector<int64_t> offsets;

  std::span<const uint8_t> Data() const { return {buffer.data(), static_cast<size_t>(data_size)}; }
};

// Number of baskets of `branch`, on disk and embedded.
int64_t BasketCount(const BranchModel& branch);
// First entry of basket `index` and one past its last entry.
EntryRange BasketEntries(const BranchModel& branch, int64_t index, int64_t tree_entries);
// Where a scan for the basket that holds `entry` may start: the last basket
// that begins at or before it (a binary search), or 0 when the basket table
// is not sorted. Reading a range must not cost a pass over every basket.
int64_t FirstBasketToScan(const BranchModel& branch, int64_t entry);

// The codec of the first on-disk basket of `branch` (kNone when stored or
// when the branch has no basket on disk). Reads only the basket's header.
Result<Codec> BranchCodec(const ByteSource& source, const BranchModel& branch);

// Reads basket `index` of `branch` (on disk or embedded).
Result<BasketData> ReadBasket(const ByteSource& source, const BranchModel& branch, int64_t index,
                              int64_t tree_entries, ReadStats* stats);

}  // namespace rootbatch
