#include "rootbatch/loader/slot_schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace rootbatch::loader {
namespace {

// Runs a schedule, simulating the buffer, and returns the positions yielded.
std::vector<int64_t> Simulate(ShuffleStrategy strategy, int64_t slots, int64_t batch, int64_t rows, int64_t batches,
                              uint64_t seed, std::vector<int64_t>* sizes = nullptr) {
  SlotSchedule schedule(strategy, slots, batch, rows, batches, seed, /*track_positions=*/true);
  std::vector<int64_t> buffer(static_cast<size_t>(std::min(slots, rows)), -1);
  for (int64_t p = 0; p < schedule.InitialFill(); ++p) buffer[static_cast<size_t>(p)] = p;
  std::vector<int64_t> out;
  SlotSchedule::Step step;
  while (schedule.Next(&step)) {
    if (sizes) sizes->push_back(static_cast<int64_t>(step.take.size()));
    for (size_t i = 0; i < step.take.size(); ++i) {
      int64_t& slot = buffer[static_cast<size_t>(step.take[i])];
      EXPECT_GE(slot, 0) << "took an empty slot";
      EXPECT_EQ(slot, step.positions[i]);
      out.push_back(slot);
      slot = static_cast<int64_t>(i) < step.fill_count ? step.fill_begin + static_cast<int64_t>(i) : -1;
    }
  }
  return out;
}

TEST(SlotScheduleTest, EveryRowOnceForEveryStrategy) {
  for (ShuffleStrategy strategy : {ShuffleStrategy::kStream, ShuffleStrategy::kClusterChunks, ShuffleStrategy::kNone}) {
    for (int64_t slots : {16, 100, 1000, 5000}) {
      const int64_t rows = 2345, batch = 16;
      std::vector<int64_t> sizes;
      auto out = Simulate(strategy, slots, batch, rows, (rows + batch - 1) / batch, 5, &sizes);
      ASSERT_EQ(static_cast<int64_t>(out.size()), rows);
      for (size_t b = 0; b + 1 < sizes.size(); ++b) ASSERT_EQ(sizes[b], batch);
      EXPECT_EQ(sizes.back(), rows % batch);
      std::sort(out.begin(), out.end());
      for (int64_t p = 0; p < rows; ++p) ASSERT_EQ(out[static_cast<size_t>(p)], p);
    }
  }
}

TEST(SlotScheduleTest, NoneKeepsTheStreamOrder) {
  auto out = Simulate(ShuffleStrategy::kNone, 48, 16, 1000, 63, 1);
  std::vector<int64_t> expected(1000);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(out, expected);
}

TEST(SlotScheduleTest, ChunksShuffleWithinOneBufferGeneration) {
  const int64_t slots = 100;
  auto out = Simulate(ShuffleStrategy::kClusterChunks, slots, 10, 1000, 100, 3);
  for (int64_t g = 0; g < 10; ++g) {
    std::vector<int64_t> generation(out.begin() + g * slots, out.begin() + (g + 1) * slots);
    EXPECT_NE(generation.front(), g * slots);  // shuffled (chance 1/100 per generation is fine: checked below)
    std::sort(generation.begin(), generation.end());
    for (int64_t i = 0; i < slots; ++i) ASSERT_EQ(generation[static_cast<size_t>(i)], g * slots + i);
  }
}

TEST(SlotScheduleTest, StreamMixesAcrossTheBuffer) {
  const int64_t slots = 1000, batch = 50;
  auto out = Simulate(ShuffleStrategy::kStream, slots, batch, 20000, 400, 9);
  // Rows leave the buffer at random: after 60 batches about 0.95^60 = 4.6%
  // of the first buffer's rows are still there.
  int64_t late_early_rows = 0;
  for (size_t i = 3000; i < out.size(); ++i) late_early_rows += out[i] < 1000;
  EXPECT_GT(late_early_rows, 20);
  EXPECT_LT(late_early_rows, 80);
  // The first batch draws from all over the initial buffer.
  std::vector<int64_t> first(out.begin(), out.begin() + batch);
  EXPECT_GT(*std::max_element(first.begin(), first.end()) - *std::min_element(first.begin(), first.end()), 800);
}

TEST(SlotScheduleTest, StopsAfterTheRequestedBatches) {
  auto out = Simulate(ShuffleStrategy::kStream, 64, 16, 1000, 1000 / 16, 2);  // drop remainder
  EXPECT_EQ(out.size(), 1000u / 16 * 16);
  std::sort(out.begin(), out.end());
  EXPECT_EQ(std::adjacent_find(out.begin(), out.end()), out.end());
}

TEST(SlotScheduleTest, TrackingDoesNotChangeTheSchedule) {
  for (ShuffleStrategy strategy : {ShuffleStrategy::kStream, ShuffleStrategy::kClusterChunks}) {
    SlotSchedule tracked(strategy, 300, 32, 5000, 157, 4, true);
    SlotSchedule plain(strategy, 300, 32, 5000, 157, 4, false);
    SlotSchedule::Step a, b;
    int steps = 0;
    while (tracked.Next(&a)) {
      ASSERT_TRUE(plain.Next(&b));
      ASSERT_EQ(a.take, b.take);
      ASSERT_EQ(a.fill_begin, b.fill_begin);
      ASSERT_EQ(a.fill_count, b.fill_count);
      EXPECT_TRUE(b.positions.empty());
      if (++steps == 50) tracked.StopTracking();  // and stopping midway changes nothing either
    }
    EXPECT_FALSE(plain.Next(&b));
    EXPECT_EQ(steps, 157);
  }
}

TEST(SlotScheduleTest, SameSeedSameScheduleOtherSeedOther) {
  auto a = Simulate(ShuffleStrategy::kStream, 200, 20, 3000, 150, 77);
  auto b = Simulate(ShuffleStrategy::kStream, 200, 20, 3000, 150, 77);
  auto c = Simulate(ShuffleStrategy::kStream, 200, 20, 3000, 150, 78);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

}  // namespace
}  // namespace rootbatch::loader

