#include "rootbatch/ttree/tree_parser.hpp"

#include <algorithm>
#include <string>

#include "rootbatch/io/byte_cursor.hpp"
#include "rootbatch/tfile/key.hpp"
#include "rootbatch/tfile/object_reader.hpp"
#include "rootbatch/ttree/basket.hpp"

namespace rootbatch {
namespace {

// Object ids in ObjectRefs: leaves are their index, branches are offset.
constexpr int64_t kBranchIdOffset = int64_t{1} << 40;
constexpr int32_t kMaxBaskets = 100'000'000;
constexpr int kMaxNesting = 64;

// Old TTree and TBranch versions store counts as doubles. Past this an entry
// or byte count is not a count any file can hold (and converting a larger
// double to int64 is undefined).
constexpr double kMaxCountAsDouble = 0x1p62;

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// A count stored as a double (fEntries, fTotBytes of old versions): a
// negative, fractional-overflowing or non-finite value fails the cursor.
int64_t ReadCountAsDouble(ByteCursor& cursor, const char* field) {
  const int64_t at = cursor.FileOffset();
  const double value = cursor.ReadF64();
  if (!cursor.Ok()) return 0;
  if (!(value >= 0 && value < kMaxCountAsDouble)) {
    cursor.Fail("impossible " + std::string(field) + " " + std::to_string(value) + " at byte " + std::to_string(at));
    return 0;
  }
  return static_cast<int64_t>(value);
}

class TreeParser {
 public:
  TreeParser(std::span<const uint8_t> payload, int32_t key_length, int64_t file_offset)
      : cursor_(payload, file_offset), refs_(key_length) {}

  Result<TreeModel> Parse(const std::string& class_name) {
    if (class_name == "TNtuple" || class_name == "TNtupleD") {
      // TNtuple: its own envelope, then the TTree, then i32 fNvar.
      Envelope outer = ReadEnvelope(cursor_);
      RB_RETURN_IF_ERROR(ParseTTree());
      SkipToEnd(cursor_, outer, class_name.c_str());
    } else {
      RB_RETURN_IF_ERROR(ParseTTree());
    }
    RB_RETURN_IF_ERROR(cursor_.status());
    RB_RETURN_IF_ERROR(ResolveLeafCounts());
    return std::move(model_);
  }

