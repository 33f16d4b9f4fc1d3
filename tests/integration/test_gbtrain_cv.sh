#!/usr/bin/env bash
# test_gbtrain_cv.sh -- gbtrain --cv-folds (xgboost.cv in one MPI job),
# --cv-grid, --cv-parallel, --cv-refit and several --eval-metric at once,
# against python3-xgboost 1.7.4 (tests/integration/gbtrain_cv_check.py): the
# same per-round means and stds as xgboost.cv with the same folds on
# sklearn's breast cancer, diabetes and wine, the same best round and stop;
# byte-identical tables and models for 1-3 ranks and for CSV and HDF5;
# the refit equal to a plain training for the best rounds; the grid table
# sorted and consistent; every metric of a plain training's eval log equal
# to xgboost's evals_result; a repeated option refused by every program;
# bad input (exit 64/65) with one line and no output.
# GBTRAIN overrides the program.
source "$(dirname "$0")/lib.sh"
GB=${GBTRAIN:-$ROOT/bin/gbtrain}
D="$WORK/data"
M="$WORK/m"
mkdir -p "$M"
H="$ROOT/tests/integration/gbtrain_cv_check.py"
hp() { $PY "$H" "$@"; }

if ! $PY "$ROOT/tests/data/make_sklearn.py" "$D" >/dev/null; then not_ok "make_sklearn.py writes the data sets"; finish; exit; fi
for s in cancer diabetes; do
  hp folds "$D/${s}_train.h5" "$D/${s}f" 5 1 || not_ok "$s: folds written"
done
hp folds "$D/wine_train.h5" "$D/winef" 4 2 || not_ok "wine: folds written"
ok "data sets with folds written"
if [ ! -x "$GB" ]; then not_ok "bin/gbtrain is built"; finish; exit; fi

gb() { local name=$1 np=$2; shift 2; expect_status "$name" 0 "$np" "$GB" "$@"; }
CAN0=(--label target --objective binary:logistic)
CAN=("${CAN0[@]}" --exclude id)
DIA=(--label target --objective reg:squarederror --exclude id)
# cuts that agree with xgboost's (every distinct value its own bin) and exact sums
EXACT=(--no-quantized-grad --max-bin 1024)

# ============ parity with xgboost.cv, the same folds (--fold-col)
gb "cancer cv, logloss+auc, early stopping np=2" 2 "${CAN[@]}" "${EXACT[@]}" --num-round 60 --eta 0.1 \
  --cv-folds 5 --fold-col fold --eval-metric logloss --eval-metric auc --early-stopping-rounds 10 \
  "$D/cancerf.h5" "$M/can.json"
check "cancer: every mean and std as xgboost.cv's (within 1e-4), the same best round and stop" \
  hp cv "$D/cancerf.h5" target binary:logistic "$M/can.json.cv.csv" logloss,auc 10 rounds=60 eta=0.1 max_bin=1024 exact=1
check "printed like xgboost.cv: [r] train-M:MEAN+STD ... test-M:MEAN+STD" \
  grep -qP '^\[0\]\ttrain-logloss:[0-9.]+\+[0-9.]+\ttrain-auc:[0-9.]+\+[0-9.]+\ttest-logloss:[0-9.]+\+[0-9.]+\ttest-auc:[0-9.]+\+[0-9.]+$' "$WORK/out"
check "the best round printed" grep -qE '^gbtrain: cv: best round [0-9]+: test-auc-mean 0\.99' "$WORK/err"
check "no model without --cv-refit" test ! -e "$M/can.json"
check "no importance file without --cv-refit" test ! -e "$M/can.json.importance.csv"
gb "cancer cv, auc+logloss (early stopping on logloss) np=2" 2 "${CAN[@]}" "${EXACT[@]}" --num-round 60 --eta 0.1 \
  --cv-folds 5 --fold-col fold --eval-metric auc,logloss --early-stopping-rounds 5 --max-depth 3 \
  "$D/cancerf.h5" "$M/can2.json"
check "cancer, stopping on the last metric (logloss): as xgboost.cv" \
  hp cv "$D/cancerf.h5" target binary:logistic "$M/can2.json.cv.csv" auc,logloss 5 rounds=60 eta=0.1 max_bin=1024 max_depth=3 exact=1
