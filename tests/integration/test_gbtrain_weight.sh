#!/usr/bin/env bash
# test_gbtrain_weight.sh -- gbtrain's per-row weights (--weight COL) end to
# end (tests/data/make_weighted.py): the same model as xgboost 1.7.4 with
# DMatrix(weight=...) when the sums are exact and the cuts agree, weighted
# test metrics against xgboost's, every metric of the eval log against
# scikit-learn's weighted metrics and xgboost's weighted eval of the same
# trees, integer weights = repeated rows, early stopping on the weighted
# metric, byte-identical models for any np and after --resume, bad weights.
# Oracles: python3-xgboost 1.7.4 and scikit-learn (/usr/bin/python3), through
# tests/integration/gbtrain_weight_check.py.
# GBTRAIN / GBPREDICT override the programs.
source "$(dirname "$0")/lib.sh"
GB=${GBTRAIN:-$ROOT/bin/gbtrain}
GP=${GBPREDICT:-$ROOT/bin/gbpredict}
D="$WORK/data"
H="$ROOT/tests/integration/gbtrain_weight_check.py"
hp() { $PY "$H" "$@"; }
hx() { $PY "$ROOT/tests/integration/gbtrain_check.py" "$@"; }

if ! $PY "$ROOT/tests/data/make_weighted.py" "$D"; then not_ok "make_weighted.py writes the data sets"; finish; exit; fi
ok "make_weighted.py writes the data sets"
if [ ! -x "$GB" ] || [ ! -x "$GP" ]; then not_ok "bin/gbtrain and bin/gbpredict are built"; finish; exit; fi

gb() { local name=$1 np=$2; shift 2; expect_status "$name" 0 "$np" "$GB" "$@"; }
gp() { local name=$1 np=$2; shift 2; expect_status "$name" 0 "$np" "$GP" "$@"; }

WT=(--weight w)
CAN=(--label target --objective binary:logistic "${WT[@]}")
DIA=(--label target --objective reg:squarederror "${WT[@]}")
WIN=(--label target --objective multi:softprob --num-class 3 "${WT[@]}")
SYN=(--label label --objective binary:logistic "${WT[@]}")
M="$WORK/m"; P="$WORK/p"; mkdir -p "$M" "$P"

