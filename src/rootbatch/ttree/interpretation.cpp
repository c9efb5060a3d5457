#include "rootbatch/ttree/interpretation.hpp"

#include <charconv>
#include <cstdlib>
#include <optional>

namespace rootbatch {
namespace {

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// Element type of a TLeaf* class.
std::optional<DataType> LeafDataType(const LeafModel& leaf) {
  const std::string& c = leaf.class_name;
  const bool u = leaf.is_unsigned;
  if (c == "TLeafO") return DataType::kBool;
  if (c == "TLeafB") return u ? DataType::kUInt8 : DataType::kInt8;
  if (c == "TLeafS") return u ? DataType::kUInt16 : DataType::kInt16;
  if (c == "TLeafI") return u ? DataType::kUInt32 : DataType::kInt32;
  if (c == "TLeafL" || c == "TLeafG") return u ? DataType::kUInt64 : DataType::kInt64;
  if (c == "TLeafF" || c == "TLeafF16") return DataType::kFloat32;
  if (c == "TLeafD" || c == "TLeafD32") return DataType::kFloat64;
  return std::nullopt;
}

// The ROOT typedef RDataFrame names a leaf's type by ("Float_t", "ULong64_t").
std::string RootTypedefName(const std::string& leaf_class, DataType type) {
  if (leaf_class == "TLeafF16") return "Float16_t";
  if (leaf_class == "TLeafD32") return "Double32_t";
  if (leaf_class == "TLeafG") return type == DataType::kUInt64 ? "ULong_t" : "Long_t";
  switch (type) {
    case DataType::kBool: return "Bool_t";
    case DataType::kInt8: return "Char_t";
    case DataType::kUInt8: return "UChar_t";
    case DataType::kInt16: return "Short_t";
    case DataType::kUInt16: return "UShort_t";
    case DataType::kInt32: return "Int_t";
    case DataType::kUInt32: return "UInt_t";
    case DataType::kInt64: return "Long64_t";
    case DataType::kUInt64: return "ULong64_t";
    case DataType::kFloat32: return "Float_t";
    case DataType::kFloat64: return "Double_t";
    case DataType::kChar: return "Char_t";
  }
  return "Char_t";
}

// Basic types of TStreamerElement::fType codes 1-19.
std::optional<DataType> StreamerBasicType(int32_t code) {
  switch (code) {
    case 1: return DataType::kInt8;      // char
    case 2: return DataType::kInt16;     // short
    case 3: return DataType::kInt32;     // int
    case 4: return DataType::kInt64;     // long (stored as 8 bytes)
    case 5: return DataType::kFloat32;   // float
    case 6: return DataType::kInt32;     // counter
    case 8: return DataType::kFloat64;   // double
    case 9: return DataType::kFloat64;   // Double32_t
    case 11: return DataType::kUInt8;    // unsigned char
    case 12: return DataType::kUInt16;   // unsigned short
    case 13: return DataType::kUInt32;   // unsigned int
    case 14: return DataType::kUInt64;   // unsigned long
    case 15: return DataType::kUInt32;   // bits
    case 16: return DataType::kInt64;    // Long64_t
    case 17: return DataType::kUInt64;   // ULong64_t
    case 18: return DataType::kBool;     // bool
    case 19: return DataType::kFloat32;  // Float16_t
    default: return std::nullopt;
  }
}

std::string CppTypeName(DataType type) {
  switch (type) {
    case DataType::kBool: return "bool";
    case DataType::kInt8: return "int8_t";
    case DataType::kUInt8: return "uint8_t";
    case DataType::kInt16: return "int16_t";
    case DataType::kUInt16: return "uint16_t";
    case DataType::kInt32: return "int32_t";
    case DataType::kUInt32: return "uint32_t";
    case DataType::kInt64: return "int64_t";
    case DataType::kUInt64: return "uint64_t";
    case DataType::kFloat32: return "float";
    case DataType::kFloat64: return "double";
    case DataType::kChar: return "char";
  }
  return "?";
}

// C++ element type names as they appear in vector<...> class names.
std::optional<DataType> ParseCppType(std::string name) {
  while (!name.empty() && name.back() == ' ') name.pop_back();
  static const std::pair<std::string_view, DataType> kNames[] = {
      {"bool", DataType::kBool},          {"char", DataType::kInt8},
      {"signed char", DataType::kInt8},   {"unsigned char", DataType::kUInt8},
      {"short", DataType::kInt16},        {"unsigned short", DataType::kUInt16},
      {"int", DataType::kInt32},          {"unsigned int", DataType::kUInt32},
      {"long", DataType::kInt64},         {"unsigned long", DataType::kUInt64},
      {"long long", DataType::kInt64},    {"unsigned long long", DataType::kUInt64},
      {"Long64_t", DataType::kInt64},     {"ULong64_t", DataType::kUInt64},
      {"float", DataType::kFloat32},      {"double", DataType::kFloat64},
      {"Float_t", DataType::kFloat32},    {"Double_t", DataType::kFloat64},
      {"Int_t", DataType::kInt32},        {"UInt_t", DataType::kUInt32},
      {"Short_t", DataType::kInt16},      {"UShort_t", DataType::kUInt16},
      {"Char_t", DataType::kInt8},        {"UChar_t", DataType::kUInt8},
      {"Bool_t", DataType::kBool},        {"int8_t", DataType::kInt8},
      {"uint8_t", DataType::kUInt8},      {"int16_t", DataType::kInt16},
      {"uint16_t", DataType::kUInt16},    {"int32_t", DataType::kInt32},
      {"uint32_t", DataType::kUInt32},    {"int64_t", DataType::kInt64},
      {"uint64_t", DataType::kUInt64},    {"Double32_t", DataType::kFloat64},
      {"Float16_t", DataType::kFloat32},
  };
  for (const auto& [text, type] : kNames) {
    if (name == text) return type;
  }
  return std::nullopt;
}

// The first template argument of a vector class name: "vector<float>",
// "vector<float,ROOT::Detail::VecOps::RAdoptAllocator<float> >",
// "ROOT::VecOps::RVec<float>" -> "float"; "vector<vector<int> >" ->
// "vector<int>". nullopt when `class_name` is no vector.
std::optional<std::string> VectorArgument(const std::string& class_name, bool allow_rvec = true) {
  std::string inner;
  for (std::string_view prefix : {"vector<", "std::vector<", "ROOT::VecOps::RVec<", "ROOT::RVec<"}) {
    if (!allow_rvec && prefix.find("RVec") != std::string_view::npos) continue;
    if (StartsWith(class_name, prefix)) inner = class_name.substr(prefix.size());
  }
  if (inner.empty()) return std::nullopt;
  // Strip the allocator argument and the closing bracket.
  size_t depth = 0, end = 0;
  for (; end < inner.size(); ++end) {
    if (inner[end] == '<') ++depth;
    if (inner[end] == '>' && depth-- == 0) break;
    if (inner[end] == ',' && depth == 0) break;
  }
  inner = inner.substr(0, end);
  while (!inner.empty() && inner.back() == ' ') inner.pop_back();
  return inner;
}

// "vector<float>" (and RVec) -> float.
std::optional<DataType> VectorElementType(const std::string& class_name) {
  auto inner = VectorArgument(class_name);
  if (!inner || inner->find('<') != std::string::npos) return std::nullopt;
  return ParseCppType(*inner);
}

// "vector<vector<float> >" -> float. Only std::vector at both levels: that
// is the layout ROOT streams (outer header, then per inner vector its size
// and values); RVec<RVec<T>> is not written so by ROOT.
std::optional<DataType> NestedVectorElementType(const std::string& class_name) {
  auto inner = VectorArgument(class_name, /*allow_rvec=*/false);
  if (!inner) return std::nullopt;
  auto element = VectorArgument(*inner, /*allow_rvec=*/false);
  if (!element || element->find('<') != std::string::npos) return std::nullopt;
  return ParseCppType(*element);
}

bool IsStringClass(const std::string& name) { return name == "string" || name == "std::string"; }

// "[xmin, xmax, nbits]" in a title or comment; nullopt when absent.
struct Range {
  double min = 0, max = 0;
  int nbits = 32;
  bool has_bits = false;
};
std::optional<Range> ParseRange(const std::string& text) {
  auto open = text.find('[');
  while (open != std::string::npos) {
    auto close = text.find(']', open);
    if (close == std::string::npos) return std::nullopt;
    std::string body = text.substr(open + 1, close - open - 1);
    if (body.find(',') != std::string::npos) {
      Range range;
      std::vector<std::string> parts;
      size_t start = 0;
      while (true) {
        auto comma = body.find(',', start);
        parts.push_back(body.substr(start, comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      auto number = [](const std::string& s) {
        // Accept "pi"-style expressions only as plain numbers; ROOT allows
        // "2*pi" but no test file uses it.
        return std::strtod(s.c_str(), nullptr);
      };
      if (parts.size() >= 2) {
        range.min = number(parts[0]);
        range.max = number(parts[1]);
      }
      if (parts.size() >= 3) {
        range.nbits = std::atoi(parts[2].c_str());
        range.has_bits = true;
      }
      if (range.nbits < 2 || range.nbits > 32) range.nbits = 32;
      return range;
    }
    open = text.find('[', close);
  }
  return std::nullopt;
}

// Integer dims in brackets of "name[3][4]" (skips "[n]" counters and ranges).
std::vector<int64_t> ParseDims(const std::string& title, std::string* counter) {
  std::vector<int64_t> dims;
  std::string spec = title.substr(0, title.find('/'));
  size_t pos = spec.find('[');
  bool first = true;
  while (pos != std::string::npos) {
    size_t close = spec.find(']', pos);
    if (close == std::string::npos) break;
    std::string body = spec.substr(pos + 1, close - pos - 1);
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
    if (ec == std::errc() && ptr == body.data() + body.size()) {
      dims.push_back(value);
    } else if (first && counter && body.find(',') == std::string::npos) {
      *counter = body;
    }
    first = false;
    pos = spec.find('[', close);
  }
  return dims;
}

int64_t Product(const std::vector<int64_t>& dims) {
  int64_t p = 1;
  for (auto d : dims) p *= d;
  return p;
}

class Interpreter {
 public:
  Interpreter(const TreeModel& model, const StreamerInfoList* streamers)
      : model_(model), streamers_(streamers) {
    leaf_owner_.assign(model.leaves.size(), -1);
    for (size_t b = 0; b < model.branches.size(); ++b) {
      for (int64_t leaf : model.branches[b].leaves) {
        if (leaf >= 0 && leaf < static_cast<int64_t>(leaf_owner_.size()) && leaf_owner_[leaf] < 0) {
          leaf_owner_[static_cast<size_t>(leaf)] = static_cast<int64_t>(b);
        }
      }
    }
  }

  BranchInterpretations Run() {
    for (size_t b = 0; b < model_.branches.size(); ++b) Interpret(static_cast<int64_t>(b));
    return std::move(out_);
  }

 private:
  void Skip(const BranchModel& branch, std::string type_name, std::string reason) {
    out_.skipped.push_back({branch.path, std::move(type_name), std::move(reason)});
  }

  void Interpret(int64_t index) {
    const BranchModel& branch = model_.branches[static_cast<size_t>(index)];
    if (branch.is_element) {
      InterpretElement(index, branch);
      return;
    }
    if (!branch.children.empty() && branch.leaves.empty()) return;
    if (branch.class_name != "TBranch") {
      Skip(branch, branch.class_name, "branch class " + branch.class_name + " is not supported");
      return;
    }
    if (branch.leaves.empty()) {
      Skip(branch, "", "branch has no leaves");
      return;
    }
    if (branch.leaves.size() == 1) {
      InterpretLeaf(index, branch, model_.leaves[static_cast<size_t>(branch.leaves[0])], branch.path, "");
      return;
    }
    // A leaf list "x/D:y/I": one column per leaf, named branch.leaf as RDataFrame does.
    int64_t entry_size = 0;
    for (int64_t leaf_index : branch.leaves) {
      const LeafModel& leaf = model_.leaves[static_cast<size_t>(leaf_index)];
      if (leaf.leaf_count >= 0 || leaf.class_name == "TLeafC") {
        Skip(branch, branch.title, "leaf lists with variable-length leaves are not supported");
        return;
      }
      entry_size += int64_t{leaf.len} * leaf.len_type;
    }
    for (int64_t leaf_index : branch.leaves) {
      const LeafModel& leaf = model_.leaves[static_cast<size_t>(leaf_index)];
      InterpretLeaf(index, branch, leaf, branch.path + "." + leaf.name, branch.path);
      if (!out_.columns.empty() && out_.columns.back().branch == index) {
        out_.columns.back().entry_size = entry_size;
        out_.columns.back().leaf_offset = leaf.offset;
      }
    }
  }

  void InterpretLeaf(int64_t index, const BranchModel& branch, const LeafModel& leaf, const std::string& name,
                     const std::string& record) {
    Interpretation in;
    in.branch = index;
    in.record = record;
    in.spec.name = name;
    if (leaf.class_name == "TLeafC") {
      in.spec.type = DataType::kChar;
      in.spec.kind = ColumnKind::kString;
      in.spec.source_type = "char*";
      in.layout = EntryLayout::kLeafString;
      in.disk_width = 1;
      out_.columns.push_back(std::move(in));
      return;
    }
    auto type = LeafDataType(leaf);
    if (!type) {
      Skip(branch, leaf.class_name, "leaf class " + leaf.class_name + " is not supported");
      return;
    }
    in.spec.type = *type;
    in.disk_width = ByteWidth(*type);
    std::string type_name = CppTypeName(*type);
    if (leaf.class_name == "TLeafF16" || leaf.class_name == "TLeafD32") {
      const bool is_f16 = leaf.class_name == "TLeafF16";
      type_name = is_f16 ? "Float16_t" : "Double32_t";
      if (!SetRangeEncoding(in, ParseRange(leaf.title), is_f16)) {
        Skip(branch, type_name, TruncatedTooWide(in.nbits, type_name));
        return;
      }
    }
    // Dims: from the leaf title; Float16/Double32 titles hold the range, so
    // take theirs from the branch title.
    std::string counter;
    const bool range_leaf = leaf.class_name == "TLeafF16" || leaf.class_name == "TLeafD32";
    std::vector<int64_t> dims = ParseDims(range_leaf ? branch.title : leaf.title, &counter);
    const int64_t len = std::max<int64_t>(leaf.len, 1);
    if (Product(dims) != len) dims = len > 1 ? std::vector<int64_t>{len} : std::vector<int64_t>{};
    in.spec.inner_shape = dims;
    std::string dims_text;
    for (auto d : dims) dims_text += "[" + std::to_string(d) + "]";
    if (leaf.leaf_count >= 0) {
      in.layout = EntryLayout::kCountedArray;
      in.spec.kind = ColumnKind::kJagged;
      in.counter_leaf = leaf.leaf_count;
      in.counter_branch = leaf_owner_[static_cast<size_t>(leaf.leaf_count)];
      in.spec.source_type = type_name + "[]" + dims_text;
    } else {
      in.layout = EntryLayout::kFixed;
      in.spec.kind = dims.empty() ? ColumnKind::kScalar : ColumnKind::kFixedArray;
      in.entry_size = len * in.disk_width;
      in.spec.source_type = type_name + dims_text;
    }
    // RDataFrame names a leaf by its ROOT typedef and reads arrays as RVecs.
    const std::string root_name = RootTypedefName(leaf.class_name, *type);
    in.spec.rdf_type = dims.empty() && leaf.leaf_count < 0 ? root_name : "ROOT::VecOps::RVec<" + root_name + ">";
    out_.columns.push_back(std::move(in));
  }

  static std::string TruncatedTooWide(int nbits, const std::string& type_name) {
    return type_name + " without a range and with " + std::to_string(nbits) + " mantissa bits: ROOT stores at most " +
           std::to_string(kMaxTruncatedMantissaBits) + " in its 16-bit mantissa field";
  }

  // False when the encoding cannot be read: a truncated value whose mantissa
  // bits do not fit ROOT's 16-bit field (with its sign bit).
  bool SetRangeEncoding(Interpretation& in, std::optional<Range> range, bool is_f16) {
    if (range && range->min < range->max) {
      in.encoding = is_f16 ? ValueEncoding::kFloat16Range : ValueEncoding::kDouble32Range;
      in.range_min = range->min;
      in.range_max = range->max;
      in.nbits = range->nbits;
      in.disk_width = 4;
    } else if ((range && range->has_bits) || is_f16) {
      in.encoding = ValueEncoding::kTruncated;
      in.nbits = range && range->has_bits ? range->nbits : 12;
      in.disk_width = 3;
      if (in.nbits > kMaxTruncatedMantissaBits) return false;
    } else {
      in.encoding = ValueEncoding::kFloatAsDouble;
      in.disk_width = 4;
    }
    return true;
  }

  const StreamerElement* MemberElement(const BranchModel& branch) {
    if (!streamers_ || branch.id < 0) return nullptr;
    const StreamerInfo* info = streamers_->Find(branch.element_class, branch.class_version);
    if (!info) info = streamers_->Find(branch.element_class);
    if (!info || branch.id >= static_cast<int32_t>(info->elements.size())) return nullptr;
    return &info->elements[static_cast<size_t>(branch.id)];
  }

  void InterpretElement(int64_t index, const BranchModel& branch) {
    // Parents of split objects hold no data of their own.
    if (!branch.children.empty()) return;
    Interpretation in;
    in.branch = index;
    in.spec.name = branch.path;
    const LeafModel* leaf =
        branch.leaves.empty() ? nullptr : &model_.leaves[static_cast<size_t>(branch.leaves[0])];
    // A whole object in one branch: only std::vector<number> and std::string.
    if (branch.id < 0) {
      if (IsStringClass(branch.element_class)) {
        SetString(in, EntryLayout::kStdString, "std::string");
        return;
      }
      if (branch.element_class == "TString") {
        SetString(in, EntryLayout::kLeafString, "TString");
        return;
      }
      if (auto element = VectorElementType(branch.element_class)) {
        SetVector(in, *element, branch.element_class);
        return;
      }
      if (auto element = NestedVectorElementType(branch.element_class)) {
        in.spec.type = *element;
        in.spec.kind = ColumnKind::kDoublyJagged;
        in.layout = EntryLayout::kVectorOfVectors;
        in.disk_width = ByteWidth(*element);
        in.spec.source_type = "std::vector<std::vector<" + CppTypeName(*element) + ">>";
        out_.columns.push_back(std::move(in));
        return;
      }
      Skip(branch, branch.element_class,
           "class '" + branch.element_class + "' is not supported (only std::vector<number>, "
           "std::vector<std::vector<number>>, ROOT::RVec<number> and std::string objects)");
      return;
    }
    const StreamerElement* element = MemberElement(branch);
    int32_t code = branch.streamer_type;
    if (code < 0 && element) code = element->type;
    const std::string type_name = element ? element->type_name : branch.element_class;
    // Members of split collections (TClonesArray 31, STL 41): per entry, one
    // value per element of the collection, no header; sized by offsets.
    const bool in_collection = branch.type == 31 || branch.type == 41;
    // Codes 1-19 are basic types; +20 a fixed array; +40 a pointer to an array.
    const int32_t base_code = code > 40 ? code - 40 : (code > 20 ? code - 20 : code);
    if (auto basic = StreamerBasicType(base_code); basic && code > 0 && code < 60) {
      in.spec.type = *basic;
      in.disk_width = ByteWidth(*basic);
      std::string cpp = CppTypeName(*basic);
      if (base_code == 9 || base_code == 19) {
        cpp = base_code == 9 ? "Double32_t" : "Float16_t";
        if (!SetRangeEncoding(in, element ? ParseRange(element->title) : std::nullopt, base_code == 19)) {
          Skip(branch, cpp, TruncatedTooWide(in.nbits, cpp));
          return;
        }
      }
      if (code > 40) {
        in.layout = EntryLayout::kSpeedbumpArray;
        in.spec.kind = ColumnKind::kJagged;
        in.spec.source_type = cpp + "[]";
      } else if (in_collection) {
        in.layout = EntryLayout::kCountedArray;
        in.spec.kind = ColumnKind::kJagged;
        in.spec.source_type = cpp + "[]";
        if (code > 20) {
          int64_t len = leaf ? std::max(leaf->len, 1) : 1;
          in.spec.inner_shape = {len};
        }
      } else {
        int64_t len = 1;
        if (code > 20) len = element && element->array_length > 0 ? element->array_length
                                                                   : (leaf ? std::max(leaf->len, 1) : 1);
        in.layout = EntryLayout::kFixed;
        in.entry_size = len * in.disk_width;
        if (code > 20) {
          in.spec.kind = ColumnKind::kFixedArray;
          in.spec.inner_shape = {len};
          in.spec.source_type = cpp + "[" + std::to_string(len) + "]";
        } else {
          in.spec.source_type = cpp;
        }
      }
      out_.columns.push_back(std::move(in));
      return;
    }
    if (code == 65 && !in_collection) {  // TString member
      SetString(in, EntryLayout::kLeafString, "TString");
      return;
    }
    if (code == 7 && !in_collection) {  // char* member
      SetString(in, EntryLayout::kCharStar, "char*");
      return;
    }
    if ((code == 500 || code == 300 || code == 365) && !in_collection) {
      if (element && (IsStringClass(type_name) || element->stl_type == 365)) {
        SetString(in, EntryLayout::kStdString, "std::string");
        return;
      }
      if (auto value = VectorElementType(type_name)) {
        SetVector(in, *value, type_name);
        return;
      }
    }
    Skip(branch, type_name.empty() ? "streamer type " + std::to_string(code) : type_name,
         element ? "member type '" + type_name + "' is not supported"
                 : "no StreamerInfo describes member " + std::to_string(branch.id) + " of class '" +
                       branch.element_class + "'");
  }

  void SetString(Interpretation& in, EntryLayout layout, const std::string& source_type) {
    in.spec.type = DataType::kChar;
    in.spec.kind = ColumnKind::kString;
    in.spec.source_type = source_type;
    in.layout = layout;
    in.disk_width = 1;
    out_.columns.push_back(std::move(in));
  }

  void SetVector(Interpretation& in, DataType element, const std::string& class_name) {
    in.spec.type = element;
    in.spec.kind = ColumnKind::kJagged;
    in.layout = EntryLayout::kVector;
    in.disk_width = ByteWidth(element);
    const bool rvec = class_name.find("RVec") != std::string::npos ||
                      class_name.find("RAdoptAllocator") != std::string::npos;
    in.spec.source_type = (rvec ? "ROOT::RVec<" : "std::vector<") + CppTypeName(element) + ">";
    out_.columns.push_back(std::move(in));
  }

  const TreeModel& model_;
  const StreamerInfoList* streamers_;
  std::vector<int64_t> leaf_owner_;
  BranchInterpretations out_;
};

}  // namespace

BranchInterpretations InterpretTree(const TreeModel& model, const StreamerInfoList* streamers) {
  return Interpreter(model, streamers).Run();
}

}  // namespace rootbatch
