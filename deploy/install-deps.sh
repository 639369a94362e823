#!/usr/bin/env bash
# Installs every Debian package that Starling's build, tests and benchmarks need.
# Idempotent: packages already installed are skipped, and `apt-get update` runs only when
# something is missing. Run as root (or with sudo available) on Debian 12.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config
  # libraries
  libzmq3-dev cppzmq-dev capnproto libcapnp-dev libleveldb-dev libsnappy-dev
  libspdlog-dev libfmt-dev libcxxopts-dev libyaml-cpp-dev libxxhash-dev
  libgtest-dev libgmock-dev librapidcheck-dev libabsl-dev libbenchmark-dev
  # faster rebuilds (used by CMake when present)
  ccache
  # lint, format, sanitizers, fuzzing
  clang clang-format-14 clang-tidy-14 libclang-rt-14-dev
  # black-box tests and benchmarks
  python3 python3-redis python3-yaml python3-pytest redis-tools redis-server
  procps iproute2
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's redis-server package starts a system service on install; the tests and
# benchmarks start their own instances on free ports, so stop the packaged one.
if printf '%s\n' "${missing[@]}" | grep -qx redis-server; then
  $SUDO service redis-server stop >/dev/null 2>&1 || true
fi
echo "install-deps: done"
