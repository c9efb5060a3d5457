// libFuzzer target: arbitrary bytes as a ROOT file holding TTrees. Opens it,
// every tree in it, and reads every column (baskets decoded to columns); the
// library must never crash, hang or touch memory outside its buffers,
// whatever the bytes say.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_common.hpp"
#include "rootbatch/ttree/tree_source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rootbatch;
  auto file = RootFile::Open(MakeMemorySource("fuzz.root", std::vector<uint8_t>(data, data + size)));
  if (!file.IsOk()) {
    fuzz::CheckNotInternal(file.status(), "ttree_fuzz open");
    return 0;
  }
  std::shared_ptr<const RootFile> shared = *file;
  for (const auto& entry : shared->AllKeys()) {
    if (!IsTreeClass(entry.key->class_name)) continue;
    auto tree = TreeSource::Open(shared, entry.path + ";" + std::to_string(entry.key->cycle));
    if (!tree.IsOk()) {
      fuzz::CheckNotInternal(tree.status(), "ttree_fuzz tree");
      continue;
    }
    fuzz::ReadEveryColumn(**tree, "ttree_fuzz read");
  }
  return 0;
}
