#include "rootbatch/write/sample_generator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "rootbatch/write/event_rng.hpp"
#include "rootbatch/write/rntuple_writer.hpp"
#include "rootbatch/write/sample_writing.hpp"

namespace rootbatch::write {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr int kMaxJets = 12;
constexpr int kMaxMuons = 6;

constexpr const char* kBaseFeatureNames[kBaseFeatureCount] = {
    "lepton_pT", "lepton_eta", "lepton_phi", "missing_energy_magnitude", "missing_energy_phi",
    "jet1_pt", "jet1_eta", "jet1_phi", "jet1_btag", "jet2_pt", "jet2_eta", "jet2_phi", "jet2_btag",
    "jet3_pt", "jet3_eta", "jet3_phi", "jet3_btag", "jet4_pt", "jet4_eta", "jet4_phi", "jet4_btag",
    "m_jj", "m_jjj", "m_lv", "m_jlv", "m_bb", "m_wbb", "m_wwbb"};

struct Jet {
  double pt, eta, phi, mass, btag;
};

}  // namespace

Status ValidateSampleOptions(const SampleOptions& options) {
  if (options.events < 0) return InvalidArgument("the number of events must be >= 0");
  if (options.features < 0 || options.features > 10000) {
    return InvalidArgument("the number of features must be in [0, 10000], got " + std::to_string(options.features));
  }
  if (!(options.signal_fraction >= 0.0 && options.signal_fraction <= 1.0)) {
    return InvalidArgument("the signal fraction must be in [0, 1]");
  }
  if (options.batch_events <= 0) return InvalidArgument("the batch size must be positive");
  return Status::Ok();
}

std::vector<std::string> SampleFeatureNames(int count) {
  std::vector<std::string> names;
  for (int k = 0; k < count; ++k) {
    names.push_back(k < kBaseFeatureCount ? kBaseFeatureNames[k] : "feat_" + std::to_string(k));
  }
  return names;
}

std::vector<BranchSpec> SampleBranches(const SampleOptions& options) {
  std::vector<BranchSpec> specs;
  auto add = [&](std::string name, DataType type, BranchKind kind, std::string counter = "") {
    BranchSpec spec;
    spec.name = std::move(name);
    spec.type = type;
    spec.kind = kind;
    spec.counter = std::move(counter);
    specs.push_back(std::move(spec));
  };
  add("event_id", DataType::kInt64, BranchKind::kScalar);
  add("label", DataType::kInt32, BranchKind::kScalar);
  add("weight", DataType::kFloat32, BranchKind::kScalar);
  for (const auto& name : SampleFeatureNames(options.features)) add(name, DataType::kFloat32, BranchKind::kScalar);
  if (options.jagged) {
    add("nJet", DataType::kInt32, BranchKind::kScalar);
    for (const char* name : {"Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass", "Jet_btag"}) {
      add(name, DataType::kFloat32, BranchKind::kCounterArray, "nJet");
    }
    for (const char* name : {"Muon_pt", "Muon_eta", "Muon_phi"}) add(name, DataType::kFloat32, BranchKind::kVector);
    add("Muon_charge", DataType::kInt32, BranchKind::kVector);
  }
  return specs;
}

