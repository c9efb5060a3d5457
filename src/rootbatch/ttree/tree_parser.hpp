// Parses the TTree object (the payload of a TTree key) into a TreeModel:
// TTree versions 5 and 16-20, TBranch 8-13, TBranchElement 8-10, TLeaf 2 and
// its subclasses, embedded TBaskets. Unknown trailing members are skipped by
// byte count; a layout that overruns its byte count is reported as corrupt.
#pragma once

#include <cstdint>
#include <span>

#include "rootbatch/base/status.hpp"
#include "rootbatch/ttree/tree_model.hpp"

namespace rootbatch {

// `payload` is the decompressed TTree record, `key_length` the key's fKeylen
// (object references count from the key start) and `file_offset` where the
// payload sits in the file (for error messages).
Result<TreeModel> ParseTree(std::span<const uint8_t> payload, int32_t key_length, int64_t file_offset,
                            const std::string& class_name = "TTree");

}  // namespace rootbatch
