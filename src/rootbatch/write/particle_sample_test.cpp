// The particle sample (make-sample --kind particles): determinism, the branch
// contract, well-formed jets (counts, one-hot labels, consistent kinematics),
// class-dependent distributions, and a written file read back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "rootbatch/ttree/tree_source.hpp"
#include "rootbatch/write/file_writer.hpp"
#include "rootbatch/write/particle_sample.hpp"

namespace rootbatch {
namespace {

using write::ParticleBatch;
using write::ParticleSampleOptions;

constexpr size_t kFirstPart = 1 + write::kJetScalarCount;  // event_id, jet_*, then part_*
constexpr size_t kFirstLabel = kFirstPart + write::kParticleFeatureCount;

// The index of a branch by name.
size_t Branch(const ParticleSampleOptions& options, const std::string& name) {
  const auto specs = write::ParticleSampleBranches(options);
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].name == name) return i;
  }
  ADD_FAILURE() << "no branch " << name;
  return 0;
}

std::span<const float> Floats(const ColumnView& view) {
  return {reinterpret_cast<const float*>(view.values.data()), view.values.size() / sizeof(float)};
}

TEST(ParticleSampleTest, JetsDependOnlyOnSeedAndId) {
  ParticleSampleOptions options;
  ParticleBatch whole, tail, other_seed;
  whole.Generate(options, 0, 500);
  tail.Generate(options, 300, 500);
  const auto w = whole.Views();
  const auto t = tail.Views();
  ASSERT_EQ(w.size(), write::ParticleSampleBranches(options).size());
  ASSERT_EQ(w.size(), t.size());
  for (size_t c = 0; c < w.size(); ++c) {
    SCOPED_TRACE(write::ParticleSampleBranches(options)[c].name);
    if (w[c].offsets.empty()) {
      const size_t width = w[c].values.size() / 500;
      EXPECT_TRUE(std::equal(t[c].values.begin(), t[c].values.end(), w[c].values.begin() + 300 * width));
    } else {
      const int64_t first = w[c].offsets[300];
      EXPECT_EQ(t[c].offsets.back() - t[c].offsets.front(), w[c].offsets[500] - first);
      EXPECT_TRUE(std::equal(t[c].values.begin(), t[c].values.end(),
                             w[c].values.begin() + static_cast<std::ptrdiff_t>(first * sizeof(float))));
    }
  }
  options.seed = 43;
  other_seed.Generate(options, 0, 500);
  const auto o = other_seed.Views();
  EXPECT_FALSE(std::equal(w[1].values.begin(), w[1].values.end(), o[1].values.begin()));
}

TEST(ParticleSampleTest, BranchContract) {
  ParticleSampleOptions options;
  options.classes = 6;
  const auto specs = write::ParticleSampleBranches(options);
  ASSERT_EQ(specs.size(), kFirstLabel + 6);
  EXPECT_EQ(specs[0].name, "event_id");
  EXPECT_EQ(specs[0].type, DataType::kInt64);
  EXPECT_EQ(specs[1].name, "jet_pt");
  EXPECT_EQ(specs[5].name, "jet_nparticles");
  EXPECT_EQ(specs[kFirstLabel - 1].name, "part_d0sig");
  for (size_t i = 1; i < kFirstPart; ++i) EXPECT_EQ(specs[i].kind, BranchKind::kScalar) << specs[i].name;
  for (size_t i = kFirstPart; i < kFirstLabel; ++i) {
    EXPECT_EQ(specs[i].name.rfind("part_", 0), 0u) << specs[i].name;
    EXPECT_EQ(specs[i].kind, BranchKind::kVector) << specs[i].name;
    EXPECT_EQ(specs[i].type, DataType::kFloat32) << specs[i].name;
  }
  const std::vector<std::string> labels = {"label_QCD", "label_Hbb", "label_Hcc", "label_Tbqq", "label_Wqq", "label_Zqq"};
  for (size_t c = 0; c < labels.size(); ++c) {
    EXPECT_EQ(specs[kFirstLabel + c].name, labels[c]);
    EXPECT_EQ(specs[kFirstLabel + c].type, DataType::kBool);
  }
  EXPECT_EQ(write::ParticleSampleFields(options).size(), specs.size());
  options.classes = 1;
  EXPECT_FALSE(write::ValidateParticleSampleOptions(options).IsOk());
  options.classes = write::kMaxParticleClasses + 1;
  EXPECT_FALSE(write::ValidateParticleSampleOptions(options).IsOk());
  options.classes = write::kMaxParticleClasses;
  EXPECT_TRUE(write::ValidateParticleSampleOptions(options).IsOk());
}

