// The frame graph over in-memory sources: passing rows, defines on the
// rows left by the filters above them, Range, Report, the loader's view.
#include "rootbatch/frame/frame.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "rootbatch/loader/testing/memory_source.hpp"

namespace rootbatch {
namespace {

using testing::MakeMemorySource;
using testing::MemorySourceOptions;

// Two files: ids 0..999 and 1000..1699 (event_id = global entry number).
Frame TwoFiles() {
  std::vector<std::unique_ptr<ColumnSource>> sources;
  MemorySourceOptions a;
  a.name = "a";
  a.num_entries = 1000;
  a.cluster_size = 300;
  sources.push_back(MakeMemorySource(a));
  MemorySourceOptions b = a;
  b.name = "b";
  b.num_entries = 700;
  b.first_event_id = 1000;
  sources.push_back(MakeMemorySource(b));
  return Frame::FromDataset(*Dataset::FromSources(std::move(sources)));
}

template <typename T>
std::vector<T> Values(const Column& c) {
  auto s = c.As<T>();
  return {s.begin(), s.end()};
}

std::vector<int64_t> Expected(int64_t n, auto keep) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < n; ++i) {
    if (keep(i)) out.push_back(i);
  }
  return out;
}

TEST(FrameTest, FilterKeepsPassingEntriesAcrossFilesAndThreads) {
  Frame df = TwoFiles();
  auto sel = df.Filter("event_id % 3 == 0 && label == 1", "odd thirds");
  ASSERT_TRUE(sel.IsOk()) << sel.status().ToString();
  const auto want = Expected(1700, [](int64_t i) { return i % 3 == 0 && i % 2 == 1; });
  for (int threads : {1, 3}) {
    auto got = sel->EntryNumbers(threads);
    ASSERT_TRUE(got.IsOk());
    EXPECT_EQ(*got, want);
  }
  EXPECT_EQ(*sel->Count(), static_cast<int64_t>(want.size()));
  auto ids = sel->Take(std::vector<std::string>{"event_id"});
  ASSERT_TRUE(ids.IsOk());
  EXPECT_EQ(Values<int64_t>((*ids)[0]), want);
}

TEST(FrameTest, DefinesSeeOnlyRowsPassingTheFiltersAboveThem) {
  Frame df = TwoFiles();
  // jet_pt has event_id % 5 items: indexing [1] is out of range unless the filter ran first.
  auto sel = df.Filter("jet_pt.size() >= 2", "two jets");
  ASSERT_TRUE(sel.IsOk());
  auto def = sel->Define("second", "jet_pt[1] - event_id");
  ASSERT_TRUE(def.IsOk()) << def.status().ToString();
  auto vals = def->Take(std::vector<std::string>{"second", "event_id"});
  ASSERT_TRUE(vals.IsOk()) << vals.status().ToString();
  EXPECT_EQ(*def->ColumnType("second"), "float");  // float - long is float in C++
  for (float v : Values<float>((*vals)[0])) EXPECT_EQ(v, 0.25f);
  EXPECT_EQ(Values<int64_t>((*vals)[1]), Expected(1700, [](int64_t i) { return i % 5 >= 2; }));

  // Without the filter the same define fails, naming the entry.
  auto unguarded = df.Define("second", "jet_pt[1]");
  ASSERT_TRUE(unguarded.IsOk());
  auto fails = unguarded->Take(std::vector<std::string>{"second"});
  ASSERT_FALSE(fails.IsOk());
  EXPECT_NE(fails.status().ToString().find("entry 0"), std::string::npos) << fails.status().ToString();
}

