#include "rootbatch/write/streamer_info.hpp"

#include <map>
#include <string_view>

#include "rootbatch/write/object_writer.hpp"

namespace rootbatch::write {
namespace {

// TStreamerElement fType codes (TVirtualStreamerInfo::EReadWrite).
enum : int32_t {
  kChar = 1, kShort = 2, kInt = 3, kFloat = 5, kCounter = 6, kDouble = 8, kUChar = 11,
  kUShort = 12, kUInt = 13, kULong = 14, kBits = 15, kLong64 = 16, kBool = 18,
  kOffsetP = 40, kObject = 61, kAny = 62, kObjectp = 64, kTString = 65, kTObject = 66,
  kTNamed = 67, kSTL = 500,
};

enum class ElementKind { kBase, kBasicType, kBasicPointer, kObject, kObjectAny, kObjectPointer, kString, kSTL };

struct ElementDef {
  ElementKind kind = ElementKind::kBasicType;
  std::string name;
  std::string title;
  int32_t type = 0;   // fType
  int32_t size = 0;   // fSize
  std::string type_name;  // fTypeName
  // kBase
  int32_t base_version = 0;
  uint32_t base_checksum = 0;
  // kBasicPointer: the member holding the count
  std::string count_name;
  std::string count_class;
  int32_t count_version = 0;
  // kSTL
  int32_t stl_type = 0;  // fSTLtype: 1 = vector
  int32_t ctype = 0;     // fCtype: element type code
};

struct ClassDef {
  std::string name;
  int32_t version = 0;
  uint32_t checksum = 0;
  std::vector<ElementDef> elements;
};

// Checksums of the classes used as bases (ROOTIO-FORMAT.md §6.3).
constexpr uint32_t kTObjectSum = 0x901bc02d, kTNamedSum = 0xdfb74a3c, kTAttLineSum = 0x94074549,
                   kTAttFillSum = 0xffd92a92, kTAttMarkerSum = 0x291d8bec, kTCollectionSum = 0x57e3cb9c,
                   kTSeqCollectionSum = 0xfc6c3bc6, kTLeafSum = 0x6d1e8152, kTBranchSum = 0x10978aac;

ElementDef MakeElement(ElementKind kind, std::string name, std::string title, int32_t type, int32_t size,
                       std::string type_name) {
  ElementDef e;
  e.kind = kind;
  e.name = std::move(name);
  e.title = std::move(title);
  e.type = type;
  e.size = size;
  e.type_name = std::move(type_name);
  return e;
}

ElementDef Base(std::string name, std::string title, int32_t type, int32_t version, uint32_t checksum) {
  ElementDef e = MakeElement(ElementKind::kBase, std::move(name), std::move(title), type, 0, "BASE");
  e.base_version = version;
  e.base_checksum = checksum;
  return e;
}
ElementDef Basic(std::string name, int32_t type, int32_t size, std::string type_name, std::string title = "") {
  return MakeElement(ElementKind::kBasicType, std::move(name), std::move(title), type, size, std::move(type_name));
}
ElementDef Counted(std::string name, int32_t type, int32_t size, std::string type_name,
                   std::string count_name, std::string count_class, int32_t count_version) {
  // ROOT reads the count member from fCountName; the "[count]" title is how the
  // header comment that declared it looked, kept for tools that show titles.
  ElementDef e = MakeElement(ElementKind::kBasicPointer, std::move(name), "[" + count_name + "]", type, size,
                             std::move(type_name));
  e.count_name = std::move(count_name);
  e.count_class = std::move(count_class);
  e.count_version = count_version;
  return e;
}
ElementDef Member(ElementKind kind, std::string name, int32_t type, int32_t size, std::string type_name,
                  std::string title = "") {
  return MakeElement(kind, std::move(name), std::move(title), type, size, std::move(type_name));
}
ElementDef String(std::string name, std::string title = "") {
  return MakeElement(ElementKind::kString, std::move(name), std::move(title), kTString, 24, "TString");
}

ClassDef LeafSubclass(std::string name, uint32_t checksum, int32_t type, int32_t size, std::string type_name) {
  return {std::move(name), 1, checksum,
          {Base("TLeaf", "leaf base class", 0, 2, kTLeafSum),
           Basic("fMinimum", type, size, type_name, "minimum value if the leaf has a range"),
           Basic("fMaximum", type, size, type_name, "maximum value if the leaf has a range")}};
}

// What vector<T> holds, for each T the writer supports: fCtype.
const std::map<std::string, int32_t, std::less<>>& VectorElementTypes() {
  static const std::map<std::string, int32_t, std::less<>> kTypes = {
      {"bool", kBool}, {"char", kChar}, {"unsigned char", kUChar}, {"short", kShort},
      {"unsigned short", 12}, {"int", kInt}, {"unsigned int", kUInt}, {"Long64_t", kLong64},
      {"ULong64_t", 17}, {"float", kFloat}, {"double", kDouble}};
  return kTypes;
}

const std::vector<ClassDef>& FixedClasses() {
  using K = ElementKind;
  static const std::vector<ClassDef> kClasses = {
      {"TObject", 1, kTObjectSum,
       {Basic("fUniqueID", kUInt, 4, "unsigned int", "object unique identifier"),
        Basic("fBits", kBits, 4, "unsigned int", "bit field status word")}},
      {"TNamed", 1, kTNamedSum,
       {Base("TObject", "basic ROOT object", kTObject, 1, kTObjectSum), String("fName", "object name"),
        String("fTitle", "object title")}},
      {"TString", 2, 0x00017419, {}},
      {"TCollection", 3, kTCollectionSum,
       {Base("TObject", "basic ROOT object", kTObject, 1, kTObjectSum), String("fName", "collection name"),
        Basic("fSize", kInt, 4, "int", "number of elements")}},
      {"TSeqCollection", 0, kTSeqCollectionSum,
       {Base("TCollection", "collection base class", 0, 3, kTCollectionSum)}},
      {"TList", 5, 0x69c5c3bb, {Base("TSeqCollection", "sequence base class", 0, 0, kTSeqCollectionSum)}},
      {"TObjArray", 3, 0xa99e6552,
       {Base("TSeqCollection", "sequence base class", 0, 0, kTSeqCollectionSum),
        Basic("fLowerBound", kInt, 4, "int", "lower bound of the array"),
        Basic("fLast", kInt, 4, "int", "last slot holding an object")}},
      {"TAttLine", 2, kTAttLineSum,
       {Basic("fLineColor", kShort, 2, "short"), Basic("fLineStyle", kShort, 2, "short"),
        Basic("fLineWidth", kShort, 2, "short")}},
      {"TAttFill", 2, kTAttFillSum, {Basic("fFillColor", kShort, 2, "short"), Basic("fFillStyle", kShort, 2, "short")}},
      {"TAttMarker", 2, kTAttMarkerSum,
       {Basic("fMarkerColor", kShort, 2, "short"), Basic("fMarkerStyle", kShort, 2, "short"),
        Basic("fMarkerSize", kFloat, 4, "float")}},
      {"ROOT::TIOFeatures", 1, 0x1aa12f10, {Basic("fIOBits", kUChar, 1, "unsigned char")}},
      {"TTree", 20, 0x7264e07f,
       {Base("TNamed", "name and title", kTNamed, 1, kTNamedSum),
        Base("TAttLine", "line attributes", 0, 2, kTAttLineSum),
        Base("TAttFill", "fill attributes", 0, 2, kTAttFillSum),
        Base("TAttMarker", "marker attributes", 0, 2, kTAttMarkerSum),
        Basic("fEntries", kLong64, 8, "long long"), Basic("fTotBytes", kLong64, 8, "long long"),
        Basic("fZipBytes", kLong64, 8, "long long"), Basic("fSavedBytes", kLong64, 8, "long long"),
        Basic("fFlushedBytes", kLong64, 8, "long long"), Basic("fWeight", kDouble, 8, "double"),
        Basic("fTimerInterval", kInt, 4, "int"), Basic("fScanField", kInt, 4, "int"),
        Basic("fUpdate", kInt, 4, "int"), Basic("fDefaultEntryOffsetLen", kInt, 4, "int"),
        Basic("fNClusterRange", kCounter, 4, "int"), Basic("fMaxEntries", kLong64, 8, "long long"),
        Basic("fMaxEntryLoop", kLong64, 8, "long long"), Basic("fMaxVirtualSize", kLong64, 8, "long long"),
        Basic("fAutoSave", kLong64, 8, "long long"), Basic("fAutoFlush", kLong64, 8, "long long"),
        Basic("fEstimate", kLong64, 8, "long long"),
        Counted("fClusterRangeEnd", kOffsetP + kLong64, 8, "long long*", "fNClusterRange", "TTree", 20),
        Counted("fClusterSize", kOffsetP + kLong64, 8, "long long*", "fNClusterRange", "TTree", 20),
        Member(K::kObjectAny, "fIOFeatures", kAny, 1, "ROOT::TIOFeatures"),
        Member(K::kObject, "fBranches", kObject, 64, "TObjArray"),
        Member(K::kObject, "fLeaves", kObject, 64, "TObjArray"),
        Member(K::kObjectPointer, "fAliases", kObjectp, 8, "TList*"),
        Member(K::kObjectAny, "fIndexValues", kAny, 24, "TArrayD"),
        Member(K::kObjectAny, "fIndex", kAny, 24, "TArrayI"),
        Member(K::kObjectPointer, "fTreeIndex", kObjectp, 8, "TVirtualIndex*"),
        Member(K::kObjectPointer, "fFriends", kObjectp, 8, "TList*"),
        Member(K::kObjectPointer, "fUserInfo", kObjectp, 8, "TList*"),
        Member(K::kObjectPointer, "fBranchRef", kObjectp, 8, "TBranchRef*")}},
      {"TBranch", 13, kTBranchSum,
       {Base("TNamed", "name and title", kTNamed, 1, kTNamedSum),
        Base("TAttFill", "fill attributes", 0, 2, kTAttFillSum), Basic("fCompress", kInt, 4, "int"),
        Basic("fBasketSize", kInt, 4, "int"), Basic("fEntryOffsetLen", kInt, 4, "int"),
        Basic("fWriteBasket", kInt, 4, "int"), Basic("fEntryNumber", kLong64, 8, "long long"),
        Member(K::kObjectAny, "fIOFeatures", kAny, 1, "ROOT::TIOFeatures"), Basic("fOffset", kInt, 4, "int"),
        Basic("fMaxBaskets", kCounter, 4, "int"), Basic("fSplitLevel", kInt, 4, "int"),
        Basic("fEntries", kLong64, 8, "long long"), Basic("fFirstEntry", kLong64, 8, "long long"),
        Basic("fTotBytes", kLong64, 8, "long long"), Basic("fZipBytes", kLong64, 8, "long long"),
        Member(K::kObject, "fBranches", kObject, 64, "TObjArray"),
        Member(K::kObject, "fLeaves", kObject, 64, "TObjArray"),
        Member(K::kObject, "fBaskets", kObject, 64, "TObjArray"),
        Counted("fBasketBytes", kOffsetP + kInt, 4, "int*", "fMaxBaskets", "TBranch", 13),
        Counted("fBasketEntry", kOffsetP + kLong64, 8, "long long*", "fMaxBaskets", "TBranch", 13),
        Counted("fBasketSeek", kOffsetP + kLong64, 8, "long long*", "fMaxBaskets", "TBranch", 13),
        String("fFileName")}},
      {"TBranchElement", 10, 0xe74f5e63,
       {Base("TBranch", "branch base class", 0, 13, kTBranchSum), String("fClassName"), String("fParentName"),
        String("fClonesName"), Basic("fCheckSum", kUInt, 4, "unsigned int"),
        Basic("fClassVersion", kShort, 2, "short"), Basic("fID", kInt, 4, "int"), Basic("fType", kInt, 4, "int"),
        Basic("fStreamerType", kInt, 4, "int"), Basic("fMaximum", kInt, 4, "int"),
        Member(K::kObjectPointer, "fBranchCount", kObjectp, 8, "TBranchElement*"),
        Member(K::kObjectPointer, "fBranchCount2", kObjectp, 8, "TBranchElement*")}},
      {"TLeaf", 2, kTLeafSum,
       {Base("TNamed", "name and title", kTNamed, 1, kTNamedSum), Basic("fLen", kInt, 4, "int"),
        Basic("fLenType", kInt, 4, "int"), Basic("fOffset", kInt, 4, "int"), Basic("fIsRange", kBool, 1, "bool"),
        Basic("fIsUnsigned", kBool, 1, "bool"), Member(K::kObjectPointer, "fLeafCount", kObjectp, 8, "TLeaf*")}},
      {"TLeafElement", 1, 0xa04f8893,
       {Base("TLeaf", "leaf base class", 0, 2, kTLeafSum), Basic("fID", kInt, 4, "int"),
        Basic("fType", kInt, 4, "int")}},
      LeafSubclass("TLeafO", 0x02ae48d3, kBool, 1, "bool"),
      LeafSubclass("TLeafB", 0x0f1e4b5e, kChar, 1, "char"),
      LeafSubclass("TLeafS", 0x150ceecf, kShort, 2, "short"),
      LeafSubclass("TLeafI", 0x7e6aae19, kInt, 4, "int"),
      LeafSubclass("TLeafL", 0xde320862, kLong64, 8, "long long"),
      LeafSubclass("TLeafF", 0x3add9d72, kFloat, 4, "float"),
      LeafSubclass("TLeafD", 0x118e8776, kDouble, 8, "double"),
      // The RNTuple anchor as ROOT 6.40 describes it (its members are 64-bit "unsigned long").
      {"ROOT::RNTuple", 2, 0x28e632ec,
       {Basic("fVersionEpoch", kUShort, 2, "unsigned short"), Basic("fVersionMajor", kUShort, 2, "unsigned short"),
        Basic("fVersionMinor", kUShort, 2, "unsigned short"), Basic("fVersionPatch", kUShort, 2, "unsigned short"),
        Basic("fSeekHeader", kULong, 8, "unsigned long"), Basic("fNBytesHeader", kULong, 8, "unsigned long"),
        Basic("fLenHeader", kULong, 8, "unsigned long"), Basic("fSeekFooter", kULong, 8, "unsigned long"),
        Basic("fNBytesFooter", kULong, 8, "unsigned long"), Basic("fLenFooter", kULong, 8, "unsigned long"),
        Basic("fMaxKeySize", kULong, 8, "unsigned long")}},
  };
  return kClasses;
}

// "vector<T>" -> T, or "" when the name is not a vector of a supported type.
std::string_view VectorElement(std::string_view class_name) {
  constexpr std::string_view kPrefix = "vector<";
  if (class_name.size() <= kPrefix.size() + 1 || class_name.substr(0, kPrefix.size()) != kPrefix ||
      class_name.back() != '>') {
    return {};
  }
  std::string_view inner = class_name.substr(kPrefix.size(), class_name.size() - kPrefix.size() - 1);
  return VectorElementTypes().count(inner) ? inner : std::string_view{};
}

ClassDef VectorClass(const std::string& class_name) {
  const std::string_view inner = VectorElement(class_name);
  ElementDef e = MakeElement(ElementKind::kSTL, "This", "<" + std::string(inner) + ">", kSTL, 0, class_name);
  e.stl_type = 1;  // ROOT::kSTLvector
  e.ctype = VectorElementTypes().find(inner)->second;
  return {class_name, 6, StlClassChecksum(class_name), {e}};
}

const ClassDef* FindFixed(const std::string& name) {
  for (const auto& c : FixedClasses()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string_view ElementClassName(ElementKind kind) {
  switch (kind) {
    case ElementKind::kBase: return "TStreamerBase";
    case ElementKind::kBasicType: return "TStreamerBasicType";
    case ElementKind::kBasicPointer: return "TStreamerBasicPointer";
    case ElementKind::kObject: return "TStreamerObject";
    case ElementKind::kObjectAny: return "TStreamerObjectAny";
    case ElementKind::kObjectPointer: return "TStreamerObjectPointer";
    case ElementKind::kString: return "TStreamerString";
    case ElementKind::kSTL: return "TStreamerSTL";
  }
  return "";
}

void PutElement(ObjectWriter& out, const ElementDef& e) {
  const size_t any = out.BeginObjectAny(ElementClassName(e.kind));
  const int16_t subclass_version = (e.kind == ElementKind::kBase || e.kind == ElementKind::kSTL) ? 3 : 2;
  const size_t subclass = out.BeginObject(subclass_version);
  const size_t element = out.BeginObject(4);  // TStreamerElement
  out.PutTNamed(e.name, e.title, kBitsStreamerElement);
  out.PutI32(e.type);   // fType
  out.PutI32(e.size);   // fSize
  out.PutI32(0);        // fArrayLength
  out.PutI32(0);        // fArrayDim
  // fMaxIndex[5]; ROOT keeps a base class's checksum in slot 1.
  out.PutI32(0);
  out.PutU32(e.kind == ElementKind::kBase ? e.base_checksum : 0);
  out.PutI32(0);
  out.PutI32(0);
  out.PutI32(0);
  out.PutTString(e.type_name);  // fTypeName
  out.EndByteCount(element);
  switch (e.kind) {
    case ElementKind::kBase:
      out.PutI32(e.base_version);  // fBaseVersion
      break;
    case ElementKind::kBasicPointer:
      out.PutI32(e.count_version);    // fCountVersion
      out.PutTString(e.count_name);   // fCountName
      out.PutTString(e.count_class);  // fCountClass
      break;
    case ElementKind::kSTL:
      out.PutI32(e.stl_type);  // fSTLtype
      out.PutI32(e.ctype);     // fCtype
      break;
    default:
      break;
  }
  out.EndByteCount(subclass);
  out.EndObjectAny(any);
}

void PutStreamerInfo(ObjectWriter& out, const ClassDef& c) {
  const size_t any = out.BeginObjectAny("TStreamerInfo");
  const size_t info = out.BeginObject(9);
  out.PutTNamed(c.name, "", kBitsStreamerInfo);
  out.PutU32(c.checksum);  // fCheckSum
  out.PutI32(c.version);   // fClassVersion
  // fElements: a pointer to a TObjArray.
  const size_t elements_any = out.BeginObjectAny("TObjArray");
  const size_t elements = out.BeginTObjArray(static_cast<int32_t>(c.elements.size()));
  for (const auto& e : c.elements) PutElement(out, e);
  out.EndByteCount(elements);
  out.EndObjectAny(elements_any);
  out.EndByteCount(info);
  out.EndObjectAny(any);
}

}  // namespace

std::set<std::string> CoreStreamerClasses() {
  return {"TObject", "TNamed", "TString", "TCollection", "TSeqCollection", "TList", "TObjArray",
          "TAttLine", "TAttFill", "TAttMarker", "ROOT::TIOFeatures", "TTree", "TBranch", "TLeaf"};
}

bool IsKnownStreamerClass(const std::string& class_name) {
  return FindFixed(class_name) != nullptr || !VectorElement(class_name).empty();
}

uint32_t StlClassChecksum(const std::string& class_name) {
  uint32_t id = 0;
  for (char c : class_name) id = id * 3 + static_cast<uint32_t>(static_cast<signed char>(c));
  return id;
}

std::vector<uint8_t> BuildStreamerInfoList(const std::set<std::string>& classes, int64_t origin) {
  // A fixed order (core classes as ROOT lists them, then vectors by name) so
  // that the same tree always gives the same bytes.
  std::vector<ClassDef> selected;
  for (const auto& c : FixedClasses()) {
    if (classes.count(c.name)) selected.push_back(c);
  }
  for (const auto& name : classes) {
    if (!VectorElement(name).empty()) selected.push_back(VectorClass(name));
  }

  ObjectWriter out(origin);
  const size_t list = out.BeginObject(5);  // TList
  out.PutTObject(0x02000000);
  out.PutTString("");  // fName
  out.PutI32(static_cast<int32_t>(selected.size()));
  for (const auto& c : selected) {
    PutStreamerInfo(out, c);
    out.PutU8(0);  // the entry's option string, empty
  }
  out.EndByteCount(list);
  return out.Release();
}

}  // namespace rootbatch::write
