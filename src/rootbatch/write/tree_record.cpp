#include "rootbatch/write/tree_record.hpp"

#include <algorithm>

#include "rootbatch/write/object_writer.hpp"
#include "rootbatch/write/streamer_info.hpp"

namespace rootbatch::write {
namespace {

constexpr int32_t kMinMaxBaskets = 10;  // ROOT allocates the basket arrays 10 at a time
constexpr int32_t kDefaultEntryOffsetLen = 1000;

// fMinimum and fMaximum in the leaf's own type.
void PutLeafRange(ObjectWriter& out, DataType type, int64_t minimum, int64_t maximum) {
  switch (type) {
    case DataType::kBool:
    case DataType::kInt8:
    case DataType::kUInt8:
      out.PutU8(static_cast<uint8_t>(minimum));
      out.PutU8(static_cast<uint8_t>(maximum));
      break;
    case DataType::kInt16:
    case DataType::kUInt16:
      out.PutI16(static_cast<int16_t>(minimum));
      out.PutI16(static_cast<int16_t>(maximum));
      break;
    case DataType::kInt32:
    case DataType::kUInt32:
      out.PutI32(static_cast<int32_t>(minimum));
      out.PutI32(static_cast<int32_t>(maximum));
      break;
    case DataType::kInt64:
    case DataType::kUInt64:
      out.PutI64(minimum);
      out.PutI64(maximum);
      break;
    case DataType::kFloat32:
      out.PutF32(static_cast<float>(minimum));
      out.PutF32(static_cast<float>(maximum));
      break;
    case DataType::kFloat64:
      out.PutF64(static_cast<double>(minimum));
      out.PutF64(static_cast<double>(maximum));
      break;
    case DataType::kChar:
      break;
  }
}

// The TLeaf base (version 2).
void PutTLeaf(ObjectWriter& out, const std::string& name, const std::string& title, int32_t len,
              int32_t len_type, bool is_range, bool is_unsigned, uint32_t leaf_count_ref) {
  const size_t leaf = out.BeginObject(2);
  out.PutTNamed(name, title, kBitsPlain);
  out.PutI32(len);        // fLen
  out.PutI32(len_type);   // fLenType
  out.PutI32(0);          // fOffset
  out.PutU8(is_range);    // fIsRange
  out.PutU8(is_unsigned); // fIsUnsigned
  out.PutU32(leaf_count_ref);  // fLeafCount: 0 (null) or a reference to the counter leaf
  out.EndByteCount(leaf);
}

// Writes the branch's leaf as an object-any; returns the leaf's reference.
uint32_t PutLeaf(ObjectWriter& out, const BranchRecord& b, uint32_t counter_leaf_ref) {
  const BranchSpec& spec = *b.spec;
  if (spec.kind == BranchKind::kVector) {
    const size_t any = out.BeginObjectAny("TLeafElement");
    const size_t leaf = out.BeginObject(1);
    // ROOT gives a top-level vector's leaf fLen 1 and fLenType 0 whatever T is
    // (ROOT 6.14 wrote 4); readers take T from the branch's class name.
    PutTLeaf(out, spec.name, spec.name, 1, 0, false, false, 0);
    out.PutI32(-1);  // fID: the whole object
    out.PutI32(-1);  // fType
    out.EndByteCount(leaf);
    out.EndObjectAny(any);
    return out.ReferenceTo(any);
  }
  const size_t any = out.BeginObjectAny(LeafClassName(spec.type));
  const size_t leaf = out.BeginObject(1);
  PutTLeaf(out, spec.name, LeafTitle(spec), static_cast<int32_t>(ValuesPerItem(spec)), ByteWidth(spec.type),
           b.is_counter, IsUnsignedType(spec.type), counter_leaf_ref);
  PutLeafRange(out, spec.type, 0, b.is_counter ? b.max_count : 0);
  out.EndByteCount(leaf);
  out.EndObjectAny(any);
  return out.ReferenceTo(any);
}

// The TBranch (version 13) body; returns the leaf's reference.
uint32_t PutTBranch(ObjectWriter& out, const BranchRecord& b, const std::string& title,
                    uint32_t counter_leaf_ref) {
  const BranchSpec& spec = *b.spec;
  const auto written = static_cast<int32_t>(b.basket_bytes.size());
  const int32_t max_baskets = std::max(kMinMaxBaskets, written + 1);
  const size_t branch = out.BeginObject(13);
  out.PutTNamed(spec.name, title, kBitsBranch);
  {
    const size_t fill = out.BeginObject(2);  // TAttFill
    out.PutI16(0);     // fFillColor
    out.PutI16(1001);  // fFillStyle
    out.EndByteCount(fill);
  }
  out.PutI32(b.compress);          // fCompress
  out.PutI32(b.basket_size);       // fBasketSize
  out.PutI32(b.entry_offset_len);  // fEntryOffsetLen
  out.PutI32(written);             // fWriteBasket
  out.PutI64(b.entries);           // fEntryNumber
  out.PutTIOFeatures();            // fIOFeatures
  out.PutI32(0);                   // fOffset
  out.PutI32(max_baskets);         // fMaxBaskets
  out.PutI32(spec.kind == BranchKind::kVector ? 99 : 0);  // fSplitLevel (ROOT's default for a vector)
  out.PutI64(b.entries);           // fEntries
  out.PutI64(0);                   // fFirstEntry
  out.PutI64(b.tot_bytes);         // fTotBytes
  out.PutI64(b.zip_bytes);         // fZipBytes
  out.EndByteCount(out.BeginTObjArray(0));  // fBranches
  const size_t leaves = out.BeginTObjArray(1);  // fLeaves
  const uint32_t leaf_ref = PutLeaf(out, b, counter_leaf_ref);
  out.EndByteCount(leaves);
  out.EndByteCount(out.BeginTObjArray(0));  // fBaskets: every basket is on disk

  out.PutU8(1);  // fBasketBytes, speedbump then fMaxBaskets values
  for (int32_t i = 0; i < max_baskets; ++i) out.PutI32(i < written ? b.basket_bytes[i] : 0);
  out.PutU8(1);  // fBasketEntry: starts, then the end in slot fWriteBasket
  for (int32_t i = 0; i < max_baskets; ++i) {
    out.PutI64(i < written ? b.basket_entry[i] : (i == written ? b.entries : 0));
  }
  out.PutU8(1);  // fBasketSeek
  for (int32_t i = 0; i < max_baskets; ++i) out.PutI64(i < written ? b.basket_seek[i] : 0);
  out.PutTString("");  // fFileName: baskets are in this file
  out.EndByteCount(branch);
  return leaf_ref;
}

uint32_t PutBranch(ObjectWriter& out, const BranchRecord& b, uint32_t counter_leaf_ref) {
  const BranchSpec& spec = *b.spec;
  const std::string title = spec.title.empty() ? DefaultBranchTitle(spec) : spec.title;
  if (spec.kind != BranchKind::kVector) {
    const size_t any = out.BeginObjectAny("TBranch");
    const uint32_t leaf_ref = PutTBranch(out, b, title, counter_leaf_ref);
    out.EndObjectAny(any);
    return leaf_ref;
  }
  // An unsplit std::vector<T>: TBranchElement around a TBranch.
  const std::string class_name = VectorClassName(spec.type);
  const size_t any = out.BeginObjectAny("TBranchElement");
  const size_t element = out.BeginObject(10);
  const uint32_t leaf_ref = PutTBranch(out, b, title, 0);
  out.PutTString(class_name);  // fClassName
  out.PutTString("");          // fParentName
  out.PutTString("");          // fClonesName
  out.PutU32(StlClassChecksum(class_name));  // fCheckSum
  out.PutI16(6);    // fClassVersion of vector<T>
  out.PutI32(-1);   // fID: the whole object
  out.PutI32(0);    // fType: a top-level object
  out.PutI32(-1);   // fStreamerType
  out.PutI32(0);    // fMaximum
  out.PutNullPointer();  // fBranchCount
  out.PutNullPointer();  // fBranchCount2
  out.EndByteCount(element);
  out.EndObjectAny(any);
  return leaf_ref;
}

}  // namespace

std::vector<uint8_t> SerializeTree(const TreeRecord& tree, int64_t origin) {
  ObjectWriter out(origin);
  int64_t tot_bytes = 0;
  int64_t zip_bytes = 0;
  for (const auto& b : tree.branches) {
    tot_bytes += b.tot_bytes;
    zip_bytes += b.zip_bytes;
  }

  const size_t ttree = out.BeginObject(20);
  out.PutTNamed(tree.name, tree.title, kBitsTree);
  {
    const size_t line = out.BeginObject(2);  // TAttLine
    out.PutI16(602);  // fLineColor
    out.PutI16(1);    // fLineStyle
    out.PutI16(1);    // fLineWidth
    out.EndByteCount(line);
    const size_t fill = out.BeginObject(2);  // TAttFill
    out.PutI16(0);     // fFillColor
    out.PutI16(1001);  // fFillStyle
    out.EndByteCount(fill);
    const size_t marker = out.BeginObject(2);  // TAttMarker
    out.PutI16(1);     // fMarkerColor
    out.PutI16(1);     // fMarkerStyle
    out.PutF32(1.0f);  // fMarkerSize
    out.EndByteCount(marker);
  }
  out.PutI64(tree.entries);  // fEntries
  out.PutI64(tot_bytes);     // fTotBytes
  out.PutI64(zip_bytes);     // fZipBytes
  out.PutI64(0);             // fSavedBytes
  out.PutI64(0);             // fFlushedBytes
  out.PutF64(1.0);           // fWeight
  out.PutI32(0);             // fTimerInterval
  out.PutI32(25);            // fScanField
  out.PutI32(0);             // fUpdate
  out.PutI32(kDefaultEntryOffsetLen);  // fDefaultEntryOffsetLen
  out.PutI32(0);             // fNClusterRange: every cluster is fAutoFlush entries
  out.PutI64(1000000000000);  // fMaxEntries
  out.PutI64(1000000000000);  // fMaxEntryLoop
  out.PutI64(0);              // fMaxVirtualSize
  out.PutI64(-300000000);     // fAutoSave
  out.PutI64(tree.auto_flush);  // fAutoFlush
  out.PutI64(1000000);        // fEstimate
  out.PutU8(0);  // fClusterRangeEnd: null
  out.PutU8(0);  // fClusterSize: null
  out.PutTIOFeatures();  // fIOFeatures

  std::vector<uint32_t> leaf_refs;
  const size_t branches = out.BeginTObjArray(static_cast<int32_t>(tree.branches.size()));
  for (const auto& b : tree.branches) {
    const uint32_t counter_ref = b.counter_index >= 0 ? leaf_refs[static_cast<size_t>(b.counter_index)] : 0;
    leaf_refs.push_back(PutBranch(out, b, counter_ref));
  }
  out.EndByteCount(branches);
  const size_t leaves = out.BeginTObjArray(static_cast<int32_t>(leaf_refs.size()));
  for (uint32_t ref : leaf_refs) out.PutU32(ref);
  out.EndByteCount(leaves);

  out.PutNullPointer();  // fAliases
  out.PutI32(0);         // fIndexValues: empty TArrayD
  out.PutI32(0);         // fIndex: empty TArrayI
  out.PutNullPointer();  // fTreeIndex
  out.PutNullPointer();  // fFriends
  out.PutNullPointer();  // fUserInfo
  out.PutNullPointer();  // fBranchRef
  out.EndByteCount(ttree);
  return out.Release();
}

}  // namespace rootbatch::write
