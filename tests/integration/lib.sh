# lib.sh -- helpers for the integration tests (sourced).
# Each check prints "ok - NAME" or "not ok - NAME"; tests/run.sh counts them.
# The helpers (ok, not_ok, check, mpi, expect_status, err_has, same_file, finish)
# live in tests/lib-common.sh, which the cluster tests share; this file adds the
# environment and the scratch folder $WORK.
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