 private:
  Status ParseTTree() {
    Envelope envelope = ReadEnvelope(cursor_);
    const int16_t v = envelope.version;
    model_.version = v;
    if (v < 5 || v > 30) {
      return Unsupported("TTree class version " + std::to_string(v) + " at byte " +
                         std::to_string(cursor_.Origin() + envelope.start) + " is not supported");
    }
    Named named = ReadTNamed(cursor_);
    model_.name = named.name;
    model_.title = named.title;
    SkipObject("TAttLine");
    SkipObject("TAttFill");
    SkipObject("TAttMarker");
    if (v <= 5) {
      model_.entries = ReadCountAsDouble(cursor_, "fEntries");  // fEntries
      cursor_.ReadF64();  // fTotBytes
      cursor_.ReadF64();  // fZipBytes
      cursor_.ReadF64();  // fSavedBytes
    } else {
      model_.entries = cursor_.ReadI64();  // fEntries
      cursor_.ReadI64();  // fTotBytes
      cursor_.ReadI64();  // fZipBytes
      cursor_.ReadI64();  // fSavedBytes
    }
    if (v >= 18) cursor_.ReadI64();  // fFlushedBytes
    if (v >= 16) cursor_.ReadF64();  // fWeight
    cursor_.ReadI32();  // fTimerInterval
    cursor_.ReadI32();  // fScanField
    cursor_.ReadI32();  // fUpdate
    if (v >= 17) cursor_.ReadI32();  // fDefaultEntryOffsetLen
    int32_t n_cluster_range = 0;
    if (v >= 19) n_cluster_range = cursor_.ReadI32();  // fNClusterRange
    if (v > 5) {
      cursor_.ReadI64();  // fMaxEntries
      cursor_.ReadI64();  // fMaxEntryLoop
      cursor_.ReadI64();  // fMaxVirtualSize
      cursor_.ReadI64();  // fAutoSave
    } else {
      cursor_.ReadI32();  // fMaxEntries
      cursor_.ReadI32();  // fMaxEntryLoop
      cursor_.ReadI32();  // fMaxVirtualSize
    }
    if (v >= 18) model_.auto_flush = cursor_.ReadI64();  // fAutoFlush
    if (v > 5) {
      cursor_.ReadI64();  // fEstimate
    } else {
      cursor_.ReadI32();  // fEstimate
    }
    if (v >= 19) {
      if (n_cluster_range < 0 || n_cluster_range > cursor_.Remaining() / 8) {
        cursor_.Fail("TTree fNClusterRange=" + std::to_string(n_cluster_range) + " is impossible");
      }
      model_.cluster_range_end = ReadSpeedbumpArray64(n_cluster_range);  // fClusterRangeEnd
      model_.cluster_size = ReadSpeedbumpArray64(n_cluster_range);       // fClusterSize
    }
    if (v >= 20) SkipObject("TIOFeatures");  // fIOFeatures
    RB_RETURN_IF_ERROR_CTX(cursor_.status(), "TTree '" + model_.name + "'");
    // fBranches
    RB_RETURN_IF_ERROR(ReadObjArray(cursor_, refs_, [&](const ObjectAny& item) -> Status {
      if (item.kind != ObjectAny::Kind::kNew) return Status::Ok();
      RB_ASSIGN_OR_RETURN(int64_t index, ParseBranchObject(item, -1, "", 0));
      if (index >= 0) model_.top_branches.push_back(index);
      return Status::Ok();
    }));
    // fLeaves and later members are not needed: the leaves were read inside
    // their branches. Skip to the end of the TTree.
    SkipToEnd(cursor_, envelope, "TTree");
    return cursor_.status();
  }

  void SkipObject(const char* what) {
    Envelope envelope = ReadEnvelope(cursor_);
    if (envelope.end < 0) {
      cursor_.Fail(std::string(what) + " has no byte count");
      return;
    }
    SkipToEnd(cursor_, envelope, what);
  }

  std::vector<int64_t> ReadSpeedbumpArray64(int32_t n) {
    std::vector<int64_t> values;
    uint8_t present = cursor_.ReadU8();
    if (!present) return values;
    values.reserve(static_cast<size_t>(std::max(n, 0)));
    for (int32_t i = 0; i < n && cursor_.Ok(); ++i) values.push_back(cursor_.ReadI64());
    return values;
  }

  // Parses one object found in fBranches (or a pointer): a TBranch* class
  // is parsed and its index returned; anything else is skipped (-1).
  Result<int64_t> ParseBranchObject(const ObjectAny& item, int64_t parent, const std::string& parent_path,
                                    int depth) {
    if (depth > kMaxNesting) return Corrupt("branches nested more than 64 levels deep");
    if (!StartsWith(item.class_name, "TBranch")) return int64_t{-1};
    const int64_t index = static_cast<int64_t>(model_.branches.size());
    model_.branches.emplace_back();
    refs_.AddObject(item.object_key, kBranchIdOffset + index);
    Status status = ParseBranch(item.class_name, index, parent, parent_path, depth);
    if (!status.IsOk()) {
      const auto& name = model_.branches[static_cast<size_t>(index)].name;
      return std::move(status).WithContext("branch '" + name + "' (" + item.class_name + ")");
    }
    return index;
  }

