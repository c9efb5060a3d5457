// libFuzzer target: RNTuple page decoding. Input: u16 LE column type, u16 LE
// bits on storage, u16 LE element count, a byte of flags (bit 0: a value
// range for Real32Quant), then the uncompressed page. Decodes as many
// elements as the page holds (at most the count) into an exactly sized
// buffer.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "fuzz_common.hpp"
#include "rootbatch/rntuple/page_decode.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rootbatch;
  using namespace rootbatch::rntuple;
  fuzz::Input in(data, size);
  ColumnRecord column;
  column.type = in.U16();
  column.bits = in.U16();
  int64_t n = in.U16();
  const uint8_t flags = in.U8();
  if (flags & 1) column.range = std::pair<double, double>(-3.5, 1e6);
  const auto page = in.Rest();
  auto type = ColumnMemoryType(column);
  if (!type.IsOk()) {
    fuzz::CheckNotInternal(type.status(), "rntuple_page_fuzz type");
    return 0;
  }
  // DecodePage's contract: the page holds PageBytes(column, n) bytes.
  while (n > 0 && PageBytes(column, n) > page.size()) n = n / 2;
  std::vector<uint8_t> copy(page.begin(), page.begin() + static_cast<std::ptrdiff_t>(PageBytes(column, n)));
  const size_t out_bytes = static_cast<size_t>(n) * static_cast<size_t>(ByteWidth(*type));
  std::unique_ptr<uint8_t[]> out(new uint8_t[out_bytes + 1]);
  const Status status = DecodePage(column, copy, n, std::span<uint8_t>(out.get(), out_bytes));
  fuzz::CheckNotInternal(status, "rntuple_page_fuzz decode");
  return 0;
}
