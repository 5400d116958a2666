#!/usr/bin/env bash
# Every --json output of dmsgsim is for jq: it parses, has the documented fields, and carries
# 64-bit values (seeds, hashes) as 0x-prefixed hex strings, since jq reads JSON numbers as
# doubles and would round them. Usage: json_output_with_jq.sh DMSGSIM
set -euo pipefail
readonly DMSGSIM=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# expect NAME JQ-FILTER FILE: the filter must print exactly "true".
expect() {
  local got
  if ! got=$(jq -e "$2" "$3" 2>&1) || [ "$got" != true ]; then
    echo "FAIL: $1: jq '$2' gave: $got" >&2
    failures=$((failures + 1))
  else
    echo "ok: $1"
  fi
}

readonly HEX='test("^0x[0-9a-f]{16}$")'

"$DMSGSIM" run --scenario transfer --seed 5 --json > "$work/transfer.json"
expect "run --scenario: one object with the documented fields" \
  '(["seed","state_hash","chain_hash","scenario","profile","ticks","tick_ns","events","result","checks"] - keys) == []' \
  "$work/transfer.json"
expect "run --scenario: seed and hashes are hex strings" \
  "(.seed | type == \"string\") and (.state_hash | $HEX) and (.chain_hash | $HEX)" "$work/transfer.json"
# README's convention: checks as {name, kind, outcome, measured, value, expected}; figures apart.
readonly CHECK_SHAPE='(keys == (["expected","kind","measured","name","outcome","value"])) and (.value | type == "number") and (.outcome == "pass" or .outcome == "fail")'
expect "run --scenario: result pass, every check in the convention's shape" \
  ".result == \"pass\" and (.checks | length > 0) and all(.checks[]; $CHECK_SHAPE) and all(.checks[]; .kind == \"safety\" or .kind == \"liveness\" or .kind == \"coverage\")" \
  "$work/transfer.json"
expect "run --scenario: the figures under figures, none at the top level" \
  '(.figures | type == "object") and (.figures.bytes_delivered | type == "number") and (has("bytes_delivered") | not)' \
  "$work/transfer.json"

"$DMSGSIM" run --json > "$work/six.json"
expect "run: an array of the six fault scenarios, each with a hex chain hash" \
  "(. | type == \"array\") and length == 6 and all(.[]; .chain_hash | $HEX)" "$work/six.json"

"$DMSGSIM" run --scenario demo --ticks 40 --trace "$work/demo.trace" > /dev/null
"$DMSGSIM" seek "$work/demo.trace" --tick 20 --json > "$work/seek.json"
expect "seek --json: the state is an object keyed by actor id" '(.actors | type == "object")' "$work/seek.json"

"$DMSGSIM" info "$work/demo.trace" --json > "$work/info.json"
expect "info --json: versions, the run's configuration with a hex seed, inputs and snapshots" \
  "(.format_version | type == \"number\") and (.config.seed | $HEX) and (.final_chain_hash | $HEX) and (.inputs | type == \"array\") and (.snapshots.ranges[0][0] == 0) and (.snapshots.ticks_kept >= 1)" \
  "$work/info.json"

"$DMSGSIM" replay "$work/demo.trace" --json > "$work/replay.json"
expect "replay --json: verified, with the number of ticks and the run's re-derived result" \
  '.replay == "verified" and .ticks_verified == 40 and (.result == "pass") and (.fingerprint == null)' "$work/replay.json"

"$DMSGSIM" fork "$work/demo.trace" --tick 20 --seed 9 --trace "$work/fork.trace" --json > "$work/fork.json"
expect "fork --json: where it forked, with a hex seed and chain" \
  "(.tick == 20) and (.seed | $HEX) and (.final_chain_hash | $HEX) and (.ticks == 20)" "$work/fork.json"

"$DMSGSIM" diff "$work/demo.trace" "$work/fork.trace" --json > "$work/diff.json" || true
expect "diff --json: a fork differs from its parent from the fork tick, reseeded there" \
  '(.agree == false) and (.first_differing_chain_tick == 20) and (.chain_hashes | length == 2) and (.state_differences | length > 0) and (.run_differences | length == 1)' \
  "$work/diff.json"

"$DMSGSIM" run --list --json > "$work/list.json"
expect "run --list --json: the scenarios, six of them fault scenarios, and the profiles" \
  '([.scenarios[] | select(.fault_scenario)] | length == 6) and ([.profiles[].name] | index("swarm") != null)' "$work/list.json"

"$DMSGSIM" chaos --seed 4 --servers 2 --clients 4 --streams 10 --duration 30s --json > "$work/chaos.json"
expect "chaos --json: the same convention, one check per model class, counts under figures" \
  "(.seed | $HEX) and .result == \"pass\" and ([.checks[].kind] == [\"exact\",\"bound\",\"oracle\",\"liveness\"]) and all(.checks[]; $CHECK_SHAPE) and (.figures.events_executed | type == \"object\") and (.figures.batches > 0)" \
  "$work/chaos.json"

"$DMSGSIM" chaos --list-bugs --json > "$work/bugs.json"
expect "chaos --list-bugs --json: every bug with a description" \
  'length >= 4 and all(.[]; (.name | type == "string") and (.description | length > 0))' "$work/bugs.json"

if [ "$failures" -ne 0 ]; then
  echo "$failures jq check(s) failed" >&2
  exit 1
fi
