#!/usr/bin/env bash
# Runs an integration test only where the Debian packages it needs are installed:
#   require_packages.sh PACKAGE... -- COMMAND [ARGS...]
# A missing package skips the test (exit 77, Meson's "skipped") with a line naming it, or,
# under CI=true, where .ci/run installs every package such a test needs, fails it.
set -euo pipefail

packages=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  packages+=("$1")
  shift
done
if [ $# -lt 2 ]; then
  echo "usage: require_packages.sh PACKAGE... -- COMMAND [ARGS...]" >&2
  exit 2
fi
shift

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${CI:-}" = true ]; then
    echo "FAIL: this integration test needs the Debian package(s) ${missing[*]}, which CI must install" >&2
    exit 1
  fi
  echo "SKIP: this integration test needs the Debian package(s) ${missing[*]} (apt-get install ${missing[*]})"
  exit 77
fi
exec "$@"
