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
expect "run --scenario: result pass, every check named with an outcome" \
  '.result == "pass" and (.checks | length > 0) and all(.checks[]; (.name | type == "string") and has("outcome"))' \
  "$work/transfer.json"

"$DMSGSIM" run --json > "$work/six.json"
expect "run: an array of the six fault scenarios, each with a hex chain hash" \
  "(. | type == \"array\") and length == 6 and all(.[]; .chain_hash | $HEX)" "$work/six.json"

"$DMSGSIM" run --scenario demo --ticks 40 --trace "$work/demo.trace" > /dev/null
"$DMSGSIM" seek "$work/demo.trace" --tick 20 --json > "$work/seek.json"
expect "seek --json: the state is an object keyed by actor id" '(.actors | type == "object")' "$work/seek.json"

if [ "$failures" -ne 0 ]; then
  echo "$failures jq check(s) failed" >&2
  exit 1
fi
