// The TTree record: serializes a tree's metadata (TTree v20 with its TBranch
// v13 / TBranchElement v10 branches and their leaves) into a key payload.
//
// Byte layouts follow ROOTIO-FORMAT.md §4.1-4.2 and §6.2: leaves are written
// inside their branches, and the tree's fLeaves holds references to them;
// a counter array's fLeafCount is a reference to its counter leaf, so the
// counter branch must come earlier.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rootbatch/write/branch_spec.hpp"

namespace rootbatch::write {

struct BranchRecord {
  const BranchSpec* spec = nullptr;
  int32_t compress = 0;          // fCompress
  int32_t basket_size = 32000;   // fBasketSize
  int32_t entry_offset_len = 0;  // fEntryOffsetLen
  int64_t entries = 0;           // fEntries
  int64_t tot_bytes = 0;         // fTotBytes
  int64_t zip_bytes = 0;         // fZipBytes
  std::span<const int32_t> basket_bytes;  // fBasketBytes of the baskets written
  std::span<const int64_t> basket_entry;  // first entry of each basket written
  std::span<const int64_t> basket_seek;   // fBasketSeek
  bool is_counter = false;       // some counter array uses this branch's leaf (fIsRange)
  int64_t max_count = 0;         // fMaximum of a counter leaf
  int counter_index = -1;        // kCounterArray: index of its counter branch in the tree
};

struct TreeRecord {
  std::string name;
  std::string title;
  int64_t entries = 0;     // fEntries
  int64_t auto_flush = 0;  // fAutoFlush: entries per cluster
  std::vector<BranchRecord> branches;
};

// The TTree payload; `origin` is the key's fKeylen (references count from the key start).
std::vector<uint8_t> SerializeTree(const TreeRecord& tree, int64_t origin);

}  // namespace rootbatch::write
