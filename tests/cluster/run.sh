#!/usr/bin/env bash
# tests/cluster/run.sh -- `make test-cluster`: the Slurm scripts (slurm/) on a
# single-node Slurm started here with scripts/slurm-local.
#   - slurm-local start (twice: idempotent), status
#   - slurm/pipeline.sh --wait on ~200k generated plays: features, model and predictions
#     byte-identical to local mpirun runs of logjoin, gbtrain and gbpredict
#   - a pipeline whose logjoin fails on bad input (exit 65): pipeline fails, logjoin's job
#     is FAILED with exit code 65, the dependent jobs are CANCELLED, nothing written
#   - each sbatch script ends its job FAILED with its program's exit code
#   - a job launched with srun --mpi=pmix (LAUNCHER=srun) gives the same features
#   - slurm-local stop ends the daemons (also on failure: trap)
# Prints ok/not ok lines and ends with "N passed, N failed". Every wait has a timeout.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export HDF5_USE_FILE_LOCKING=FALSE
# the defaults of the scripts, whatever the caller's environment says
unset TOOLKIT_DIR LOGJOIN_ARGS GBTRAIN_ARGS GBPREDICT_ARGS SBATCH_ARGS LOGJOIN_SBATCH_ARGS \
  GBTRAIN_SBATCH_ARGS GBPREDICT_SBATCH_ARGS LAUNCHER MPIRUN_ARGS NP PIPELINE_TIMEOUT
TMO=${CLUSTER_TIMEOUT:-300}
MPI_TIMEOUT=120
# every job the test submits (pipeline.sh's too) gets a Slurm time limit, so the mpirun
# inside it ends even when the sbatch --wait that waits for it times out (sbatch reads
# SBATCH_TIMELIMIT as --time; the scripts' own #SBATCH --time is hours)
export SBATCH_TIMELIMIT=$(( (TMO + 59) / 60 ))
export SLURM_LOCAL_DIR=${SLURM_LOCAL_DIR:-/tmp/tk-slurm}
export SLURM_CONF=$SLURM_LOCAL_DIR/slurm.conf
T0=$SECONDS

# ok, not_ok, check, mpi, same_file, indent, counts (T_PASS, T_FAIL)
# shellcheck source=tests/lib-common.sh
source "$ROOT/tests/lib-common.sh"
summary() {
  echo
  echo "# test-cluster: $((SECONDS - T0)) s"
  counts
}
# jstate ID: "STATE EXITCODE" from slurmctld (no slurmdbd here: finished jobs are kept
# MinJobAge seconds)
jstate() {
  scontrol show job -o "$1" 2>/dev/null |
    sed -n 's/.*JobState=\([A-Z_]*\).* ExitCode=\([0-9:]*\).*/\1 \2/p'
}

echo "== installing slurm-wlm and munge, building"
if ! scripts/install-deps.sh --cluster; then
  not_ok "scripts/install-deps.sh --cluster"; summary; exit 1
fi
if ! make --no-print-directory -s all >/dev/null; then
  not_ok "make"; summary; exit 1
fi

