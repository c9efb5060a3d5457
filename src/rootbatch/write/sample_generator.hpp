// A deterministic, physics-like dataset for ML demos and benchmarks: what
// `rootbatch make-sample` writes.
//
// Each event is signal (label 1) or background (label 0) and depends only on
// (seed, event id): any event range can be generated alone, in any order, and
// the values do not depend on batch, basket or cluster sizes. Signal and
// background differ moderately, not trivially: a resonance "peak" shows up in
// the mass features for most signal and some background events, the jet
// multiplicity and momenta shift a little, and most angles carry no
// information; masses are correlated combinations of each other. A gradient
// boosted classifier on the flat features reaches an AUC around 0.85.
//
// The tree (`events`), or the RNTuple of the same name (WriteSample's second
// form: the same fields, the counter arrays Jet_* as std::vector<float>):
//   event_id (int64, 0..N-1), label (int32), weight (float32),
//   K float32 features: the 28 names of SampleFeatureNames (lepton_pT, ...,
//     m_wwbb), then feat_28, feat_29, ... (weakly shifted noise) when K > 28,
//   and unless jagged == false:
//   nJet (int32) with Jet_pt, Jet_eta, Jet_phi, Jet_mass, Jet_btag [nJet] (float32),
//   Muon_pt, Muon_eta, Muon_phi (std::vector<float>), Muon_charge (std::vector<int>).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/write/branch_spec.hpp"

namespace rootbatch {
class TreeWriter;
class RNTupleWriter;
struct RNTupleFieldSpec;
}

namespace rootbatch::write {

inline constexpr int kBaseFeatureCount = 28;

struct SampleOptions {
  int64_t events = 100000;
  uint64_t seed = 42;
  int features = kBaseFeatureCount;  // K >= 0
  bool jagged = true;
  double signal_fraction = 0.5;
  int64_t batch_events = 20000;  // events generated per Append
};

Status ValidateSampleOptions(const SampleOptions& options);

// The names of the first `count` flat features.
std::vector<std::string> SampleFeatureNames(int count);

// The branches, in the order SampleBatch::Views gives their columns.
std::vector<BranchSpec> SampleBranches(const SampleOptions& options);

// The columns of a range of events.
class SampleBatch {
 public:
  // Regenerates the batch as events [begin, end).
  void Generate(const SampleOptions& options, int64_t begin, int64_t end);
  int64_t NumEvents() const { return static_cast<int64_t>(event_id_.size()); }
  // One view per SampleBranches entry; valid until the next Generate.
  std::vector<ColumnView> Views(const SampleOptions& options) const;

 private:
  std::vector<int64_t> event_id_;
  std::vector<int32_t> label_;
  std::vector<float> weight_;
  std::vector<std::vector<float>> features_;  // [feature][event]
  std::vector<int32_t> n_jet_;
  std::vector<int64_t> jet_offsets_;
  std::vector<float> jet_pt_, jet_eta_, jet_phi_, jet_mass_, jet_btag_;
  std::vector<int64_t> muon_offsets_;
  std::vector<float> muon_pt_, muon_eta_, muon_phi_;
  std::vector<int32_t> muon_charge_;
};

// Adds SampleBranches to `tree` and appends all events; `progress`, if set, is
// called after each batch with the number of events written so far.
Status WriteSample(TreeWriter& tree, const SampleOptions& options,
                   const std::function<void(int64_t)>& progress = {});

// The RNTuple fields of the sample: SampleBranches with every jagged branch
// (counter array or vector) as a std::vector field.
std::vector<RNTupleFieldSpec> SampleFields(const SampleOptions& options);

// The same events as an RNTuple: adds SampleFields to `ntuple` and appends them.
Status WriteSample(RNTupleWriter& ntuple, const SampleOptions& options,
                   const std::function<void(int64_t)>& progress = {});

}  // namespace rootbatch::write
