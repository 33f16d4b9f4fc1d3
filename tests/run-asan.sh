#!/usr/bin/env bash
# run-asan.sh -- the unit tests (and the collective ones at np=3), a logjoin run (4 ranks, bad rows, extra
# features), gbtrain runs (numerical; categorical with weights; cross-validation with a grid) and gbpredict built with
# AddressSanitizer + UBSan. Open MPI's own allocations
# in MPI_Init/MPI_Finalize are suppressed (tests/unit/lsan.supp).
set -u
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export ASAN_OPTIONS=fast_unwind_on_malloc=0:abort_on_error=0:exitcode=86
export LSAN_OPTIONS=suppressions=$PWD/tests/unit/lsan.supp
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
work=$(mktemp -d /tmp/tk-asan.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
run() { # NAME CMD...
  local name=$1; shift
  if "$@" >"$work/out" 2>"$work/err"; then echo "ok - $name"; passed=$((passed + 1)); else
    echo "not ok - $name"; failed=$((failed + 1))
    grep -E "FAILED|unit: test|unit-mpi:|unit:" "$work/out" | head -20; tail -40 "$work/err"; fi
}
# ASan makes some tests (the model fuzzing) several times slower: more time per test
run "unit tests under ASan/UBSan" env UNIT_TIMEOUT=300 timeout 900 mpirun -np 1 build/asan/tests/unit_tests
run "collective unit tests np=3 under ASan/UBSan" timeout 600 mpirun -np 3 build/asan/tests/unit_mpi_tests
bin/genlogs --quiet --plays 20000 --users 800 --max-id 5000 --bad-rate 0.01 "$work/logs"
run "logjoin np=4 under ASan/UBSan" timeout 600 mpirun -np 4 bin/asan/logjoin --extra-features \
  --max-bad-rows 100000 1 5000 "$work/logs/log1.csv" "$work/logs/log2.csv" "$work/out-asan"
run "logjoin under ASan equals the release build" bash -c "timeout 120 mpirun -np 2 bin/logjoin --extra-features --max-bad-rows 100000 1 5000 '$work/logs/log1.csv' '$work/logs/log2.csv' '$work/out-rel' >/dev/null 2>&1 && cmp '$work/out-asan/features.csv' '$work/out-rel/features.csv'"
/usr/bin/python3 tests/data/make_sklearn.py "$work/sk" >/dev/null
T="$work/sk/synth_train.h5"
[ -f "$T" ] || T=$(ls "$work"/sk/*train*.h5 | head -1)
L=$(/usr/bin/python3 -c "import h5py,sys; c=[x if isinstance(x,str) else x.decode() for x in h5py.File(sys.argv[1],'r')['features'].attrs['columns']]; print('label' if 'label' in c else 'target')" "$T")
GB="--label $L --objective binary:logistic --num-round 8 --subsample 0.8 --colsample-bynode 0.7 --max-depth 4"
run "gbtrain np=3 under ASan/UBSan" timeout 600 mpirun -np 3 bin/asan/gbtrain $GB "$T" "$work/m-asan.json"
run "gbtrain under ASan equals the release build" bash -c "timeout 300 mpirun -np 2 bin/gbtrain $GB '$T' '$work/m-rel.json' >/dev/null 2>&1 && cmp '$work/m-asan.json' '$work/m-rel.json'"
run "gbpredict np=2 under ASan/UBSan" timeout 600 mpirun -np 2 bin/asan/gbpredict "$work/m-rel.json" "$T" "$work/p.csv"
# categorical features (one-hot and partition splits, an unseen category in VALID) and row weights
/usr/bin/python3 - "$T" "$work/cat.h5" "$work/catv.h5" <<'PYEOF'
import sys, h5py, numpy as np
src = h5py.File(sys.argv[1], "r")["features"]
for out, seed, top in ((sys.argv[2], 1, 40), (sys.argv[3], 2, 45)):
    rng = np.random.default_rng(seed)
    with h5py.File(out, "w") as f:
        g = f.create_group("features")
        for k in src:
            g[k] = src[k][:]
        n = len(src[k])
        c3 = rng.integers(0, 3, n).astype(np.float32)
        c3[rng.random(n) < 0.1] = np.nan
        g["c3"], g["c40"] = c3, rng.integers(0, top, n).astype(np.float32)
        g["w"] = rng.exponential(1.0, n).astype(np.float32)
PYEOF
GC="$GB --categorical c3,c40 --weight w --valid $work/catv.h5 --eval-metric auc"
run "gbtrain categorical + weights np=3 under ASan/UBSan" timeout 600 mpirun -np 3 bin/asan/gbtrain $GC "$work/cat.h5" "$work/c-asan.json"
run "gbtrain categorical + weights under ASan equals the release build" bash -c "timeout 300 mpirun -np 2 bin/gbtrain $GC '$work/cat.h5' '$work/c-rel.json' >/dev/null 2>&1 && cmp '$work/c-asan.json' '$work/c-rel.json'"
run "gbpredict of a categorical model np=2 under ASan/UBSan" timeout 600 mpirun -np 2 bin/asan/gbpredict "$work/c-rel.json" "$work/catv.h5" "$work/pc.csv"
# cross-validation: a grid spread over 3 groups of one rank, and on all ranks (rows), the same tables
GV="$GB --cv-folds 3 --eval-metric logloss,auc --early-stopping-rounds 3 --cv-refit"
GRID='max_depth=2,3;eta=0.3'
run "gbtrain --cv-folds --cv-grid (3 groups) np=3 under ASan/UBSan" timeout 900 mpirun -np 3 bin/asan/gbtrain $GV --cv-grid "$GRID" --cv-parallel combos "$T" "$work/cv-asan.json"
run "gbtrain --cv-folds --cv-grid (rows) under ASan equals the release build" bash -c "timeout 300 mpirun -np 2 bin/gbtrain $GV --cv-grid '$GRID' --cv-parallel rows '$T' '$work/cv-rel.json' >/dev/null 2>&1 && cmp '$work/cv-asan.json.grid.csv' '$work/cv-rel.json.grid.csv' && cmp '$work/cv-asan.json' '$work/cv-rel.json'"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