gb "diabetes cv, mae+rmse np=3" 3 "${DIA[@]}" "${EXACT[@]}" --num-round 80 --eta 0.1 --max-depth 3 \
  --cv-folds 5 --fold-col fold --eval-metric mae,rmse --early-stopping-rounds 10 "$D/diabetesf.h5" "$M/dia.json"
check "diabetes: every mean and std as xgboost.cv's, the same best round" \
  hp cv "$D/diabetesf.h5" target reg:squarederror "$M/dia.json.cv.csv" mae,rmse 10 rounds=80 eta=0.1 max_depth=3 max_bin=1024 exact=1
gb "wine cv, multi:softprob, merror+mlogloss np=2" 2 --label target --objective multi:softprob --num-class 3 --exclude id \
  "${EXACT[@]}" --num-round 30 --eta 0.2 --cv-folds 4 --fold-col fold --eval-metric merror,mlogloss --early-stopping-rounds 5 \
  "$D/winef.h5" "$M/wine.json"
check "wine (3 classes): every mean and std as xgboost.cv's, the same best round" \
  hp cv "$D/winef.h5" target multi:softprob "$M/wine.json.cv.csv" merror,mlogloss 5 rounds=30 eta=0.2 num_class=3 max_bin=1024 exact=1
gb "diabetes cv, no early stopping, quantized default np=2" 2 "${DIA[@]}" --max-bin 1024 --num-round 40 --eta 0.1 --max-depth 3 \
  --cv-folds 5 --fold-col fold "$D/diabetesf.h5" "$M/diaq.json"
check "diabetes, quantized gradients: mean test rmse within 0.002 x its value of xgboost.cv's, best round within 2" \
  hp cv "$D/diabetesf.h5" target reg:squarederror "$M/diaq.json.cv.csv" rmse 0 rounds=40 eta=0.1 max_depth=3 max_bin=1024 reltol=0.002

# ============ the same table and model for any number of ranks, CSV or HDF5
for np in 1 2 3; do
  gb "cancer cv --fold-key id --cv-refit np=$np" $np "${CAN0[@]}" --exclude id,fold --num-round 30 --cv-folds 4 \
    --fold-key id --early-stopping-rounds 5 --cv-refit --no-progress "$D/cancerf.h5" "$M/key$np.json"
done
check "cv.csv byte-identical for 1 and 2 ranks" same_file "$M/key1.json.cv.csv" "$M/key2.json.cv.csv"
check "cv.csv byte-identical for 1 and 3 ranks" same_file "$M/key1.json.cv.csv" "$M/key3.json.cv.csv"
check "the refit model byte-identical for 1 and 3 ranks" same_file "$M/key1.json" "$M/key3.json"
gb "the same from CSV np=2" 2 "${CAN0[@]}" --exclude id,fold --num-round 30 --cv-folds 4 \
  --fold-key id --early-stopping-rounds 5 --cv-refit --no-progress "$D/cancerf.csv" "$M/keycsv.json"
check "CSV and HDF5 give the same folds (int64 keys beyond 2^53) and table" same_file "$M/key1.json.cv.csv" "$M/keycsv.json.cv.csv"
check "CSV and HDF5 give the same refit model" same_file "$M/key1.json" "$M/keycsv.json"
best=$(hp best "$M/key1.json.cv.csv" logloss)
gb "a plain training for the best number of rounds ($((best + 1)))" 2 "${CAN0[@]}" --exclude id,fold --num-round $((best + 1)) --no-progress \
  "$D/cancerf.h5" "$M/plain.json"
check "--cv-refit trains exactly that model" same_file "$M/key1.json" "$M/plain.json"
check "--cv-refit writes the importance file" test -s "$M/key1.json.importance.csv"
gb "default folds (hash of the row index) np=2" 2 "${CAN0[@]}" --exclude id,fold --num-round 5 --cv-folds 3 --no-progress "$D/cancerf.h5" "$M/idx2.json"
gb "default folds np=1" 1 "${CAN0[@]}" --exclude id,fold --num-round 5 --cv-folds 3 --no-progress "$D/cancerf.h5" "$M/idx1.json"
check "default folds: the same table for 1 and 2 ranks" same_file "$M/idx1.json.cv.csv" "$M/idx2.json.cv.csv"
gb "another --seed np=2" 2 "${CAN0[@]}" --exclude id,fold --num-round 5 --cv-folds 3 --seed 9 --no-progress "$D/cancerf.h5" "$M/idx9.json"
check "--seed draws other folds" bash -c "! cmp -s '$M/idx1.json.cv.csv' '$M/idx9.json.cv.csv'"
gb "--no-eval-train np=2" 2 "${CAN0[@]}" --exclude id,fold --num-round 5 --cv-folds 3 --no-eval-train --eval-log "$M/el.csv" \
  --no-progress "$D/cancerf.h5" "$M/notr.json"