# ============ 8. weighted models and test metrics against xgboost
# exact sums and cuts that agree (every distinct value a cut: cancer with
# --max-bin 512 > its 426 rows, diabetes, wine, wgrid < 255 values): the
# same model as xgboost with the same weights
gb "cancer, w = 1 + 4 label, exact sums np=2" 2 "${CAN[@]}" --no-quantized-grad --num-round 50 --eta 0.1 --max-depth 4 --max-bin 512 "$D/wcancer_train.h5" "$M/canx.json"
check "cancer (w = 1 + 4 label): the same model as xgboost" hp same_model wcancer binary:logistic "$D/wcancer_train.h5" "$D/wcancer_test.h5" target "$M/canx.json" rounds=50 eta=0.1 max_depth=4 max_bin=512
gp "gbpredict cancer test" 2 "$M/canx.json" "$D/wcancer_test.h5" "$P/canx.csv"
check "cancer (w = 1 + 4 label, exact sums): weighted AUC and logloss within 0.002 of xgboost's" hp parity wcancer binary:logistic both "$D/wcancer_train.h5" "$D/wcancer_test.h5" target "$P/canx.csv" 0.002 rounds=50 eta=0.1 max_depth=4 max_bin=512
check "the weight column is not a feature" hp no_weight_feature "$M/canx.json"
check "cancer weighted model: xgboost == gbpredict" hx agree "$M/canx.json" "$D/wcancer_test.h5" "$P/canx.csv"
gb "cancer, w uniform 0.1..10, exact sums np=3" 3 "${CAN[@]}" --no-quantized-grad --num-round 50 --eta 0.1 --max-depth 4 --max-bin 512 "$D/wcancer2_train.h5" "$M/can2x.json"
check "cancer (w uniform 0.1..10): the same model as xgboost" hp same_model wcancer2 binary:logistic "$D/wcancer2_train.h5" "$D/wcancer2_test.h5" target "$M/can2x.json" rounds=50 eta=0.1 max_depth=4 max_bin=512
gp "gbpredict cancer2 test" 2 "$M/can2x.json" "$D/wcancer2_test.h5" "$P/can2x.csv"
check "cancer (w uniform, exact sums): weighted AUC and logloss within 0.002 of xgboost's" hp parity wcancer2 binary:logistic both "$D/wcancer2_train.h5" "$D/wcancer2_test.h5" target "$P/can2x.csv" 0.002 rounds=50 eta=0.1 max_depth=4 max_bin=512
gb "cancer weighted, from CSV np=2" 2 "${CAN[@]}" --no-quantized-grad --num-round 50 --eta 0.1 --max-depth 4 --max-bin 512 "$D/wcancer_train.csv" "$M/canxcsv.json"
check "CSV and HDF5 copies give the same weighted model" same_file "$M/canx.json" "$M/canxcsv.json"
# the quantized default, with cuts that agree (--max-bin 512): only the gradients'
# rounding differs. (At 256 bins gbtrain's exact weighted quantiles and
# xgboost's weighted sketch pick other cuts; xgboost's own weighted logloss
# moves from 0.069 to 0.079 between 256 and 512 bins on these 143 test rows,
# too much to hold either tool to 0.002 there.)
gb "cancer weighted, quantized default np=2" 2 "${CAN[@]}" --num-round 50 --eta 0.1 --max-depth 4 --max-bin 512 "$D/wcancer_train.h5" "$M/can.json"
gp "gbpredict cancer test (quantized)" 2 "$M/can.json" "$D/wcancer_test.h5" "$P/can.csv"
check "cancer (w = 1 + 4 label, quantized): weighted AUC and logloss worse than xgboost's by at most 0.002" hp parity wcancer binary:logistic worse "$D/wcancer_train.h5" "$D/wcancer_test.h5" target "$P/can.csv" 0.002 rounds=50 eta=0.1 max_depth=4 max_bin=512
gb "cancer weighted with scale_pos_weight, max_delta_step, base_score, min_child_weight, gamma np=2" 2 "${CAN[@]}" --no-quantized-grad --num-round 20 --max-bin 512 --scale-pos-weight 3 --max-delta-step 0.7 --base-score 0.3 --min-child-weight 20 --gamma 2 "$D/wcancer2_train.h5" "$M/canreg.json"
check "cancer weighted with those parameters (scale_pos_weight times w): the same model as xgboost" hp same_model wcancer2-params binary:logistic "$D/wcancer2_train.h5" "$D/wcancer2_test.h5" target "$M/canreg.json" rounds=20 max_bin=512 scale_pos_weight=3 max_delta_step=0.7 base_score=0.3 min_child_weight=20 gamma=2
gb "diabetes weighted, exact sums np=2" 2 "${DIA[@]}" --no-quantized-grad --num-round 60 --eta 0.1 --max-depth 3 "$D/wdiab_train.h5" "$M/diax.json"
check "diabetes (w uniform): the same model as xgboost" hp same_model wdiab reg:squarederror "$D/wdiab_train.h5" "$D/wdiab_test.h5" target "$M/diax.json" rounds=60 eta=0.1 max_depth=3
gb "wine weighted, exact sums np=3" 3 "${WIN[@]}" --no-quantized-grad --num-round 30 --max-depth 3 "$D/wwine_train.h5" "$M/winex.json"
check "wine (w uniform, 3 classes): the same model as xgboost" hp same_model wwine multi:softprob "$D/wwine_train.h5" "$D/wwine_test.h5" target "$M/winex.json" rounds=30 max_depth=3 num_class=3
gb "grid synth, lognormal w, exact sums np=2" 2 "${SYN[@]}" --no-quantized-grad --num-round 30 "$D/wgrid_train.h5" "$M/gridx.json"
check "grid synth (lognormal w, NaN): the same model as xgboost" hp same_model wgrid binary:logistic "$D/wgrid_train.h5" "$D/wgrid_test.h5" label "$M/gridx.json" rounds=30
# skewed weights on continuous features: cuts from weighted quantiles (not xgboost's sketch)
gb "synth, lognormal w, quantized default np=2" 2 "${SYN[@]}" --num-round 100 --eta 0.1 --max-depth 5 "$D/wsynth_train.h5" "$M/syn.json"
gp "gbpredict synth test" 2 "$M/syn.json" "$D/wsynth_test.h5" "$P/syn.csv"
check "synth (lognormal w, quantized): weighted AUC and logloss worse than xgboost's by at most 0.002" hp parity wsynth binary:logistic worse "$D/wsynth_train.h5" "$D/wsynth_test.h5" label "$P/syn.csv" 0.002 rounds=100 eta=0.1 max_depth=5
gb "synth, lognormal w, exact sums np=3" 3 "${SYN[@]}" --no-quantized-grad --num-round 100 --eta 0.1 --max-depth 5 "$D/wsynth_train.h5" "$M/synx.json"
gp "gbpredict synth test (exact sums)" 2 "$M/synx.json" "$D/wsynth_test.h5" "$P/synx.csv"
check "synth (lognormal w, exact sums): weighted AUC and logloss within 0.002 of xgboost's" hp parity wsynth binary:logistic both "$D/wsynth_train.h5" "$D/wsynth_test.h5" label "$P/synx.csv" 0.002 rounds=100 eta=0.1 max_depth=5
gb "synth, unweighted, quantized np=2" 2 --label label --objective binary:logistic --exclude userId,w --num-round 100 --eta 0.1 --max-depth 5 "$D/wsynth_train.h5" "$M/synu.json"
check "the weights change the model" bash -c "! cmp -s '$M/syn.json' '$M/synu.json'"

