#!/usr/bin/env bash
# Fetches Prometheus 3, promtool 3 and Alertmanager 0.3x (the release lines kube-prometheus-stack
# deploys) from Debian's unstable suite into .tools/debian-sid/ of this project, for the
# end-to-end tests, the demo and amtool checks. Nothing is installed system-wide: apt runs with
# a private configuration (its own sources list, lists and cache under .tools/apt/) and the
# packages are unpacked with `dpkg -x`. Sid moves, so no exact version is pinned: the majors
# are checked instead. Idempotent: does nothing when matching binaries are already there.
#
#   scripts/fetch-prometheus.sh          fetch if missing
#   scripts/fetch-prometheus.sh --check  only report whether the binaries are present (exit 1 if not)
#
# DEBIAN_MIRROR overrides the mirror, which is otherwise the one the machine's apt already uses.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS=.tools
ROOT=$TOOLS/debian-sid
BIN=$ROOT/usr/bin
PACKAGES=(prometheus promtool prometheus-alertmanager)
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

fail() {
  echo "error: $*" >&2
  echo "       The binaries are Debian sid's packages ${PACKAGES[*]}, unpacked into $ROOT (see README, \"Tests\")." >&2
  exit 1
}

# Prints "<major>.<minor>" of a binary's `--version`, or nothing.
version_of() {
  "$1" --version 2>&1 | sed -n 's/.*version \([0-9]\+\.[0-9]\+\).*/\1/p' | head -n1
}

# True when all four binaries are present with Prometheus/promtool 3.x and Alertmanager/amtool >= 0.30.
binaries_ok() {
  local p t a m
  [ -x "$BIN/prometheus" ] && [ -x "$BIN/promtool" ] && [ -x "$BIN/prometheus-alertmanager" ] && [ -x "$BIN/amtool" ] || return 1
  p=$(version_of "$BIN/prometheus"); t=$(version_of "$BIN/promtool")
  a=$(version_of "$BIN/prometheus-alertmanager"); m=$(version_of "$BIN/amtool")
  [[ "$p" == 3.* && "$t" == 3.* ]] || return 1
  [[ "$a" == 0.* && "$m" == 0.* && ${a#0.} -ge 30 && ${m#0.} -ge 30 ]] || return 1
}

report() {
  echo "prometheus $(version_of "$BIN/prometheus"), promtool $(version_of "$BIN/promtool"), alertmanager $(version_of "$BIN/prometheus-alertmanager"), amtool $(version_of "$BIN/amtool") in $ROOT"
}

if binaries_ok; then
  [ "${1:-}" = "--check" ] && report
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "Prometheus 3 / Alertmanager 0.3x binaries missing in $ROOT: run scripts/fetch-prometheus.sh (needs apt-get, dpkg and the Debian mirror)" >&2
  exit 1
fi

command -v apt-get >/dev/null 2>&1 || fail "apt-get not found: this script needs a Debian-based machine"
command -v dpkg >/dev/null 2>&1 || fail "dpkg not found: this script needs a Debian-based machine"
[ -r "$KEYRING" ] || fail "$KEYRING missing: install the Debian package debian-archive-keyring"

# The Debian mirror the machine already uses: first "deb" URI (one-line or deb822 format) whose
# path ends in /debian (not debian-security, not a third-party repository).
mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(
    {
      cat /etc/apt/sources.list 2>/dev/null | sed -n 's/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p'
      cat /etc/apt/sources.list.d/*.list 2>/dev/null | sed -n 's/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p'
      cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs:[[:space:]]*//p' | tr ' ' '\n'
    } | grep -E '^(https?|file)://[^ ]*/debian/?$' | head -n1
  )
fi
[ -n "$mirror" ] || fail "no Debian mirror found in /etc/apt/sources.list{,.d}; set DEBIAN_MIRROR (e.g. http://deb.debian.org/debian)"
mirror=${mirror%/}

arch=$(dpkg --print-architecture)
apt_dir=$(pwd)/$TOOLS/apt
rm -rf "$apt_dir"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources.list.d" "$apt_dir/preferences.d" "$apt_dir/download"
echo "deb [arch=$arch signed-by=$KEYRING] $mirror sid main" >"$apt_dir/sources.list"
apt_opts=(
  -o "Dir::Etc::sourcelist=$apt_dir/sources.list"
  -o "Dir::Etc::sourceparts=$apt_dir/sources.list.d"
  -o "Dir::Etc::preferencesparts=$apt_dir/preferences.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o "Dir::State::status=/dev/null"
  -o "APT::Architectures=$arch"
  -o "Acquire::Languages=none"
  -o "Debug::NoLocking=1"
)
# apt drops to the _apt user for downloads, which cannot write into a project folder.
[ "$(id -u)" = 0 ] && apt_opts+=(-o "APT::Sandbox::User=root")
echo "fetching ${PACKAGES[*]} from $mirror sid (private apt configuration in $TOOLS/apt) ..."
apt-get "${apt_opts[@]}" -qq update || fail "apt-get update of $mirror sid failed (network or mirror)"
(cd "$apt_dir/download" && apt-get "${apt_opts[@]}" -qq download "${PACKAGES[@]}") || fail "apt-get download ${PACKAGES[*]} from $mirror sid failed"

rm -rf "$ROOT"
mkdir -p "$ROOT"
for deb in "$apt_dir"/download/*.deb; do
  dpkg -x "$deb" "$ROOT"
done
rm -rf "$apt_dir"
binaries_ok || fail "the sid packages did not give Prometheus/promtool 3.x and Alertmanager/amtool >= 0.30 ($(report))"
report
