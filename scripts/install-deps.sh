#!/usr/bin/env bash
# install-deps.sh -- installs every Debian package the toolkit needs (build,
# tests, Python side). Idempotent: installs only what is missing, so make
# calls it before every test or demo run. Uses sudo when not root.
#   scripts/install-deps.sh           install what is missing
#   scripts/install-deps.sh --check   exit 1 and list what is missing
#   scripts/install-deps.sh --cluster also slurm-wlm and munge (make test-cluster);
#                                     combines with --check
set -euo pipefail

CHECK=0
CLUSTER=0
for a in "$@"; do
  case "$a" in
    --check) CHECK=1 ;;
    --cluster) CLUSTER=1 ;;
    *) echo "install-deps: unknown option: $a" >&2; exit 2 ;;
  esac
done

PACKAGES=(
  # build
  make gcc pkg-config openmpi-bin libopenmpi-dev libhdf5-openmpi-dev libcsv-dev
  libcunit1-dev libjansson-dev
  # compressed inputs and outputs (tk_input, genlogs --compress): zlib, libzstd, htslib (BGZF)
  zlib1g-dev libzstd-dev libhts-dev
  # tests and scripts (gzip, zstd and bgzip -- in tabix -- check the compressed files)
  hdf5-tools sqlite3 procps coreutils time bsdextrautils gzip zstd tabix
  # Python side (always run with /usr/bin/python3)
  python3 python3-numpy python3-pandas python3-h5py python3-sklearn python3-xgboost
  python3-matplotlib python3-seaborn jupyter-nbconvert python3-ipykernel
)
# a single-node Slurm for make test-cluster (scripts/slurm-local)
if [ "$CLUSTER" -eq 1 ]; then PACKAGES+=(slurm-wlm munge); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$CHECK" -eq 1 ]; then
  echo "missing packages: ${missing[*]}"
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