# ============ 9. every metric of the eval log, weighted: scikit-learn and xgboost's eval on the same trees
# (train-METRIC with TRAIN's weights, valid-METRIC with --valid's)
ev() { # NAME NP METRIC TRAIN VALID LABEL OUT ARGS...
  local name=$1 np=$2 metric=$3 tr=$4 va=$5 label=$6 out=$7; shift 7
  gb "$name np=$np" "$np" "$@" --eval-metric "$metric" --valid "$va" --eval-log "$out.csv" "$tr" "$out.json"
  check "$name: every round's train- and valid-$metric == weighted sklearn / xgboost eval" hp evallog "$out.csv" "$out.json" "$metric" "$va" "$label" "$tr"
}
E="$WORK/e"; mkdir -p "$E"
for metric in rmse mae; do
  ev "diabetes $metric" 2 "$metric" "$D/wdiab_train.h5" "$D/wdiab_test.h5" target "$E/dia-$metric" "${DIA[@]}" --no-quantized-grad --num-round 15 --eta 0.1 --max-depth 3
  check "diabetes $metric: xgboost's evals_result (weighted) == the eval log, 15 rounds" hp xgb_evals "$E/dia-$metric.csv" reg:squarederror "$metric" "$D/wdiab_train.h5" "$D/wdiab_test.h5" target 15 rounds=15 eta=0.1 max_depth=3
done
for metric in logloss error auc; do
  ev "cancer $metric" 3 "$metric" "$D/wcancer2_train.h5" "$D/wcancer2_test.h5" target "$E/can-$metric" "${CAN[@]}" --no-quantized-grad --num-round 15 --max-depth 3 --max-bin 512
  check "cancer $metric: xgboost's evals_result (weighted) == the eval log, 15 rounds" hp xgb_evals "$E/can-$metric.csv" binary:logistic "$metric" "$D/wcancer2_train.h5" "$D/wcancer2_test.h5" target 15 rounds=15 max_depth=3 max_bin=512
