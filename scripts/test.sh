#!/usr/bin/env bash
# The project's one test command (`npm test`): type-check, build, then every jest suite,
# including promtool/amtool checks, real Prometheus/Alertmanager servers on loopback and the
# Terraform gate.
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

# The Terraform gate (test/terraform) runs `terraform init` on every synthesized stack.
# CI requires it; elsewhere the gate's suites are skipped with a notice.
terraform_bin="${TERRAFORM_BINARY:-terraform}"
if ! command -v "$terraform_bin" >/dev/null 2>&1; then
  install_hint="install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) and put it on PATH"
  if [ "${CI:-}" = true ]; then
    echo "error: $terraform_bin not found; CI requires it for the Terraform gate: $install_hint" >&2
    exit 1
  fi
  echo "notice: $terraform_bin not found: synthesized stacks are not checked by Terraform (gate skipped); $install_hint"
fi

# Prometheus 3, promtool 3, Alertmanager and amtool 0.3x (the release lines the chart deploys) for the
# end-to-end suite and the amtool checks: Debian sid's packages unpacked into .tools/ with a private
# apt configuration, never installed system-wide. Skips when present; fails with the reason otherwise.
bash scripts/fetch-prometheus.sh

echo "== type-check (tsc --noEmit)"
npx --no-install tsc --noEmit -p tsconfig.json
echo "== build"
npx --no-install tsc -p tsconfig.build.json
echo "== jest"
# --ci: snapshots are compared, never written.
npx --no-install jest --ci "$@"
