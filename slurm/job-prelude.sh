# job-prelude.sh -- the shared part of slurm/logjoin.sbatch, gbtrain.sbatch and
# gbpredict.sbatch, sourced by them (not run on its own). The script sets
#   PROG           the program (bin/PROG)
#   PROG_ENV_ARGS  options put before the job's arguments (from LOGJOIN_ARGS, ...)
# and sources this file with the job's arguments as "$@". This file finds the toolkit
# (TOOLKIT_DIR, else the submit directory or its nearest parent holding bin/PROG),
# starts one rank per Slurm task with mpirun or srun (LAUNCHER, MPIRUN_ARGS) and ends the
# job with PROG's exit status.
# shellcheck shell=bash
[ -n "${PROG:-}" ] || { echo "job-prelude.sh: PROG is not set (source it from slurm/PROG.sbatch)" >&2; exit 70; }
set -uo pipefail

# The toolkit's root: $TOOLKIT_DIR, else the submit directory or its nearest parent
# holding bin/PROG, else the script's own folder's parent (when run without sbatch:
# sbatch runs a copy of this script from its spool folder, so $0 says nothing there).
find_toolkit() {
  local d
  if [ -n "${TOOLKIT_DIR:-}" ]; then
    [ -x "$TOOLKIT_DIR/bin/$PROG" ] && { (cd "$TOOLKIT_DIR" && pwd); return 0; }
    echo "$PROG.sbatch: TOOLKIT_DIR=$TOOLKIT_DIR has no bin/$PROG (run make there)" >&2
    return 1
  fi
  d=${SLURM_SUBMIT_DIR:-$PWD}
  while [ -n "$d" ]; do
    [ -x "$d/bin/$PROG" ] && { echo "$d"; return 0; }
    [ "$d" = / ] && break
    d=$(dirname "$d")
  done
  d=$(cd "$(dirname "$0")/.." 2>/dev/null && pwd) || d=""
  [ -n "$d" ] && [ -x "$d/bin/$PROG" ] && { echo "$d"; return 0; }
  echo "$PROG.sbatch: cannot find bin/$PROG: submit from the toolkit's repo root or set TOOLKIT_DIR" >&2
  return 1
}
ROOT=$(find_toolkit) || exit 69

# Open MPI refuses root without these; HDF5 file locking fails on some cluster file systems
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export HDF5_USE_FILE_LOCKING=${HDF5_USE_FILE_LOCKING:-FALSE}

# one rank per Slurm task (NP outside Slurm, default 2)
NP=${SLURM_NTASKS:-${NP:-2}}
LAUNCHER=${LAUNCHER:-mpirun}
set -f  # the *_ARGS variables are split on spaces, never globbed
# shellcheck disable=SC2206
PROG_ARGS=(${PROG_ENV_ARGS:-} "$@")
case "$LAUNCHER" in
  mpirun)
    # mpirun takes the hosts and slots from the allocation (SLURM_* variables)
    cmd=(mpirun -np "$NP")
    # inside Slurm every task is a slot (even with sbatch --overcommit); outside,
    # more ranks than CPUs need --oversubscribe
    if [ -z "${SLURM_JOB_ID:-}" ] && [ "$NP" -gt "$(nproc)" ]; then
      cmd+=(--oversubscribe)
    fi
    # shellcheck disable=SC2206
    cmd+=(${MPIRUN_ARGS:-}) ;;
  srun)
    # direct launch: Debian's Open MPI talks PMIx, not PMI2
    cmd=(srun --mpi=pmix -n "$NP") ;;
  *) echo "$PROG.sbatch: LAUNCHER must be mpirun or srun, not '$LAUNCHER'" >&2; exit 64 ;;
esac
cmd+=("$ROOT/bin/$PROG" "${PROG_ARGS[@]}")
set +f

echo "$PROG.sbatch: job ${SLURM_JOB_ID:-(no Slurm)} on ${SLURM_JOB_NODELIST:-$(hostname -s)}, $NP ranks, in $PWD"
echo "$PROG.sbatch: ${cmd[*]}"
"${cmd[@]}"
rc=$?
echo "$PROG.sbatch: $PROG exited with status $rc"
# the job's exit code: Slurm marks the job FAILED with ExitCode=rc:0 when rc is not 0
exit "$rc"