done
for metric in mlogloss merror; do
  ev "wine $metric" 2 "$metric" "$D/wwine_train.h5" "$D/wwine_test.h5" target "$E/wine-$metric" "${WIN[@]}" --no-quantized-grad --num-round 10 --max-depth 2
  check "wine $metric: xgboost's evals_result (weighted) == the eval log, 10 rounds" hp xgb_evals "$E/wine-$metric.csv" multi:softprob "$metric" "$D/wwine_train.h5" "$D/wwine_test.h5" target 10 rounds=10 max_depth=2 num_class=3
done
# the quantized default, skewed weights, many rows: the metrics still follow its own trees
ev "synth auc (quantized)" 3 auc "$D/wsynth_train.h5" "$D/wsynth_test.h5" label "$E/syn-auc" "${SYN[@]}" --num-round 12
ev "synth logloss (quantized)" 2 logloss "$D/wsynth_train.h5" "$D/wsynth_test.h5" label "$E/syn-logloss" "${SYN[@]}" --num-round 12
gb "synth auc eval log np=1" 1 "${SYN[@]}" --num-round 12 --eval-metric auc --valid "$D/wsynth_test.h5" --eval-log "$E/syn-auc1.csv" "$D/wsynth_train.h5" "$E/syn-auc1.json"
check "weighted eval log bytes np=1 == np=3" same_file "$E/syn-auc1.csv" "$E/syn-auc.csv"
# --valid without the weight column: plain metrics there (TRAIN still weighted)
gb "--valid without w np=2" 2 "${SYN[@]}" --num-round 8 --eval-metric logloss --no-eval-train --valid "$D/wes_test_noweight.h5" --eval-log "$E/now.csv" "$D/wes_train.h5" "$E/now.json"
check "--valid without w: the unweighted valid-logloss" hp evallog "$E/now.csv" "$E/now.json" logloss "$D/wes_test_noweight.h5" label "" 0

# ============ 10. integer weights = repeated rows (exact sums; the same cuts)
# Binary: depth 4, min_child_weight 3. In nodes of a few rows at depth 6, two
# splits can have the same gain mathematically, and which one wins then
# follows the rounding of the sums, which differs between w * g and g added w
# times (seen: tree 2, a node of hessian 2.2, gains 0.920614839 / 0.920614898).
G=g0,g1,g2,g3,g4,g5
RB=(--label label --objective binary:logistic --features "$G" --no-quantized-grad --num-round 20 --max-depth 4 --min-child-weight 3)
R="$WORK/r"; mkdir -p "$R"
for set in wrep wrep0 wrepc; do
  gb "$set: binary with --weight np=2" 2 "${RB[@]}" "${WT[@]}" "$D/${set}_train.h5" "$R/${set}-w.json"
  gb "$set: binary on the repeated rows np=3" 3 "${RB[@]}" "$D/${set}_rep.h5" "$R/${set}-r.json"
  gp "$set: gbpredict (weighted model)" 2 "$R/${set}-w.json" "$D/wrep_test.h5" "$R/${set}-w.csv"
  gp "$set: gbpredict (repeated rows)" 2 "$R/${set}-r.json" "$D/wrep_test.h5" "$R/${set}-r.csv"
done
check "weights 1..4 == rows repeated 1..4 times (binary, <= 40 values a feature, NaN): predictions rel 1e-6" hp pred_equal "$R/wrep-w.csv" "$R/wrep-r.csv" 1e-6
check "weights 0..4 == rows repeated, weight-0 rows left out (binary)" hp pred_equal "$R/wrep0-w.csv" "$R/wrep0-r.csv" 1e-6
check "continuous features (cuts = weighted quantiles): weights 1..4 == repeated rows" hp pred_equal "$R/wrepc-w.csv" "$R/wrepc-r.csv" 1e-6
gb "wrep: regression with --weight np=3" 3 --label target --objective reg:squarederror --features "$G" --no-quantized-grad --num-round 20 --max-depth 4 "${WT[@]}" "$D/wrep_train.h5" "$R/reg-w.json"
gb "wrep: regression on the repeated rows np=1" 1 --label target --objective reg:squarederror --features "$G" --no-quantized-grad --num-round 20 --max-depth 4 "$D/wrep_rep.h5" "$R/reg-r.json"
gp "wrep: gbpredict regression (weighted)" 2 "$R/reg-w.json" "$D/wrep_test.h5" "$R/reg-w.csv"
gp "wrep: gbpredict regression (repeated)" 2 "$R/reg-r.json" "$D/wrep_test.h5" "$R/reg-r.csv"
check "weights 1..4 == repeated rows (regression): predictions rel 1e-6" hp pred_equal "$R/reg-w.csv" "$R/reg-r.csv" 1e-6

