#!/usr/bin/env bash
# pipeline.sh -- logjoin -> gbtrain -> gbpredict as three Slurm jobs, each one
# starting only when the one before it succeeded (--dependency=afterok).
#
#   slurm/pipeline.sh [--wait] MIN_ID MAX_ID LOG1 LOG2 WORKDIR
#
# Writes WORKDIR/features/ (logjoin's OUTDIR: features.csv, features.h5, _SUCCESS),
# WORKDIR/model.json (and model.json.importance.csv), WORKDIR/predictions.csv (gbpredict
# over features.h5, userId kept) and the jobs' logs WORKDIR/slurm-NAME-JOBID.out. A rerun
# replaces these outputs. Prints one line per job: NAME JOBID.
# A failed job cancels the jobs after it (--kill-on-invalid-dep=yes) instead of leaving
# them pending forever.
#
#   --wait  wait until the three jobs have ended; print each one's state and exit 0
#           only if all three COMPLETED (1 otherwise, 124 on PIPELINE_TIMEOUT)
#
# Environment:
#   TOOLKIT_DIR       the toolkit's root (default: this script's repo)
#   GBTRAIN_ARGS      gbtrain's options (default: --label paid --objective binary:logistic
#                     --features topGenderId,topGenderIdSongs,distSongIds,region,type)
#   LOGJOIN_ARGS      logjoin's options (default: none; e.g. --extra-features)
#   GBPREDICT_ARGS    gbpredict's options (default: --keep userId)
#   SBATCH_ARGS       sbatch options for all three jobs (e.g. --partition=compute --account=A)
#   LOGJOIN_SBATCH_ARGS, GBTRAIN_SBATCH_ARGS, GBPREDICT_SBATCH_ARGS
#                     sbatch options for one job (e.g. --ntasks=32 --time=2:00:00)
#   PIPELINE_TIMEOUT  seconds --wait waits at most (default 0: no limit)
# The *_ARGS variables are split on spaces. sbatch's own variables (SBATCH_PARTITION,
# SBATCH_TIMELIMIT, ...) and SLURM_CONF apply as usual.
set -euo pipefail

usage() { echo "usage: $0 [--wait] MIN_ID MAX_ID LOG1 LOG2 WORKDIR" >&2; exit 64; }
WAIT=0
while [ $# -gt 0 ]; do
  case "$1" in
    --wait) WAIT=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    -*) echo "pipeline.sh: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -eq 5 ] || usage
MIN_ID=$1 MAX_ID=$2
LOG1=$(realpath -m -- "$3")
LOG2=$(realpath -m -- "$4")
WORKDIR=$(realpath -m -- "$5")

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export TOOLKIT_DIR=${TOOLKIT_DIR:-$(dirname "$HERE")}
for p in logjoin gbtrain gbpredict; do
  [ -x "$TOOLKIT_DIR/bin/$p" ] || { echo "pipeline.sh: no $TOOLKIT_DIR/bin/$p (run make, or set TOOLKIT_DIR)" >&2; exit 69; }
done
SLURM_DIR=$TOOLKIT_DIR/slurm
command -v sbatch >/dev/null || { echo "pipeline.sh: sbatch not found" >&2; exit 69; }

# the jobs read these from their environment (sbatch exports the submitting one)
export GBTRAIN_ARGS=${GBTRAIN_ARGS:---label paid --objective binary:logistic --features topGenderId,topGenderIdSongs,distSongIds,region,type}
export LOGJOIN_ARGS=${LOGJOIN_ARGS:-}
export GBPREDICT_ARGS=${GBPREDICT_ARGS:---keep userId}

mkdir -p "$WORKDIR"
NAMES=() IDS=()
cancel_submitted() {
  [ "${#IDS[@]}" -gt 0 ] && scancel "${IDS[@]}" 2>/dev/null
  return 0
}
# submit NAME DEPENDENCY ARGS...: sbatch slurm/NAME.sbatch ARGS, its id in IDS
submit() {
  local name=$1 dep=$2 out id var extra
  shift 2
  var=$(echo "$name" | tr '[:lower:]' '[:upper:]')_SBATCH_ARGS
  extra=${!var:-}
  local opts=(--parsable --chdir="$WORKDIR" --output="$WORKDIR/slurm-%x-%j.out")
  [ -n "$dep" ] && opts+=(--dependency="afterok:$dep" --kill-on-invalid-dep=yes)
  set -f  # split on spaces, never globbed
  # shellcheck disable=SC2206
  opts+=(${SBATCH_ARGS:-} $extra)
  set +f
  if ! out=$(sbatch "${opts[@]}" "$SLURM_DIR/$name.sbatch" "$@"); then
    echo "pipeline.sh: sbatch $name failed" >&2
    cancel_submitted
    exit 1
  fi
  id=${out%%;*}
  NAMES+=("$name"); IDS+=("$id")
  echo "$name $id"
}

submit logjoin "" --overwrite "$MIN_ID" "$MAX_ID" "$LOG1" "$LOG2" "$WORKDIR/features"
submit gbtrain "${IDS[0]}" --overwrite "$WORKDIR/features/features.h5" "$WORKDIR/model.json"
submit gbpredict "${IDS[1]}" --overwrite "$WORKDIR/model.json" "$WORKDIR/features/features.h5" \
  "$WORKDIR/predictions.csv"

[ "$WAIT" -eq 1 ] || exit 0

# job_state ID: "STATE EXITCODE" from slurmctld, or from sacct once slurmctld forgot the
# job (after MinJobAge); GONE when neither knows it, UNKNOWN when slurmctld did not answer
job_state() {
  local info st ec
  if info=$(scontrol show job -o "$1" 2>&1) && [ -n "$info" ]; then
    st=$(echo "$info" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
    ec=$(echo "$info" | sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p')
    echo "${st:-UNKNOWN} ${ec:-?}"
  elif command -v sacct >/dev/null && info=$(sacct -n -X -P -j "$1" -o State,ExitCode 2>/dev/null) &&
       [ -n "$info" ]; then
    echo "$info" | head -1 | sed 's/ .*|/|/; s/|/ /'
  elif echo "$info" | grep -qi 'invalid job id'; then
    echo "GONE ?"
  else
    echo "UNKNOWN ?"
  fi
}
terminal() {
  case "$1" in
    COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|PREEMPTED|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|GONE) return 0 ;;
    *) return 1 ;;
  esac
}

TIMEOUT=${PIPELINE_TIMEOUT:-0}
t0=$SECONDS
while :; do
  done_all=1
  for id in "${IDS[@]}"; do
    read -r st _ <<<"$(job_state "$id")"
    terminal "$st" || { done_all=0; break; }
  done
  [ "$done_all" -eq 1 ] && break
  if [ "$TIMEOUT" -gt 0 ] && [ $((SECONDS - t0)) -ge "$TIMEOUT" ]; then
    echo "pipeline.sh: jobs still not done after ${TIMEOUT}s: ${IDS[*]} (left running)" >&2
    exit 124
  fi
  sleep 2
done

rc=0
for i in 0 1 2; do
  read -r st ec <<<"$(job_state "${IDS[$i]}")"
  echo "${NAMES[$i]} ${IDS[$i]} $st exit=$ec"
  [ "$st" = COMPLETED ] || rc=1
done
if [ "$rc" -ne 0 ]; then
  echo "pipeline.sh: failed; logs in $WORKDIR/slurm-*.out" >&2
fi
exit "$rc"
