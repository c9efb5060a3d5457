#include "rootbatch/write/particle_jet.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <utility>

#include "rootbatch/write/event_rng.hpp"

namespace rootbatch::write {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr int kMaxProngs = 5;

enum class Flavour : uint8_t { kLight, kCharm, kBottom, kGluon, kLepton };

enum class JetKind : uint8_t { kQcd, kHbb, kHcc, kTbqq, kWqq, kZqq, kHgg, kH4q, kHqql, kTbl };

constexpr std::array<std::string_view, kMaxParticleClasses> kClassNames = {
    "QCD", "Hbb", "Hcc", "Tbqq", "Wqq", "Zqq", "Hgg", "H4q", "Hqql", "Tbl"};

// A hard parton of the decay: its offset from the nominal jet axis in
// (eta, phi) and its share of the jet's pt.
struct Prong {
  double deta = 0, dphi = 0, z = 0;
  Flavour flavour = Flavour::kLight;
};

struct Topology {
  std::array<Prong, kMaxProngs> prongs{};
  int count = 0;
  double invisible = 0;  // pt share carried away by a neutrino
};

struct Daughters {
  Flavour first, second;
  double first_mass = 0, second_mass = 0;  // of daughters that decay further (a W), GeV
};

// Splits prong `index` into itself and a new prong: a two-body decay of
// `mass` with momentum fraction `z` to the first child, at the opening angle
// that gives the mass in the collinear limit,
// m^2 = m1^2 / z + m2^2 / (1 - z) + z (1 - z) pt^2 dR^2 (capped so both stay
// inside the jet). The pt-weighted centre stays where the parent was.
void Split(Topology& topology, int index, double jet_pt, double mass, double z, EventRng& rng, Daughters d) {
  Prong& parent = topology.prongs[static_cast<size_t>(index)];
  const double parent_pt = parent.z * jet_pt;
  const double kinetic = mass * mass - d.first_mass * d.first_mass / z - d.second_mass * d.second_mass / (1 - z);
  const double opening = std::min(0.7, std::sqrt(std::max(kinetic, 0.01 * mass * mass)) / (parent_pt * std::sqrt(z * (1 - z))));
  const double angle = rng.Uniform(-kPi, kPi);
  const double ux = std::cos(angle) * opening;
  const double uy = std::sin(angle) * opening;
  Prong child{parent.deta - z * ux, parent.dphi - z * uy, parent.z * (1 - z), d.second};
  parent = {parent.deta + (1 - z) * ux, parent.dphi + (1 - z) * uy, parent.z * z, d.first};
  topology.prongs[static_cast<size_t>(topology.count++)] = child;
}

Flavour LightOrCharm(EventRng& rng, double charm) { return rng.Bernoulli(charm) ? Flavour::kCharm : Flavour::kLight; }

// A leptonic W: the lepton keeps part of the prong's pt, the neutrino the rest.
void MakeLeptonic(Topology& topology, int index, EventRng& rng) {
  Prong& prong = topology.prongs[static_cast<size_t>(index)];
  const double kept = rng.Uniform(0.35, 0.8);
  topology.invisible += prong.z * (1 - kept);
  prong.z *= kept;
  prong.flavour = Flavour::kLepton;
}

Topology MakeTopology(JetKind kind, double jet_pt, EventRng& rng) {
  Topology t;
  t.prongs[0] = {0, 0, 1, Flavour::kLight};
  t.count = 1;
  const auto symmetric = [&] { return rng.Uniform(0.15, 0.85); };
  // A resonance's mass as the jet sees it: about 8 % resolution, and 8 % less
  // at the prongs' axes, since the prongs' own spread adds about that much.
  const auto resonance = [&](double mass) { return mass * std::max(0.5, rng.Normal(0.92, 0.08)); };
  constexpr double kH = 125.0, kW = 80.4, kZ = 91.2, kTop = 172.5;
  switch (kind) {
    case JetKind::kQcd: {
      const double u = rng.Uniform();
      const Flavour f = u < 0.03 ? Flavour::kBottom : u < 0.09 ? Flavour::kCharm : u < 0.5 ? Flavour::kGluon : Flavour::kLight;
      t.prongs[0].flavour = f;
      // A hard emission in half the jets: a soft gluon at a random angle gives QCD its broad mass.
      if (rng.Bernoulli(0.5)) {
        const double z = rng.Uniform(0.7, 0.95);
        const double opening = rng.Uniform(0.05, 0.6);
        Split(t, 0, jet_pt, opening * jet_pt * std::sqrt(z * (1 - z)), z, rng, {f, Flavour::kGluon});
      }
      break;
    }
    case JetKind::kHbb: Split(t, 0, jet_pt, resonance(kH), symmetric(), rng, {Flavour::kBottom, Flavour::kBottom}); break;
    case JetKind::kHcc: Split(t, 0, jet_pt, resonance(kH), symmetric(), rng, {Flavour::kCharm, Flavour::kCharm}); break;
    case JetKind::kHgg: Split(t, 0, jet_pt, resonance(kH), symmetric(), rng, {Flavour::kGluon, Flavour::kGluon}); break;
    case JetKind::kWqq:
      Split(t, 0, jet_pt, resonance(kW), symmetric(), rng, {Flavour::kLight, LightOrCharm(rng, 0.5)});
      break;
    case JetKind::kZqq: {
      const double u = rng.Uniform();
      const Flavour f = u < 0.15 ? Flavour::kBottom : u < 0.27 ? Flavour::kCharm : Flavour::kLight;
      Split(t, 0, jet_pt, resonance(kZ), symmetric(), rng, {f, f});
      break;
    }
    case JetKind::kTbqq:
    case JetKind::kTbl: {
      // t -> b W, then the W decays at the opening its own pt gives.
      const double w = resonance(kW);
      Split(t, 0, jet_pt, resonance(kTop), rng.Uniform(0.15, 0.5), rng, {Flavour::kBottom, Flavour::kLight, 4.8, w});
      if (kind == JetKind::kTbqq) {
        Split(t, 1, jet_pt, w, symmetric(), rng, {Flavour::kLight, LightOrCharm(rng, 0.5)});
      } else {
        MakeLeptonic(t, 1, rng);
      }
      break;
    }
    case JetKind::kH4q:
    case JetKind::kHqql: {
      // H -> W W*: an on-shell W and an off-shell one, which shares the pt less.
      const double w = resonance(kW);
      const double off_shell = rng.Uniform(15.0, 40.0);
      Split(t, 0, jet_pt, resonance(kH), rng.Uniform(0.5, 0.85), rng, {Flavour::kLight, Flavour::kLight, w, off_shell});
      Split(t, 0, jet_pt, w, symmetric(), rng, {Flavour::kLight, LightOrCharm(rng, 0.5)});
      if (kind == JetKind::kH4q) {
        Split(t, 1, jet_pt, off_shell, symmetric(), rng, {Flavour::kLight, LightOrCharm(rng, 0.5)});
      } else {
        MakeLeptonic(t, 1, rng);
      }
      break;
    }
  }
  return t;
}

// Mean particle count of a prong: gluons fragment into the most particles,
// heavy-flavour decays add some; a harder prong has more.
double MeanMultiplicity(const Prong& prong) {
  double base = 20.0;
  switch (prong.flavour) {
    case Flavour::kLight: base = 20.0; break;
    case Flavour::kCharm: base = 24.0; break;
    case Flavour::kBottom: base = 27.0; break;
    case Flavour::kGluon: base = 32.0; break;
    case Flavour::kLepton: return 1.0;
  }
  return base * (0.4 + 0.6 * std::sqrt(prong.z));
}

// Particle counts per prong and of the soft wide-angle part (last), summing
// to a value in [kMinParticles, kMaxParticles].
std::array<int, kMaxProngs + 1> Multiplicities(const Topology& t, double jet_pt, EventRng& rng) {
  std::array<int, kMaxProngs + 1> counts{};
  const double pt_factor = 1.0 + 0.3 * std::log(jet_pt / 500.0);
  int total = 0;
  for (int k = 0; k < t.count; ++k) {
    const Prong& prong = t.prongs[static_cast<size_t>(k)];
    int n = 1;
    if (prong.flavour != Flavour::kLepton) {
      const double mean = MeanMultiplicity(prong) * pt_factor;
      n = std::max(1, static_cast<int>(std::lround(rng.Normal(mean, 1.3 * std::sqrt(mean)))));
    }
    counts[static_cast<size_t>(k)] = n;
    total += n;
  }
  int& soft = counts[kMaxProngs];
  soft = rng.Poisson(6.0);
  total += soft;
  if (total < kMinParticles) {
    soft += kMinParticles - total;
  }
  // Too many: drop soft particles first, then thin the largest prong.
  for (; total > kMaxParticles; --total) {
    if (soft > 0) {
      --soft;
    } else {
      --*std::max_element(counts.begin(), counts.begin() + t.count);
    }
  }
  return counts;
}

struct Species {
  ParticleType type;
  double mass;
};

constexpr double kPionMass = 0.13957;
constexpr double kKaonLongMass = 0.497611;
constexpr double kElectronMass = 0.000511;
constexpr double kMuonMass = 0.105658;

Species LeptonSpecies(EventRng& rng) {
  return rng.Bernoulli(0.5) ? Species{ParticleType::kElectron, kElectronMass} : Species{ParticleType::kMuon, kMuonMass};
}

Species HadronicSpecies(EventRng& rng, bool soft) {
  const double u = rng.Uniform();
  const double charged = soft ? 0.55 : 0.62;
  const double photon = soft ? 0.35 : 0.26;
  if (u < charged) return {ParticleType::kChargedHadron, kPionMass};
  if (u < charged + photon) return {ParticleType::kPhoton, 0.0};
  if (u < charged + photon + 0.1) return {ParticleType::kNeutralHadron, kKaonLongMass};
  return LeptonSpecies(rng);  // the rest: non-isolated leptons (hadron decays, conversions)
}

void SetSpecies(Particle& p, Species s) {
  p.type = s.type;
  p.mass = s.mass;
}

bool IsCharged(ParticleType type) {
  return type == ParticleType::kChargedHadron || type == ParticleType::kElectron || type == ParticleType::kMuon;
}

// Impact parameters of a charged particle: resolution falls with pt; a
// particle from a b or c decay is displaced by the hadron's flight.
void SetTrack(Particle& p, double displacement, EventRng& rng) {
  if (!IsCharged(p.type)) return;
  p.charge = rng.Bernoulli(0.5) ? 1 : -1;
  p.d0_err = 0.01 + 0.03 / std::sqrt(p.pt);
  p.dz_err = 0.015 + 0.05 / std::sqrt(p.pt);
  p.d0 = rng.Normal(0.0, p.d0_err);
  p.dz = rng.Normal(0.0, p.dz_err);
  if (displacement > 0) {
    const double sign = rng.Bernoulli(0.5) ? 1.0 : -1.0;
    p.d0 += sign * rng.Exponential(displacement);
    p.dz += sign * rng.Exponential(1.5 * displacement);
  }
}

// Where a particle lands: a Gaussian around its prong's axis, wider for
// softer particles (and gluons), kept inside the jet radius.
void Place(Particle& p, double deta, double dphi, double spread, EventRng& rng) {
  const double sigma = std::clamp(spread / std::sqrt(p.pt), 0.004, 0.25);
  double x = deta + rng.Normal(0.0, sigma);
  double y = dphi + rng.Normal(0.0, sigma);
  const double r = std::hypot(x, y);
  if (r > 0.99 * kJetRadius) {
    x *= 0.99 * kJetRadius / r;
    y *= 0.99 * kJetRadius / r;
  }
  p.eta = x;  // offsets for now; GenerateJet adds the axis
  p.phi = y;
}

void AddProng(const Prong& prong, int count, double prong_pt, bool groomed, EventRng& rng, std::vector<Particle>& out) {
  const size_t first = out.size();
  if (prong.flavour == Flavour::kLepton) {
    Particle p;
    SetSpecies(p, LeptonSpecies(rng));
    p.pt = prong_pt;
    p.groomed = groomed;
    Place(p, prong.deta, prong.dphi, 0.0, rng);
    SetTrack(p, 0.0, rng);
    out.push_back(p);
    return;
  }
  // Momentum sharing: squared exponentials give a hard leading particle and a soft tail.
  double sum = 0;
  for (int i = 0; i < count; ++i) {
    const double w = rng.Exponential(1.0);
    Particle p;
    p.pt = w * w + 1e-3;
    sum += p.pt;
    out.push_back(p);
  }
  const double displaced = prong.flavour == Flavour::kBottom ? 0.55 : prong.flavour == Flavour::kCharm ? 0.35 : 0.02;
  const double flight = prong.flavour == Flavour::kBottom ? 0.3 : prong.flavour == Flavour::kCharm ? 0.12 : 0.5;
  const double spread = prong.flavour == Flavour::kGluon ? 0.2 : 0.15;
  size_t hardest = first;
  for (size_t i = first; i < out.size(); ++i) {
    Particle& p = out[i];
    p.pt *= prong_pt / sum;
    if (p.pt > out[hardest].pt) hardest = i;
    SetSpecies(p, HadronicSpecies(rng, false));
    p.groomed = groomed;
    Place(p, prong.deta, prong.dphi, spread, rng);
  }
  // Semileptonic b and c decays: the hardest particle becomes a lepton.
  const double semileptonic = prong.flavour == Flavour::kBottom ? 0.2 : prong.flavour == Flavour::kCharm ? 0.1 : 0.0;
  if (rng.Bernoulli(semileptonic)) SetSpecies(out[hardest], LeptonSpecies(rng));
  for (size_t i = first; i < out.size(); ++i) SetTrack(out[i], rng.Bernoulli(displaced) ? flight : 0.0, rng);
}

void AddSoft(int count, EventRng& rng, std::vector<Particle>& out) {
  for (int i = 0; i < count; ++i) {
    Particle p;
    p.pt = 0.1 + rng.Exponential(0.8);
    SetSpecies(p, HadronicSpecies(rng, true));
    p.groomed = true;
    const double r = kJetRadius * 0.99 * std::sqrt(rng.Uniform());
    const double angle = rng.Uniform(-kPi, kPi);
    p.eta = r * std::cos(angle);
    p.phi = r * std::sin(angle);
    SetTrack(p, 0.0, rng);
    out.push_back(p);
  }
}

}  // namespace