  Status ParseBranch(const std::string& class_name, int64_t index, int64_t parent,
                     const std::string& parent_path, int depth) {
    auto branch = [&]() -> BranchModel& { return model_.branches[static_cast<size_t>(index)]; };
    branch().class_name = class_name;
    branch().parent = parent;
    Envelope outer = ReadEnvelope(cursor_);
    Envelope base = outer;
    const bool is_subclass = class_name != "TBranch";
    if (is_subclass) base = ReadEnvelope(cursor_);  // the TBranch base
    const int16_t v = base.version;
    if (v < 6 || v > 20) {
      return Unsupported("TBranch class version " + std::to_string(v) + " is not supported");
    }
    Named named = ReadTNamed(cursor_);
    branch().name = named.name;
    branch().title = named.title;
    branch().path = parent_path.empty() ? named.name : parent_path + "/" + named.name;
    SkipObject("TAttFill");
    int32_t max_baskets = 0;
    cursor_.ReadI32();                              // fCompress
    cursor_.ReadI32();                              // fBasketSize
    branch().entry_offset_len = cursor_.ReadI32();  // fEntryOffsetLen
    branch().write_basket = cursor_.ReadI32();      // fWriteBasket
    if (v >= 10) {
      cursor_.ReadI64();                      // fEntryNumber
      if (v >= 13) SkipObject("TIOFeatures");  // fIOFeatures
      cursor_.ReadI32();                      // fOffset
      max_baskets = cursor_.ReadI32();        // fMaxBaskets
      cursor_.ReadI32();                      // fSplitLevel
      branch().entries = cursor_.ReadI64();   // fEntries
      if (v >= 11) branch().first_entry = cursor_.ReadI64();  // fFirstEntry
      branch().tot_bytes = cursor_.ReadI64();  // fTotBytes
      branch().zip_bytes = cursor_.ReadI64();  // fZipBytes
    } else {
      cursor_.ReadI32();                      // fEntryNumber
      cursor_.ReadI32();                      // fOffset
      max_baskets = cursor_.ReadI32();        // fMaxBaskets
      if (v >= 7) cursor_.ReadI32();          // fSplitLevel
      branch().entries = ReadCountAsDouble(cursor_, "fEntries");  // fEntries
      branch().tot_bytes = ReadCountAsDouble(cursor_, "fTotBytes");  // fTotBytes
      branch().zip_bytes = ReadCountAsDouble(cursor_, "fZipBytes");  // fZipBytes
    }
    RB_RETURN_IF_ERROR(cursor_.status());
    const int32_t write_basket = branch().write_basket;
    if (max_baskets < 0 || max_baskets > kMaxBaskets || write_basket < 0 || write_basket > max_baskets ||
        max_baskets > cursor_.Remaining()) {
      return Corrupt("impossible fWriteBasket=" + std::to_string(write_basket) +
                     " / fMaxBaskets=" + std::to_string(max_baskets) + " before byte " +
                     std::to_string(cursor_.FileOffset()));
    }
    const std::string path = branch().path;
    // fBranches: sub-branches of split objects.
    std::vector<int64_t> children;
    RB_RETURN_IF_ERROR(ReadObjArray(cursor_, refs_, [&](const ObjectAny& item) -> Status {
      if (item.kind != ObjectAny::Kind::kNew) return Status::Ok();
      RB_ASSIGN_OR_RETURN(int64_t child, ParseBranchObject(item, index, path, depth + 1));
      if (child >= 0) children.push_back(child);
      return Status::Ok();
    }));
    branch().children = std::move(children);
    // fLeaves
    std::vector<int64_t> leaves;
    RB_RETURN_IF_ERROR(ReadObjArray(cursor_, refs_, [&](const ObjectAny& item) -> Status {
      int64_t leaf = -1;
      if (item.kind == ObjectAny::Kind::kNew) {
        RB_ASSIGN_OR_RETURN(leaf, ParseLeafObject(item, depth));
      } else if (item.kind == ObjectAny::Kind::kReference) {
        leaf = refs_.FindObject(item.reference);
        if (leaf >= kBranchIdOffset) leaf = -1;
      }
      if (leaf >= 0) leaves.push_back(leaf);
      return Status::Ok();
    }));
    branch().leaves = std::move(leaves);
    // fBaskets: normally empty slots; the unflushed last basket when present.
    std::vector<EmbeddedBasket> embedded;
    RB_RETURN_IF_ERROR(ReadObjArray(cursor_, refs_, [&](const ObjectAny& item) -> Status {
      if (item.kind != ObjectAny::Kind::kNew || item.class_name != "TBasket") return Status::Ok();
      RB_ASSIGN_OR_RETURN(EmbeddedBasket basket, ParseEmbeddedBasket(item));
      embedded.push_back(std::move(basket));
      return Status::Ok();
    }));
    branch().embedded = std::move(embedded);
    // fBasketBytes, fBasketEntry, fBasketSeek: speedbump + fMaxBaskets values.
    auto read_array = [&](bool wide, int32_t keep) {
      std::vector<int64_t> values;
      if (!cursor_.ReadU8()) return values;
      for (int32_t i = 0; i < max_baskets && cursor_.Ok(); ++i) {
        int64_t value = wide ? cursor_.ReadI64() : cursor_.ReadI32();
        if (i < keep) values.push_back(value);
      }
      return values;
    };
    auto bytes = read_array(false, write_basket);
    branch().basket_bytes.assign(bytes.begin(), bytes.end());
    branch().basket_entry = read_array(v >= 10, write_basket + 1);
    branch().basket_entry_sorted = std::is_sorted(branch().basket_entry.begin(), branch().basket_entry.end());
    branch().basket_seek = read_array(v >= 10, write_basket);
    cursor_.ReadTString();  // fFileName
    RB_RETURN_IF_ERROR(cursor_.status());
    if (static_cast<int32_t>(branch().basket_bytes.size()) < write_basket ||
        static_cast<int32_t>(branch().basket_seek.size()) < write_basket ||
        static_cast<int32_t>(branch().basket_entry.size()) < write_basket) {
      return Corrupt("basket arrays are missing for " + std::to_string(write_basket) + " baskets");
    }
    SkipToEnd(cursor_, base, "TBranch");
    if (class_name == "TBranchElement") {
      branch().is_element = true;
      const int16_t ev = outer.version;
      branch().element_class = cursor_.ReadTString();  // fClassName
      branch().parent_name = cursor_.ReadTString();    // fParentName
      cursor_.ReadTString();                           // fClonesName
      cursor_.ReadU32();                               // fCheckSum
      branch().class_version = ev >= 10 ? cursor_.ReadI16() : cursor_.ReadI32();  // fClassVersion
      branch().id = cursor_.ReadI32();             // fID
      branch().type = cursor_.ReadI32();           // fType
      branch().streamer_type = cursor_.ReadI32();  // fStreamerType
      cursor_.ReadI32();                           // fMaximum
      // fBranchCount, fBranchCount2: pointers, usually references to branches
      // already read (even to this branch's parent, still being read).
      for (int i = 0; i < 2 && cursor_.Ok(); ++i) {
        ObjectAny count = ReadObjectAny(cursor_, refs_);
        if (count.kind == ObjectAny::Kind::kNew) {
          RB_RETURN_IF_ERROR(ParseBranchObject(count, -1, "", depth + 1).status());
          if (count.end >= 0) cursor_.Seek(count.end);
        }
      }
    }
    SkipToEnd(cursor_, outer, class_name.c_str());
    return cursor_.status();
  }

