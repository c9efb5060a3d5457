#include "rootbatch/frame/row_selection.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace rootbatch::frame {
namespace {

TEST(RowSelectionTest, RankSelectAndEntriesAgreeWithAList) {
  std::mt19937_64 rng(7);
  for (int64_t n : {1, 63, 64, 65, 1000, 4099}) {
    for (double keep : {0.0, 0.03, 0.5, 1.0}) {
      RowSelection sel(n);
      std::vector<int64_t> list;
      std::bernoulli_distribution pick(keep);
      for (int64_t e = 0; e < n; ++e) {
        if (pick(rng)) {
          sel.Set(e);
          list.push_back(e);
        }
      }
      sel.Seal();
      ASSERT_EQ(sel.NumRows(), static_cast<int64_t>(list.size()));
      for (size_t r = 0; r < list.size(); ++r) ASSERT_EQ(sel.Select(static_cast<int64_t>(r)), list[r]);
      for (int64_t e = 0; e <= n; ++e) {
        const int64_t want = std::lower_bound(list.begin(), list.end(), e) - list.begin();
        ASSERT_EQ(sel.Rank(e), want) << "n=" << n << " e=" << e;
      }
      if (list.size() >= 3) {
        std::vector<int64_t> got;
        sel.Entries(1, static_cast<int64_t>(list.size()) - 1, got);
        EXPECT_EQ(got, std::vector<int64_t>(list.begin() + 1, list.end() - 1));
      }
    }
  }
}

TEST(RowSelectionTest, MemoryIsTwoBitsPerEntry) {
  RowSelection sel(1 << 20);
  sel.Seal();
  EXPECT_LE(sel.ResidentBytes(), (1 << 20) / 4 + 64);
}

}  // namespace
}  // namespace rootbatch::frame