check "--no-eval-train: only test columns" bash -c "head -1 '$M/notr.json.cv.csv' | grep -qx 'round,test-logloss-mean,test-logloss-std'"
check "--eval-log holds the cv table" same_file "$M/notr.json.cv.csv" "$M/el.csv"

# ============ --cv-grid
gb "--cv-grid max_depth x eta, --cv-refit np=2" 2 "${CAN0[@]}" --exclude id,fold --num-round 40 --cv-folds 5 --fold-col fold \
  --eval-metric auc --early-stopping-rounds 5 --cv-grid 'max_depth=2,4;learning_rate=0.1,0.3' --cv-refit \
  "$D/cancerf.h5" "$M/grid.json"
check "grid.csv: 4 combinations, sorted, the best one's row matches its cv.csv" \
  hp grid "$M/grid.json.grid.csv" "$M/grid.json.cv.csv" auc max_depth learning_rate
check "grid.csv has one row per combination" bash -c "[ \$(wc -l < '$M/grid.json.grid.csv') -eq 5 ]"
check "each combination announced" bash -c "[ \$(grep -c '^gbtrain: cv: combination [1-4] of 4: max_depth=' '$WORK/err') -eq 4 ]"
check "the best combination printed" grep -qE '^gbtrain: cv: the best combination: max_depth=[24], learning_rate=0\.[13]: best round [0-9]+: test-auc-mean' "$WORK/err"
bd=$(sed -n 2p "$M/grid.json.grid.csv" | cut -d, -f1); be=$(sed -n 2p "$M/grid.json.grid.csv" | cut -d, -f2)
br=$(sed -n 2p "$M/grid.json.grid.csv" | cut -d, -f3)
gb "a plain training with the best combination (max_depth=$bd eta=$be, $((br + 1)) rounds)" 2 "${CAN0[@]}" --exclude id,fold \
  --max-depth "$bd" --eta "$be" --num-round $((br + 1)) --eval-metric auc --no-progress "$D/cancerf.h5" "$M/gridplain.json"
check "--cv-grid --cv-refit trains the best combination for its best rounds" same_file "$M/grid.json" "$M/gridplain.json"
gb "--cv-grid np=1" 1 "${CAN0[@]}" --exclude id,fold --num-round 40 --cv-folds 5 --fold-col fold \
  --eval-metric auc --early-stopping-rounds 5 --cv-grid 'max_depth=2,4;learning_rate=0.1,0.3' --cv-refit --no-progress \
  "$D/cancerf.h5" "$M/grid1.json"
check "grid.csv byte-identical for 1 and 2 ranks" same_file "$M/grid.json.grid.csv" "$M/grid1.json.grid.csv"
GRID=("${CAN0[@]}" --exclude id,fold --num-round 40 --cv-folds 5 --fold-col fold --eval-metric auc --early-stopping-rounds 5
  --cv-grid 'max_depth=2,4;learning_rate=0.1,0.3' --cv-refit)
gb "--cv-grid --cv-parallel rows np=2" 2 "${GRID[@]}" --cv-parallel rows "$D/cancerf.h5" "$M/gridrows.json"
check "--cv-parallel rows: no groups" bash -c "! grep -q 'combinations on' '$WORK/err'"
gb "--cv-grid --cv-parallel combos np=3 (3 groups of 1 rank, 4 combinations)" 3 "${GRID[@]}" --cv-parallel combos "$D/cancerf.h5" "$M/gridc3.json"
check "--cv-parallel combos: 3 groups announced" grep -q '^gbtrain: cv: 4 combinations on 3 groups of 1 rank$' "$WORK/err"
check "combos np=3: every combination's per-round lines, printed after the groups" bash -c "[ \$(grep -c '^\[0\]' '$WORK/out') -eq 4 ]"
for f in grid.csv cv.csv; do
  check "$f: rows at np=2 == auto (groups) at np=2" same_file "$M/gridrows.json.$f" "$M/grid.json.$f"
  check "$f: combos at np=3 == rows at np=2" same_file "$M/gridc3.json.$f" "$M/gridrows.json.$f"
