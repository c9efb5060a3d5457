#include "rootbatch/write/compress_slices.hpp"

#include <algorithm>

namespace rootbatch::write {

Result<std::vector<uint8_t>> CompressInSlices(std::span<const uint8_t> payload, CompressionSetting compression) {
  const size_t slices = std::max<size_t>(1, payload.size() / kCompressSliceSize);
  if (slices == 1) return Compress(payload, compression);
  const size_t slice_size = (payload.size() + slices - 1) / slices;
  std::vector<uint8_t> out;
  for (size_t pos = 0; pos < payload.size(); pos += slice_size) {
    const auto slice = payload.subspan(pos, std::min(slice_size, payload.size() - pos));
    RB_ASSIGN_OR_RETURN(const std::vector<uint8_t> block, Compress(slice, compression));
    if (block.size() >= slice.size()) return std::vector<uint8_t>{};
    out.insert(out.end(), block.begin(), block.end());
  }
  return out;
}

}  // namespace rootbatch::write