TEST(FrameTest, RdfentryIsTheGlobalEntryOfEachRow) {
  auto df = TwoFiles().Filter("label == 0");
  ASSERT_TRUE(df.IsOk());
  auto e = df->Define("e", "rdfentry_");
  ASSERT_TRUE(e.IsOk());
  auto vals = e->Take(std::vector<std::string>{"e", "event_id"});
  ASSERT_TRUE(vals.IsOk());
  const auto ids = Values<int64_t>((*vals)[1]);
  const auto entries = Values<uint64_t>((*vals)[0]);
  ASSERT_EQ(ids.size(), 850u);
  for (size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(static_cast<int64_t>(entries[i]), ids[i]);
}

TEST(FrameTest, RangeCountsRowsPassingTheFiltersAboveIt) {
  auto df = TwoFiles().Filter("label == 1");
  ASSERT_TRUE(df.IsOk());
  auto r = df->Range(10, 900, 7);
  ASSERT_TRUE(r.IsOk());
  std::vector<int64_t> want;
  for (int64_t k = 10; k < 850; k += 7) want.push_back(2 * k + 1);  // row k of the odd entries
  EXPECT_EQ(*r->EntryNumbers(4), want);
  auto to_end = TwoFiles().Range(1690, 0);
  ASSERT_TRUE(to_end.IsOk());
  EXPECT_EQ(*to_end->Count(), 10);
  EXPECT_FALSE(TwoFiles().Range(5, 3).IsOk());
}

TEST(FrameTest, ReportCountsEachNamedFilter) {
  auto a = TwoFiles().Filter("label == 1", "odd");
  ASSERT_TRUE(a.IsOk());
  auto b = a->Filter("event_id < 100");  // unnamed: not reported
  ASSERT_TRUE(b.IsOk());
  auto c = b->Filter("event_id % 5 == 0", "fifths");
  ASSERT_TRUE(c.IsOk());
  auto report = c->Report(2);
  ASSERT_TRUE(report.IsOk());
  ASSERT_EQ(report->size(), 2u);
  EXPECT_EQ((*report)[0].name, "odd");
  EXPECT_EQ((*report)[0].all, 1700);
  EXPECT_EQ((*report)[0].pass, 850);
  EXPECT_EQ((*report)[1].name, "fifths");
  EXPECT_EQ((*report)[1].all, 50);
  EXPECT_EQ((*report)[1].pass, 10);
}

TEST(FrameTest, ReductionsTakeEveryElementAsDouble) {
  auto df = TwoFiles().Filter("event_id < 10");
  ASSERT_TRUE(df.IsOk());
  EXPECT_DOUBLE_EQ(*df->Sum("event_id"), 45.0);
  EXPECT_DOUBLE_EQ(*df->Mean("event_id"), 4.5);
  EXPECT_DOUBLE_EQ(*df->Min("label"), 0.0);
  EXPECT_DOUBLE_EQ(*df->Max("event_id"), 9.0);
  // jet_pt: id % 5 items of id + 0.25 j.
  double sum = 0;
  for (int id = 0; id < 10; ++id) {
    for (int j = 0; j < id % 5; ++j) sum += id + 0.25 * j;
  }
  EXPECT_DOUBLE_EQ(*df->Sum("jet_pt"), sum);
}

TEST(FrameTest, RedefineReplacesAndDefineRefusesAnExistingName) {
  Frame df = TwoFiles();
  EXPECT_EQ(df.Define("label", "1").status().Code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(df.Redefine("labl", "1").status().Code(), StatusCode::kNotFound);
  auto r = df.Redefine("label", "label * 10 + 1");
  ASSERT_TRUE(r.IsOk()) << r.status().ToString();
  auto f = r->Filter("label == 11");
  ASSERT_TRUE(f.IsOk());
  EXPECT_EQ(*f->Count(), 850);
  EXPECT_EQ(*r->ColumnType("label"), "int");
}

TEST(FrameTest, ErrorsNameTheProblem) {
  Frame df = TwoFiles();
  auto parse = df.Filter("event_id > ");
  ASSERT_FALSE(parse.IsOk());
  EXPECT_NE(parse.status().ToString().find('^'), std::string::npos);
  auto unknown = df.Define("x", "evnt_id * 2");
  ASSERT_EQ(unknown.status().Code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().ToString().find("event_id"), std::string::npos);
  auto jagged = df.Filter("jet_pt > 3");
  ASSERT_FALSE(jagged.IsOk());
  EXPECT_NE(jagged.status().ToString().find("Any()"), std::string::npos);
  EXPECT_FALSE(df.Define("2x", "1").IsOk());
}

TEST(FrameTest, TypedLambdasDefineAndFilter) {
  Frame df = TwoFiles();
  auto d = df.Define("twice", {"event_id"}, [](int64_t id) { return 2.0 * static_cast<double>(id); });
  ASSERT_TRUE(d.IsOk()) << d.status().ToString();
  auto f = d->Filter({"jet_pt", "twice"},
                     [](std::span<const float> pt, double twice) { return pt.size() == 4 && twice < 100; }, "four");
  ASSERT_TRUE(f.IsOk()) << f.status().ToString();
  EXPECT_EQ(*f->EntryNumbers(), Expected(50, [](int64_t i) { return i % 5 == 4; }));
  auto wrong = df.Define("bad", {"event_id"}, [](float x) { return x; });
  ASSERT_FALSE(wrong.IsOk());
  EXPECT_NE(wrong.status().ToString().find("int64"), std::string::npos) << wrong.status().ToString();
}

TEST(FrameTest, MaterializedRowsAreSourcesOfPassingRows) {
  auto df = TwoFiles().Filter("event_id % 4 == 1");
  ASSERT_TRUE(df.IsOk());
  auto d = df->Define("pt_sum", "Sum(jet_pt)");
  ASSERT_TRUE(d.IsOk());
  auto rows = d->Materialize(2);
  ASSERT_TRUE(rows.IsOk()) << rows.status().ToString();
  const Dataset& ds = **rows;
  EXPECT_EQ(ds.NumEntries(), 425);
  EXPECT_EQ(ds.File(0).NumEntries(), 250);
  const ColumnSource& second = ds.File(1);
  auto cols = ds.ResolveColumns(std::vector<std::string>{"event_id", "pt_sum", "tracks"});
  ASSERT_TRUE(cols.IsOk());
  // Rows 3..7 of the second file: ids 1000 + 4k + 1.
  auto ids = second.ReadColumn((*cols)[1][0], {3, 8});
  ASSERT_TRUE(ids.IsOk());
  EXPECT_EQ(Values<int64_t>(*ids), (std::vector<int64_t>{1013, 1017, 1021, 1025, 1029}));
  auto sums = second.ReadColumn((*cols)[1][1], {3, 4});
  ASSERT_TRUE(sums.IsOk());
  EXPECT_FLOAT_EQ(Values<float>(*sums)[0], 1013.0f * 3 + 0.25f * 3);  // 1013 % 5 = 3 jets
  auto tracks = second.ReadColumn((*cols)[1][2], {0, 2});
  ASSERT_TRUE(tracks.IsOk());
  EXPECT_EQ(tracks->offsets, (std::vector<int64_t>{0, 1, 2}));  // 1001 % 4 = 1, 1005 % 4 = 1 lists
  // Boundaries are in row space, increasing, ending at the row count.
  auto bounds = second.ClusterBoundaries();
  EXPECT_EQ(bounds.front(), 0);
  EXPECT_EQ(bounds.back(), 175);
  EXPECT_TRUE(std::is_sorted(bounds.begin(), bounds.end()));
  EXPECT_GT(second.ResidentBytes(), 0);
  // A frame with nothing to do is its dataset.
  Frame plain = TwoFiles();
  EXPECT_EQ(plain.Materialize().Value().get(), &plain.Source());
}

}  // namespace
}  // namespace rootbatch