done
check "refit model: combos at np=3 == rows at np=2" same_file "$M/gridc3.json" "$M/gridrows.json"
expect_fail "--cv-parallel bogus" 64 "--cv-parallel 'bogus': auto, rows or combos" 1 "$GB" "${GRID[@]}" --cv-parallel bogus "$D/cancerf.h5" "$M/bad.json"

# ============ several metrics in a plain training, as xgboost's eval_metric list
gb "cancer, --eval-metric auc --eval-metric logloss,error, early stopping np=2" 2 --label target --objective binary:logistic \
  "${EXACT[@]}" --num-round 60 --eta 0.1 --valid "$D/cancer_test.h5" --eval-train --eval-metric auc --eval-metric logloss,error \
  --early-stopping-rounds 5 --eval-log "$M/multi.csv" "$D/cancer_train.h5" "$M/multi.json"
check "every metric logged as xgboost's evals_result; best_iteration on the last (error)" \
  hp evals "$D/cancer_train.h5" "$D/cancer_test.h5" target binary:logistic "$M/multi.csv" "$M/multi.json" auc,logloss,error 5 rounds=60 eta=0.1 max_bin=1024
check "every metric printed per round" grep -qP '^\[0\]\ttrain-auc:[0-9.]+\ttrain-logloss:[0-9.]+\ttrain-error:[0-9.]+\tvalid-auc:[0-9.]+\tvalid-logloss:[0-9.]+\tvalid-error:[0-9.]+$' "$WORK/out"
check "every metric in the summary line" grep -qE '^gbtrain: [0-9]+ rounds, [0-9]+ trees, train-auc .*, train-error .*, valid-auc .*, valid-logloss .*, valid-error ' "$WORK/err"

