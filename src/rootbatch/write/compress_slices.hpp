// Compressing a large record in slices, each its own ROOT block.
//
// Readers decode any sequence of blocks (ROOT cuts at 16 MiB). A codec's
// working memory grows with its input (zstd at ROOT's level 5 needs ~25 MB
// for a 3 MB record), so slicing keeps the writer's peak memory independent
// of the record's size: TTree records (whose basket metadata grows with the
// entries) and RNTuple envelopes (whose page lists do).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/codec/codec.hpp"

namespace rootbatch::write {

inline constexpr size_t kCompressSliceSize = 256 << 10;

// Compresses `payload` in slices of kCompressSliceSize to twice that (no tiny
// tail that would not shrink); empty when some slice does not shrink (a
// payload is either all blocks or all raw bytes, so it is then stored).
Result<std::vector<uint8_t>> CompressInSlices(std::span<const uint8_t> payload, CompressionSetting compression);

}  // namespace rootbatch::write
