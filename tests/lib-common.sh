# lib-common.sh -- the test helpers shared by tests/integration/lib.sh and the cluster
# tests (tests/cluster/*.sh); sourced, defines functions and the counters only.
# Each check prints "ok - NAME" or "not ok - NAME" and counts it in T_PASS / T_FAIL;
# tests/run.sh counts those lines, the cluster runners end with `counts`.
# mpi, expect_status and err_has need WORK (a scratch folder) and MPI_TIMEOUT
# (seconds, default 120) from the sourcing script.
T_PASS=0
T_FAIL=0
MPI_TIMEOUT=${MPI_TIMEOUT:-120}

ok() { echo "ok - $*"; T_PASS=$((T_PASS + 1)); }
not_ok() { echo "not ok - $*"; T_FAIL=$((T_FAIL + 1)); }

# check NAME CMD...: passes when CMD exits 0
check() {
  local name=$1; shift
  if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# mpi NP ARGS...: mpirun with a timeout; stdout/stderr to $WORK/out, $WORK/err
mpi() {
  local np=$1; shift
  timeout "$MPI_TIMEOUT" mpirun -np "$np" "$@" >"$WORK/out" 2>"$WORK/err"
}

# expect_status NAME WANT NP ARGS...: runs mpi and checks the exit status
expect_status() {
  local name=$1 want=$2; shift 2
  mpi "$@"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok "$name (exit $got)"; else
    not_ok "$name (exit $got, want $want)"; sed 's/^/    /' "$WORK/err" | head -20; fi
}

# err_has NAME REGEX: the last run's stderr matches REGEX
err_has() {
  if grep -qE -- "$2" "$WORK/err"; then ok "$1"; else
    not_ok "$1: stderr lacks /$2/"; sed 's/^/    /' "$WORK/err" | head -20; fi
}

same_file() { cmp -s "$1" "$2" || { echo "    $1 and $2 differ"; diff <(head -c 2000 "$1") <(head -c 2000 "$2") | head -10; return 1; }; }

# indent [N]: stdin indented by 4 spaces, its last N lines (default 20)
indent() { sed 's/^/    /' | tail -n "${1:-20}"; }

# counts: the final line the runners read, "N passed, N failed"
counts() { echo "$T_PASS passed, $T_FAIL failed"; }

finish() {
  echo "# $(basename "$0"): $T_PASS passed, $T_FAIL failed"
  [ "$T_FAIL" -eq 0 ]
}
