// A test pattern: a tree with every branch kind for every numeric type, whose
// values follow a formula simple enough to recompute anywhere (the uproot
// check in tests/python/test_writer_uproot.py does so with numpy).
//
// For entry i and value index k (k counts the values of the entry, across
// items and inner dims):
//   integers: raw = i*31 + k*7 - 50, times 1000003 for 64-bit types, then
//             cast to the type with wrap-around; bool: (i + k) % 3 == 0;
//   float32:  i*0.5 + k*0.25 - 10 (exact in float32 for i < 2^20);
//   float64:  i*0.125 + k*0.0625 - 3.
// Branches, for each type suffix t in {b, i1, u1, i2, u2, i4, u4, i8, u8, f4, f8}:
//   x_t    scalar
//   a_t[3] fixed array
//   n      int32 counter = i % 5, and A_t[n] counter arrays
//   v_t    std::vector<T> with (i*7) % 4 values
// plus m_f4[2][3] (2-D fixed array) and P_f4[n][2] (counter array with an inner dim).
//
// The RNTuple pattern (WriteRNTuplePattern) has the fields RNTuples of this
// writer can hold: x_t (scalars), A_t and v_t (std::vector<T>, with i % 5 and
// (i*7) % 4 values) and s (std::string: "s<i>" repeated i % 4 times).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/write/branch_spec.hpp"

namespace rootbatch {
class TreeWriter;
class RNTupleWriter;
}

namespace rootbatch::write {

std::vector<BranchSpec> PatternBranches();
// The branch's values for entries [begin, end), offsets (jagged kinds) from 0.
Column PatternColumn(const BranchSpec& spec, int64_t begin, int64_t end);
// Adds PatternBranches() to `tree` and appends `entries` entries in batches of `batch`.
Status WritePattern(TreeWriter& tree, int64_t entries, int64_t batch = 1000);

// The string of field s for entry i.
std::string PatternString(int64_t i);
// Adds the RNTuple pattern's fields to `ntuple` and appends `entries` entries in batches of `batch`.
Status WriteRNTuplePattern(RNTupleWriter& ntuple, int64_t entries, int64_t batch = 1000);

}  // namespace rootbatch::write
