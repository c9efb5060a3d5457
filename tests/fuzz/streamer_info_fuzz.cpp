// libFuzzer target: the StreamerInfo list. Input: u16 LE fKeylen of the key
// (object references count from the key start), then the decompressed
// payload of the StreamerInfo key.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.hpp"
#include "rootbatch/tfile/streamer_info.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rootbatch;
  fuzz::Input in(data, size);
  const int32_t key_length = in.U16();
  auto list = ParseStreamerInfoList(in.Rest(), key_length, 1000);
  if (!list.IsOk()) {
    fuzz::CheckNotInternal(list.status(), "streamer_info_fuzz");
    return 0;
  }
  for (const auto& info : list->infos) list->Find(info.class_name, info.class_version);
  return 0;
}
