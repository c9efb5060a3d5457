// libFuzzer target: arbitrary bytes as a ROOT file. Opens it, every tree in
// it, and reads every column; the library must never crash, hang or touch
// memory outside its buffers, whatever the bytes say.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rootbatch/ttree/tree_source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rootbatch;
  auto file = RootFile::Open(MakeMemorySource("fuzz.root", std::vector<uint8_t>(data, data + size)));
  if (!file.IsOk()) return 0;
  std::shared_ptr<const RootFile> shared = *file;
  for (const auto& entry : shared->AllKeys()) {
    if (entry.key->class_name != "TTree") continue;
    auto tree = TreeSource::Open(shared, entry.path + ";" + std::to_string(entry.key->cycle));
    if (!tree.IsOk()) continue;
    // Hostile entry counts could ask for huge ranges: read in bounded steps.
    const int64_t entries = (*tree)->NumEntries();
    for (size_t c = 0; c < (*tree)->Columns().size(); ++c) {
      for (int64_t begin = 0; begin < entries && begin < 1'000'000; begin += 4096) {
        auto column = (*tree)->ReadColumn(c, {begin, std::min(entries, begin + 4096)});
        if (!column.IsOk()) break;
      }
    }
  }
  return 0;
}