void SampleBatch::Generate(const SampleOptions& options, int64_t begin, int64_t end) {
  const auto n = static_cast<size_t>(end - begin);
  event_id_.resize(n);
  label_.resize(n);
  weight_.resize(n);
  features_.resize(static_cast<size_t>(options.features));
  for (auto& f : features_) f.resize(n);
  n_jet_.resize(n);
  jet_offsets_.assign(1, 0);
  muon_offsets_.assign(1, 0);
  for (auto* v : {&jet_pt_, &jet_eta_, &jet_phi_, &jet_mass_, &jet_btag_, &muon_pt_, &muon_eta_, &muon_phi_}) {
    v->clear();
  }
  muon_charge_.clear();

  std::array<double, kBaseFeatureCount> f{};
  std::array<Jet, kMaxJets> jets{};
  for (size_t e = 0; e < n; ++e) {
    const int64_t id = begin + static_cast<int64_t>(e);
    EventRng rng(options.seed, static_cast<uint64_t>(id), 0);
    const bool signal = rng.Bernoulli(options.signal_fraction);
    // A hidden "resonant" topology: most signal events, some background ones.
    const bool resonant = rng.Bernoulli(signal ? 0.7 : 0.1);

    // Jets: multiplicity and hardness shift a little with the label; b-tags
    // follow the topology; angles carry no information.
    const int n_jets = std::min(kMaxJets, 2 + rng.Poisson(signal ? 2.0 : 1.6));
    for (int j = 0; j < n_jets; ++j) {
      Jet& jet = jets[static_cast<size_t>(j)];
      jet.pt = 20.0 + rng.Exponential(signal ? 45.0 : 34.0);
      jet.eta = std::clamp(rng.Normal(0.0, signal ? 1.2 : 1.6), -4.7, 4.7);
      jet.phi = rng.Uniform(-kPi, kPi);
      jet.mass = jet.pt * rng.Uniform(0.05, 0.14);
      const bool b_jet = rng.Bernoulli(j < 2 ? (resonant ? 0.7 : 0.3) : 0.15);
      const double u = rng.Uniform();
      jet.btag = b_jet ? 1.0 - 0.6 * u * u : 0.6 * u * u;
    }
    std::sort(jets.begin(), jets.begin() + n_jets, [](const Jet& a, const Jet& b) { return a.pt > b.pt; });

    const int n_muons = std::min(kMaxMuons, rng.Poisson(signal ? 1.1 : 0.85));
    for (int m = 0; m < n_muons; ++m) {
      muon_pt_.push_back(static_cast<float>(10.0 + rng.Exponential(signal ? 28.0 : 24.0)));
      muon_eta_.push_back(static_cast<float>(std::clamp(rng.Normal(0.0, 1.2), -2.4, 2.4)));
      muon_phi_.push_back(static_cast<float>(rng.Uniform(-kPi, kPi)));
      muon_charge_.push_back(rng.Bernoulli(0.5) ? 1 : -1);
    }

    f[0] = 25.0 + rng.Exponential(signal ? 40.0 : 30.0);  // lepton_pT
    f[1] = rng.Normal(0.0, signal ? 1.0 : 1.3);          // lepton_eta
    f[2] = rng.Uniform(-kPi, kPi);                         // lepton_phi
    f[3] = rng.Exponential(signal ? 50.0 : 38.0);          // missing_energy_magnitude
    f[4] = rng.Uniform(-kPi, kPi);                         // missing_energy_phi
    for (int j = 0; j < 4; ++j) {                          // jetN_pt, _eta, _phi, _btag; 0 when absent
      const bool present = j < n_jets;
      const Jet& jet = jets[static_cast<size_t>(j)];
      f[5 + 4 * j] = present ? jet.pt : 0.0;
      f[6 + 4 * j] = present ? jet.eta : 0.0;
      f[7 + 4 * j] = present ? jet.phi : 0.0;
      f[8 + 4 * j] = present ? jet.btag : 0.0;
    }
    // Masses: peaks (W 80.4, top 172.5, H 125) over broad continua. The W in
    // m_lv is in both classes; tops are more frequent in the background
    // (ttbar-like); m_jj and m_bb peak with the resonant topology; m_wbb and
    // m_wwbb are correlated sums of the others.
    const double m_lv = rng.Bernoulli(0.7) ? rng.Normal(80.4, 9.0) : 20.0 + rng.Exponential(70.0);
    const double m_jj = rng.Bernoulli(resonant ? 0.75 : 0.25) ? rng.Normal(80.4, 15.0) : 30.0 + rng.Exponential(75.0);
    const double m_bb = resonant ? rng.Normal(125.0, 16.0) : 30.0 + rng.Exponential(95.0);
    const double m_jjj = rng.Bernoulli(signal ? 0.4 : 0.55) ? rng.Normal(172.5, 22.0) : 60.0 + rng.Exponential(120.0);
    const double m_jlv = rng.Bernoulli(0.5) ? rng.Normal(172.5, 25.0) : 60.0 + rng.Exponential(110.0);
    const double m_wbb = 0.8 * m_bb + 0.8 * m_jj + 120.0 + rng.Normal(0.0, 40.0);
    const double m_wwbb = m_wbb + m_lv + 0.5 * f[3] + rng.Normal(0.0, 50.0);
    f[21] = std::max(m_jj, 1.0);
    f[22] = std::max(m_jjj, 1.0);
    f[23] = std::max(m_lv, 1.0);
    f[24] = std::max(m_jlv, 1.0);
    f[25] = std::max(m_bb, 1.0);
    f[26] = std::max(m_wbb, 1.0);
    f[27] = std::max(m_wwbb, 1.0);
    const double weight = signal ? rng.Uniform(0.8, 1.2) : std::exp(rng.Normal(0.0, 0.3));

    event_id_[e] = id;
    label_[e] = signal ? 1 : 0;
    weight_[e] = static_cast<float>(weight);
    for (int k = 0; k < options.features; ++k) {
      float value;
      if (k < kBaseFeatureCount) {
        value = static_cast<float>(f[static_cast<size_t>(k)]);
      } else {
        // Extra features: weakly shifted noise, each from its own stream.
        EventRng extra(options.seed, static_cast<uint64_t>(id), static_cast<uint64_t>(k));
        value = static_cast<float>(extra.Normal(signal ? 0.1 : 0.0, 1.0));
      }
      features_[static_cast<size_t>(k)][e] = value;
    }
    n_jet_[e] = n_jets;
    for (int j = 0; j < n_jets; ++j) {
      const Jet& jet = jets[static_cast<size_t>(j)];
      jet_pt_.push_back(static_cast<float>(jet.pt));
      jet_eta_.push_back(static_cast<float>(jet.eta));
      jet_phi_.push_back(static_cast<float>(jet.phi));
      jet_mass_.push_back(static_cast<float>(jet.mass));
      jet_btag_.push_back(static_cast<float>(jet.btag));
    }
    jet_offsets_.push_back(jet_offsets_.back() + n_jets);
    muon_offsets_.push_back(muon_offsets_.back() + n_muons);
  }
}

