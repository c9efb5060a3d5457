// Picking some entries of a Column: what is left of a chunk after a filter.
#pragma once

#include <cstdint>
#include <span>

#include "rootbatch/column/column.hpp"

namespace rootbatch {

// The entries `picks` (indices into `column`'s entries, increasing or not) of
// `column`, whose shape `spec` gives, as a new Column in that order.
Column GatherEntries(const Column& column, const ColumnSpec& spec, std::span<const int64_t> picks);

// Whether a kind has per-entry offsets (the jagged kinds and strings).
bool HasOffsetsOf(ColumnKind kind);

// A column of `spec` with no entries (offsets {0} for the jagged kinds).
Column EmptyColumn(const ColumnSpec& spec);

}  // namespace rootbatch

namespace rootbatch {

// Appends the entries of `more` to `into` (both of `spec`'s shape).
void AppendEntries(Column& into, const Column& more, const ColumnSpec& spec);

}  // namespace rootbatch
