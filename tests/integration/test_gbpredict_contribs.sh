#!/usr/bin/env bash
# test_gbpredict_contribs.sh -- gbpredict --contribs and --contribs-summary
# against xgboost 1.7's Booster.predict(pred_contribs=True) and a float64
# reference (tests/integration/gbpredict_contribs_check.py): xgboost's
# reference models (tests/data/models, numerical and categorical), fresh
# xgboost models (enable_categorical ones among them, and one whose leaf paths
# pass through up to 15 distinct features: the recursive TreeSHAP) and gbtrain
# models, all three objectives, data with NaNs, whole rows missing and odd
# categories; CSV and HDF5 layouts, --keep, row sums equal to the margins,
# byte-identical outputs for 1, 2 and 3 ranks, the Fast TreeSHAP tables and
# the recursive TreeSHAP (--contribs-tables 0) alike; the summary file; then
# exit codes, messages and nothing left behind on errors. The largest errors
# seen are printed at the end of each batch of comparisons.
. "$(dirname "$0")/lib.sh"
BIN=$ROOT/bin/gbpredict
GB=$ROOT/bin/gbtrain
MODELS=$ROOT/tests/data/models
CHK=$ROOT/tests/integration/gbpredict_contribs_check.py
OUT=$WORK/out.d
F=$WORK/fresh
mkdir -p "$OUT"

if [ ! -x "$BIN" ]; then not_ok "bin/gbpredict is built"; finish; exit 1; fi

# shellcheck source=tests/integration/lib_gbpredict.sh
source "$(dirname "$0")/lib_gbpredict.sh"

# contribs NAME NP MODEL DATA OUTFILE [OPTIONS...]: runs gbpredict (OPTIONS
# as given, --contribs among them unless --contribs-summary alone) and queues
# the comparison with xgboost (run_checks runs them)
contribs() {
  local name=$1 np=$2 model=$3 data=$4 out=$5; shift 5
  local chk=() a prev= has=0
  for a in "$@"; do
    case $prev in
      --keep) chk+=(--keep "$a") ;; --group) chk+=(--group "$a") ;;
      --contribs-summary) chk+=(--summary "$a") ;; --xgb-floor) ;;
    esac
    [ "$a" = --contribs ] && has=1
    prev=$a
  done
  [ "$has" = 1 ] || chk+=(--no-contribs)
  local args=() skip=0
  for a in "$@"; do  # --xgb-floor X is the checker's, not gbpredict's
    if [ "$skip" = 1 ]; then chk+=(--xgb-floor "$a"); skip=0; continue; fi
    [ "$a" = --xgb-floor ] && { skip=1; continue; }
    args+=("$a")
  done
  expect_status "$name" 0 "$np" "$BIN" "${args[@]}" "$model" "$data" "$out"
  printf '%s: equals xgboost\t%s\n' "$name" "$(printf '%q ' "${chk[@]}" "$model" "$data" "$out")" \
    >>"$WORK/checks"
}

# ---- xgboost's reference models: every layout, 1 to 3 ranks ----
REFS="reg_named binary_named binary_spw multi_named reg_unnamed exact_pruned
      cat_reg_onehot cat_reg_part cat_binary cat_multi cat_unnamed"
pairs=(); for m in $REFS; do pairs+=("$MODELS/$m.json" "$WORK/$m"); done
"$PY" "$CHK" data --rows 241 --seed 7 "${pairs[@]}" 2>/dev/null || not_ok "test data written"
for m in $REFS; do
  model=$MODELS/$m.json
  contribs "$m np=1 csv" 1 "$model" "$WORK/$m.csv" "$OUT/$m.1.csv" --contribs --keep id,score
  contribs "$m np=3 csv" 3 "$model" "$WORK/$m.comma.csv" "$OUT/$m.3.csv" --contribs --keep id,score
  contribs "$m np=2 h5, summary" 2 "$model" "$WORK/$m.h5" "$OUT/$m.2.h5" --contribs \
    --contribs-summary "$OUT/$m.2.sum.csv"
  check "$m: CSV byte-identical for 1 and 3 ranks" same_file "$OUT/$m.1.csv" "$OUT/$m.3.csv"
  case $m in multi_named | reg_unnamed | exact_pruned | cat_multi)
    contribs "$m np=1 h5" 1 "$model" "$WORK/$m.h5" "$OUT/$m.1.h5" --contribs
    check "$m: HDF5 byte-identical for 1 and 2 ranks" same_file "$OUT/$m.1.h5" "$OUT/$m.2.h5" ;;
  esac
