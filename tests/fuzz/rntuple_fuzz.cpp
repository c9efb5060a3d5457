// libFuzzer target: arbitrary bytes as a ROOT file holding RNTuples. Opens
// every RNTuple (anchor, header, footer, page lists) and reads every column
// (pages located, decompressed, checked and decoded).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_common.hpp"
#include "rootbatch/rntuple/ntuple_source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rootbatch;
  auto file = RootFile::Open(MakeMemorySource("fuzz.root", std::vector<uint8_t>(data, data + size)));
  if (!file.IsOk()) {
    fuzz::CheckNotInternal(file.status(), "rntuple_fuzz open");
    return 0;
  }
  std::shared_ptr<const RootFile> shared = *file;
  for (const auto& entry : shared->AllKeys()) {
    if (!IsRNTupleClass(entry.key->class_name)) continue;
    auto ntuple = NTupleSource::Open(shared, entry.path + ";" + std::to_string(entry.key->cycle));
    if (!ntuple.IsOk()) {
      fuzz::CheckNotInternal(ntuple.status(), "rntuple_fuzz ntuple");
      continue;
    }
    for (size_t c = 0; c < (*ntuple)->Columns().size(); ++c) (*ntuple)->Storage(c);
    fuzz::ReadEveryColumn(**ntuple, "rntuple_fuzz read");
  }
  return 0;
}
