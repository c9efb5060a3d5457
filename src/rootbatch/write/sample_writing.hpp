// What the make-sample kinds (sample_generator.hpp, particle_sample.hpp)
// share: their branches declared on a TreeWriter, or as fields on an
// RNTupleWriter, then their entries generated and appended batch by batch.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/write/branch_spec.hpp"

namespace rootbatch {
class TreeWriter;
class RNTupleWriter;
struct RNTupleFieldSpec;
}  // namespace rootbatch

namespace rootbatch::write {

// Generates entries [begin, end): one view per branch, valid until the next call.
using GenerateRange = std::function<std::vector<ColumnView>(int64_t begin, int64_t end)>;

// The RNTuple fields of TTree branches: jagged ones (counter arrays, vectors) as std::vector fields.
std::vector<RNTupleFieldSpec> FieldsOfBranches(const std::vector<BranchSpec>& branches);

// Declares `branches` (on an RNTuple: FieldsOfBranches), then appends entries
// [0, entries) in ranges of `batch_entries`; `progress`, if set, is called
// after each range with the number of entries written so far.
Status WriteGenerated(TreeWriter& tree, std::vector<BranchSpec> branches, int64_t entries, int64_t batch_entries,
                      const GenerateRange& generate, const std::function<void(int64_t)>& progress);
Status WriteGenerated(RNTupleWriter& ntuple, const std::vector<BranchSpec>& branches, int64_t entries,
                      int64_t batch_entries, const GenerateRange& generate,
                      const std::function<void(int64_t)>& progress);

}  // namespace rootbatch::write