done
run_checks
check "the categorical data reaches unseen, negative, non-integer and huge codes" "$PY" - "$WORK/cat_multi.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    v = f["features/genre"][:]
sys.exit(0 if all([(v < 0).any(), (v >= 2 ** 24).any(), ((v % 1) != 0).any(), (v >= 10).any(),
                   np.isnan(v).any()]) else 1)
PY

# ---- fresh xgboost models (enable_categorical too) and gbtrain's ----
"$PY" "$ROOT/tests/data/make_cat.py" "$WORK/cat" >/dev/null 2>&1 || not_ok "make_cat.py writes its data"
"$PY" "$CHK" train "$F" --cat "$WORK/cat" 2>"$WORK/train.err" || {
  not_ok "fresh xgboost models trained"; sed 's/^/    /' "$WORK/train.err" | tail -5; }
if [ -x "$GB" ]; then
  G=(--num-round 12 --max-depth 5 --eta 0.3 --no-progress --overwrite)
  expect_status "gbtrain reg:squarederror" 0 2 "$GB" "${G[@]}" --label label "$F/xreg_train.h5" "$F/greg.json"
  expect_status "gbtrain binary:logistic" 0 2 "$GB" "${G[@]}" --label label --objective binary:logistic \
    "$F/xbin_train.h5" "$F/gbin.json"
  expect_status "gbtrain multi:softprob" 0 2 "$GB" "${G[@]}" --label label --objective multi:softprob \
    --num-class 4 "$F/xmulti_train.h5" "$F/gmulti.json"
  expect_status "gbtrain categorical binary" 0 2 "$GB" "${G[@]}" --label label --objective binary:logistic \
    --categorical c3,c20,c500 "$WORK/cat/catbin_train.h5" "$F/gcatbin.json"
  expect_status "gbtrain categorical multi-class" 0 2 "$GB" "${G[@]}" --label label \
    --objective multi:softprob --num-class 3 --categorical c3,c20,c500 "$WORK/cat/catmc_train.h5" \
    "$F/gcatmc.json"
else
  not_ok "bin/gbtrain is built"
fi
# the categorical models on make_cat.py's own test rows (categories never seen in training)
for m in xcatbin gcatbin; do
  [ -f "$F/$m.json" ] && contribs "$m np=2 on catbin_test.h5" 2 "$F/$m.json" "$WORK/cat/catbin_test.h5" \
    "$OUT/$m.test.h5" --contribs
done
FRESH="xreg xbin xmulti xcatbin xcatmc greg gbin gmulti gcatbin gcatmc xdeep"
pairs=(); for m in $FRESH; do [ -f "$F/$m.json" ] && pairs+=("$F/$m.json" "$WORK/$m"); done
"$PY" "$CHK" data --rows 301 --seed 3 "${pairs[@]}" 2>/dev/null || not_ok "test data written"
for m in $FRESH; do
  model=$F/$m.json
  [ -f "$model" ] || { not_ok "$m: model made"; continue; }
  floor=()
  if [ "$m" = xdeep ]; then
    # its own batch, so that the largest errors of the others are reported apart:
    # xgboost's float32 TreeSHAP on its 15-feature paths is off by ~4e-6 x max
    # |margin|, hence 10 x the usual absolute bound against xgboost (the float64
    # reference keeps its usual bound)
    run_checks
    floor=(--xgb-floor 0.5)
  fi
  contribs "$m np=2 csv, --keep, summary" 2 "$model" "$WORK/$m.csv" "$OUT/$m.csv" --contribs \
    --keep id,score --contribs-summary "$OUT/$m.sum.csv" "${floor[@]}"
  contribs "$m np=3 h5" 3 "$model" "$WORK/$m.h5" "$OUT/$m.h5" --contribs --keep id "${floor[@]}"
  [ "$m" = xreg ] && check "xreg: every tree has Fast TreeSHAP tables" \
    grep -q "Fast TreeSHAP tables for 20 of 20 trees" "$WORK/out"
  case $m in greg | gbin | gmulti) continue ;; esac
  contribs "$m np=1 h5, recursive TreeSHAP only" 1 "$model" "$WORK/$m.h5" "$OUT/$m.rec.h5" \
    --contribs --contribs-tables 0 --keep id "${floor[@]}"
  check "$m: recursive TreeSHAP in the summary line" grep -q "Fast TreeSHAP tables for 0 of" "$WORK/out"
