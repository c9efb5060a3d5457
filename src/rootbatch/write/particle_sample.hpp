// The JetClass-like sample `rootbatch make-sample --kind particles` writes:
// one entry per jet (particle_jet.hpp says how jets are drawn), as a TTree or
// an RNTuple named `events`:
//   event_id (int64, 0..N-1: the jet id);
//   jet_pt, jet_eta, jet_phi, jet_energy (float32): the sum of the particles;
//   jet_nparticles (float32, as JetClass stores it: 10..128);
//   jet_sdmass (float32): a soft-drop-like mass, without the soft wide-angle
//     particles and prongs under 10% of the pt;
//   jet_tau1..jet_tau4 (float32): N-subjettiness (beta 1, R0 0.8) with the N
//     hardest particles as axes;
//   24 std::vector<float> branches, one value per particle, all of one length
//     per jet (ParticleFeatureNames): momenta, angles relative to the jet
//     axis, impact parameters (mm), charge and particle-type flags;
//   label_<class> (bool) for each class, exactly one true per jet.
// Particles are in a random order, not sorted by pt.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/write/branch_spec.hpp"
#include "rootbatch/write/particle_jet.hpp"

namespace rootbatch {
class TreeWriter;
class RNTupleWriter;
struct RNTupleFieldSpec;
}  // namespace rootbatch

namespace rootbatch::write {

inline constexpr int kParticleFeatureCount = 24;
inline constexpr int kJetScalarCount = 10;

struct ParticleSampleOptions {
  int64_t jets = 100000;
  uint64_t seed = 42;
  int classes = 4;  // kMinParticleClasses..kMaxParticleClasses
  int64_t batch_jets = 5000;  // jets generated per Append
};

Status ValidateParticleSampleOptions(const ParticleSampleOptions& options);

// part_px, ..., in branch order.
const std::array<const char*, kParticleFeatureCount>& ParticleFeatureNames();
// jet_pt, ..., jet_tau4, in branch order.
const std::array<const char*, kJetScalarCount>& JetScalarNames();

// The branches, in the order ParticleBatch::Views gives their columns.
std::vector<BranchSpec> ParticleSampleBranches(const ParticleSampleOptions& options);
// The same as RNTuple fields (the per-particle ones as std::vector<float>).
std::vector<RNTupleFieldSpec> ParticleSampleFields(const ParticleSampleOptions& options);

// A particle's or a jet's momentum (GeV).
struct FourVector {
  double px = 0, py = 0, pz = 0, e = 0;
  void Add(const FourVector& v) {
    px += v.px;
    py += v.py;
    pz += v.pz;
    e += v.e;
  }
};

// The columns of a range of jets.
class ParticleBatch {
 public:
  // Regenerates the batch as jets [begin, end).
  void Generate(const ParticleSampleOptions& options, int64_t begin, int64_t end);
  int64_t NumJets() const { return static_cast<int64_t>(event_id_.size()); }
  // One view per ParticleSampleBranches entry; valid until the next Generate.
  std::vector<ColumnView> Views() const;

 private:
  void AddJet(const GeneratedJet& jet);

  std::vector<FourVector> momenta_;  // scratch: the particles of the jet being added

  std::vector<int64_t> event_id_;
  std::array<std::vector<float>, kJetScalarCount> jet_;
  std::vector<int64_t> offsets_;
  std::array<std::vector<float>, kParticleFeatureCount> part_;
  std::vector<std::vector<uint8_t>> labels_;  // [class][jet], 0 or 1 (bool)
};

// Adds ParticleSampleBranches to `tree` and appends all jets; `progress`, if
// set, is called after each batch with the number of jets written so far.
Status WriteParticleSample(TreeWriter& tree, const ParticleSampleOptions& options,
                           const std::function<void(int64_t)>& progress = {});
Status WriteParticleSample(RNTupleWriter& ntuple, const ParticleSampleOptions& options,
                           const std::function<void(int64_t)>& progress = {});

}  // namespace rootbatch::write