std::vector<ColumnView> SampleBatch::Views(const SampleOptions& options) const {
  std::vector<ColumnView> views;
  views.push_back(ColumnView::Of(event_id_));
  views.push_back(ColumnView::Of(label_));
  views.push_back(ColumnView::Of(weight_));
  for (int k = 0; k < options.features; ++k) views.push_back(ColumnView::Of(features_[static_cast<size_t>(k)]));
  if (options.jagged) {
    views.push_back(ColumnView::Of(n_jet_));
    for (const auto* v : {&jet_pt_, &jet_eta_, &jet_phi_, &jet_mass_, &jet_btag_}) {
      views.push_back(ColumnView::Of(*v, jet_offsets_));
    }
    for (const auto* v : {&muon_pt_, &muon_eta_, &muon_phi_}) views.push_back(ColumnView::Of(*v, muon_offsets_));
    views.push_back(ColumnView::Of(muon_charge_, muon_offsets_));
  }
  return views;
}

namespace {

// Generates ranges of entries into `batch`, for WriteGenerated.
GenerateRange Generator(const SampleOptions& options, SampleBatch& batch) {
  return [&options, &batch](int64_t begin, int64_t end) {
    batch.Generate(options, begin, end);
    return batch.Views(options);
  };
}

}  // namespace

Status WriteSample(TreeWriter& tree, const SampleOptions& options, const std::function<void(int64_t)>& progress) {
  RB_RETURN_IF_ERROR(ValidateSampleOptions(options));
  SampleBatch batch;
  return WriteGenerated(tree, SampleBranches(options), options.events, options.batch_events,
                        Generator(options, batch), progress);
}

std::vector<RNTupleFieldSpec> SampleFields(const SampleOptions& options) {
  return FieldsOfBranches(SampleBranches(options));
}

Status WriteSample(RNTupleWriter& ntuple, const SampleOptions& options, const std::function<void(int64_t)>& progress) {
  RB_RETURN_IF_ERROR(ValidateSampleOptions(options));
  SampleBatch batch;
  return WriteGenerated(ntuple, SampleBranches(options), options.events, options.batch_events,
                        Generator(options, batch), progress);
}

}  // namespace rootbatch::write
