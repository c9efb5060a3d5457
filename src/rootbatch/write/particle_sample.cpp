#include "rootbatch/write/particle_sample.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>

#include "rootbatch/write/rntuple_writer.hpp"
#include "rootbatch/write/sample_writing.hpp"

namespace rootbatch::write {
namespace {

constexpr std::array<const char*, kParticleFeatureCount> kFeatureNames = {
    "part_px", "part_py", "part_pz", "part_energy", "part_deta", "part_dphi", "part_pt", "part_eta",
    "part_phi", "part_d0val", "part_d0err", "part_dzval", "part_dzerr", "part_charge",
    "part_isChargedHadron", "part_isNeutralHadron", "part_isPhoton", "part_isElectron", "part_isMuon",
    "part_ptrel", "part_erel", "part_deltaR", "part_mass", "part_d0sig"};

constexpr std::array<const char*, kJetScalarCount> kJetNames = {
    "jet_pt", "jet_eta", "jet_phi", "jet_energy", "jet_nparticles",
    "jet_sdmass", "jet_tau1", "jet_tau2", "jet_tau3", "jet_tau4"};

constexpr int kMaxSubjettinessAxes = 4;

double Pt(const FourVector& v) { return std::hypot(v.px, v.py); }
double Mass(const FourVector& v) { return std::sqrt(std::max(0.0, v.e * v.e - v.px * v.px - v.py * v.py - v.pz * v.pz)); }

// N-subjettiness tau_1..tau_4 with the N hardest particles as axes:
// sum_i pt_i min_k dR(i, axis_k) / (sum_i pt_i * R0).
std::array<double, kMaxSubjettinessAxes> Subjettiness(std::span<const Particle> particles) {
  std::vector<size_t> order(particles.size());
  std::iota(order.begin(), order.end(), size_t{0});
  const size_t axes = std::min<size_t>(kMaxSubjettinessAxes, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(axes), order.end(),
                    [&](size_t a, size_t b) { return particles[a].pt > particles[b].pt; });
  std::array<double, kMaxSubjettinessAxes> tau{};
  double pt_sum = 0;
  for (const Particle& p : particles) {
    pt_sum += p.pt;
    double nearest = kJetRadius * 4;  // beyond any distance inside the jet
    for (size_t n = 0; n < kMaxSubjettinessAxes; ++n) {
      if (n < axes) {
        const Particle& axis = particles[order[n]];
        nearest = std::min(nearest, std::hypot(p.eta - axis.eta, WrapPhi(p.phi - axis.phi)));
      }
      tau[n] += p.pt * nearest;
    }
  }
  for (double& t : tau) t /= pt_sum * kJetRadius;
  return tau;
}

}  // namespace

Status ValidateParticleSampleOptions(const ParticleSampleOptions& options) {
  if (options.jets < 0) return InvalidArgument("the number of jets must be >= 0");
  if (options.classes < kMinParticleClasses || options.classes > kMaxParticleClasses) {
    return InvalidArgument("the number of classes must be in [" + std::to_string(kMinParticleClasses) + ", " +
                           std::to_string(kMaxParticleClasses) + "], got " + std::to_string(options.classes));
  }
  if (options.batch_jets <= 0) return InvalidArgument("the batch size must be positive");
  return Status::Ok();
}

const std::array<const char*, kParticleFeatureCount>& ParticleFeatureNames() { return kFeatureNames; }
const std::array<const char*, kJetScalarCount>& JetScalarNames() { return kJetNames; }

std::vector<BranchSpec> ParticleSampleBranches(const ParticleSampleOptions& options) {
  std::vector<BranchSpec> specs;
  auto add = [&](std::string name, DataType type, BranchKind kind) {
    BranchSpec spec;
    spec.name = std::move(name);
    spec.type = type;
    spec.kind = kind;
    specs.push_back(std::move(spec));
  };
  add("event_id", DataType::kInt64, BranchKind::kScalar);
  for (const char* name : kJetNames) add(name, DataType::kFloat32, BranchKind::kScalar);
  for (const char* name : kFeatureNames) add(name, DataType::kFloat32, BranchKind::kVector);
  for (int c = 0; c < options.classes; ++c) {
    add("label_" + std::string(ParticleClassName(c)), DataType::kBool, BranchKind::kScalar);
  }
  return specs;
}

std::vector<RNTupleFieldSpec> ParticleSampleFields(const ParticleSampleOptions& options) {
  return FieldsOfBranches(ParticleSampleBranches(options));
}

void ParticleBatch::Generate(const ParticleSampleOptions& options, int64_t begin, int64_t end) {
  event_id_.clear();
  for (auto& column : jet_) column.clear();
  for (auto& column : part_) column.clear();
  offsets_.assign(1, 0);
  labels_.assign(static_cast<size_t>(options.classes), {});
  GeneratedJet jet;
  for (int64_t id = begin; id < end; ++id) {
    GenerateJet(options.seed, id, options.classes, jet);
    event_id_.push_back(id);
    for (int c = 0; c < options.classes; ++c) labels_[static_cast<size_t>(c)].push_back(c == jet.label ? 1 : 0);
    AddJet(jet);
  }
}

void ParticleBatch::AddJet(const GeneratedJet& jet) {
  momenta_.clear();
  FourVector sum, groomed;
  for (const Particle& p : jet.particles) {
    const double pz = p.pt * std::sinh(p.eta);
    const FourVector& m = momenta_.emplace_back(FourVector{p.pt * std::cos(p.phi), p.pt * std::sin(p.phi), pz,
                                                           std::sqrt(p.pt * p.pt + pz * pz + p.mass * p.mass)});
    sum.Add(m);
    if (!p.groomed) groomed.Add(m);
  }
  const double jet_pt = Pt(sum);
  const double jet_eta = std::asinh(sum.pz / jet_pt);
  const double jet_phi = std::atan2(sum.py, sum.px);
  const std::array<double, kMaxSubjettinessAxes> tau = Subjettiness(jet.particles);
  const std::array<double, kJetScalarCount> scalars = {
      jet_pt, jet_eta, jet_phi, sum.e, static_cast<double>(jet.particles.size()),
      Mass(groomed), tau[0], tau[1], tau[2], tau[3]};
  for (size_t k = 0; k < kJetScalarCount; ++k) jet_[k].push_back(static_cast<float>(scalars[k]));

  for (size_t i = 0; i < jet.particles.size(); ++i) {
    const Particle& p = jet.particles[i];
    const auto [px, py, pz, e] = momenta_[i];
    const double deta = p.eta - jet_eta;
    const double dphi = WrapPhi(p.phi - jet_phi);
    const auto is = [&](ParticleType type) { return p.type == type ? 1.0 : 0.0; };
    const std::array<double, kParticleFeatureCount> values = {
        px, py, pz, e, deta, dphi, p.pt, p.eta, p.phi, p.d0, p.d0_err, p.dz, p.dz_err,
        static_cast<double>(p.charge), is(ParticleType::kChargedHadron), is(ParticleType::kNeutralHadron),
        is(ParticleType::kPhoton), is(ParticleType::kElectron), is(ParticleType::kMuon),
        p.pt / jet_pt, e / sum.e, std::hypot(deta, dphi), p.mass, p.d0_err > 0 ? p.d0 / p.d0_err : 0.0};
    for (size_t k = 0; k < kParticleFeatureCount; ++k) part_[k].push_back(static_cast<float>(values[k]));
  }
  offsets_.push_back(offsets_.back() + static_cast<int64_t>(jet.particles.size()));
}

std::vector<ColumnView> ParticleBatch::Views() const {
  std::vector<ColumnView> views;
  views.push_back(ColumnView::Of(event_id_));
  for (const auto& column : jet_) views.push_back(ColumnView::Of(column));
  for (const auto& column : part_) views.push_back(ColumnView::Of(column, offsets_));
  for (const auto& column : labels_) views.push_back(ColumnView::Of(column));  // bool: one byte, 0 or 1
  return views;
}

namespace {

// Generates ranges of entries into `batch`, for WriteGenerated.
GenerateRange Generator(const ParticleSampleOptions& options, ParticleBatch& batch) {
  return [&options, &batch](int64_t begin, int64_t end) {
    batch.Generate(options, begin, end);
    return batch.Views();
  };
}

}  // namespace

Status WriteParticleSample(TreeWriter& tree, const ParticleSampleOptions& options,
                           const std::function<void(int64_t)>& progress) {
  RB_RETURN_IF_ERROR(ValidateParticleSampleOptions(options));
  ParticleBatch batch;
  return WriteGenerated(tree, ParticleSampleBranches(options), options.jets, options.batch_jets,
                        Generator(options, batch), progress);
}

Status WriteParticleSample(RNTupleWriter& ntuple, const ParticleSampleOptions& options,
                           const std::function<void(int64_t)>& progress) {
  RB_RETURN_IF_ERROR(ValidateParticleSampleOptions(options));
  ParticleBatch batch;
  return WriteGenerated(ntuple, ParticleSampleBranches(options), options.jets, options.batch_jets,
                        Generator(options, batch), progress);
}

}  // namespace rootbatch::write
