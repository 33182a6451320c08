#!/usr/bin/env bash
# The project's one test command (`npm test`): type-check, build, then every jest suite,
# including promtool/amtool checks and real Prometheus/Alertmanager servers on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

# promtool and amtool come from Debian's prometheus and prometheus-alertmanager packages.
need=()
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v amtool >/dev/null 2>&1 || need+=(prometheus-alertmanager)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${need[*]} (for promtool/amtool) ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "error: promtool/amtool missing; install the Debian packages: ${need[*]} (as root: apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

echo "== type-check (tsc --noEmit)"
npx --no-install tsc --noEmit -p tsconfig.json
echo "== build"
npx --no-install tsc -p tsconfig.build.json
echo "== jest"
# --ci: snapshots are compared, never written.
npx --no-install jest --ci "$@"