done
contribs "xdeep np=2: which algorithm" 2 "$F/xdeep.json" "$WORK/xdeep.h5" "$OUT/xdeep.2.h5" --contribs --xgb-floor 0.5
check "xdeep: its 15-feature paths take the recursive TreeSHAP" grep -q "Fast TreeSHAP tables for 0 of 3 trees" "$WORK/out"
run_checks
contribs "xreg np=2 h5" 2 "$F/xreg.json" "$WORK/xreg.h5" "$OUT/xreg.2.h5" --contribs --keep id
check "xreg: HDF5 byte-identical for 2 and 3 ranks" same_file "$OUT/xreg.2.h5" "$OUT/xreg.h5"
contribs "xmulti np=1 csv" 1 "$F/xmulti.json" "$WORK/xmulti.csv" "$OUT/xmulti.1.csv" --contribs --keep id,score \
  --contribs-summary "$OUT/xmulti.1.sum.csv"
check "xmulti: CSV byte-identical for 1 and 2 ranks" same_file "$OUT/xmulti.1.csv" "$OUT/xmulti.csv"
check "xmulti: summary byte-identical for 1 and 2 ranks" same_file "$OUT/xmulti.1.sum.csv" "$OUT/xmulti.sum.csv"
contribs "xmulti np=3 summary alone (OUT: predictions)" 3 "$F/xmulti.json" "$WORK/xmulti.h5" \
  "$OUT/xmulti.pred.csv" --keep id --contribs-summary "$OUT/xmulti.3.sum.csv"
check "xmulti: summary alone byte-identical to the one with --contribs" same_file "$OUT/xmulti.1.sum.csv" "$OUT/xmulti.3.sum.csv"
check "xmulti: OUT holds predictions with the summary alone" bash -c "head -1 '$OUT/xmulti.pred.csv' | grep -qx 'id,class_0,class_1,class_2,class_3'"
check "summary line names the summary" grep -q "summary -> .*xmulti.3.sum.csv" "$WORK/out"
# fewer rows than ranks: a rank with no row writes nothing, the 3-D dataset too
head -3 "$WORK/multi_named.csv" >"$WORK/tiny.csv"
contribs "2 rows at np=3, HDF5 (rows, K, F + 1)" 3 "$MODELS/multi_named.json" "$WORK/tiny.csv" "$OUT/tiny.h5" \
  --contribs --keep id --contribs-summary "$OUT/tiny.sum.csv"
contribs "2 rows at np=3, CSV" 3 "$MODELS/multi_named.json" "$WORK/tiny.csv" "$OUT/tiny.csv" --contribs
run_checks

# ---- layouts, by hand ----
check "CSV header: a feature named n,1 is quoted" bash -c "head -1 '$OUT/xreg.csv' | grep -qx 'id,score,a,b,\"n,1\",d,e,f,g,h,bias'"
check "CSV header: multi:softprob class by class" bash -c \
  "head -1 '$OUT/multi_named.1.csv' | grep -qx 'id,score,class_0:plays,class_0:distSongs,class_0:region,class_0:hour,class_0:bias,class_1:plays,class_1:distSongs,class_1:region,class_1:hour,class_1:bias,class_2:plays,class_2:distSongs,class_2:region,class_2:hour,class_2:bias'"
check "HDF5: /contribs float32 (rows, K, F + 1), names, output" "$PY" - "$OUT/multi_named.2.h5" "$OUT/reg_unnamed.1.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    d = f["contribs"]
    ok = d.dtype == np.float32 and d.shape == (241, 3, 5) and f.attrs["output"] == "contribs"
    ok &= list(f.attrs["contrib_names"]) == ["plays", "distSongs", "region", "hour", "bias"]
