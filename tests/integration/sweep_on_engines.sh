#!/usr/bin/env bash
# A sweep spread over the real engines: the script `sweep --emit slurm` writes, submitted to a
# private single-node Slurm cluster (tools/slurm-cluster), and the line `--emit parallel`
# prints, run by GNU parallel on this host. Each must give 4 shards, each having run only its
# own runs, and a merge equal, chain for chain, to a local `--jobs 2` sweep of the same seeds.
#   sweep_on_engines.sh DMSGSIM SOURCE_ROOT slurm|parallel
set -euo pipefail
dmsgsim=$(realpath "$1")
root=$(realpath "$2")
engine=$3
work=$(mktemp -d)
cluster="$work/cluster"
cleanup() {
  [ "$engine" = slurm ] && "$root/tools/slurm-cluster" stop "$cluster" || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

sweep=(sweep --seeds 1:40 --chaos --config "$root/configs/chaos-small.json")
# index and chain of every run, in index order: what two sweeps must share
chains() { jq -r 'select(.type == "run") | "\(.index) \(.chain_hash)"' "$@" | sort -n; }

"$dmsgsim" "${sweep[@]}" --jobs 2 --json --artifacts "$work/local-artifacts" > local.jsonl ||
  fail "the local sweep failed: $(tail -1 local.jsonl)"
[ "$(chains local.jsonl | wc -l)" = 40 ] || fail "the local sweep did not report 40 runs"

case $engine in
  slurm)
    chmod 711 "$work"  # munged wants every folder above its socket reachable by all
    cluster_env=$("$root/tools/slurm-cluster" start "$cluster") || fail "the Slurm cluster did not start"
    eval "$cluster_env"
    "$dmsgsim" "${sweep[@]}" --jobs 1 --emit slurm --shards 4 --array-limit 4 --out-dir "$work/out" > submit.sh
    read -r array_job merge_job < <(bash submit.sh)
    for _ in $(seq 1 600); do
      [ -z "$(squeue -h -j "$array_job,$merge_job" 2> /dev/null)" ] && break
      sleep 0.5
    done
    [ -z "$(squeue -h -j "$array_job,$merge_job" 2> /dev/null)" ] || fail "the jobs did not end within 5 minutes"
    outputs=("$work/out/${array_job}"_*.jsonl)
    merged="$work/out/$array_job.merged.json"
    ;;
  parallel)
    line=$("$dmsgsim" "${sweep[@]}" --jobs 2 --emit parallel --shards 4 --out-dir "$work/out")
    bash -c "$line"
    [ "$(tail -n +2 "$work/out/parallel.log" | wc -l)" = 4 ] || fail "parallel's job log does not hold 4 jobs"
    outputs=("$work/out/"[0-9]*.jsonl)
    merged="$work/out/merged.json"
    ;;
  *) fail "unknown engine $engine" ;;
esac

[ "${#outputs[@]}" = 4 ] || fail "expected 4 shard outputs, found ${#outputs[@]}: ${outputs[*]}"
shards_seen=()
for output in "${outputs[@]}"; do
  shard=$(jq -r 'select(.type == "sweep") | .shard' "$output")
  [ -n "$shard" ] || fail "$output has no sweep line"
  others=$(jq -r --argjson s "$shard" 'select(.type == "run" and (.shard != $s or .index % 4 != $s)) | .index' "$output")
  [ -z "$others" ] || fail "$output (shard $shard) ran runs of other shards: $others"
  shards_seen+=("$shard")
done
[ "$(printf '%s\n' "${shards_seen[@]}" | sort -u | wc -l)" = 4 ] || fail "the 4 tasks did not run 4 distinct shards: ${shards_seen[*]}"
[ "$(jq -r .complete "$merged")" = true ] || fail "the merge is not complete: $(cat "$merged")"
[ "$(jq -r .failures "$merged")" = 0 ] || fail "the merged sweep has failures: $(cat "$merged")"
diff <(chains local.jsonl) <(chains "${outputs[@]}") > /dev/null || fail "the shards' chains differ from the local sweep's"
echo "ok: $engine ran 4 shards of 40 chaos seeds, merged complete, chains equal to the local sweep's"
