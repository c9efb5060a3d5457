// The physics of `rootbatch make-sample --kind particles`: one jet of a
// JetClass-like sample, as a class label and a list of particles.
//
// A jet is drawn from its class's decay topology: a resonance (H 125, Z 91.2,
// W 80.4, t 172.5 GeV) splits into 2 to 4 hard prongs whose opening angle
// follows from the mass (dR ~ m / (pt sqrt(z (1 - z)))), QCD jets are one
// prong with an optional hard emission. Each prong fragments into particles
// (multiplicity by flavour: gluons most, then b, c, light quarks; leptons are
// one particle) spread around its axis, softer ones wider, plus soft
// wide-angle particles. Charged particles from b and c prongs are displaced
// (large d0 significance), b and c prongs sometimes hold a lepton, leptonic
// decays (Hqql, Tbl) hold a prompt hard lepton and lose a neutrino. So
// classes differ in multiplicity, prong count (N-subjettiness), mass and
// impact parameters, and overlap, as real jets do.
//
// A jet depends only on (seed, jet id, number of classes): any range can be
// generated alone, in any order.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace rootbatch::write {

inline constexpr int kMinParticleClasses = 2;
inline constexpr int kMaxParticleClasses = 10;
inline constexpr int kMinParticles = 10;
inline constexpr int kMaxParticles = 128;
inline constexpr double kJetRadius = 0.8;

// Class `index` of [0, kMaxParticleClasses): QCD, Hbb, Hcc, Tbqq, Wqq, Zqq,
// Hgg, H4q, Hqql, Tbl (JetClass's names); a sample with N classes uses the first N.
std::string_view ParticleClassName(int index);

enum class ParticleType : uint8_t { kChargedHadron, kNeutralHadron, kPhoton, kElectron, kMuon };

struct Particle {
  double pt = 0, eta = 0, phi = 0, mass = 0;  // GeV, and phi in (-pi, pi]
  double d0 = 0, d0_err = 0, dz = 0, dz_err = 0;  // mm; all 0 for neutral particles
  int charge = 0;
  ParticleType type = ParticleType::kChargedHadron;
  bool groomed = false;  // soft wide-angle or in a soft prong: not in the soft-drop-like mass
};

struct GeneratedJet {
  int label = 0;                    // class index
  std::vector<Particle> particles;  // kMinParticles..kMaxParticles, in a random order (not by pt)
};

// phi folded into (-pi, pi] (from within one turn of it).
double WrapPhi(double phi);

// Regenerates `jet` as jet `id` of a sample with `classes` classes.
void GenerateJet(uint64_t seed, int64_t id, int classes, GeneratedJet& jet);

}  // namespace rootbatch::write
