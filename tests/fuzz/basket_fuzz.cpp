// libFuzzer target: basket decoding to columns. Input: 8 control bytes
// (basket_spec.hpp: the branch's layout and value encoding, the tree's entry
// count), then the bytes of one basket record (key header, TBasket fields,
// payload). Reads the basket as the only basket of a branch and decodes all
// its entries into a column.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "basket_spec.hpp"
#include "fuzz_common.hpp"
#include "rootbatch/ttree/basket.hpp"
#include "rootbatch/ttree/decode.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rootbatch;
  fuzz::Input in(data, size);
  std::array<uint8_t, fuzz::kBasketSpecBytes> spec{};
  for (auto& b : spec) b = in.U8();
  const Interpretation interpretation = fuzz::MakeBasketInterpretation(spec);
  const int64_t tree_entries = spec[6] | (spec[7] << 8);
  const auto rest = in.Rest();
  auto source = MakeMemorySource("fuzz.root", std::vector<uint8_t>(rest.begin(), rest.end()));

  BranchModel branch;
  branch.name = "b";
  branch.path = "b";
  branch.write_basket = 1;
  branch.entries = tree_entries;
  branch.basket_bytes = {static_cast<int32_t>(rest.size())};
  branch.basket_entry = {0, tree_entries};
  branch.basket_entry_sorted = true;
  branch.basket_seek = {0};

  auto basket = ReadBasket(*source, branch, 0, tree_entries, nullptr);
  if (!basket.IsOk()) {
    fuzz::CheckNotInternal(basket.status(), "basket_fuzz read");
    return 0;
  }
  const int64_t n = std::min<int64_t>(basket->num_entries, fuzz::kMaxEntriesPerColumn);
  // Item counts for counted arrays in baskets without an offset table: a
  // counter branch would give them; any small pattern will do.
  std::vector<int64_t> counts(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) counts[static_cast<size_t>(i)] = i % 4;
  Column column;
  column.type = interpretation.spec.type;
  const Status decoded = DecodeBasket(interpretation, *basket, 0, n, counts, column);
  fuzz::CheckNotInternal(decoded, "basket_fuzz decode");
  return 0;
}
