#!/usr/bin/env bash
# Submits a noisegeom sweep to Slurm: the shard array (slurm-sweep.sbatch,
# SHARDS tasks) and then, once, the merge (slurm-merge.sbatch), which starts
# only when every array task has succeeded (afterok on the array's job ID
# covers all its tasks). Extra arguments go to both sbatch calls (e.g.
# --partition=long --account=proj).
#
#   NOISEGEOM=$HOME/bin/noisegeom SHARDS=8 SCALE=full examples/sweep/slurm-submit.sh
#
# Environment (exported to both jobs): NOISEGEOM, SHARDS (default 8),
# RESULTS (default $PWD/noisegeom-sweep, on a file system every node sees),
# SCALE, SEED, ONLY.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
export SHARDS="${SHARDS:-8}"
RESULTS="${RESULTS:-$PWD/noisegeom-sweep}"
mkdir -p "$RESULTS"
RESULTS="$(cd "$RESULTS" && pwd)" # absolute: the jobs may start elsewhere
export RESULTS

case "$SHARDS" in
'' | *[!0-9]* | 0) echo "slurm-submit.sh: SHARDS must be a positive integer, not '$SHARDS'" >&2; exit 2 ;;
esac

# --parsable prints "jobid" or "jobid;cluster".
array=$(sbatch --parsable --export=ALL --array="0-$((SHARDS - 1))" "$@" "$here/slurm-sweep.sbatch")
array="${array%%;*}"
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" --kill-on-invalid-dep=yes "$@" "$here/slurm-merge.sbatch")
merge="${merge%%;*}"
echo "submitted shard array $array ($SHARDS tasks) and merge job $merge; the report will be in $RESULTS/report"
