#!/usr/bin/env bash
# The loader with and without a selection, interleaved pairs on one file
# (docs/benchmarks.md, "Filtered loading"): JSON lines on stdout.
#   [MEMORY=256MB] bench/frame_bench.sh CLI FILE [REPS]
set -euo pipefail
cli=$1 file=$2 reps=${3:-3} memory=${MEMORY:-256MB}
features=lepton_pT,lepton_eta,lepton_phi,missing_energy_magnitude,missing_energy_phi
for j in 1 2 3 4; do features+=",jet${j}_pt,jet${j}_eta,jet${j}_phi,jet${j}_btag"; done
features+=",m_jj,m_jjj,m_lv,m_jlv,m_bb,m_wbb,m_wwbb"
defines=(--define "ht=Sum(Jet_pt[Jet_pt > 30])" --define "n_good=Sum(Jet_pt > 30)"
         --define "lead_mu=Muon_pt.size() > 0 ? Muon_pt[0] : 0.f")
common=(--tree events --target label --batch-size 1024 --memory "$memory" --threads 2 --json)
run() { local label=$1; shift; "$cli" bench "$file" "${common[@]}" "$@" | sed "s/^{/{\"run\": \"$label\", /"; }
for ((i = 0; i < reps; ++i)); do
  run plain --columns "$features"
  run filter50 --columns "$features" --filter "lepton_pT > 50"
  run filter50_3defines --columns "$features,ht,n_good,lead_mu" --filter "lepton_pT > 50" "${defines[@]}"
  run plain_3defines --columns "$features,ht,n_good,lead_mu" "${defines[@]}"
done
