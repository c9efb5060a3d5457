// Summaries of a column for `rootbatch dump`: values of single entries as
// JSON, and the sums other tools compare against (a correctly rounded float
// sum, an exact integer sum, item and byte counts).
#pragma once

#include <cstdint>

#include "cli/json_writer.hpp"
#include "rootbatch/column/column.hpp"

namespace rootbatch::cli {

// Writes entry `entry` of `column` as JSON: a number, a (nested) list, or a string.
void WriteEntry(JsonWriter& json, const ColumnSpec& spec, const Column& column, int64_t entry);

struct ColumnSums {
  double sum = 0;          // all values as float64, flattened (bool counts true)
  __int128 isum = 0;       // exact, integers and bools only
  bool has_isum = false;
  int64_t counts_sum = 0;  // jagged: total items
  int64_t len_sum = 0;     // strings: total bytes
};
ColumnSums Summarize(const ColumnSpec& spec, const Column& column);

}  // namespace rootbatch::cli