WORK=$(mktemp -d /tmp/tk-cluster.XXXXXX)
WAS_UP=0
scripts/slurm-local status >/dev/null 2>&1 && WAS_UP=1
STOPPED=0
cleanup() {
  # a Slurm that was up before the test is left up; one the test started is stopped
  if [ "$WAS_UP" -eq 0 ] && [ "$STOPPED" -eq 0 ]; then
    scripts/slurm-local stop >/dev/null 2>&1
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM

echo "== slurm-local"
if timeout "$TMO" scripts/slurm-local start >"$WORK/start.out" 2>&1 &&
   grep -q "^export SLURM_CONF=$SLURM_CONF\$" "$WORK/start.out"; then
  ok "slurm-local start: node idle, prints export SLURM_CONF"
else
  not_ok "slurm-local start"; indent 40 <"$WORK/start.out"
  summary; exit 1
fi
pids() { scripts/slurm-local status 2>/dev/null | sed -n 's/.*(pid \([0-9]*\))/\1/p' | tr '\n' ' '; }
before=$(pids)
timeout "$TMO" scripts/slurm-local start >"$WORK/start2.out" 2>&1
rc=$?
after=$(pids)
if [ "$rc" -eq 0 ] && [ "$before" = "$after" ] && [ "$(echo "$after" | wc -w)" -eq 3 ]; then
  ok "slurm-local start again: same three daemons ($after)"
else
  not_ok "slurm-local start again (exit $rc, pids '$before' -> '$after')"; indent <"$WORK/start2.out"
fi
if scripts/slurm-local status >"$WORK/status.out" 2>&1 && grep -q 'idle' "$WORK/status.out"; then
  ok "slurm-local status: daemons up, node idle in sinfo"
else
  not_ok "slurm-local status"; indent <"$WORK/status.out"
fi

echo "== data"
L=$WORK/logs
B=$WORK/badlogs
if ! bin/genlogs --quiet --plays 200000 --users 20000 --max-id 100000 --seed 5 "$L" ||
   ! bin/genlogs --quiet --plays 200000 --users 20000 --max-id 100000 --seed 5 --bad-rate 0.05 "$B"; then
  not_ok "genlogs"; summary; exit 1
fi

echo "== pipeline.sh --wait (submitted from another folder)"
P=$WORK/pipe
(cd "$WORK" && PIPELINE_TIMEOUT=$TMO timeout $((TMO + 30)) "$ROOT/slurm/pipeline.sh" --wait \
  1 100000 "$L/log1.csv" "$L/log2.csv" "$P") >"$WORK/pipe.out" 2>&1
rc=$?
sed 's/^/    /' "$WORK/pipe.out"
if [ "$rc" -eq 0 ] && [ "$(grep -cE '^(logjoin|gbtrain|gbpredict) [0-9]+ COMPLETED' "$WORK/pipe.out")" -eq 3 ]; then
  ok "pipeline --wait: exit 0, three jobs COMPLETED"
else
  not_ok "pipeline --wait (exit $rc)"
  for f in "$P"/slurm-*.out; do [ -f "$f" ] && { echo "    --- $f"; indent <"$f"; }; done
fi
if [ -f "$P/features/_SUCCESS" ] && [ -s "$P/model.json" ] && [ -s "$P/predictions.csv" ] &&
   ls "$P"/slurm-logjoin-*.out "$P"/slurm-gbtrain-*.out "$P"/slurm-gbpredict-*.out >/dev/null 2>&1; then
  ok "pipeline wrote features/, model.json, predictions.csv and the jobs' logs"
else
  not_ok "pipeline outputs missing"; ls -la "$P" 2>&1 | indent
fi

echo "== the same steps with local mpirun -np 2"
LOC=$WORK/local
mkdir -p "$LOC"
# shellcheck disable=SC2054
GBT_DEFAULT=(--label paid --objective binary:logistic --features topGenderId,topGenderIdSongs,distSongIds,region,type)
mpi 2 bin/logjoin 1 100000 "$L/log1.csv" "$L/log2.csv" "$LOC/features" ||
  { not_ok "local logjoin"; indent <"$WORK/err"; }
check "features.csv equals a local logjoin run" same_file "$P/features/features.csv" "$LOC/features/features.csv"
check "features.h5 equals a local logjoin run" same_file "$P/features/features.h5" "$LOC/features/features.h5"
mpi 2 bin/gbtrain "${GBT_DEFAULT[@]}" "$LOC/features/features.h5" "$LOC/model.json" ||
  { not_ok "local gbtrain"; indent <"$WORK/err"; }
check "model.json equals a local gbtrain run" same_file "$P/model.json" "$LOC/model.json"
check "model.json.importance.csv equals a local gbtrain run" same_file "$P/model.json.importance.csv" \
  "$LOC/model.json.importance.csv"
mpi 2 bin/gbpredict --keep userId "$LOC/model.json" "$LOC/features/features.h5" \
  "$LOC/predictions.csv" || { not_ok "local gbpredict"; indent <"$WORK/err"; }
check "predictions.csv equals a local gbpredict run" same_file "$P/predictions.csv" "$LOC/predictions.csv"

echo "== a pipeline whose logjoin fails (--bad-rate 0.05)"
Q=$WORK/bad
(cd "$WORK" && PIPELINE_TIMEOUT=$TMO timeout $((TMO + 30)) "$ROOT/slurm/pipeline.sh" --wait \
  1 100000 "$B/log1.csv" "$B/log2.csv" "$Q") >"$WORK/bad.out" 2>&1
rc=$?
sed 's/^/    /' "$WORK/bad.out"
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then ok "pipeline --wait fails (exit $rc)"; else
  not_ok "pipeline --wait on bad input exited $rc"; fi
id_lj=$(sed -n 's/^logjoin \([0-9]*\)$/\1/p' "$WORK/bad.out")
id_gt=$(sed -n 's/^gbtrain \([0-9]*\)$/\1/p' "$WORK/bad.out")
id_gp=$(sed -n 's/^gbpredict \([0-9]*\)$/\1/p' "$WORK/bad.out")
st=$(jstate "$id_lj")
if [ "$st" = "FAILED 65:0" ]; then ok "logjoin job $id_lj: FAILED, exit code 65"; else
  not_ok "logjoin job '$id_lj': '$st', want 'FAILED 65:0'"; fi
for j in "gbtrain:$id_gt" "gbpredict:$id_gp"; do
  st=$(jstate "${j#*:}")
  reason=$(scontrol show job -o "${j#*:}" 2>/dev/null | sed -n 's/.* Reason=\([^ ]*\).*/\1/p')
  if [ "${st%% *}" = CANCELLED ]; then ok "${j%%:*} job ${j#*:}: CANCELLED ($reason)"; else
    not_ok "${j%%:*} job '${j#*:}': '$st', want CANCELLED"; fi
done
if [ ! -e "$Q/features" ] && [ ! -e "$Q/model.json" ] && [ ! -e "$Q/predictions.csv" ]; then
  ok "the failed pipeline wrote no features, model or predictions"
else
  not_ok "the failed pipeline left outputs"; ls -la "$Q" | indent
fi

echo "== each sbatch script passes its program's exit status on (submitted from the repo root)"
# expect_job NAME ARGS...: the job's sbatch --wait status, state and exit code equal a local run's
expect_job() {
  local name=$1 want rc id st
  shift
  mpi 2 "bin/$name" "$@"
  want=$?
  id=$(timeout "$TMO" sbatch --wait --parsable --output="$WORK/slurm-%x-%j.out" \
    "slurm/$name.sbatch" "$@" 2>"$WORK/sbatch.err")
  rc=$?
  id=${id%%;*}
  st=$(jstate "$id")
  if [ "$want" -ne 0 ] && [ "$rc" -eq "$want" ] && [ "$st" = "FAILED $want:0" ]; then
    ok "$name.sbatch: job $id FAILED with exit code $want, sbatch --wait exits $rc"
  else
    not_ok "$name.sbatch: local exit $want, sbatch --wait $rc, job '$id' '$st'"
    indent <"$WORK/sbatch.err"
    [ -n "$id" ] && indent <"$WORK/slurm-$name-$id.out"
  fi
}
expect_job gbtrain --label nosuchcolumn "$LOC/features/features.h5" "$WORK/x/model.json"
expect_job logjoin 1 100000 "$WORK/missing.csv" "$L/log2.csv" "$WORK/x/features"
expect_job gbpredict "$WORK/missing.json" "$LOC/features/features.h5" "$WORK/x/pred.csv"

echo "== LAUNCHER=srun: srun --mpi=pmix inside the job"
id=$(LAUNCHER=srun timeout "$TMO" sbatch --wait --parsable --output="$WORK/slurm-%x-%j.out" \
  slurm/logjoin.sbatch 1 100000 "$L/log1.csv" "$L/log2.csv" "$WORK/srun" 2>"$WORK/sbatch.err")
rc=$?
id=${id%%;*}
if [ "$rc" -eq 0 ] && cmp -s "$WORK/srun/features.h5" "$LOC/features/features.h5" &&
   grep -q 'srun --mpi=pmix' "$WORK/slurm-logjoin-$id.out"; then
  ok "logjoin job $id via srun --mpi=pmix: features.h5 equals the local run"
else
  not_ok "logjoin via srun --mpi=pmix (exit $rc)"; indent <"$WORK/sbatch.err"
  [ -n "$id" ] && indent <"$WORK/slurm-logjoin-$id.out"
fi

echo "== slurm-local stop"
if [ "$WAS_UP" -eq 1 ]; then
  echo "# slurm-local was up before the test: left running"
else
  pids_up=$(pids)
  timeout 120 scripts/slurm-local stop >"$WORK/stop.out" 2>&1
  rc=$?
  STOPPED=1
  alive=""
  for p in $pids_up; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
  if [ "$rc" -eq 0 ] && [ -z "$alive" ] && ! scripts/slurm-local status >/dev/null 2>&1; then
    ok "slurm-local stop: daemons $pids_up ended"
  else
    not_ok "slurm-local stop (exit $rc, still alive:$alive)"; indent <"$WORK/stop.out"
  fi
fi

summary
[ "$T_FAIL" -eq 0 ]
