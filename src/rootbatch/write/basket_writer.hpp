// BranchWriter: one branch's open basket and the metadata of those written.
//
// Entries are converted to ROOT's big-endian entry layout (ROOTIO-FORMAT.md
// §4.6) as they arrive: raw values for scalars and arrays, a 10-byte header
// (byte count, version, size) + values for std::vector entries. A basket is
// written as a TBasket key (§4.4, §6.2) once its data and offset table reach
// the basket size, or when the tree ends a cluster: key header (version 1004),
// the TBasket fields inside the key, then the (compressed) payload: data and,
// for jagged branches, the entry-offset table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/codec/codec.hpp"
#include "rootbatch/write/branch_spec.hpp"

namespace rootbatch {
class FileWriter;
}

namespace rootbatch::write {

struct Directory;

inline constexpr int32_t kJaggedEntryOffsetLen = 1000;  // fEntryOffsetLen for jagged branches
inline constexpr int16_t kVectorEntryVersion = 9;       // version in each std::vector entry header

struct BasketContext {
  FileWriter* file = nullptr;
  const Directory* directory = nullptr;
  std::string tree_name;
  CompressionSetting compression;
  int32_t basket_size = 32000;
};

class BranchWriter {
 public:
  BranchWriter(BranchSpec spec, BasketContext context);

  const BranchSpec& Spec() const { return spec_; }
  // Converts entries [begin, end) of `column` (already validated) into the open
  // basket, writing baskets as they fill.
  Status AppendEntries(const ColumnView& column, int64_t begin, int64_t end);
  // Writes the open basket if it holds entries.
  Status FlushBasket();

  // Metadata for the TBranch record.
  int64_t NumEntries() const { return num_entries_; }
  int32_t EntryOffsetLen() const { return IsJagged(spec_.kind) ? kJaggedEntryOffsetLen : 0; }
  int64_t TotBytes() const { return tot_bytes_; }  // fTotBytes: uncompressed, key headers included
  int64_t ZipBytes() const { return zip_bytes_; }  // fZipBytes: on disk
  const std::vector<int32_t>& BasketBytes() const { return basket_bytes_; }  // fBasketBytes
  const std::vector<int64_t>& BasketEntry() const { return basket_entry_; }  // first entry of each basket
  const std::vector<int64_t>& BasketSeek() const { return basket_seek_; }    // fBasketSeek
  const BasketContext& Context() const { return context_; }

  // Counter branches: the largest count seen (TLeaf fMaximum) and whether an array uses it.
  void NoteCount(int64_t count) { max_count_ = std::max(max_count_, count); }
  int64_t MaxCount() const { return max_count_; }
  void SetIsCounter() { is_counter_ = true; }
  bool IsCounter() const { return is_counter_; }

 private:
  bool BasketFull() const {
    return static_cast<int64_t>(data_.size() + 4 * entry_offsets_.size()) >= context_.basket_size;
  }
  void AppendFixed(const uint8_t* values, int64_t count);  // `count` values, swapped to big-endian

  BranchSpec spec_;
  BasketContext context_;
  int width_;              // bytes per value
  int64_t values_per_item_;

  // The open basket.
  std::vector<uint8_t> data_;
  std::vector<int32_t> entry_offsets_;  // jagged only: where each entry starts in data_
  int64_t basket_first_entry_ = 0;
  int32_t basket_entries_ = 0;
  std::vector<uint8_t> payload_;  // scratch for the uncompressed payload

  int64_t num_entries_ = 0;
  int64_t tot_bytes_ = 0;
  int64_t zip_bytes_ = 0;
  std::vector<int32_t> basket_bytes_;
  std::vector<int64_t> basket_entry_;
  std::vector<int64_t> basket_seek_;
  int64_t max_count_ = 0;
  bool is_counter_ = false;
};

}  // namespace rootbatch::write
