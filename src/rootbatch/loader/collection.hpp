// Collections: the jagged members of one collection (the particles of a jet)
// written into one tensor per row, ordered by a key and truncated, with a
// mask; or, ragged, as [items, F] values and offsets. Runs on the workers,
// as part of BlockReader::ReadBlock.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/loader/layout.hpp"

namespace rootbatch::loader {

// Fails unless every member (and the sort key) of `collection` has the same
// number of items in every entry of the block; names the first entry that
// differs (`first_entry`: the block's first entry in its file) and both
// counts.
Status CheckCollectionCounts(const RowLayout& layout, const CollectionPlacement& collection,
                             std::span<const Column> columns, int64_t first_entry);

// Writes rows [begin, end) of a padded (kBPF / kBFP) collection: values,
// padding and mask, with the members' transforms applied to the items kept.
// `row0` is the block's first row, rows `row_bytes` apart.
void WritePaddedCollection(const RowLayout& layout, const CollectionPlacement& collection,
                           std::span<const Column> columns, int64_t begin, int64_t end, uint8_t* row0);

// A ragged collection's values [items kept, F] (output type, transforms
// applied) and offsets [rows + 1] for a whole block.
void WriteRaggedCollection(const RowLayout& layout, const CollectionPlacement& collection,
                           std::span<const Column> columns, std::vector<uint8_t>* values,
                           std::vector<int64_t>* offsets);

}  // namespace rootbatch::loader
