#!/usr/bin/env bash
# test_gbpredict.sh -- gbpredict against xgboost 1.7's own predictions
# (tests/integration/gbpredict_check.py) for every reference model in
# tests/data/models, at 1 to 3 ranks, from CSV and HDF5, to CSV and HDF5,
# with --margin and --keep; then exit codes, messages and no output left
# behind on errors.
. "$(dirname "$0")/lib.sh"
BIN=$ROOT/bin/gbpredict
MODELS=$ROOT/tests/data/models
CHK=$ROOT/tests/integration/gbpredict_check.py
OUT=$WORK/pred
mkdir -p "$OUT"

if [ ! -x "$BIN" ]; then not_ok "bin/gbpredict is built"; finish; exit 1; fi

# shellcheck source=tests/integration/lib_gbpredict.sh
source "$(dirname "$0")/lib_gbpredict.sh"

for m in reg_named binary_named binary_spw multi_named reg_unnamed exact_pruned; do
  model=$MODELS/$m.json
  "$PY" "$CHK" data "$model" "$WORK/$m" --rows 301 --seed 3 2>/dev/null ||
    not_ok "$m: test data written"
  for np in 1 2 3; do
    predict "$m np=$np csv -> csv" $np "$model" "$WORK/$m.csv" "$OUT/$m.$np.csv"
    predict "$m np=$np h5 -> h5" $np "$model" "$WORK/$m.h5" "$OUT/$m.$np.h5"
    predict "$m np=$np csv -> h5 --margin" $np "$model" "$WORK/$m.comma.csv" \
      "$OUT/$m.$np.margin.h5" --margin
    predict "$m np=$np h5 -> csv --margin" $np "$model" "$WORK/$m.h5" \
      "$OUT/$m.$np.margin.csv" --margin
  done
  run_checks
  check "$m: CSV output is byte-identical for 1 and 3 ranks" same_file "$OUT/$m.1.csv" "$OUT/$m.3.csv"
  check "$m: CSV and HDF5 inputs give the same CSV" bash -c \
    "timeout $MPI_TIMEOUT mpirun -np 2 '$BIN' '$model' '$WORK/$m.h5' '$OUT/$m.fromh5.csv' >/dev/null 2>&1 &&
     cmp -s '$OUT/$m.fromh5.csv' '$OUT/$m.1.csv'"
done

# --keep: integers without a decimal point, missing values empty; int64/float64 in HDF5
m=binary_named
model=$MODELS/$m.json
predict "--keep id,score csv -> csv np=3" 3 "$model" "$WORK/$m.csv" "$OUT/keep.csv" --keep id,score
check "--keep: header" bash -c "head -1 '$OUT/keep.csv' | grep -qx 'id,score,prediction'"
check "--keep: an empty field for a missing value" grep -q '^[-0-9]*,,' "$OUT/keep.csv"
predict "--keep id,score,plays h5 -> h5 np=2" 2 "$model" "$WORK/$m.h5" "$OUT/keep.h5" \
  --keep id,score,plays
predict "--keep with --margin, h5 -> csv np=2" 2 "$model" "$WORK/$m.h5" "$OUT/keep2.csv" \
  --keep score,id --margin
expect_status "summary line on stdout" 0 2 "$BIN" "$model" "$WORK/$m.csv" "$OUT/summary.csv"
check "summary: rows and seconds" grep -qE '^gbpredict: 301 rows, 1 predictions per row -> .*summary.csv, [0-9.]+ s, 2 ranks$' "$WORK/out"

# fewer rows than ranks: a rank with nothing to predict
head -3 "$WORK/multi_named.csv" >"$WORK/tiny.csv"
predict "2 rows at np=3" 3 "$MODELS/multi_named.json" "$WORK/tiny.csv" "$OUT/tiny.csv" --keep id
predict "2 rows at np=3, HDF5 out" 3 "$MODELS/multi_named.json" "$WORK/tiny.csv" "$OUT/tiny.h5" --keep id
run_checks

# ---- errors: one message, the same exit status, no OUT, no temporary file ----
E=$WORK/err-out
mkdir -p "$E"
empty_dir() { [ -z "$(ls -A "$E")" ] || { echo "    left behind: $(ls -A "$E")"; return 1; }; }
one_error_line() { [ "$(grep -c '^gbpredict: error: ' "$WORK/err")" -eq 1 ]; }

expect_status "missing model" 66 2 "$BIN" "$WORK/none.json" "$WORK/$m.csv" "$E/p.csv"
err_has "missing model: named" "cannot open .*none.json"
check "missing model: one error line" one_error_line
check "missing model: no output" empty_dir

expect_status "a CSV file as model" 65 2 "$BIN" "$WORK/$m.csv" "$WORK/$m.csv" "$E/p.csv"
err_has "not JSON: says where" "$m.csv: not JSON: .*\\(line 1, column [0-9]+\\)"
check "not JSON: no output" empty_dir

echo '{"learner": {"x": 1}}' >"$WORK/notmodel.json"
expect_status "JSON but not a model" 65 3 "$BIN" "$WORK/notmodel.json" "$WORK/$m.h5" "$E/p.h5"
err_has "not a model: message" "notmodel.json: learner has no \"objective\""
check "not a model: no output" empty_dir

