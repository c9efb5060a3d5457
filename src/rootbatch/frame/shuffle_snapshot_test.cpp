// The shuffled Snapshot: every row exactly once, in a random order, with its
// values intact; the buckets' files gone afterwards; cancellation leaves
// nothing behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "rootbatch/frame/frame.hpp"
#include "rootbatch/frame/frame_test_fixtures.hpp"
#include "rootbatch/loader/testing/memory_source.hpp"

namespace rootbatch {
namespace {

namespace fs = std::filesystem;

Frame Rows(int64_t n) { return testing::MemoryFrame(n, 7000); }

fs::path FreshDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("rootbatch-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(ShuffleSnapshotTest, EveryRowOnceInARandomOrderWithItsValues) {
  const fs::path dir = FreshDir("shuffle");
  const int64_t n = 300000;
  auto df = Rows(n).Filter("event_id % 10 != 3");  // a frame's rows, not the file's entries
  ASSERT_TRUE(df.IsOk());
  SnapshotReport report;
  SnapshotOptions options;
  options.shuffle = true;
  options.seed = 11;
  options.memory_budget = 4 << 20;
  options.report = &report;
  const std::string out = (dir / "shuffled.root").string();
  const std::vector<std::string> columns{"event_id", "f0", "jet_pt"};
  Status s = df->Snapshot("events", out, columns, options);
  ASSERT_TRUE(s.IsOk()) << s.ToString();
  EXPECT_GT(report.buckets, 1);
  EXPECT_GT(report.temp_bytes, 0);
  EXPECT_EQ(report.rows, n - n / 10);
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().filename(), "shuffled.root") << "left behind: " << entry.path();
  }

  auto back = Frame::Open({out}, "events");
  ASSERT_TRUE(back.IsOk()) << back.status().ToString();
  auto cols = back->Take(columns);
  ASSERT_TRUE(cols.IsOk()) << cols.status().ToString();
  auto ids = (*cols)[0].As<int64_t>();
  auto f0 = (*cols)[1].As<float>();
  const Column& jets = (*cols)[2];
  ASSERT_EQ(static_cast<int64_t>(ids.size()), report.rows);
  std::set<int64_t> seen(ids.begin(), ids.end());
  EXPECT_EQ(static_cast<int64_t>(seen.size()), report.rows);
  int64_t ascending = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    ASSERT_NE(ids[i] % 10, 3);
    ASSERT_EQ(f0[i], testing::FeatureValue(ids[i], 0));
    ASSERT_EQ(jets.offsets[i + 1] - jets.offsets[i], ids[i] % 5);
    if (jets.offsets[i + 1] > jets.offsets[i]) {
      ASSERT_EQ(jets.As<float>()[static_cast<size_t>(jets.offsets[i])], static_cast<float>(ids[i]));
    }
    if (i && ids[i] > ids[i - 1]) ++ascending;
  }
  // A random order has about as many rises as falls; a blockwise one far more rises.
  EXPECT_NEAR(static_cast<double>(ascending) / static_cast<double>(ids.size()), 0.5, 0.01);
  // The first rows come from everywhere, not from one stretch of the input.
  int64_t lo = n, hi = 0;
  for (size_t i = 0; i < 1000; ++i) lo = std::min(lo, ids[i]), hi = std::max(hi, ids[i]);
  EXPECT_LT(lo, n / 20);
  EXPECT_GT(hi, n - n / 20);
  fs::remove_all(dir);
}

TEST(ShuffleSnapshotTest, TheSeedDecidesTheOrder) {
  const fs::path dir = FreshDir("seed");
  auto order = [&](uint64_t seed, const std::string& name) {
    SnapshotOptions options;
    options.shuffle = true;
    options.seed = seed;
    options.memory_budget = 4 << 20;
    const std::string out = (dir / name).string();
    EXPECT_TRUE(Rows(50000).Snapshot("events", out, std::vector<std::string>{"event_id"}, options).IsOk());
    auto back = Frame::Open({out}, "events");
    auto ids = back->Take(std::vector<std::string>{"event_id"});
    auto v = (*ids)[0].As<int64_t>();
    return std::vector<int64_t>(v.begin(), v.end());
  };
  EXPECT_EQ(order(1, "a.root"), order(1, "b.root"));
  EXPECT_NE(order(1, "a.root"), order(2, "c.root"));
  fs::remove_all(dir);
}

TEST(ShuffleSnapshotTest, CancellationAndErrorsLeaveNothingBehind) {
  const fs::path dir = FreshDir("cancel");
  std::atomic<bool> cancel{true};
  SnapshotOptions options;
  options.shuffle = true;
  options.memory_budget = 4 << 20;
  options.cancel = &cancel;
  const std::string out = (dir / "out.root").string();
  Status s = Rows(100000).Snapshot("events", out, std::vector<std::string>{"event_id", "f1"}, options);
  EXPECT_EQ(s.Code(), StatusCode::kCancelled) << s.ToString();
  EXPECT_TRUE(fs::is_empty(dir));
  options.cancel = nullptr;
  options.memory_budget = 1000;
  EXPECT_EQ(Rows(10).Snapshot("events", out, std::vector<std::string>{"event_id"}, options).Code(),
            StatusCode::kInvalidArgument);
  options.memory_budget = 4 << 20;
  options.temp_dir = (dir / "no" / "such" / "dir").string();
  s = Rows(400000).Snapshot("events", out, std::vector<std::string>{"event_id", "f0", "f1", "f2"}, options);
  EXPECT_EQ(s.Code(), StatusCode::kIOError) << s.ToString();
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rootbatch
