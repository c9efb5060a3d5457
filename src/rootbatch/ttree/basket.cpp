#include "rootbatch/ttree/basket.hpp"

#include "rootbatch/base/byte_swap.hpp"

#include <algorithm>

#include "rootbatch/codec/codec.hpp"
#include "rootbatch/io/byte_cursor.hpp"
#include "rootbatch/tfile/key.hpp"

namespace rootbatch {
namespace {

constexpr int64_t kMaxBasketKeyHeader = 64 * 1024;

// Converts offsets counted from the key start into offsets from the data
// start; the last one is unreliable on disk, so it is set to the data end.
Status SetOffsets(BasketData& basket, const std::vector<int32_t>& raw, int64_t keylen) {
  if (static_cast<int64_t>(raw.size()) < basket.num_entries) {
    return Corrupt("basket has " + std::to_string(raw.size()) + " entry offsets for " +
                   std::to_string(basket.num_entries) + " entries");
  }
  basket.offsets.resize(static_cast<size_t>(basket.num_entries) + 1);
  int64_t previous = 0;
  for (int64_t i = 0; i < basket.num_entries; ++i) {
    int64_t offset = raw[static_cast<size_t>(i)] - keylen;
    if (offset < previous || offset > basket.data_size) {
      return Corrupt("entry offset " + std::to_string(i) + " (" + std::to_string(offset) +
                     ") is outside the basket data (" + std::to_string(basket.data_size) + " bytes)");
    }
    basket.offsets[static_cast<size_t>(i)] = offset;
    previous = offset;
  }
  basket.offsets.back() = basket.data_size;
  return Status::Ok();
}

Result<BasketData> ReadEmbedded(const BranchModel& branch, int64_t index, int64_t tree_entries,
                                ReadStats* stats) {
  const EmbeddedBasket& embedded = branch.embedded[static_cast<size_t>(index - branch.write_basket)];
  BasketData basket;
  basket.buffer.assign(embedded.data.begin(), embedded.data.end());
  basket.data_size = static_cast<int64_t>(embedded.data.size());
  EntryRange range = BasketEntries(branch, index, tree_entries);
  basket.first_entry = range.begin;
  basket.num_entries = embedded.nevbuf;
  basket.nevbuf_size = embedded.nevbuf_size;
  if (!embedded.offsets.empty()) RB_RETURN_IF_ERROR(SetOffsets(basket, embedded.offsets, embedded.keylen));
  if (stats) {
    // The bytes came with the TTree record when the tree was opened; a read
    // counts what this basket holds there (entry data and its offset table,
    // uncompressed), so that files whose baskets are all embedded (NanoAOD,
    // g4tools) do not report zero.
    const int64_t bytes = static_cast<int64_t>(embedded.data.size() + 4 * embedded.offsets.size());
    stats->bytes_read += bytes;
    stats->bytes_decompressed += bytes;
    stats->units_read += 1;
  }
  return basket;
}

}  // namespace

BasketHeader ParseBasketHeader(ByteCursor& cursor) {
  BasketHeader header;
  header.key = ParseKeyHeader(cursor);
  cursor.ReadI16();                          // version
  cursor.ReadI32();                          // fBufferSize
  header.nevbuf_size = cursor.ReadI32();     // fNevBufSize
  if (header.nevbuf_size == INT32_MIN) {
    cursor.Fail("impossible fNevBufSize " + std::to_string(header.nevbuf_size));  // has no positive twin
  } else if (header.nevbuf_size < 0) {
    header.nevbuf_size = -header.nevbuf_size;
    cursor.ReadU8();                         // fIOBits
  }
  header.nevbuf = cursor.ReadI32();          // fNevBuf
  header.last = cursor.ReadI32();            // fLast
  return header;
}

int64_t BasketCount(const BranchModel& branch) {
  return branch.write_basket + static_cast<int64_t>(branch.embedded.size());
}

EntryRange BasketEntries(const BranchModel& branch, int64_t index, int64_t tree_entries) {
  auto entry_at = [&](int64_t i) -> int64_t {
    if (i < static_cast<int64_t>(branch.basket_entry.size())) return branch.basket_entry[static_cast<size_t>(i)];
    return tree_entries;
  };
  int64_t begin = entry_at(index);
  int64_t end = index + 1 < BasketCount(branch) ? entry_at(index + 1) : std::max(branch.entries, begin);
  return {begin, end};
}

int64_t FirstBasketToScan(const BranchModel& branch, int64_t entry) {
  if (!branch.basket_entry_sorted) return 0;
  const auto searchable = std::min<int64_t>(static_cast<int64_t>(branch.basket_entry.size()), BasketCount(branch));
  const auto end = branch.basket_entry.begin() + searchable;
  const auto after = std::upper_bound(branch.basket_entry.begin(), end, entry);
  return after == branch.basket_entry.begin() ? 0 : (after - branch.basket_entry.begin()) - 1;
}

Result<Codec> BranchCodec(const ByteSource& source, const BranchModel& branch) {
  if (branch.write_basket == 0 || branch.basket_seek.empty()) return Codec::kNone;
  const int64_t seek = branch.basket_seek[0];
  RB_ASSIGN_OR_RETURN(KeyHeader key, ReadKeyHeader(source, seek));
  if (!key.IsCompressed()) return Codec::kNone;
  std::vector<uint8_t> head(kBlockHeaderSize);
  RB_RETURN_IF_ERROR(source.ReadAt(seek + key.keylen, head));
  return DetectCodec(head);
}

Result<BasketData> ReadBasket(const ByteSource& source, const BranchModel& branch, int64_t index,
                              int64_t tree_entries, ReadStats* stats) {
  if (index >= branch.write_basket) return ReadEmbedded(branch, index, tree_entries, stats);
  const int64_t seek = branch.basket_seek[static_cast<size_t>(index)];
  int64_t nbytes = branch.basket_bytes[static_cast<size_t>(index)];
  const std::string where = "basket " + std::to_string(index) + " at byte " + std::to_string(seek);
  if (nbytes <= 0) {
    // Old files leave fBasketBytes at 0: take the size from the key.
    RB_ASSIGN_OR_RETURN_CTX(KeyHeader key, ReadKeyHeader(source, seek), where);
    nbytes = key.nbytes;
  }
  if (seek < 0 || seek > source.Size() || nbytes > source.Size() - seek) {
    return Corrupt(where + " (" + std::to_string(nbytes) + " bytes) passes the end of the file (" +
                   std::to_string(source.Size()) + " bytes); the file is truncated");
  }
  ByteBuffer raw(static_cast<size_t>(nbytes));  // not zeroed: the read fills it
  RB_RETURN_IF_ERROR_CTX(source.ReadAt(seek, raw), where);
  ByteCursor cursor(std::span<const uint8_t>(raw), seek);
  BasketHeader header = ParseBasketHeader(cursor);
  KeyHeader& key = header.key;
  BasketData basket;
  basket.nevbuf_size = header.nevbuf_size;
  basket.num_entries = header.nevbuf;
  const int32_t last = header.last;
  RB_RETURN_IF_ERROR_CTX(cursor.status(), where);
  key.seek_key = seek;
  RB_RETURN_IF_ERROR_CTX(ValidateKey(key, source.Size()), where);
  if (key.nbytes != nbytes || last < key.keylen || last - key.keylen > key.objlen || basket.num_entries < 0) {
    return Corrupt(where + " has an inconsistent header: fNbytes=" + std::to_string(key.nbytes) +
                   " (branch says " + std::to_string(nbytes) + "), fKeylen=" + std::to_string(key.keylen) +
                   ", fObjlen=" + std::to_string(key.objlen) + ", fLast=" + std::to_string(last) +
                   ", fNevBuf=" + std::to_string(basket.num_entries));
  }
  std::span<const uint8_t> stored(raw.data() + key.keylen, static_cast<size_t>(nbytes - key.keylen));
  if (key.IsCompressed()) {
    // A forged fObjlen (gigabytes from a few stored bytes) fails here, before it is allocated.
    RB_RETURN_IF_ERROR_CTX(CheckDeclaredSize(stored, key.objlen), where);
    basket.buffer.resize(static_cast<size_t>(key.objlen));
    RB_RETURN_IF_ERROR_CTX(Decompress(stored, basket.buffer), where);
  } else {
    basket.buffer.assign(stored.begin(), stored.end());
  }
  if (stats) {
    stats->bytes_read += nbytes;
    stats->bytes_decompressed += key.objlen;
    stats->units_read += 1;
  }
  basket.data_size = last - key.keylen;
  basket.first_entry = BasketEntries(branch, index, tree_entries).begin;
  if (basket.data_size != key.objlen) {
    // An offset table follows the data: i32 n, then n offsets.
    ByteCursor tail(std::span<const uint8_t>(basket.buffer).subspan(static_cast<size_t>(basket.data_size)),
                    seek + last);
    int32_t n = tail.ReadI32();
    if (!tail.Ok() || n < 0 || n > tail.Remaining() / 4) {
      return Corrupt(where + " has a bad entry-offset table (" + std::to_string(n) + " offsets)");
    }
    // One bulk byte swap: per-value cursor reads cost more than the swap.
    std::vector<int32_t> offsets(static_cast<size_t>(n));
    ByteSwapCopy(basket.buffer.data() + basket.data_size + 4, offsets.size(), 4, offsets.data());
    RB_RETURN_IF_ERROR_CTX(SetOffsets(basket, offsets, key.keylen), where);
  }
  return basket;
}

}  // namespace rootbatch
