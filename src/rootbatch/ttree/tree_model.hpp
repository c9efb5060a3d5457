// What the TTree object says about a tree: its branches, their leaves, and
// where their baskets are. Parsed once when a tree is opened; immutable.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rootbatch {

struct LeafModel {
  std::string class_name;  // TLeafF, TLeafElement, ...
  std::string name;        // fName
  std::string title;       // fTitle ("x[3][4]", "d[-2.71,10,30]")
  int32_t len = 0;         // fLen: values per entry (fixed part)
  int32_t len_type = 0;    // fLenType: bytes per value
  int32_t offset = 0;      // fOffset: position inside a leaf-list entry
  bool is_range = false;   // fIsRange
  bool is_unsigned = false;  // fIsUnsigned
  int64_t leaf_count = -1;   // fLeafCount: index of the counter leaf in TreeModel::leaves
  int32_t element_type = -1; // fType (TLeafElement only)
};

// An embedded basket: the last basket of a branch kept inside the TTree.
struct EmbeddedBasket {
  int32_t nevbuf = 0;        // fNevBuf
  int32_t nevbuf_size = 0;   // fNevBufSize
  int32_t keylen = 0;        // fKeylen
  int32_t last = 0;          // fLast
  std::vector<int32_t> offsets;  // entry offsets (absolute within the key), empty if none
  std::vector<uint8_t> data;     // the fLast - fKeylen bytes of data
};

struct BranchModel {
  std::string class_name;  // TBranch, TBranchElement, ...
  std::string name;        // fName
  std::string title;       // fTitle
  std::string path;        // names of the parents and this branch joined with '/'
  int32_t entry_offset_len = 0;  // fEntryOffsetLen
  int32_t write_basket = 0;      // fWriteBasket
  int64_t entries = 0;           // fEntries
  int64_t first_entry = 0;       // fFirstEntry
  int64_t tot_bytes = 0;         // fTotBytes: uncompressed bytes of all baskets
  int64_t zip_bytes = 0;         // fZipBytes: compressed bytes of all baskets
  std::vector<int32_t> basket_bytes;  // fBasketBytes[fWriteBasket]
  std::vector<int64_t> basket_entry;  // fBasketEntry[fWriteBasket + 1]
  // basket_entry never decreases (ROOT writes it so; a damaged file may
  // not): lookups may then search it instead of scanning every basket.
  bool basket_entry_sorted = false;
  std::vector<int64_t> basket_seek;   // fBasketSeek[fWriteBasket]
  std::vector<EmbeddedBasket> embedded;  // from fBaskets
  std::vector<int64_t> leaves;           // indices into TreeModel::leaves
  std::vector<int64_t> children;         // indices into TreeModel::branches
  int64_t parent = -1;
  // TBranchElement only:
  std::string element_class;  // fClassName
  std::string parent_name;    // fParentName
  int32_t id = -1;            // fID
  int32_t type = 0;           // fType
  int32_t streamer_type = -1; // fStreamerType
  int32_t class_version = 0;  // fClassVersion
  bool is_element = false;
};

struct TreeModel {
  std::string name;   // fName
  std::string title;  // fTitle
  int32_t version = 0;
  int64_t entries = 0;     // fEntries
  int64_t auto_flush = 0;  // fAutoFlush
  std::vector<int64_t> cluster_range_end;  // fClusterRangeEnd (inclusive last entries)
  std::vector<int64_t> cluster_size;       // fClusterSize
  std::vector<BranchModel> branches;       // all branches, depth first
  std::vector<int64_t> top_branches;       // indices of fBranches
  std::vector<LeafModel> leaves;
};

}  // namespace rootbatch