sed 's/"multi:softprob"/"multi:softmax"/' "$MODELS/multi_named.json" >"$WORK/softmax.json"
expect_status "unsupported objective" 65 2 "$BIN" "$WORK/softmax.json" "$WORK/$m.csv" "$E/p.csv"
err_has "unsupported objective: named" "unsupported objective 'multi:softmax'"

sed 's/"split_type":\[0,/"split_type":[1,/' "$MODELS/reg_named.json" >"$WORK/cat.json"
expect_status "categorical split without categories" 65 1 "$BIN" "$WORK/cat.json" "$WORK/$m.csv" "$E/p.csv"
err_has "categorical split: message" "tree 0: node 0 has split_type 1 but is not in categories_nodes"

cut -d';' -f1,2 "$WORK/$m.csv" >"$WORK/lacking.csv"
expect_status "DATA lacks a feature" 65 3 "$BIN" "$model" "$WORK/lacking.csv" "$E/p.csv"
err_has "lacking feature: named, DATA's columns listed" "lacking.csv has no column '[a-zA-Z]+', a feature of .*binary_named.json( \\(and [0-9]+ more\\))?; it has: [a-zA-Z]+, [a-zA-Z]+$"
check "lacking feature: one error line" one_error_line
check "lacking feature: no output" empty_dir

expect_status "unnamed model on named data" 65 2 "$BIN" "$MODELS/reg_unnamed.json" "$WORK/$m.h5" "$E/p.h5"
err_has "unnamed model: wants f0" "has no column 'f0'"
check "unnamed model: no output" empty_dir

expect_status "--keep an unknown column" 64 2 "$BIN" --keep id,nope "$model" "$WORK/$m.csv" "$E/p.csv"
err_has "--keep unknown: named" "unknown column 'nope'"
check "--keep unknown: no output" empty_dir

expect_status "--keep clashes with an output column" 64 1 "$BIN" --keep prediction "$model" "$WORK/$m.csv" "$E/p.csv"
expect_status "--keep twice the same" 64 1 "$BIN" --keep id,id "$model" "$WORK/$m.csv" "$E/p.csv"
expect_status "other OUT extension" 64 2 "$BIN" "$model" "$WORK/$m.csv" "$E/p.txt"
err_has "other extension: usage" "must end in .csv or .h5"
err_has "other extension: usage line" "^usage: gbpredict"
expect_status "too few arguments" 64 1 "$BIN" "$model" "$WORK/$m.csv"
expect_status "--help" 0 1 "$BIN" --help
check "--help shows defaults and an example" bash -c "grep -q 'default: /features' '$WORK/out' && grep -q 'mpirun -np' '$WORK/out'"
expect_status "--version" 0 2 "$BIN" --version
check "--version once" bash -c "[ \"\$(cat '$WORK/out')\" = 'gbpredict 1.0.0' ]"

expect_status "missing DATA" 66 2 "$BIN" "$model" "$WORK/none.csv" "$E/p.csv"
check "missing DATA: no output" empty_dir

{ head -20 "$WORK/$m.csv"; echo "1;2;x;4;5;6;7"; tail -5 "$WORK/$m.csv"; } >"$WORK/badrow.csv"
expect_status "a non-numeric value in DATA" 65 3 "$BIN" "$model" "$WORK/badrow.csv" "$E/p.csv"
err_has "bad row: line named" "badrow.csv:21:"
check "bad row: no output" empty_dir

expect_status "a missing HDF5 group" 65 2 "$BIN" --group /nope "$model" "$WORK/$m.h5" "$E/p.h5"
err_has "missing group: named" "nope"
check "missing group: no output" empty_dir

"$PY" - "$WORK/$m.h5" "$WORK/inf.h5" <<'EOF' 2>/dev/null
import shutil, sys, h5py, numpy as np
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    v = f["features/plays"][:]
    v[200] = np.inf
    f["features/plays"][:] = v
EOF
expect_status "an infinite feature value" 65 3 "$BIN" "$model" "$WORK/inf.h5" "$E/p.h5"
err_has "infinite value: column and row" "feature 'plays' is infinite .* in row 201 "
check "infinite value: no output" empty_dir

echo old >"$E/exists.csv"
expect_status "OUT exists" 73 2 "$BIN" "$model" "$WORK/$m.csv" "$E/exists.csv"
err_has "OUT exists: --overwrite suggested" "already exists \\(use --overwrite\\)"
check "OUT exists: untouched" bash -c "[ \"\$(cat '$E/exists.csv')\" = old ]"
predict "OUT exists with --overwrite" 2 "$model" "$WORK/$m.csv" "$E/exists.csv" --overwrite
run_checks
check "--overwrite: no temporary file left" bash -c "[ \"\$(ls -A '$E')\" = exists.csv ]"
rm -f "$E/exists.csv"
mkdir "$E/dir.csv"
expect_status "OUT is a folder" 73 1 "$BIN" --overwrite "$model" "$WORK/$m.csv" "$E/dir.csv"
check "OUT folder kept" test -d "$E/dir.csv"
rmdir "$E/dir.csv"

predict "OUT in a new folder" 2 "$model" "$WORK/$m.csv" "$E/new/sub/p.csv"
run_checks
rm -rf "$E/new"

finish