namespace rootbatch::loader {
namespace {

// Every step of every strategy keeps the contract the assembler relies on,
// including buffers that are not a multiple of the batch (generations turn
// over inside a step), the end of the stream (slots empty) and tracked
// positions. (The loader never makes a buffer smaller than a batch.)
TEST(SlotScheduleContract, EveryStepKeepsTheAssemblersContract) {
  struct Case {
    ShuffleStrategy strategy;
    int64_t slots, batch, rows;
  };
  const Case cases[] = {{ShuffleStrategy::kStream, 1000, 64, 10000},       {ShuffleStrategy::kStream, 100, 64, 1000},
                        {ShuffleStrategy::kStream, 64, 64, 777},           {ShuffleStrategy::kClusterChunks, 1000, 64, 9999},
                        {ShuffleStrategy::kClusterChunks, 100, 64, 1000},  {ShuffleStrategy::kClusterChunks, 70, 64, 500},
                        {ShuffleStrategy::kNone, 64, 64, 1000},            {ShuffleStrategy::kNone, 100, 64, 333}};
  for (const Case& c : cases) {
    for (bool track : {false, true}) {
      const int64_t batches = (c.rows + c.batch - 1) / c.batch;
      SlotSchedule schedule(c.strategy, c.slots, c.batch, c.rows, batches, 7, track);
      SlotSchedule::Step step;
      int64_t steps = 0, taken = 0;
      bool chunked_wrap = false;
      while (schedule.Next(&step)) {
        const Status checked = SlotSchedule::CheckStep(step, schedule.NumSlots());
        ASSERT_TRUE(checked.IsOk()) << checked.ToString() << " (strategy " << static_cast<int>(c.strategy)
                                    << ", step " << steps << ")";
        chunked_wrap |= !step.generation_starts.empty();
        taken += static_cast<int64_t>(step.take.size());
        ++steps;
      }
      EXPECT_EQ(steps, batches);
      EXPECT_EQ(taken, c.rows);  // every row out once
      // A buffer that is not a multiple of the batch turns its generations over inside steps.
      if (c.strategy != ShuffleStrategy::kStream && c.slots % c.batch != 0) EXPECT_TRUE(chunked_wrap);
    }
  }
}

TEST(SlotScheduleContract, ABrokenStepIsNamed) {
  SlotSchedule::Step step;
  step.take = {3, 5, 3};
  EXPECT_NE(SlotSchedule::CheckStep(step, 10).Message().find("taken twice in one run"), std::string::npos);
  step.generation_starts = {2};  // the second 3 is in a later run: allowed
  EXPECT_TRUE(SlotSchedule::CheckStep(step, 10).IsOk());
  step.generation_starts = {3};
  EXPECT_FALSE(SlotSchedule::CheckStep(step, 10).IsOk());
  step.generation_starts = {};
  step.take = {11};
  EXPECT_NE(SlotSchedule::CheckStep(step, 10).Message().find("outside the buffer"), std::string::npos);
  step.take = {1};
  step.fill_count = 2;
  EXPECT_FALSE(SlotSchedule::CheckStep(step, 10).IsOk());
}

}  // namespace
}  // namespace rootbatch::loader