with h5py.File(sys.argv[2], "r") as f:
    ok &= f["contribs"].shape == (241, 4) and list(f.attrs["contrib_names"]) == ["f0", "f1", "f2", "bias"]
sys.exit(0 if ok else 1)
PY
check "summary: header and one row per class and feature" bash -c \
  "head -1 '$OUT/multi_named.2.sum.csv' | grep -qx 'class,feature,mean_abs_shap' && [ \$(wc -l <'$OUT/multi_named.2.sum.csv') -eq 13 ] &&
   head -1 '$OUT/reg_named.2.sum.csv' | grep -qx 'feature,mean_abs_shap' && [ \$(wc -l <'$OUT/reg_named.2.sum.csv') -eq 5 ]"

# ---- errors: one message, the same exit status, no OUT, no summary, no temporary ----
E=$WORK/err-out
mkdir -p "$E"
m=binary_named
model=$MODELS/$m.json
empty_dir() { [ -z "$(ls -A "$E")" ] || { echo "    left behind: $(ls -A "$E")"; return 1; }; }

"$PY" - "$model" "$WORK/nohess.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for t in m["learner"]["gradient_booster"]["model"]["trees"]:
    del t["sum_hessian"]
json.dump(m, open(sys.argv[2], "w"))
PY
expect_fail "a model without sum_hessian" 65 "nohess.json: tree 0 has no \"sum_hessian\"" 2 "$BIN" --contribs \
  "$WORK/nohess.json" "$WORK/$m.csv" "$E/p.csv"
check "no sum_hessian: no output" empty_dir
"$PY" - "$model" "$WORK/zerohess.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["learner"]["gradient_booster"]["model"]["trees"][2]["sum_hessian"][0] = 0.0
json.dump(m, open(sys.argv[2], "w"))
PY
expect_fail "a split with sum_hessian 0, --contribs" 65 "zerohess.json: tree 2 node 0 splits with sum_hessian 0; SHAP values need positive covers" \
  3 "$BIN" --contribs "$WORK/zerohess.json" "$WORK/$m.h5" "$E/p.h5"
check "zero cover: no output" empty_dir
expect_fail "a split with sum_hessian 0, summary alone" 65 "zerohess.json: tree 2 node 0" \
  2 "$BIN" --contribs-summary "$E/s.csv" "$WORK/zerohess.json" "$WORK/$m.csv" "$E/p.csv"
check "zero cover, summary: nothing left" empty_dir
expect_status "a split with sum_hessian 0 still predicts" 0 1 "$BIN" "$WORK/zerohess.json" "$WORK/$m.csv" "$E/p.csv"
rm -f "$E/p.csv"

expect_fail "--margin with --contribs" 64 "--margin and --contribs exclude each other" 2 "$BIN" --contribs --margin \
  "$model" "$WORK/$m.csv" "$E/p.csv"
expect_fail "--keep a feature with --contribs (CSV)" 64 "--keep column 'plays' clashes with an output column" 2 \
  "$BIN" --contribs --keep id,plays "$model" "$WORK/$m.csv" "$E/p.csv"
check "--keep a feature: no output" empty_dir
expect_status "--keep a feature with --contribs to HDF5 is fine" 0 1 "$BIN" --contribs --keep plays "$model" "$WORK/$m.h5" "$E/p.h5"
rm -f "$E/p.h5"
# solo_fail NAME CODE REGEX ARGS...: an error of the command line alone, the
# same on every rank: gbpredict as an MPI singleton (mpirun adds 2 s to a
# failed job), one "gbpredict: error:" line matching REGEX
solo_fail() {
  local name=$1 code=$2 re=$3; shift 3
  timeout "$MPI_TIMEOUT" "$BIN" "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$? n; n=$(grep -c "^gbpredict: error: " "$WORK/err")
  if [ "$got" -eq "$code" ] && [ "$n" -eq 1 ] && grep -qE -- "^gbpredict: error: .*($re)" "$WORK/err"; then
    ok "$name (exit $got)"
  else
    not_ok "$name (exit $got, want $code; $n error lines, want one matching /$re/)"
    sed 's/^/    /' "$WORK/err" | head -10
  fi
}
solo_fail "--keep bias with --contribs" 64 "--keep column 'bias' clashes with an output column" \
  --contribs --keep bias "$model" "$WORK/$m.csv" "$E/p.csv"
