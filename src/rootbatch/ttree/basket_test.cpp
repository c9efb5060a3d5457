// Finding the basket that holds an entry, from the basket table alone.
#include "rootbatch/ttree/basket.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace rootbatch {
namespace {

// A branch whose on-disk baskets begin at `begins` (fBasketEntry, with the
// entry after the last on-disk basket as its final value).
BranchModel Branch(std::vector<int64_t> begins, size_t embedded = 0) {
  BranchModel branch;
  branch.write_basket = static_cast<int32_t>(begins.size()) - 1;
  branch.basket_entry = std::move(begins);
  branch.basket_entry_sorted = std::is_sorted(branch.basket_entry.begin(), branch.basket_entry.end());
  branch.embedded.resize(embedded);
  branch.entries = branch.basket_entry.back();
  return branch;
}

// What a scan from the first basket finds: the basket holding `entry`.
int64_t ScanFromZero(const BranchModel& branch, int64_t entry, int64_t tree_entries) {
  for (int64_t b = 0; b < BasketCount(branch); ++b) {
    EntryRange range = BasketEntries(branch, b, tree_entries);
    if (range.begin <= entry && entry < range.end) return b;
  }
  return -1;
}

TEST(BasketTest, SearchStartsAtTheBasketHoldingTheEntry) {
  // Empty baskets (equal begins) and an embedded basket after the last on-disk one.
  BranchModel branch = Branch({0, 100, 100, 250, 400}, /*embedded=*/1);
  branch.entries = 450;
  for (int64_t entry : {0, 1, 99, 100, 101, 249, 250, 399, 400, 449}) {
    const int64_t start = FirstBasketToScan(branch, entry);
    EXPECT_EQ(start, ScanFromZero(branch, entry, 450)) << "entry " << entry;
  }
}

TEST(BasketTest, SearchBeforeTheFirstBasketStartsAtZero) {
  BranchModel branch = Branch({10, 20, 30});
  EXPECT_EQ(FirstBasketToScan(branch, 0), 0);
  EXPECT_EQ(FirstBasketToScan(branch, 10), 0);
  EXPECT_EQ(FirstBasketToScan(branch, 25), 1);
}

TEST(BasketTest, UnsortedTableIsScannedFromTheStart) {
  // A damaged fBasketEntry: a search could skip the basket, a scan cannot.
  BranchModel branch = Branch({0, 300, 100, 400});
  ASSERT_FALSE(branch.basket_entry_sorted);
  EXPECT_EQ(FirstBasketToScan(branch, 350), 0);
}

}  // namespace
}  // namespace rootbatch