  Result<int64_t> ParseLeafObject(const ObjectAny& item, int depth) {
    if (depth > kMaxNesting) return Corrupt("leaves nested too deeply");
    if (!StartsWith(item.class_name, "TLeaf")) return int64_t{-1};
    const int64_t index = static_cast<int64_t>(model_.leaves.size());
    model_.leaves.emplace_back();
    refs_.AddObject(item.object_key, index);
    auto leaf = [&]() -> LeafModel& { return model_.leaves[static_cast<size_t>(index)]; };
    leaf().class_name = item.class_name;
    Envelope outer = ReadEnvelope(cursor_);
    Envelope base = ReadEnvelope(cursor_);  // TLeaf
    Named named = ReadTNamed(cursor_);
    leaf().name = named.name;
    leaf().title = named.title;
    leaf().len = cursor_.ReadI32();             // fLen
    leaf().len_type = cursor_.ReadI32();        // fLenType
    leaf().offset = cursor_.ReadI32();          // fOffset
    leaf().is_range = cursor_.ReadU8() != 0;    // fIsRange
    leaf().is_unsigned = cursor_.ReadU8() != 0; // fIsUnsigned
    ObjectAny count = ReadObjectAny(cursor_, refs_);  // fLeafCount
    RB_RETURN_IF_ERROR(cursor_.status());
    if (count.kind == ObjectAny::Kind::kNew) {
      RB_ASSIGN_OR_RETURN(int64_t counter, ParseLeafObject(count, depth + 1));
      if (count.end >= 0) cursor_.Seek(count.end);
      pending_counts_.push_back({index, 0, counter});
    } else if (count.kind == ObjectAny::Kind::kReference) {
      pending_counts_.push_back({index, count.reference, -1});
    }
    SkipToEnd(cursor_, base, "TLeaf");
    if (item.class_name == "TLeafElement") {
      cursor_.ReadI32();                         // fID
      leaf().element_type = cursor_.ReadI32();   // fType
    }
    SkipToEnd(cursor_, outer, item.class_name.c_str());
    RB_RETURN_IF_ERROR(cursor_.status());
    return index;
  }

