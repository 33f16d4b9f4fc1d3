# lib.sh -- helpers for the integration tests (sourced).
# Each check prints "ok - NAME" or "not ok - NAME"; tests/run.sh counts them.
# The helpers (ok, not_ok, check, mpi, expect_status, err_has, same_file, finish)
# live in tests/lib-common.sh, which the cluster tests share; this file adds the
# environment, the scratch folder $WORK and expect_fail.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=/usr/bin/python3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export HDF5_USE_FILE_LOCKING=FALSE
MPI_TIMEOUT=${MPI_TIMEOUT:-120}
WORK=$(mktemp -d /tmp/tk-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=tests/lib-common.sh
source "$ROOT/tests/lib-common.sh"

# expect_fail NAME CODES REGEX NP PROG ARGS...: the job exits with one of
# CODES (e.g. "65" or "65|66"), rank 0 prints exactly one line "PROG: error:
# ..." matching REGEX, no MPI_Abort
expect_fail() {
  local name=$1 codes=$2 re=$3; shift 3
  local prog; prog=$(basename "$2")
  mpi "$@"
  local got=$? n; n=$(grep -c "^$prog: error: " "$WORK/err")
  if echo "$got" | grep -qxE "$codes" && [ "$n" -eq 1 ] && grep -qE -- "^$prog: error: .*($re)" "$WORK/err" &&
     ! grep -q 'MPI_ABORT was invoked' "$WORK/err"; then
    ok "$name (exit $got)"
  else
    not_ok "$name (exit $got, want $codes; $n error lines, want one matching /$re/)"
    sed 's/^/    /' "$WORK/err" | head -20
  fi
}