# ============ 11. early stopping watches the weighted metric
# wes: the validation set's coin-flip rows weigh 3: the weighted logloss is best
# well before the unweighted one. The same trees (TRAIN unweighted, w = 1), two
# validation files: with w and without.
ES0=(--label label --objective binary:logistic --weight w --eta 0.1 --max-depth 4 --eval-metric logloss --early-stopping-rounds 10)
ES=("${ES0[@]}" --num-round 300)
gb "early stopping, weighted valid np=2" 2 "${ES[@]}" --valid "$D/wes_test.h5" --eval-log "$M/esw.csv" "$D/wes_train.h5" "$M/esw.json"
check "early stopping (weighted valid): best round of the weighted logloss, stopped 10 later" hp early "$M/esw.json" "$M/esw.csv" "$D/wes_test.h5" label logloss 10 1
gb "early stopping, valid without w np=2" 2 "${ES[@]}" --valid "$D/wes_test_noweight.h5" --eval-log "$M/esu.csv" "$D/wes_train.h5" "$M/esu.json"
check "early stopping (valid without w): best round of the plain logloss" hp early "$M/esu.json" "$M/esu.csv" "$D/wes_test_noweight.h5" label logloss 10 0
bw=$(hp best "$M/esw.json" 2>/dev/null); bu=$(hp best "$M/esu.json" 2>/dev/null)
check "weighted and unweighted validation stop at different best rounds ($bw vs $bu)" bash -c "[ -n '$bw' ] && [ -n '$bu' ] && [ '$bw' -lt '$bu' ]"
gb "early stopping, weighted, exact sums np=3" 3 "${ES[@]}" --no-quantized-grad --valid "$D/wes_test.h5" --eval-log "$M/eswx.csv" "$D/wes_train.h5" "$M/eswx.json"
check "early stopping (weighted, exact sums): xgboost's best_iteration with weighted DMatrix == ours" hp xgb_best "$M/eswx.json" binary:logistic logloss "$D/wes_train.h5" "$D/wes_test.h5" label 10 rounds=300 eta=0.1 max_depth=4
# skewed training weights too, with auc
ESA=("${SYN[@]}" --num-round 300 --eta 0.3 --eval-metric auc --early-stopping-rounds 5 --valid "$D/wsynth_test.h5")
gb "early stopping on weighted auc, lognormal w np=2" 2 "${ESA[@]}" --eval-log "$M/esa.csv" "$D/wsynth_train.h5" "$M/esa.json"
check "early stopping (weighted auc): the best round of the weighted auc" hp early "$M/esa.json" "$M/esa.csv" "$D/wsynth_test.h5" label auc 5 1

# ============ byte-identical for any np, and --resume (weights, weighted early stopping)
for np in 1 3; do
  gb "weighted synth, sampled np=$np" "$np" "${SYN[@]}" --num-round 20 --subsample 0.8 --colsample-bynode 0.8 --seed 4 "$D/wsynth_train.h5" "$M/det$np.json"
  gb "weighted wine np=$np" "$np" "${WIN[@]}" --num-round 10 "$D/wwine_train.h5" "$M/detw$np.json"
