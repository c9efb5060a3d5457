// libFuzzer target: the file header and the keys. Arbitrary bytes as a ROOT
// file: open it (header, top directory, key lists), look every key up by its
// path and read every key's payload (decompressed to fObjlen bytes), then
// the StreamerInfo list.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_common.hpp"
#include "rootbatch/tfile/root_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rootbatch;
  auto source = MakeMemorySource("fuzz.root", std::vector<uint8_t>(data, data + size));
  auto header = ReadFileHeader(*source);
  if (!header.IsOk()) fuzz::CheckNotInternal(header.status(), "tfile_fuzz header");
  auto file = RootFile::Open(std::move(source));
  if (!file.IsOk()) {
    fuzz::CheckNotInternal(file.status(), "tfile_fuzz open");
    return 0;
  }
  const RootFile& f = **file;
  size_t keys = 0;
  for (const auto& entry : f.AllKeys()) {
    if (++keys > 256) break;  // bounds the work per input, not the library
    auto found = f.FindKey(entry.path + ";" + std::to_string(entry.key->cycle));
    if (!found.IsOk()) fuzz::CheckNotInternal(found.status(), "tfile_fuzz find");
    auto payload = f.ReadPayload(*entry.key);
    if (!payload.IsOk()) fuzz::CheckNotInternal(payload.status(), "tfile_fuzz payload");
  }
  auto infos = f.StreamerInfos();
  if (!infos.IsOk()) fuzz::CheckNotInternal(infos.status(), "tfile_fuzz streamers");
  return 0;
}