  Result<EmbeddedBasket> ParseEmbeddedBasket(const ObjectAny& item) {
    const int64_t start = cursor_.FileOffset();
    BasketHeader header = ParseBasketHeader(cursor_);
    EmbeddedBasket basket;
    basket.nevbuf_size = header.nevbuf_size;
    basket.nevbuf = header.nevbuf;
    basket.last = header.last;
    basket.keylen = header.key.keylen;
    const uint8_t flag = cursor_.ReadU8();
    RB_RETURN_IF_ERROR(cursor_.status());
    if (basket.nevbuf < 0 || basket.last < basket.keylen || basket.keylen < 0 ||
        basket.last - basket.keylen > cursor_.Remaining()) {
      return Corrupt("embedded basket at byte " + std::to_string(start) + " has impossible sizes fNevBuf=" +
                     std::to_string(basket.nevbuf) + " fLast=" + std::to_string(basket.last) +
                     " fKeylen=" + std::to_string(basket.keylen));
    }
    if (flag % 10 != 2) {
      int32_t n = cursor_.ReadI32();
      if (n < 0 || n > cursor_.Remaining() / 4) {
        return Corrupt("embedded basket at byte " + std::to_string(start) + " claims " + std::to_string(n) +
                       " entry offsets");
      }
      basket.offsets.resize(static_cast<size_t>(n));
      for (auto& offset : basket.offsets) offset = cursor_.ReadI32();
      if (flag > 40) {
        int32_t m = cursor_.ReadI32();  // displacements: not needed
        if (m < 0 || m > cursor_.Remaining() / 4) return Corrupt("bad displacement array in embedded basket");
        cursor_.Skip(int64_t{m} * 4);
      }
    }
    // fLast bytes follow; the first fKeylen stand where a key header would be.
    cursor_.Skip(basket.keylen);
    auto data = cursor_.ReadBytes(basket.last - basket.keylen);
    basket.data.assign(data.begin(), data.end());
    RB_RETURN_IF_ERROR(cursor_.status());
    (void)item;
    return basket;
  }

  Status ResolveLeafCounts() {
    for (const auto& pending : pending_counts_) {
      int64_t counter = pending.counter;
      if (counter < 0) counter = refs_.FindObject(pending.reference);
      if (counter < 0 || counter >= kBranchIdOffset) {
        return Corrupt("leaf '" + model_.leaves[static_cast<size_t>(pending.leaf)].name +
                       "' has a counter reference that does not resolve to a leaf");
      }
      model_.leaves[static_cast<size_t>(pending.leaf)].leaf_count = counter;
    }
    return Status::Ok();
  }

  struct PendingCount {
    int64_t leaf;
    uint32_t reference;
    int64_t counter;
  };

  ByteCursor cursor_;
  ObjectRefs refs_;
  TreeModel model_;
  std::vector<PendingCount> pending_counts_;
};

}  // namespace

Result<TreeModel> ParseTree(std::span<const uint8_t> payload, int32_t key_length, int64_t file_offset,
                            const std::string& class_name) {
  TreeParser parser(payload, key_length, file_offset);
  return parser.Parse(class_name);
}

}  // namespace rootbatch
