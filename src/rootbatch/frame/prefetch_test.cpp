// Prefetch hints cover the reads they announce. Over a source that fetches
// ahead (as a root:// file does) and records every read, each
// ReadColumn(range) after PrefetchRows(range, columns) must find all its bytes
// inside the stretches the prefetch holds, for TTrees and RNTuples (flat,
// jagged and counter-array columns, several baskets, clusters and pages),
// for a frame's rows (filters and defines) and for a subset's; otherwise a
// remote read would go one request per basket or page. And the bytes per
// entry the loader's budget counts are those stretches' bytes.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <numeric>
#include <unistd.h>

#include "rootbatch/frame/dataset.hpp"
#include "rootbatch/frame/frame.hpp"
#include "rootbatch/frame/open_source.hpp"
#include "rootbatch/frame/subset_source.hpp"
#include "rootbatch/io/byte_source.hpp"
#include "rootbatch/write/file_writer.hpp"
#include "rootbatch/write/sample_generator.hpp"

namespace rootbatch {
namespace {

// A local file that says it fetches ahead and records what it is asked.
class RecordingSource final : public ByteSource {
 public:
  explicit RecordingSource(std::unique_ptr<ByteSource> inner) : inner_(std::move(inner)) {}
  const std::string& Name() const override { return inner_->Name(); }
  int64_t Size() const override { return inner_->Size(); }
  Status ReadAt(int64_t offset, std::span<uint8_t> out) const override {
    {
      std::lock_guard lock(mutex_);
      reads_.push_back({offset, static_cast<int64_t>(out.size())});
    }
    return inner_->ReadAt(offset, out);
  }
  int64_t Prefetch(std::span<const ByteRange> ranges) const override {
    std::lock_guard lock(mutex_);
    fetches_[next_] = CoalesceRanges(ranges, Size());
    return next_++;
  }
  void DropPrefetched(int64_t ticket) const override {
    std::lock_guard lock(mutex_);
    fetches_.erase(ticket);
  }
  bool FetchesAhead() const override { return true; }

  void ClearReads() const {
    std::lock_guard lock(mutex_);
    reads_.clear();
  }
  // Reads since ClearReads that no held stretch contains, as "offset+length".
  std::vector<std::string> Uncovered() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const ByteRange& read : reads_) {
      bool covered = false;
      for (const auto& [ticket, stretches] : fetches_) {
        for (const ByteRange& s : stretches) {
          covered = covered || (read.offset >= s.offset && read.offset + read.length <= s.offset + s.length);
        }
      }
      if (!covered) out.push_back(std::to_string(read.offset) + "+" + std::to_string(read.length));
    }
    return out;
  }
  int64_t HeldBytes() const {
    std::lock_guard lock(mutex_);
    int64_t bytes = 0;
    for (const auto& [ticket, stretches] : fetches_) {
      for (const ByteRange& s : stretches) bytes += s.length;
    }
    return bytes;
  }
  size_t Reads() const {
    std::lock_guard lock(mutex_);
    return reads_.size();
  }

 private:
  std::unique_ptr<ByteSource> inner_;
  mutable std::mutex mutex_;
  mutable std::vector<ByteRange> reads_;
  mutable std::map<int64_t, std::vector<ByteRange>> fetches_;
  mutable int64_t next_ = 0;
};

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/prefetch_" + std::to_string(getpid()) + "_" + name;
}

// 3000 events of the sample (flat features, counter arrays and vectors),
// small baskets and pages, clusters of 700.
std::string WriteFile(bool rntuple) {
  const std::string path = TempPath(rntuple ? "ntuple.root" : "tree.root");
  auto file = FileWriter::Create(path, {Codec::kZstd, 1});
  EXPECT_TRUE(file.IsOk());
  write::SampleOptions sample;
  sample.events = 3000;
  sample.features = 6;
  sample.batch_events = 500;
  Status status;
  if (rntuple) {
    RNTupleWriterOptions options;
    options.cluster_size = 700;
    options.page_size = 2 << 10;
    auto ntuple = (*file)->MakeRNTuple("events", "", options);
    status = ntuple.IsOk() ? write::WriteSample(**ntuple, sample) : ntuple.status();
  } else {
    TreeWriterOptions options;
    options.cluster_size = 700;
    options.basket_size = 2000;
    auto tree = (*file)->MakeTree("events", "", "", options);
    status = tree.IsOk() ? write::WriteSample(**tree, sample) : tree.status();
  }
  EXPECT_TRUE(status.IsOk()) << status.ToString();
  EXPECT_TRUE((*file)->Close().IsOk());
  return path;
}

struct Recorded {
  std::shared_ptr<const Dataset> dataset;
  std::vector<const RecordingSource*> sources;  // per file
};

Recorded OpenRecorded(const std::vector<std::string>& paths) {
  Recorded out;
  auto opener = [&out](const std::string& path, const std::string& tree) -> Result<std::unique_ptr<ColumnSource>> {
    RB_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> local, OpenLocalFile(path));
    auto recording = std::make_unique<RecordingSource>(std::move(local));
    out.sources.push_back(recording.get());
    RB_ASSIGN_OR_RETURN(std::shared_ptr<RootFile> file, RootFile::Open(std::move(recording)));
    return OpenColumnSource(file, tree);
  };
  auto dataset = Dataset::Open(paths, "events", opener);
  EXPECT_TRUE(dataset.IsOk()) << dataset.status().ToString();
  out.dataset = *dataset;
  return out;
}

