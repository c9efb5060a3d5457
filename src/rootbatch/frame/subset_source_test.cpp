// SubsetSource: some entries of a file as a source. Every column it reads
// equals the file's values at the kept entries, dense or sparse (sparse rows
// are read in several pieces), and the file's boundaries map onto its rows.
#include "rootbatch/frame/subset_source.hpp"

#include <gtest/gtest.h>

#include "rootbatch/column/gather.hpp"
#include "rootbatch/loader/testing/loader_fixtures.hpp"

namespace rootbatch::frame {
namespace {

TEST(SubsetSourceTest, ReadsTheKeptEntriesOfEveryColumn) {
  testing::MemorySourceOptions options;
  options.cluster_size = 5000;
  options.basket_size = 1000;
  auto dataset = testing::MakeDataset({200000}, options);
  const ColumnSource& file = dataset->File(0);
  // Dense at the start, then one entry in 997 (sparse: read in pieces).
  std::vector<int64_t> kept;
  for (int64_t e = 0; e < 3000; ++e) kept.push_back(e);
  for (int64_t e = 3000; e < 200000; e += 997) kept.push_back(e);
  SubsetSource subset(dataset, 0, kept);
  ASSERT_EQ(subset.NumEntries(), static_cast<int64_t>(kept.size()));
  for (const char* name : {"event_id", "f0", "jet_pt", "tracks"}) {
    SCOPED_TRACE(name);
    auto column = file.FindColumn(name);
    ASSERT_TRUE(column.IsOk());
    const ColumnSpec& spec = file.Columns()[*column];
    for (EntryRange rows : {EntryRange{0, subset.NumEntries()}, EntryRange{2990, 3010}, EntryRange{3001, 3100}}) {
      auto got = subset.ReadColumn(*column, rows);
      ASSERT_TRUE(got.IsOk()) << got.status().ToString();
      auto all = file.ReadColumn(*column, {0, file.NumEntries()});
      ASSERT_TRUE(all.IsOk());
      const std::vector<int64_t> picks(kept.begin() + rows.begin, kept.begin() + rows.end);
      const Column want = GatherEntries(*all, spec, picks);
      EXPECT_EQ(got->num_entries, rows.Size());
      EXPECT_EQ(got->values, want.values);
      EXPECT_EQ(got->offsets, want.offsets);
      EXPECT_EQ(got->inner_offsets, want.inner_offsets);
    }
  }
  // Boundaries: the file's, at the first kept row at or after each.
  const std::vector<int64_t> clusters = subset.ClusterBoundaries();
  EXPECT_EQ(clusters.front(), 0);
  EXPECT_EQ(clusters.back(), subset.NumEntries());
  EXPECT_EQ(clusters[1], 3000 + (5000 - 3000 + 996) / 997);  // the first row of the cluster at entry 5000
  EXPECT_FALSE(subset.ReadColumn(0, {0, subset.NumEntries() + 1}).IsOk());
  // Nothing kept: no rows, boundaries {0}.
  SubsetSource empty(dataset, 0, {});
  EXPECT_EQ(empty.NumEntries(), 0);
  EXPECT_EQ(empty.ClusterBoundaries(), std::vector<int64_t>{0});
}

}  // namespace
}  // namespace rootbatch::frame