solo_fail "--keep class_1:x with --contribs" 64 "'class_1:x' clashes with an output column" \
  --contribs --keep class_1:x "$MODELS/multi_named.json" "$WORK/$m.csv" "$E/p.csv"
solo_fail "--keep contribs to HDF5" 64 "'contribs' clashes with an output column" \
  --contribs --keep contribs "$model" "$WORK/$m.h5" "$E/p.h5"
solo_fail "--contribs-summary not .csv" 64 "--contribs-summary '.*s.txt' must end in .csv" \
  --contribs-summary "$E/s.txt" "$model" "$WORK/$m.csv" "$E/p.csv"
solo_fail "--contribs-tables not a size" 64 "--contribs-tables: 'lots' is not a size" \
  --contribs --contribs-tables lots "$model" "$WORK/$m.csv" "$E/p.csv"
expect_fail "summary is OUT" 64 "--contribs-summary .*p.csv overlaps OUT" 2 \
  "$BIN" --contribs --contribs-summary "$E/p.csv" "$model" "$WORK/$m.csv" "$E/p.csv"
check "summary is OUT: nothing left" empty_dir
expect_fail "summary is DATA" 64 "overlaps DATA" 2 "$BIN" --contribs --overwrite \
  --contribs-summary "$WORK/$m.csv" "$model" "$WORK/$m.csv" "$E/p.csv"
ln -s "$model" "$WORK/model-link.csv"
expect_fail "summary is a symbolic link to MODEL" 64 "overlaps MODEL" 2 "$BIN" --contribs --overwrite \
  --contribs-summary "$WORK/model-link.csv" "$model" "$WORK/$m.csv" "$E/p.csv"
ln "$WORK/$m.comma.csv" "$WORK/hard.csv"
expect_fail "summary is a hard link to DATA" 64 "overlaps DATA" 2 "$BIN" --contribs --overwrite \
  --contribs-summary "$WORK/hard.csv" "$model" "$WORK/$m.comma.csv" "$E/p.csv"
check "links: nothing left, DATA untouched" bash -c "$(declare -f empty_dir); E='$E'; empty_dir && cmp -s '$WORK/hard.csv' '$WORK/$m.comma.csv'"
echo old >"$E/s.csv"
expect_fail "summary exists" 73 "s.csv already exists \\(use --overwrite\\)" 2 \
  "$BIN" --contribs --contribs-summary "$E/s.csv" "$model" "$WORK/$m.csv" "$E/p.csv"
check "summary exists: untouched, no OUT" bash -c "[ \"\$(ls -A '$E')\" = s.csv ] && [ \"\$(cat '$E/s.csv')\" = old ]"
contribs "summary exists, --overwrite" 2 "$model" "$WORK/$m.csv" "$E/p.csv" --contribs --overwrite \
  --contribs-summary "$E/s.csv"
run_checks
check "--overwrite: both replaced, no temporary left" bash -c "[ \"\$(ls -A '$E' | tr '\n' ' ')\" = 'p.csv s.csv ' ]"
rm -f "$E"/*
mkdir "$E/dir.csv"
expect_fail "summary is a folder" 73 "dir.csv is a folder" 1 "$BIN" --contribs --overwrite \
  --contribs-summary "$E/dir.csv" "$model" "$WORK/$m.csv" "$E/p.csv"
check "summary folder kept, no OUT" bash -c "[ \"\$(ls -A '$E')\" = dir.csv ]"
rmdir "$E/dir.csv"
{ head -20 "$WORK/$m.csv"; echo "1;2;x;4;5;6;7"; tail -5 "$WORK/$m.csv"; } >"$WORK/badrow.csv"
expect_fail "a bad DATA row with a summary" 65 "badrow.csv:21:" 3 "$BIN" --contribs \
  --contribs-summary "$E/new/s.csv" "$model" "$WORK/badrow.csv" "$E/new2/p.csv"
check "bad DATA: no OUT, no summary, no folders made" empty_dir
contribs "summary in a new folder" 2 "$model" "$WORK/$m.csv" "$E/p.h5" --contribs \
  --contribs-summary "$E/new/sub/s.csv"
run_checks
check "summary in a new folder: made" test -f "$E/new/sub/s.csv"

finish
