// What a branch holds, as the writer's user describes it, and how that maps
// onto ROOT's classes (leaf class, type letter, vector class name).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/column/data_type.hpp"

namespace rootbatch {

enum class BranchKind : uint8_t {
  kScalar,        // "x/F": one value per entry
  kFixedArray,    // "x[3][4]/F": product(dims) values per entry
  kCounterArray,  // "x[n]/F" or "x[n][2]/F": counter-branch items per entry, each of product(dims) values
  kVector,        // std::vector<T> (TBranchElement): a variable number of values per entry
};

struct BranchSpec {
  std::string name;
  DataType type = DataType::kFloat32;  // any numeric type; kChar is not written
  BranchKind kind = BranchKind::kScalar;
  // kFixedArray: the array dims ({3} for x[3]). kCounterArray: the dims of one
  // item ({} for x[n], {2} for x[n][2]). Empty for kScalar and kVector.
  std::vector<int64_t> dims;
  // kCounterArray: name of the counter branch, a kScalar int32 branch added
  // before this one. Its value for each entry must equal the entry's item count.
  std::string counter;
  // Branch title; empty gives ROOT's leaf-list form ("x[n]/F") or, for vectors, the name.
  std::string title;
};

// One branch's values for a batch of entries, in native byte order; the
// writer does not keep the memory after Append returns.
struct ColumnView {
  // Elements of the branch's type back to back (bool: one byte, 0 or 1).
  std::span<const uint8_t> values;
  // kCounterArray and kVector: num_entries + 1 offsets counting items (an item
  // is product(dims) values) into `values`; offsets[0] need not be 0, values
  // start at item offsets[0]. Empty for fixed-size kinds.
  std::span<const int64_t> offsets;

  template <typename T>
  static ColumnView Of(std::span<const T> values, std::span<const int64_t> offsets = {}) {
    return {{reinterpret_cast<const uint8_t*>(values.data()), values.size_bytes()}, offsets};
  }
  template <typename T>
  static ColumnView Of(const std::vector<T>& values, const std::vector<int64_t>& offsets = {}) {
    return Of(std::span<const T>(values), std::span<const int64_t>(offsets));
  }
  // A reader's Column (the round-trip shape).
  static ColumnView Of(const Column& column) {
    return {{column.values.data(), column.values.size()}, column.offsets};
  }
};

namespace write {

// Checks a spec on its own (name, type, dims); the tree checks the counter.
Status ValidateBranchSpec(const BranchSpec& spec);

// Values per entry (fixed kinds) or per item (jagged kinds).
int64_t ValuesPerItem(const BranchSpec& spec);
bool IsJagged(BranchKind kind);

// ROOT's leaf class for a numeric type ("TLeafF") and its type letter ('F', 'i').
std::string_view LeafClassName(DataType type);
char LeafTypeLetter(DataType type);
// "vector<float>", "vector<Long64_t>", ... as ROOT names the class.
std::string VectorClassName(DataType type);
bool IsUnsignedType(DataType type);

// The leaf title: "x", "x[3][4]", "x[n]", "x[n][2]".
std::string LeafTitle(const BranchSpec& spec);
// The branch title when the spec leaves it empty: LeafTitle + "/F", or the name for vectors.
std::string DefaultBranchTitle(const BranchSpec& spec);

}  // namespace write
}  // namespace rootbatch
