// libFuzzer target: RNTuple anchor and envelopes.
// Input: a kind byte, a column count byte (page lists: columns in the
// schema), then the bytes of one object as stored:
//   kind % 4 == 0: the anchor's payload (ParseAnchor)
//   1: a header envelope, 2: a footer envelope, 3: a page list envelope,
//      read with ReadEnvelope (type, length and XXH3 checked) and parsed.
// The harness writes the right XXH3 (and, for envelopes, the right type and
// length word) first: otherwise nearly every mutation would stop at the
// checksum and the parsers behind it would never run. Wrong checksums are
// tested in rntuple_test.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_common.hpp"
#include "rootbatch/base/endian.hpp"
#include "rootbatch/rntuple/descriptor.hpp"

namespace {

using namespace rootbatch;
using namespace rootbatch::rntuple;

constexpr size_t kAnchorFieldsAt = 6;  // after the anchor's byte count and class version
constexpr size_t kAnchorFieldBytes = 64;
constexpr size_t kEnvelopeMinBytes = 16;

void ParseAnchorBytes(std::vector<uint8_t>& bytes) {
  if (bytes.size() >= kAnchorFieldsAt + kAnchorFieldBytes + 8) {
    const uint64_t sum = Xxh3(std::span<const uint8_t>(bytes).subspan(kAnchorFieldsAt, kAnchorFieldBytes));
    StoreBigEndian(bytes.data() + kAnchorFieldsAt + kAnchorFieldBytes, sum);
  }
  auto anchor = ParseAnchor(bytes, 1000);
  if (!anchor.IsOk()) fuzz::CheckNotInternal(anchor.status(), "rntuple_envelope_fuzz anchor");
}

void ParseEnvelopeBytes(EnvelopeType type, std::vector<uint8_t>& bytes, uint8_t columns) {
  if (bytes.size() < kEnvelopeMinBytes) return;
  const uint64_t length = bytes.size();
  StoreLittleEndian(bytes.data(), static_cast<uint64_t>(type) | (length << 16));
  StoreLittleEndian(bytes.data() + length - 8, Xxh3(std::span<const uint8_t>(bytes.data(), length - 8)));
  // The footer and page lists name the header's checksum: take whatever
  // the input holds there, so the parsers go on past that check.
  const uint64_t named_header = bytes.size() >= 24 ? LoadLittleEndian<uint64_t>(bytes.data() + 8) : 0;
  const uint64_t footer_named_header = bytes.size() >= 32 ? LoadLittleEndian<uint64_t>(bytes.data() + 16) : 0;
  auto source = MakeMemorySource("fuzz.root", bytes);
  auto envelope = ReadEnvelope(*source, {length, 0}, length, type);
  if (!envelope.IsOk()) {
    fuzz::CheckNotInternal(envelope.status(), "rntuple_envelope_fuzz read");
    return;
  }
  Status status;
  if (type == EnvelopeType::kHeader) {
    Schema schema;
    status = ParseHeader(*envelope, schema);
  } else if (type == EnvelopeType::kFooter) {
    Descriptor d;
    d.header_checksum = footer_named_header;
    status = ParseFooter(*envelope, d);
  } else {
    Descriptor d;
    d.header_checksum = named_header;
    d.schema.columns.resize(columns);
    ClusterGroup group;
    // The cluster count sits after the checksum and the list frame's size.
    group.num_clusters = bytes.size() >= 28 ? LoadLittleEndian<uint32_t>(bytes.data() + 24) : 1;
    status = ParsePageList(*envelope, group, d);
  }
  fuzz::CheckNotInternal(status, "rntuple_envelope_fuzz parse");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const uint8_t kind = in.U8();
  const uint8_t columns = in.U8();  // page lists: columns in the schema
  const auto rest = in.Rest();
  std::vector<uint8_t> bytes(rest.begin(), rest.end());
  switch (kind % 4) {
    case 0: ParseAnchorBytes(bytes); break;
    case 1: ParseEnvelopeBytes(EnvelopeType::kHeader, bytes, 0); break;
    case 2: ParseEnvelopeBytes(EnvelopeType::kFooter, bytes, 0); break;
    default: ParseEnvelopeBytes(EnvelopeType::kPageList, bytes, columns); break;
  }
  return 0;
}
