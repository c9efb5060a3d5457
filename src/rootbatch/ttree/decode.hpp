// Turning basket bytes into column values: big-endian to native, Float16 and
// Double32 unpacking, and the per-entry layouts of interpretation.hpp.
#pragma once

#include <cstdint>
#include <span>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/ttree/basket.hpp"
#include "rootbatch/ttree/interpretation.hpp"

namespace rootbatch {

// Appends entries [begin, end) of `basket` (basket-relative) to `column`.
// `counts`, needed only for counted arrays in baskets without an offset
// table, gives the item count of basket entries [0, end) from the counter.
Status DecodeBasket(const Interpretation& in, const BasketData& basket, int64_t begin, int64_t end,
                    std::span<const int64_t> counts, Column& column);

}  // namespace rootbatch