std::vector<size_t> AllColumns(const ColumnSource& source) {
  std::vector<size_t> columns(source.Columns().size());
  std::iota(columns.begin(), columns.end(), 0);
  return columns;
}

// Reads `source` in ranges of `step` rows (not aligned to anything) after a
// prefetch of each, and expects every read inside the prefetched stretches.
void ExpectCovered(const ColumnSource& source, const RecordingSource& bytes, int64_t step,
                   const std::string& what) {
  const std::vector<size_t> columns = AllColumns(source);
  size_t reads = 0;
  for (int64_t begin = 0; begin < source.NumEntries(); begin += step) {
    const EntryRange range{begin, std::min(begin + step, source.NumEntries())};
    const int64_t ticket = source.PrefetchRows(range, columns);
    ASSERT_GE(ticket, 0) << what;
    bytes.ClearReads();
    for (size_t column : columns) {
      auto read = source.ReadColumn(column, range);
      ASSERT_TRUE(read.IsOk()) << what << ": " << read.status().ToString();
    }
    reads += bytes.Reads();
    const std::vector<std::string> uncovered = bytes.Uncovered();
    EXPECT_TRUE(uncovered.empty()) << what << ", rows [" << range.begin << ", " << range.end << "): "
                                   << uncovered.size() << " reads outside the prefetch, first "
                                   << uncovered.front();
    source.EndRows(ticket);
    EXPECT_EQ(bytes.HeldBytes(), 0) << what;
  }
  EXPECT_GT(reads, 0u) << what;
}

class PrefetchTest : public ::testing::TestWithParam<bool> {
 protected:
  static void TearDownTestSuite() {
    std::remove(TempPath("tree.root").c_str());
    std::remove(TempPath("ntuple.root").c_str());
  }
};

TEST_P(PrefetchTest, EveryReadOfAColumnSourceLiesInItsPrefetch) {
  const Recorded recorded = OpenRecorded({WriteFile(GetParam())});
  const ColumnSource& source = recorded.dataset->File(0);
  ASSERT_GT(source.Columns().size(), 8u);
  for (int64_t step : {3000, 1000, 333, 41}) {
    ExpectCovered(source, *recorded.sources[0], step, source.Description() + " step " + std::to_string(step));
  }
}

TEST_P(PrefetchTest, BytesPerEntryAreThoseOfTheStretches) {
  const Recorded recorded = OpenRecorded({WriteFile(GetParam())});
  const ColumnSource& source = recorded.dataset->File(0);
  const std::vector<size_t> columns = AllColumns(source);
  const int64_t ticket = source.PrefetchRows({0, source.NumEntries()}, columns);
  const double held = static_cast<double>(recorded.sources[0]->HeldBytes());
  source.EndRows(ticket);
  EXPECT_GT(held, 0);
  EXPECT_DOUBLE_EQ(source.PrefetchBytesPerEntry(columns) * static_cast<double>(source.NumEntries()), held);
  // One column fetches less than all of them.
  EXPECT_LT(source.PrefetchBytesPerEntry(std::vector<size_t>{0}), source.PrefetchBytesPerEntry(columns));
}

TEST_P(PrefetchTest, AFramesRowsPrefetchWhatTheirColumnsAndDefinesRead) {
  const Recorded recorded = OpenRecorded({WriteFile(GetParam())});
  Frame df = Frame::FromDataset(recorded.dataset);
  auto filtered = df.Filter("event_id % 3 != 1 && event_id < 2500 && nJet >= 0");
  ASSERT_TRUE(filtered.IsOk()) << filtered.status().ToString();
  auto defined = filtered->Define("lead_jet_pt", "Jet_pt.size() > 0 ? Jet_pt[0] + Sum(Muon_pt) : -1.f");
  ASSERT_TRUE(defined.IsOk()) << defined.status().ToString();
  auto rows = defined->Materialize(1);
  ASSERT_TRUE(rows.IsOk()) << rows.status().ToString();
  const ColumnSource& source = (*rows)->File(0);
  ASSERT_LT(source.NumEntries(), 2500);
  for (int64_t step : {700, 97}) ExpectCovered(source, *recorded.sources[0], step, "frame rows, step " + std::to_string(step));
}

TEST_P(PrefetchTest, ASubsetsRowsPrefetchTheEntriesTheySpan) {
  const Recorded recorded = OpenRecorded({WriteFile(GetParam())});
  std::vector<int64_t> kept;
  for (int64_t e = 5; e < 3000; e += (e % 7) + 1) kept.push_back(e);
  frame::SubsetSource subset(recorded.dataset, 0, kept);
  ExpectCovered(subset, *recorded.sources[0], 211, "subset rows");
}

INSTANTIATE_TEST_SUITE_P(Formats, PrefetchTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "RNTuple" : "TTree"; });

TEST(PrefetchLocalTest, LocalFilesFetchNothingAndCountNothing) {
  const std::string path = WriteFile(false);
  auto source = OpenColumnSource(path, "events");
  ASSERT_TRUE(source.IsOk());
  const std::vector<size_t> columns = AllColumns(**source);
  EXPECT_EQ((*source)->PrefetchRows({0, 100}, columns), -1);
  EXPECT_EQ((*source)->PrefetchBytesPerEntry(columns), 0);
}

}  // namespace
}  // namespace rootbatch
