// libFuzzer target: TDirectory records and key lists. Input: u32 LE offset
// of a directory record, then the file's bytes. Reads that directory and,
// recursively, its subdirectories (cycles and deep nesting must end as
// errors).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_common.hpp"
#include "rootbatch/tfile/directory.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rootbatch;
  fuzz::Input in(data, size);
  const uint32_t offset = in.U32();
  const auto rest = in.Rest();
  auto source = MakeMemorySource("fuzz.root", std::vector<uint8_t>(rest.begin(), rest.end()));
  auto directory = ReadDirectory(*source, offset, "");
  if (!directory.IsOk()) fuzz::CheckNotInternal(directory.status(), "directory_fuzz");
  return 0;
}
