// How the bytes of a branch's entries become a typed column: the layout of
// one entry and the encoding of each value. Decided once per branch from its
// leaves, its TBranchElement fields and the StreamerInfo.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/tfile/streamer_info.hpp"
#include "rootbatch/ttree/tree_model.hpp"

namespace rootbatch {

// How one entry is laid out in the basket.
enum class EntryLayout : uint8_t {
  kFixed,         // entry_size bytes per entry (scalars, fixed arrays, leaf lists)
  kCountedArray,  // C array sized by a counter leaf: count x item bytes, no header
  kSpeedbumpArray,// pointer array member of a split object: 1 marker byte, then values
  kVector,        // std::vector / RVec: 10-byte header (byte count, version, size), then values
  kVectorOfVectors,  // std::vector<std::vector<T>>: 10-byte header, then per inner vector i32 size and values
  kLeafString,    // TLeafC / TString: u8 length (255: u32 length follows), then chars
  kStdString,     // std::string: optional 6-byte header, then as kLeafString
  kCharStar,      // char* member: i32 length, then chars
};

// A truncated Float16/Double32 (no range) stores its mantissa in 16 bits
// with the sign above it: more mantissa bits than this cannot be stored.
inline constexpr int kMaxTruncatedMantissaBits = 15;

// How one value is encoded on disk.
enum class ValueEncoding : uint8_t {
  kPlain,          // big-endian value of the output type's width
  kFloat16Range,   // u32 scaled into [min, max] with nbits (float32 arithmetic)
  kDouble32Range,  // u32 scaled into [min, max] with nbits (float64 arithmetic)
  kTruncated,      // 3 bytes: u8 exponent + u16 mantissa, nbits of mantissa kept
  kFloatAsDouble,  // Double32 without range: a float32 widened to float64
};

struct Interpretation {
  ColumnSpec spec;             // name, output type, kind, inner shape, source type
  EntryLayout layout = EntryLayout::kFixed;
  ValueEncoding encoding = ValueEncoding::kPlain;
  int32_t disk_width = 0;      // bytes per value on disk
  int64_t entry_size = 0;      // kFixed: bytes per entry (the whole leaf list)
  int64_t leaf_offset = 0;     // kFixed: byte position of this leaf within an entry
  double range_min = 0, range_max = 0;
  int32_t nbits = 32;
  int64_t branch = -1;         // index in TreeModel::branches
  int64_t counter_branch = -1; // kCountedArray: branch holding the counts
  int64_t counter_leaf = -1;
  std::string record;          // leaf lists: the branch path the leaves belong to
};

struct BranchInterpretations {
  std::vector<Interpretation> columns;  // readable columns, in tree order
  using Skipped = UnreadableColumn;
  std::vector<Skipped> skipped;         // branches that cannot be read, with why
};

// Decides how to read every branch of `model`. `streamers` may be null (then
// members of split objects whose type needs it are skipped with a reason).
BranchInterpretations InterpretTree(const TreeModel& model, const StreamerInfoList* streamers);

}  // namespace rootbatch
