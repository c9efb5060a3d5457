// libFuzzer target: TTree/TBranch/TLeaf metadata. Input: u16 LE fKeylen,
// then the decompressed payload of a TTree key. Parses the tree, decides how
// each branch is read, and walks every branch's basket table.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.hpp"
#include "rootbatch/ttree/basket.hpp"
#include "rootbatch/ttree/interpretation.hpp"
#include "rootbatch/ttree/tree_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rootbatch;
  fuzz::Input in(data, size);
  const int32_t key_length = in.U16();
  auto model = ParseTree(in.Rest(), key_length, 1000);
  if (!model.IsOk()) {
    fuzz::CheckNotInternal(model.status(), "tree_meta_fuzz");
    return 0;
  }
  InterpretTree(*model, nullptr);
  for (const auto& branch : model->branches) {
    const int64_t baskets = BasketCount(branch);
    for (int64_t b = 0; b < baskets && b < 1024; ++b) BasketEntries(branch, b, model->entries);
    FirstBasketToScan(branch, model->entries / 2);
  }
  return 0;
}