TEST(ParticleSampleTest, JetsAreWellFormed) {
  ParticleSampleOptions options;
  options.classes = write::kMaxParticleClasses;
  constexpr int64_t kJets = 3000;
  ParticleBatch batch;
  batch.Generate(options, 0, kJets);
  const auto views = batch.Views();
  const auto offsets = views[kFirstPart].offsets;
  for (size_t f = kFirstPart; f < kFirstLabel; ++f) {
    ASSERT_TRUE(std::equal(offsets.begin(), offsets.end(), views[f].offsets.begin(), views[f].offsets.end()))
        << write::ParticleSampleBranches(options)[f].name;
  }
  std::map<std::string, std::span<const float>> columns;
  for (const auto& spec : write::ParticleSampleBranches(options)) {
    if (spec.type == DataType::kFloat32) columns[spec.name] = Floats(views[Branch(options, spec.name)]);
  }
  const auto value = [&](const std::string& name, int64_t index) { return columns.at(name)[static_cast<size_t>(index)]; };
  int64_t unsorted = 0;
  std::vector<int64_t> per_class(static_cast<size_t>(options.classes));
  for (int64_t j = 0; j < kJets; ++j) {
    const int64_t n = offsets[static_cast<size_t>(j) + 1] - offsets[static_cast<size_t>(j)];
    ASSERT_GE(n, write::kMinParticles);
    ASSERT_LE(n, write::kMaxParticles);
    ASSERT_EQ(value("jet_nparticles", j), static_cast<float>(n));
    int ones = 0;
    for (int c = 0; c < options.classes; ++c) {
      const uint8_t bit = views[kFirstLabel + static_cast<size_t>(c)].values[static_cast<size_t>(j)];
      ASSERT_LE(bit, 1);
      ones += bit;
      per_class[static_cast<size_t>(c)] += bit;
    }
    ASSERT_EQ(ones, 1) << "jet " << j;
    EXPECT_GT(value("jet_pt", j), 200.0f);  // 500 GeV or more, less what a neutrino takes
    EXPECT_GE(value("jet_tau1", j), value("jet_tau2", j));
    double pt_sum = 0;
    bool sorted = true;
    for (int64_t i = offsets[static_cast<size_t>(j)]; i < offsets[static_cast<size_t>(j) + 1]; ++i) {
      const float pt = value("part_pt", i);
      ASSERT_GT(pt, 0.0f);
      if (i > offsets[static_cast<size_t>(j)] && pt > value("part_pt", i - 1)) sorted = false;
      pt_sum += pt;
      EXPECT_NEAR(std::hypot(value("part_px", i), value("part_py", i)), pt, 1e-4 * pt);
      EXPECT_NEAR(value("part_pz", i), pt * std::sinh(value("part_eta", i)), 1e-4 * value("part_energy", i));
      EXPECT_GE(value("part_energy", i) * 1.00001f, std::hypot(pt, value("part_pz", i)));
      EXPECT_NEAR(value("part_eta", i) - value("jet_eta", j), value("part_deta", i), 1e-4);
      EXPECT_LT(value("part_deltaR", i), 1.0f);
      EXPECT_NEAR(value("part_ptrel", i), pt / value("jet_pt", j), 1e-6);
      const float flags = value("part_isChargedHadron", i) + value("part_isNeutralHadron", i) +
                          value("part_isPhoton", i) + value("part_isElectron", i) + value("part_isMuon", i);
      ASSERT_EQ(flags, 1.0f);
      const bool charged = value("part_isNeutralHadron", i) == 0 && value("part_isPhoton", i) == 0;
      EXPECT_EQ(std::abs(value("part_charge", i)), charged ? 1.0f : 0.0f);
      EXPECT_EQ(value("part_d0err", i) > 0, charged);
    }
    // The scalar pt sum is at least the vector sum, and not much more inside R = 0.8.
    EXPECT_GE(pt_sum * 1.0001, value("jet_pt", j));
    EXPECT_LT(pt_sum, 1.3 * value("jet_pt", j));
    if (!sorted) ++unsorted;
  }
  EXPECT_GT(unsorted, kJets * 9 / 10);  // particles are in no order
  for (int64_t count : per_class) EXPECT_NEAR(static_cast<double>(count), kJets / options.classes, 80.0);
}

// Per-class means of a jet-level quantity over the first `jets` jets.
std::vector<double> ClassMeans(const ParticleSampleOptions& options, int64_t jets,
                               const std::function<double(const std::vector<ColumnView>&, int64_t)>& quantity) {
  ParticleBatch batch;
  batch.Generate(options, 0, jets);
  const auto views = batch.Views();
  std::vector<double> sum(static_cast<size_t>(options.classes)), count(sum.size());
  for (int64_t j = 0; j < jets; ++j) {
    for (size_t c = 0; c < sum.size(); ++c) {
      if (views[kFirstLabel + c].values[static_cast<size_t>(j)] != 0) {
        sum[c] += quantity(views, j);
        count[c] += 1;
      }
    }
  }
  for (size_t c = 0; c < sum.size(); ++c) sum[c] /= count[c];
  return sum;
}