done
check "weighted synth model bytes np=1 == np=3" same_file "$M/det1.json" "$M/det3.json"
check "weighted synth importance bytes np=1 == np=3" same_file "$M/det1.json.importance.csv" "$M/det3.json.importance.csv"
check "weighted wine model bytes np=1 == np=3" same_file "$M/detw1.json" "$M/detw3.json"
RS=("${ES0[@]}" --valid "$D/wes_test.h5" --eval-log "$M/esr.csv")
gb "weighted early stopping: first 8 rounds np=1" 1 "${RS[@]}" --num-round 8 "$D/wes_train.h5" "$M/esr.json"
gb "weighted early stopping: --resume up to 300 np=3" 3 "${RS[@]}" --num-round 300 --resume "$D/wes_train.h5" "$M/esr.json"
check "resumed weighted early-stopped model == straight run" same_file "$M/esw.json" "$M/esr.json"
check "resumed weighted eval log == straight run's" same_file "$M/esw.csv" "$M/esr.csv"

# ============ 12. bad weights; zero weights
B="$WORK/b"; mkdir -p "$B"
hp bad_weights "$D" "$B"
expect_fail "NaN weight (HDF5): the file and the row" 65 "wnan\\.h5.*\\b301\\b" 3 "$GB" "${CAN[@]}" "$B/wnan.h5" "$B/o.json"
expect_fail "weight -1 (HDF5): the file and the row" 65 "wneg\\.h5.*\\b201\\b" 3 "$GB" "${CAN[@]}" "$B/wneg.h5" "$B/o.json"
expect_fail "weight inf (HDF5): the file and the row" 65 "winf\\.h5.*\\b351\\b" 3 "$GB" "${CAN[@]}" "$B/winf.h5" "$B/o.json"
expect_fail "weight -inf (HDF5, first rank): the file and the row" 65 "wninf\\.h5.*\\b6\\b" 2 "$GB" "${CAN[@]}" "$B/wninf.h5" "$B/o.json"
expect_fail "NaN weight (CSV): the file and the line (or row)" 65 "wnan\\.csv(:302\\b|.*row 301\\b)" 2 "$GB" "${CAN[@]}" "$B/wnan.csv" "$B/o.json"
expect_fail "weight -1 (CSV): the file and the line (or row)" 65 "wneg\\.csv(:202\\b|.*row 201\\b)" 3 "$GB" "${CAN[@]}" "$B/wneg.csv" "$B/o.json"
expect_fail "weight inf (CSV): the file and the line (or row)" 65 "winf\\.csv(:352\\b|.*row 351\\b)" 2 "$GB" "${CAN[@]}" "$B/winf.csv" "$B/o.json"
expect_fail "NaN weight in --valid: the file and the row" 65 "valid_nan\\.h5.*\\b41\\b" 2 "$GB" "${CAN[@]}" --valid "$B/valid_nan.h5" "$D/wcancer_train.h5" "$B/o.json"
expect_fail "--weight names a missing column" "64|65|66" "nope" 2 "$GB" --label target --objective binary:logistic --weight nope "$D/wcancer_train.h5" "$B/o.json"
expect_fail "--weight w on a TRAIN without w" "64|65|66" "\\bw\\b.*noweight\\.h5|noweight\\.h5.*\\bw\\b" 2 "$GB" "${CAN[@]}" "$B/noweight.h5" "$B/o.json"
check "failed runs wrote no model" test ! -e "$B/o.json"
gb "zero weights (every third row) train np=3" 3 "${CAN[@]}" --num-round 10 "$B/wzero.h5" "$B/zero.json"
gp "gbpredict on the zero-weight model" 2 "$B/zero.json" "$D/wcancer_test.h5" "$B/zero.csv"
check "zero-weight model: xgboost == gbpredict" hx agree "$B/zero.json" "$D/wcancer_test.h5" "$B/zero.csv"
gb "a rank whose rows all weigh 0 np=2" 2 "${CAN[@]}" --num-round 10 "$B/wzero_rank.h5" "$B/zr2.json"
gb "the same file np=1" 1 "${CAN[@]}" --num-round 10 "$B/wzero_rank.h5" "$B/zr1.json"
check "all-zero rank: model bytes np=1 == np=2" same_file "$B/zr1.json" "$B/zr2.json"

finish
