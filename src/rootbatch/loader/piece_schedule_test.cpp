#include "rootbatch/loader/piece_schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace rootbatch::loader {
namespace {

std::vector<int64_t> Starts(const std::vector<int64_t>& sizes) {
  std::vector<int64_t> starts = {0};
  for (int64_t size : sizes) starts.push_back(starts.back() + size);
  return starts;
}

struct Replayed {
  std::vector<std::vector<int64_t>> batches;  // stream positions, batch row order
  int64_t min_free_pages = 0;
  int64_t end_free_pages = 0;
  int64_t total_pages = 0;
  std::vector<double> units_per_batch;  // distinct units each batch takes from
};

// Runs the schedule on positions, checking every step's contract and that
// the page count never goes negative.
Replayed RunSchedule(const std::vector<int64_t>& sizes, int64_t buffer_rows, int64_t page_rows, int64_t batch,
             int64_t num_batches, uint64_t seed) {
  const std::vector<int64_t> starts = Starts(sizes);
  PieceSchedule schedule(starts, buffer_rows, page_rows, batch, num_batches, seed);
  Replayed out;
  out.total_pages = schedule.TotalPages();
  out.min_free_pages = schedule.FreePages();
  std::map<int64_t, std::pair<int64_t, std::vector<int32_t>>> resident;
  std::map<int64_t, int64_t> cursor;
  PieceSchedule::Step step;
  while (schedule.Next(&step)) {
    EXPECT_TRUE(schedule.Failure().IsOk());
    EXPECT_TRUE(PieceSchedule::CheckStep(step).IsOk()) << PieceSchedule::CheckStep(step).ToString();
    for (const auto& unit : step.entered) {
      PieceSchedule::UnitOrder(unit, &resident[unit.id].second);
      resident[unit.id].first = unit.begin;
      cursor[unit.id] = 0;
      // A unit lies inside one segment.
      const auto segment = std::upper_bound(starts.begin(), starts.end(), unit.begin) - starts.begin() - 1;
      EXPECT_LE(unit.begin + unit.rows, starts[static_cast<size_t>(segment) + 1]);
    }
    std::vector<int64_t> positions(step.rows.size(), -1);
    size_t at = 0;
    for (const auto& run : step.runs) {
      EXPECT_EQ(run.first, cursor[run.unit]) << "a run must start where its unit's last one ended";
      cursor[run.unit] += run.count;
      const auto& [begin, order] = resident.at(run.unit);
      EXPECT_LE(run.first + run.count, static_cast<int64_t>(order.size()));
      for (int64_t k = 0; k < run.count; ++k) {
        positions[static_cast<size_t>(step.rows[at++])] = begin + order[static_cast<size_t>(run.first + k)];
      }
    }
    for (int64_t id : step.drained) {
      EXPECT_EQ(cursor[id], static_cast<int64_t>(resident.at(id).second.size()));
      resident.erase(id);
    }
    out.units_per_batch.push_back(static_cast<double>(step.runs.size()));
    out.min_free_pages = std::min(out.min_free_pages, schedule.FreePages());
    out.batches.push_back(std::move(positions));
  }
  out.end_free_pages = schedule.FreePages();
  EXPECT_TRUE(schedule.Failure().IsOk()) << schedule.Failure().ToString();
  return out;
}

struct Shape {
  std::vector<int64_t> sizes;
  int64_t buffer_rows, page_rows, batch;
};

TEST(PieceScheduleTest, EveryPositionOnceInBatchesOfTheBatchSize) {
  const Shape shapes[] = {
      {{1000, 1000, 1000, 1000}, 800, 1, 64},           // the buffer holds less than a segment
      {{5000, 17, 3000, 1, 999}, 2000, 2, 100},         // tiny segments among big ones
      {{100, 100, 100}, 10000, 32, 64},                 // the buffer holds everything
      {{4096}, 64, 1, 16},                              // segments cut into units
      {{333, 777, 1234, 5, 5000, 12}, 900, 1, 33},      // pages of one row
      {{20000, 20000}, 3000, 3, 1024},                  // batches of a third of the buffer
      {std::vector<int64_t>(300, 500), 40000, 32, 512}, // the loader's pages: 4 KiB of 128-byte rows
  };
  for (const Shape& shape : shapes) {
    int64_t rows = 0;
    for (int64_t size : shape.sizes) rows += size;
    const int64_t num_batches = (rows + shape.batch - 1) / shape.batch;
    const Replayed out = RunSchedule(shape.sizes, shape.buffer_rows, shape.page_rows, shape.batch, num_batches, 5);
    ASSERT_EQ(static_cast<int64_t>(out.batches.size()), num_batches) << rows << " rows";
    std::vector<int64_t> all;
    for (size_t b = 0; b < out.batches.size(); ++b) {
      const int64_t expected = b + 1 < out.batches.size() ? shape.batch : rows - shape.batch * (num_batches - 1);
      EXPECT_EQ(static_cast<int64_t>(out.batches[b].size()), expected) << "batch " << b;
      all.insert(all.end(), out.batches[b].begin(), out.batches[b].end());
    }
    std::sort(all.begin(), all.end());
    ASSERT_EQ(static_cast<int64_t>(all.size()), rows);
    for (int64_t p = 0; p < rows; ++p) ASSERT_EQ(all[static_cast<size_t>(p)], p);
    EXPECT_GE(out.min_free_pages, 0);
    EXPECT_EQ(out.end_free_pages, out.total_pages) << "every page is free at the end";
  }
}

TEST(PieceScheduleTest, StopsAfterNumBatches) {
  const Replayed out = RunSchedule({1000, 1000}, 500, 1, 64, 10, 1);  // drop_remainder-like: fewer steps
  EXPECT_EQ(out.batches.size(), 10u);
  for (const auto& batch : out.batches) EXPECT_EQ(batch.size(), 64u);
}

TEST(PieceScheduleTest, TheSeedDecidesTheBatches) {
  const std::vector<int64_t> sizes = {3000, 2000, 4000};
  const Replayed a = RunSchedule(sizes, 1500, 16, 50, 180, 77);
  const Replayed b = RunSchedule(sizes, 1500, 16, 50, 180, 77);
  const Replayed c = RunSchedule(sizes, 1500, 16, 50, 180, 78);
  EXPECT_EQ(a.batches, b.batches);
  EXPECT_NE(a.batches, c.batches);
}

// Each batch is a stratified sample of the buffer: with 100 units of 100
// rows in a buffer of 10 000, a batch of 1000 takes rows of most units, and
// rows of one unit never arrive in their stream order.
TEST(PieceScheduleTest, BatchesTakeTheirShareOfEveryUnitInTheBuffer) {
  const std::vector<int64_t> sizes(400, 100);
  const Replayed out = RunSchedule(sizes, 10000, 10, 1000, 40, 3);
  double mean_units = 0;
  for (size_t b = 5; b < out.units_per_batch.size() - 10; ++b) mean_units += out.units_per_batch[b];
  mean_units /= static_cast<double>(out.units_per_batch.size() - 15);
  // 10 000 rows of a life of 2 x 10 000 / 1000 = 20 batches: about 200 units
  // hold rows at once, each giving about 5 rows per batch.
  EXPECT_GT(mean_units, 100.0);
  // Inside a batch, rows are in a random order (not grouped by unit or position).
  const auto& batch = out.batches[10];
  int64_t ascending = 0;
  for (size_t i = 1; i < batch.size(); ++i) ascending += batch[i] > batch[i - 1] ? 1 : 0;
  EXPECT_GT(ascending, 400);
  EXPECT_LT(ascending, 600);
}

// A unit's rows leave at an even pace over its life: no unit lingers far
// past it (which would hold pages while its rows trickle out).
TEST(PieceScheduleTest, UnitsAreDrainedWithinAboutOneLife) {
  const std::vector<int64_t> sizes(300, 200);
  const int64_t buffer = 6000, batch = 200;
  PieceSchedule schedule(Starts(sizes), buffer, 20, batch, 300, 9);
  std::map<int64_t, int64_t> entered;
  int64_t longest = 0;
  PieceSchedule::Step step;
  for (int64_t b = 0; schedule.Next(&step); ++b) {
    for (const auto& unit : step.entered) entered[unit.id] = b;
    for (int64_t id : step.drained) longest = std::max(longest, b - entered[id]);
    if (!step.entered.empty() || b < 100) continue;
  }
  const int64_t life = 2 * buffer / batch;
  EXPECT_LE(longest, life + life / 2);
}

// Pieces of one row with pages of 16: the 31 pages hold 31 rows, fewer than
// a batch. That is a clear error, never a short batch in mid-epoch.
TEST(PieceScheduleTest, PiecesSmallerThanAPageFailClearly) {
  PieceSchedule schedule(Starts(std::vector<int64_t>(2000, 1)), 500, 16, 64, 32, 1);
  PieceSchedule::Step step;
  int64_t steps = 0;
  while (schedule.Next(&step)) {
    EXPECT_EQ(step.rows.size(), 64u);
    ++steps;
  }
  EXPECT_LT(steps, 32);
  EXPECT_EQ(schedule.Failure().Code(), StatusCode::kInvalidArgument);
  EXPECT_NE(schedule.Failure().Message().find("larger memory budget"), std::string::npos);
}

TEST(PieceScheduleTest, BrokenStepsAreCaught) {
  PieceSchedule::Step step;
  step.runs = {{0, 0, 2}, {1, 0, 1}};
  step.rows = {2, 0, 1};
  EXPECT_TRUE(PieceSchedule::CheckStep(step).IsOk());
  step.rows = {2, 0, 0};
  EXPECT_FALSE(PieceSchedule::CheckStep(step).IsOk());
  step.rows = {2, 0, 1};
  step.runs = {{0, 0, 2}, {0, 2, 1}};
  EXPECT_FALSE(PieceSchedule::CheckStep(step).IsOk());  // one unit, two runs
  step.runs = {{0, 0, 3}};
  step.drained = {4};
  EXPECT_FALSE(PieceSchedule::CheckStep(step).IsOk());  // drained without a run
}

}  // namespace
}  // namespace rootbatch::loader