# ============ bad input: one line, exit 64/65, no output
C5=("${CAN[@]}" --num-round 3)
expect_fail "--cv-folds 1" 64 "K must be at least 2" 1 "$GB" "${C5[@]}" --cv-folds 1 "$D/cancerf.h5" "$M/bad.json"
expect_fail "--cv-folds above the rows" 65 "more than TRAIN's 426 rows" 2 "$GB" "${C5[@]}" --cv-folds 500 "$D/cancerf.h5" "$M/bad.json"
expect_fail "--fold-col names no column" 64 "unknown column 'nope'" 2 "$GB" "${C5[@]}" --cv-folds 3 --fold-col nope "$D/cancerf.h5" "$M/bad.json"
expect_fail "--fold-key names no column" 64 "unknown column 'nope'" 2 "$GB" "${C5[@]}" --cv-folds 3 --fold-key nope "$D/cancerf.h5" "$M/bad.json"
expect_fail "--fold-col value outside 0..K-1" 65 "--fold-col 'fold' is 4 in row [0-9]+, not a fold in 0..3" 2 "$GB" "${C5[@]}" --cv-folds 4 --fold-col fold "$D/cancerf.h5" "$M/bad.json"
expect_fail "--fold-col non-integer" 65 "--fold-col 'mean_radius' is [0-9.]+ in row 1, not a fold" 2 "$GB" "${C5[@]}" --cv-folds 4 --fold-col mean_radius "$D/cancerf.h5" "$M/bad.json"
expect_fail "a fold without rows" 65 "fold 5 of 6 has no rows" 2 "$GB" "${C5[@]}" --cv-folds 6 --fold-col fold "$D/cancerf.h5" "$M/bad.json"
expect_fail "--fold-col without --cv-folds" 64 "--fold-col needs --cv-folds" 1 "$GB" "${C5[@]}" --fold-col fold "$D/cancerf.h5" "$M/bad.json"
expect_fail "--cv-refit without --cv-folds" 64 "--cv-refit needs --cv-folds" 1 "$GB" "${C5[@]}" --cv-refit "$D/cancerf.h5" "$M/bad.json"
expect_fail "--fold-key with --fold-col" 64 "exclude each other" 1 "$GB" "${C5[@]}" --cv-folds 3 --fold-col fold --fold-key id "$D/cancerf.h5" "$M/bad.json"
expect_fail "--cv-folds with --valid" 64 "--valid is for a single training" 1 "$GB" "${C5[@]}" --cv-folds 3 --valid "$D/cancer_test.h5" "$D/cancerf.h5" "$M/bad.json"
expect_fail "--cv-folds with --resume" 64 "--resume is for a single training" 1 "$GB" "${C5[@]}" --cv-folds 3 --resume "$D/cancerf.h5" "$M/bad.json"
expect_fail "--fold-col in --features" 64 "the --fold-col 'fold' is also in --features" 1 "$GB" --label target --features mean_radius,fold --cv-folds 3 --fold-col fold "$D/cancerf.h5" "$M/bad.json"
expect_fail "--cv-grid: not a parameter" 64 "'label' is not a training parameter" 1 "$GB" "${C5[@]}" --cv-folds 3 --cv-grid 'label=a,b' "$D/cancerf.h5" "$M/bad.json"
expect_fail "--cv-grid: unknown name" 64 "'bogus' is not a training parameter" 1 "$GB" "${C5[@]}" --cv-folds 3 --cv-grid 'bogus=1' "$D/cancerf.h5" "$M/bad.json"
expect_fail "--cv-grid: a bad value" 64 "--max-depth: 0 is out of range" 1 "$GB" "${C5[@]}" --cv-folds 3 --cv-grid 'max_depth=4,0' "$D/cancerf.h5" "$M/bad.json"
expect_fail "--cv-grid: an empty value" 64 "has an empty value" 1 "$GB" "${C5[@]}" --cv-folds 3 --cv-grid 'eta=0.1,,0.3' "$D/cancerf.h5" "$M/bad.json"
expect_fail "--cv-grid: one parameter by two names" 64 "names eta twice" 1 "$GB" "${C5[@]}" --cv-folds 3 --cv-grid 'eta=0.1;learning_rate=0.3' "$D/cancerf.h5" "$M/bad.json"
expect_fail "--cv-grid: not NAME=VALUES" 64 "is not NAME=V1,V2" 1 "$GB" "${C5[@]}" --cv-folds 3 --cv-grid 'eta' "$D/cancerf.h5" "$M/bad.json"
expect_fail "--cv-grid without --cv-folds" 64 "--cv-grid needs --cv-folds" 1 "$GB" "${C5[@]}" --cv-grid 'eta=0.1' "$D/cancerf.h5" "$M/bad.json"
check "no output after the errors" bash -c "! ls '$M'/bad.json* 2>/dev/null | grep -q ."
: > "$M/exists.json.cv.csv"
expect_fail "an existing cv.csv without --overwrite" 73 "exists.json.cv.csv already exists" 1 "$GB" "${C5[@]}" --cv-folds 3 "$D/cancerf.h5" "$M/exists.json"
check "the existing cv.csv is left alone" test ! -s "$M/exists.json.cv.csv"
expect_fail "--eval-log is the cv table" 64 "are the same file" 1 "$GB" "${C5[@]}" --cv-folds 3 --eval-log "$M/same.json.cv.csv" "$D/cancerf.h5" "$M/same.json"
expect_fail "--eval-metric names a metric twice" 64 "--eval-metric names auc twice" 1 "$GB" "${C5[@]}" --eval-metric auc --eval-metric logloss,auc "$D/cancer_train.h5" "$M/bad.json"
expect_fail "--eval-metric: an unknown one in a list" 64 "unknown --eval-metric 'aucc'" 1 "$GB" "${C5[@]}" --eval-metric auc,aucc "$D/cancer_train.h5" "$M/bad.json"

# ============ a repeated option that takes one value: a usage error in every program
expect_fail "gbtrain --eta twice" 64 "option '--eta' is given more than once" 1 "$GB" "${C5[@]}" --eta 0.1 --eta 0.2 "$D/cancer_train.h5" "$M/bad.json"
expect_fail "gbtrain --progress and --no-progress" 64 "option '--\[no-\]progress' is given more than once" 1 "$GB" "${C5[@]}" --progress --no-progress "$D/cancer_train.h5" "$M/bad.json"
expect_fail "gbpredict --keep twice" 64 "option '--keep' is given more than once" 1 "$ROOT/bin/gbpredict" --keep a --keep=b "$M/x.json" "$D/cancer_test.h5" "$M/bad.csv"
expect_fail "logjoin --overwrite twice" 64 "option '--overwrite' is given more than once" 1 "$ROOT/bin/logjoin" --overwrite --overwrite 1 2 "$D/a" "$D/b" "$M/badout"
expect_fail "genlogs --seed twice" 64 "option '--seed' is given more than once" 1 "$ROOT/bin/genlogs" --seed 1 --seed 2 "$M/badgen"
check "no output after the repeated options" bash -c "! ls -d '$M'/bad* 2>/dev/null | grep -q ."
finish
