#include "rootbatch/write/branch_spec.hpp"

#include <string>

namespace rootbatch::write {

bool IsJagged(BranchKind kind) { return kind == BranchKind::kCounterArray || kind == BranchKind::kVector; }

int64_t ValuesPerItem(const BranchSpec& spec) {
  int64_t n = 1;
  for (int64_t d : spec.dims) n *= d;
  return n;
}

Status ValidateBranchSpec(const BranchSpec& spec) {
  if (spec.name.empty()) return InvalidArgument("a branch needs a name");
  for (char c : spec.name) {
    // '/', '[' and ':' have meaning in leaf lists and titles; '.' in split branches.
    if (c == '/' || c == '[' || c == ']' || c == ':' || c == '.' || c == '\0') {
      return InvalidArgument("branch name '" + spec.name + "' contains '" + std::string(1, c) + "'");
    }
  }
  if (spec.type == DataType::kChar) {
    return Unsupported("branch '" + spec.name + "': string branches are not written");
  }
  switch (spec.kind) {
    case BranchKind::kScalar:
    case BranchKind::kVector:
      if (!spec.dims.empty()) {
        return InvalidArgument("branch '" + spec.name + "': dims are only for fixed and counter arrays");
      }
      break;
    case BranchKind::kFixedArray:
      if (spec.dims.empty()) return InvalidArgument("branch '" + spec.name + "': a fixed array needs dims");
      break;
    case BranchKind::kCounterArray:
      if (spec.counter.empty()) {
        return InvalidArgument("branch '" + spec.name + "': a counter array needs a counter branch");
      }
      break;
  }
  int64_t product = 1;
  for (int64_t d : spec.dims) {
    if (d <= 0) return InvalidArgument("branch '" + spec.name + "': dims must be positive");
    product *= d;
    if (product > (int64_t{1} << 24)) return InvalidArgument("branch '" + spec.name + "': array too large");
  }
  if (spec.kind != BranchKind::kCounterArray && !spec.counter.empty()) {
    return InvalidArgument("branch '" + spec.name + "': only counter arrays have a counter");
  }
  return Status::Ok();
}

std::string_view LeafClassName(DataType type) {
  switch (type) {
    case DataType::kBool: return "TLeafO";
    case DataType::kInt8:
    case DataType::kUInt8: return "TLeafB";
    case DataType::kInt16:
    case DataType::kUInt16: return "TLeafS";
    case DataType::kInt32:
    case DataType::kUInt32: return "TLeafI";
    case DataType::kInt64:
    case DataType::kUInt64: return "TLeafL";
    case DataType::kFloat32: return "TLeafF";
    case DataType::kFloat64: return "TLeafD";
    case DataType::kChar: return "TLeafC";
  }
  return "";
}

char LeafTypeLetter(DataType type) {
  switch (type) {
    case DataType::kBool: return 'O';
    case DataType::kInt8: return 'B';
    case DataType::kUInt8: return 'b';
    case DataType::kInt16: return 'S';
    case DataType::kUInt16: return 's';
    case DataType::kInt32: return 'I';
    case DataType::kUInt32: return 'i';
    case DataType::kInt64: return 'L';
    case DataType::kUInt64: return 'l';
    case DataType::kFloat32: return 'F';
    case DataType::kFloat64: return 'D';
    case DataType::kChar: return 'C';
  }
  return '?';
}

std::string VectorClassName(DataType type) {
  switch (type) {
    case DataType::kBool: return "vector<bool>";
    case DataType::kInt8: return "vector<char>";
    case DataType::kUInt8: return "vector<unsigned char>";
    case DataType::kInt16: return "vector<short>";
    case DataType::kUInt16: return "vector<unsigned short>";
    case DataType::kInt32: return "vector<int>";
    case DataType::kUInt32: return "vector<unsigned int>";
    case DataType::kInt64: return "vector<Long64_t>";
    case DataType::kUInt64: return "vector<ULong64_t>";
    case DataType::kFloat32: return "vector<float>";
    case DataType::kFloat64: return "vector<double>";
    case DataType::kChar: return "string";
  }
  return "";
}

bool IsUnsignedType(DataType type) {
  return type == DataType::kUInt8 || type == DataType::kUInt16 || type == DataType::kUInt32 ||
         type == DataType::kUInt64;
}

std::string LeafTitle(const BranchSpec& spec) {
  std::string title = spec.name;
  if (spec.kind == BranchKind::kCounterArray) title += "[" + spec.counter + "]";
  for (int64_t d : spec.dims) title += "[" + std::to_string(d) + "]";
  return title;
}

std::string DefaultBranchTitle(const BranchSpec& spec) {
  if (spec.kind == BranchKind::kVector) return spec.name;
  return LeafTitle(spec) + "/" + std::string(1, LeafTypeLetter(spec.type));
}

}  // namespace rootbatch::write
