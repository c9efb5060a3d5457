#!/usr/bin/env bash
# Runs the loader benchmarks of docs/benchmarks.md and appends one JSON line
# per run to $OUT/loader_runs.jsonl (plus RSS traces and entry orders), for
# scripts/plots/plot_loader.py. Loader and ceiling runs are interleaved and
# repeated, so that a shared machine slows both alike.
#
#   scripts/plots/loader_bench.sh [ROOTBATCH] [SAMPLES_DIR] [OUT]
# Samples (rootbatch make-sample, --no-jagged, 28 float features + label):
#   SAMPLES_DIR/bench10M_{zstd,lz4,zlib}.root (10 M events), bench1M_zstd.root (1 M)
set -euo pipefail
RB=${1:-build/release/cli/rootbatch}
SAMPLES=${2:-samples}
OUT=${3:-out/loader-bench}
REPS=${REPS:-3}
PARTS=${PARTS:-"speed rss quality"}   # which groups of runs to do
mkdir -p "$OUT"
RUNS="$OUT/loader_runs.jsonl"
FEATURES=$("$RB" ls "$SAMPLES/bench10M_zstd.root" | awk '$2 == "float" && $1 != "weight" {print $1}' | paste -sd,)
COMMON=(--tree events --target label --columns "$FEATURES" --batch-size 1024 --json)

run() {  # run TAG ARGS...: one JSON line tagged with the run's name and arguments
  local tag=$1; shift
  local json
  json=$("$RB" bench "$@" "${COMMON[@]}")
  printf '{"tag": "%s", "args": "%s", "result": %s}\n' "$tag" "$*" "$json" >> "$RUNS"
  echo "$tag $*: $(echo "$json" | tr -d '\n' | cut -c1-160)" >&2
}

want() { [[ " $PARTS " == *" $1 "* ]]; }

# Speed: events/s at 1, 2 (and 4) threads against the decompression ceiling.
want speed && for rep in $(seq "$REPS"); do
  for codec in zstd lz4 zlib; do
    for threads in 1 2; do
      run speed "$SAMPLES/bench10M_$codec.root" --memory 256MB --threads "$threads"
      run ceiling "$SAMPLES/bench10M_$codec.root" --memory 256MB --threads "$threads" --ceiling
    done
  done
  run speed "$SAMPLES/bench10M_zstd.root" --memory 256MB --threads 4
  run ceiling "$SAMPLES/bench10M_zstd.root" --memory 256MB --threads 4 --ceiling
done

# Memory: peak RSS for budgets of 64 and 256 MiB, 1 M and 10 M events, with traces.
want rss && for budget in 64 256; do
  for events in 1M 10M; do
    run rss "$SAMPLES/bench${events}_zstd.root" --memory ${budget}MB --threads 2 \
        --rss-trace "$OUT/rss_${events}_${budget}.txt"
  done
done

# Shuffle quality at 5 % of the 10 M sample's 1.16 GB (58 MB), and the entry
# orders for the plot; then the cost of each setting without the report's own work.
want quality || exit 0
run quality "$SAMPLES/bench10M_zstd.root" --memory 58MB --shuffle-report --order-out "$OUT/order_stream.bin"
run quality "$SAMPLES/bench10M_zstd.root" --memory 58MB --shuffle-report --block-split 2
run quality "$SAMPLES/bench10M_zstd.root" --memory 58MB --shuffle-report --no-stratify
run quality "$SAMPLES/bench10M_zstd.root" --memory 58MB --shuffle-report --shuffle cluster-chunks \
    --order-out "$OUT/order_cluster_chunks.bin"
for rep in $(seq "$REPS"); do
  for extra in "" "--block-split 2" "--no-stratify" "--shuffle cluster-chunks"; do
    # shellcheck disable=SC2086
    run quality-speed "$SAMPLES/bench10M_zstd.root" --memory 58MB --threads 2 $extra
  done
done