TEST(ParticleSampleTest, ClassesDiffer) {
  ParticleSampleOptions options;  // QCD, Hbb, Hcc, Tbqq
  constexpr int64_t kJets = 4000;
  const auto scalar = [&](const std::string& name) {
    const size_t branch = Branch(options, name);
    return [branch](const std::vector<ColumnView>& views, int64_t j) {
      return static_cast<double>(Floats(views[branch])[static_cast<size_t>(j)]);
    };
  };
  const auto multiplicity = ClassMeans(options, kJets, scalar("jet_nparticles"));
  EXPECT_LT(multiplicity[0] + 5, multiplicity[1]);  // QCD fewer than Hbb
  EXPECT_LT(multiplicity[2] + 1, multiplicity[1]);  // Hcc fewer than Hbb
  EXPECT_LT(multiplicity[1] + 3, multiplicity[3]);  // Tbqq most
  const auto mass = ClassMeans(options, kJets, scalar("jet_sdmass"));
  EXPECT_LT(mass[0] + 30, mass[1]);
  EXPECT_LT(mass[1] + 20, mass[3]);
  const size_t tau1 = Branch(options, "jet_tau1"), tau2 = Branch(options, "jet_tau2"), tau3 = Branch(options, "jet_tau3");
  const auto tau21 = ClassMeans(options, kJets, [&](const std::vector<ColumnView>& v, int64_t j) {
    return Floats(v[tau2])[static_cast<size_t>(j)] / Floats(v[tau1])[static_cast<size_t>(j)];
  });
  const auto tau32 = ClassMeans(options, kJets, [&](const std::vector<ColumnView>& v, int64_t j) {
    return Floats(v[tau3])[static_cast<size_t>(j)] / Floats(v[tau2])[static_cast<size_t>(j)];
  });
  EXPECT_GT(tau21[0], tau21[1] + 0.05);  // two prongs: smaller tau2/tau1
  EXPECT_GT(tau32[1], tau32[3] + 0.03);  // three prongs: smaller tau3/tau2
  // Displaced tracks: the fraction of particles with |d0| / err > 3.
  const size_t d0sig = Branch(options, "part_d0sig");
  const auto displaced = ClassMeans(options, kJets, [&](const std::vector<ColumnView>& v, int64_t j) {
    const auto offsets = v[d0sig].offsets;
    const auto values = Floats(v[d0sig]);
    double n = 0;
    for (int64_t i = offsets[static_cast<size_t>(j)]; i < offsets[static_cast<size_t>(j) + 1]; ++i) {
      n += std::abs(values[static_cast<size_t>(i)]) > 3 ? 1 : 0;
    }
    return n / static_cast<double>(offsets[static_cast<size_t>(j) + 1] - offsets[static_cast<size_t>(j)]);
  });
  EXPECT_GT(displaced[1], 2 * displaced[0]);
  EXPECT_GT(displaced[1], displaced[2] + 0.03);  // b more than c
  EXPECT_GT(displaced[2], 1.5 * displaced[0]);
}

TEST(ParticleSampleTest, WrittenSampleReadsBack) {
  const std::string path = testing::TempDir() + "/rootbatch_particle_sample_" + std::to_string(getpid()) + ".root";
  ParticleSampleOptions options;
  options.jets = 2500;
  options.batch_jets = 700;
  options.classes = 3;
  int64_t last_progress = 0;
  {
    auto file = FileWriter::Create(path, {Codec::kZstd, 1});
    ASSERT_TRUE(file.IsOk());
    TreeWriterOptions tree_options;
    tree_options.cluster_size = 1000;
    auto tree = (*file)->MakeTree("events", "", "", tree_options);
    ASSERT_TRUE(tree.IsOk());
    ASSERT_TRUE(write::WriteParticleSample(**tree, options, [&](int64_t done) { last_progress = done; }).IsOk());
    ASSERT_TRUE((*file)->Close().IsOk());
  }
  EXPECT_EQ(last_progress, 2500);
  auto source = OpenTreeSource(path, "events");
  ASSERT_TRUE(source.IsOk()) << source.status().ToString();
  const ColumnSource& s = **source;
  ASSERT_EQ(s.NumEntries(), 2500);
  ParticleBatch expected;
  expected.Generate(options, 0, 2500);
  const auto views = expected.Views();
  const auto specs = write::ParticleSampleBranches(options);
  for (size_t b = 0; b < specs.size(); ++b) {
    SCOPED_TRACE(specs[b].name);
    auto column = s.ReadColumn(*s.FindColumn(specs[b].name), {0, 2500});
    ASSERT_TRUE(column.IsOk()) << column.status().ToString();
    EXPECT_TRUE(std::equal(column->values.begin(), column->values.end(), views[b].values.begin(), views[b].values.end()));
    EXPECT_TRUE(std::equal(column->offsets.begin(), column->offsets.end(), views[b].offsets.begin(), views[b].offsets.end()));
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rootbatch
