#!/usr/bin/env bash
# Runs every command of README's ```sh blocks, in order, in one scratch folder (so a trace
# one line records is there for the next), each with a time limit, and checks its exit
# code: 0, or the N a comment on the line announces as "(exit N)". Commands that cannot run
# here are listed below with the reason. Usage: readme_examples.sh SOURCE_ROOT BUILD_DIR
set -uo pipefail
readonly SOURCE_ROOT=$1
readonly BUILD_DIR=$(cd "$2" && pwd)
readonly TIME_LIMIT=300

# Commands left out, by prefix, and why.
declare -A SKIPPED=(
  ["tools/dev "]="the quick start itself: CI runs it as its first step, and it runs this suite"
  ["meson test "]="runs the test suite this test is part of"
  ["build/dmsgsim bench"]="minutes of measurement on a quiet machine; meson benchmark runs it"
  ["CXX=clang++ meson setup"]="makes another build; CI's Clang and fuzzing steps do"
  ["ninja -C build-fuzz"]="builds the fuzzing configuration; CI's fuzzing step does"
  ["build-fuzz/"]="a five-minute fuzzing run; CI's fuzzing step runs the fuzzers"
)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# Examples name the repository's example files by their path from the clone's top.
ln -s "$SOURCE_ROOT/configs" "$scratch/configs"

skip_reason() {
  local command=$1 prefix
  for prefix in "${!SKIPPED[@]}"; do
    if [[ "$command" == "$prefix"* ]]; then
      echo "${SKIPPED[$prefix]}"
      return 0
    fi
  done
  return 1
}

ran=0
skipped=0
failed=0
line_number=0
in_block=false
while IFS= read -r line; do
  line_number=$((line_number + 1))
  if [[ "$line" == '```sh' ]]; then in_block=true; continue; fi
  if [[ "$line" == '```'* ]]; then in_block=false; continue; fi
  $in_block || continue
  [[ -z "${line// /}" ]] && continue
  command=${line%%  #*}  # the comment after two spaces is for the reader
  command=${command%"${command##*[![:space:]]}"}
  expected=0
  if [[ "$line" =~ \(exit\ ([0-9]+)\) ]]; then expected=${BASH_REMATCH[1]}; fi
  if reason=$(skip_reason "$command"); then
    echo "skipped, README.md:$line_number: $command ($reason)"
    skipped=$((skipped + 1))
    continue
  fi
  # build/ in an example is the quick start's build: the one under test.
  runnable=$(sed -E "s#(^|[ |])build/#\1$BUILD_DIR/#g" <<< "$command")
  (cd "$scratch" && timeout "$TIME_LIMIT" bash -c "$runnable" < /dev/null > "$scratch/.out" 2>&1)
  code=$?
  ran=$((ran + 1))
  if [ "$code" -ne "$expected" ]; then
    failed=$((failed + 1))
    echo "FAIL, README.md:$line_number: exit $code, expected $expected: $command"
    tail -n 15 "$scratch/.out" | sed 's/^/    /'
  else
    echo "ok, README.md:$line_number: exit $code: $command"
  fi
done < "$SOURCE_ROOT/README.md"

echo "$ran README commands run, $skipped skipped, $failed failed"
[ "$ran" -gt 20 ] || { echo "FAIL: too few commands found in README.md's sh blocks" >&2; exit 1; }
[ "$failed" -eq 0 ]