double WrapPhi(double phi) {
  if (phi > kPi) return phi - 2 * kPi;
  if (phi <= -kPi) return phi + 2 * kPi;
  return phi;
}

std::string_view ParticleClassName(int index) { return kClassNames.at(static_cast<size_t>(index)); }

void GenerateJet(uint64_t seed, int64_t id, int classes, GeneratedJet& jet) {
  EventRng rng(seed, static_cast<uint64_t>(id), 0);
  jet.label = std::min(classes - 1, static_cast<int>(rng.Uniform() * classes));
  const auto kind = static_cast<JetKind>(jet.label);
  const bool qcd = kind == JetKind::kQcd;
  // JetClass's window, 500 to 1000 GeV and |eta| < 2; QCD falls faster and is
  // more forward, so the classes' (pt, eta) spectra differ (for reweighting).
  double pt = 0;
  do pt = 500.0 + rng.Exponential(qcd ? 150.0 : 300.0);
  while (pt >= 1000.0);
  double eta = 0;
  do eta = rng.Normal(0.0, qcd ? 1.1 : 0.8);
  while (std::abs(eta) >= 2.0);
  const double phi = rng.Uniform(-kPi, kPi);

  const Topology topology = MakeTopology(kind, pt, rng);
  const std::array<int, kMaxProngs + 1> counts = Multiplicities(topology, pt, rng);
  jet.particles.clear();
  AddSoft(counts[kMaxProngs], rng, jet.particles);
  double soft_pt = 0;
  for (const Particle& p : jet.particles) soft_pt += p.pt;
  const double hard_pt = std::max(0.5 * pt, pt * (1 - topology.invisible) - soft_pt);
  double visible_z = 0;
  for (int k = 0; k < topology.count; ++k) visible_z += topology.prongs[static_cast<size_t>(k)].z;
  for (int k = 0; k < topology.count; ++k) {
    const Prong& prong = topology.prongs[static_cast<size_t>(k)];
    // Soft-drop-like grooming (z_cut 0.1): a soft prong does not count in the groomed mass.
    AddProng(prong, counts[static_cast<size_t>(k)], hard_pt * prong.z / visible_z, prong.z < 0.1, rng, jet.particles);
  }
  for (Particle& p : jet.particles) {
    p.eta += eta;
    p.phi = WrapPhi(p.phi + phi);
  }
  // Files keep particles in no particular order: a loader's sort has work to do.
  for (size_t i = jet.particles.size() - 1; i > 0; --i) {
    std::swap(jet.particles[i], jet.particles[static_cast<size_t>(rng.Next() % (i + 1))]);
  }
}

}  // namespace rootbatch::write
