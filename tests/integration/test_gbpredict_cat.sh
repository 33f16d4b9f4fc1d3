#!/usr/bin/env bash
# test_gbpredict_cat.sh -- gbpredict on categorical models (xgboost 1.7.4's
# split_type and categories, bare NaN split conditions) against xgboost's own
# predictions (tests/integration/gbpredict_check.py), at 1 to 3 ranks, from
# CSV and HDF5, on data with unseen codes, negative values, non-integers,
# values from 2^24 on and missing values; then the library's round trip: a
# model loaded and saved by tk_model (build/release/tests/model_resave, made
# by `make unit`) loads in xgboost, predicts the same and is saved back by
# xgboost to its original bytes; then malformed categorical models refused.
. "$(dirname "$0")/lib.sh"
BIN=$ROOT/bin/gbpredict
RESAVE=$ROOT/${BUILD:-build/release}/tests/model_resave
MODELS=$ROOT/tests/data/models
CHK=$ROOT/tests/integration/gbpredict_check.py
OUT=$WORK/pred
mkdir -p "$OUT"

if [ ! -x "$BIN" ]; then not_ok "bin/gbpredict is built"; finish; exit 1; fi
if [ ! -x "$RESAVE" ]; then not_ok "$RESAVE is built (make unit)"; finish; exit 1; fi

# shellcheck source=tests/integration/lib_gbpredict.sh
source "$(dirname "$0")/lib_gbpredict.sh"

CATS="cat_reg_onehot cat_reg_part cat_binary cat_multi cat_unnamed"
for m in $CATS; do
  model=$MODELS/$m.json
  "$PY" "$CHK" data "$model" "$WORK/$m" --rows 301 --seed 5 2>/dev/null ||
    not_ok "$m: test data written"
  predict "$m np=1 csv -> csv" 1 "$model" "$WORK/$m.csv" "$OUT/$m.1.csv"
  predict "$m np=3 csv -> csv" 3 "$model" "$WORK/$m.comma.csv" "$OUT/$m.3.csv"
  predict "$m np=3 h5 -> h5" 3 "$model" "$WORK/$m.h5" "$OUT/$m.3.h5"
  predict "$m np=2 csv -> h5 --margin" 2 "$model" "$WORK/$m.csv" "$OUT/$m.2.margin.h5" --margin
  predict "$m np=1 h5 -> csv --margin" 1 "$model" "$WORK/$m.h5" "$OUT/$m.1.margin.csv" --margin
  check "$m: CSV output is byte-identical for 1 and 3 ranks" same_file "$OUT/$m.1.csv" "$OUT/$m.3.csv"
done
run_checks

# the data really reaches the special cases: categorical columns with
# invalid, truncated and unseen values next to missing ones
check "data: negative, non-integer, >= 2^24 and missing categories" "$PY" - "$WORK/cat_multi.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    v = f["features/genre"][:]
ok = [(v < 0).any(), (v >= 2 ** 24).any(), (v == 16777215).any(), ((v % 1) != 0).any(),
      (v >= 10).any(), np.isnan(v).any()]
sys.exit(0 if all(ok) else 1)
PY

# ---- the library's round trip: xgboost reads our JSON as its own ----
for m in $CATS; do
  model=$MODELS/$m.json
  check "$m: loaded and saved by tk_model" "$RESAVE" "$model" "$WORK/$m.ours.json"
  check "$m: our JSON has xgboost's bare NaN conditions" grep -q ',NaN,\|\[NaN,' "$WORK/$m.ours.json"
  check "$m: xgboost loads ours, predicts the same, saves xgboost's bytes back" \
    "$PY" "$CHK" resaved "$model" "$WORK/$m.ours.json" "$WORK/$m.csv"
  check "$m: our JSON again is the same bytes" bash -c \
    "'$RESAVE' '$WORK/$m.ours.json' '$WORK/$m.again.json' && cmp -s '$WORK/$m.ours.json' '$WORK/$m.again.json'"
  check "$m: gbpredict on ours gives the same CSV" bash -c \
    "timeout $MPI_TIMEOUT mpirun -np 2 '$BIN' '$WORK/$m.ours.json' '$WORK/$m.csv' '$OUT/$m.ours.csv' >/dev/null 2>&1 &&
     cmp -s '$OUT/$m.ours.csv' '$OUT/$m.1.csv'"
done

# an indented model (NaN tokens on their own lines, after newlines and spaces)
# and one whose feature names are the very tokens: the same predictions
"$PY" - "$MODELS/cat_binary.json" "$WORK/indented.json" <<'PY'
import json, sys
json.dump(json.load(open(sys.argv[1])), open(sys.argv[2], "w"), indent=2, sort_keys=True)
PY
check "indented categorical model: same predictions" bash -c \
  "grep -q '^ *NaN,\$' '$WORK/indented.json' &&
   timeout $MPI_TIMEOUT mpirun -np 2 '$BIN' '$WORK/indented.json' '$WORK/cat_binary.csv' '$OUT/indented.csv' >/dev/null 2>&1 &&
   cmp -s '$OUT/indented.csv' '$OUT/cat_binary.1.csv'"

# ---- malformed categorical models: exit 65, the tree and the problem named ----
E=$WORK/err-out
mkdir -p "$E"
empty_dir() { [ -z "$(ls -A "$E")" ] || { echo "    left behind: $(ls -A "$E")"; return 1; }; }

# mutate NAME PYTHON: cat_reg_part.json with the statement applied to t (tree 0)
# and L (the learner), written as xgboost writes (bare NaN) to $WORK/NAME.json
mutate() {
  "$PY" - "$MODELS/cat_reg_part.json" "$WORK/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
L = d["learner"]
t = L["gradient_booster"]["model"]["trees"][0]
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"), separators=(",", ":"))
PY
}
m=cat_reg_part
mutate negcat 't["categories"][0] = -1'
expect_status "a negative category" 65 2 "$BIN" "$WORK/negcat.json" "$WORK/$m.csv" "$E/p.csv"
err_has "negative category: named" "negcat.json: tree 0: categories\\[0\\] = -1 is not in \\[0, 16777215\\]"
mutate bigcat 't["categories"][0] = 16777216'
expect_status "a category of 2^24" 65 1 "$BIN" "$WORK/bigcat.json" "$WORK/$m.csv" "$E/p.csv"
err_has "category 2^24: named" "tree 0: categories\\[0\\] = 16777216 is not in"
mutate nannum 'i = t["split_type"].index(0); t["split_conditions"][i] = float("nan")'
expect_status "NaN on a numerical split" 65 2 "$BIN" "$WORK/nannum.json" "$WORK/$m.h5" "$E/p.h5"
err_has "NaN on a numerical split: named" "nannum.json: tree 0: node [0-9]+: a value is not finite"
mutate unlisted 't["categories_nodes"].pop(); t["categories_segments"].pop(); t["categories_sizes"].pop()'
expect_status "a categorical split without categories" 65 3 "$BIN" "$WORK/unlisted.json" "$WORK/$m.csv" "$E/p.csv"
err_has "unlisted node: named" "tree 0: node [0-9]+ has split_type 1 but is not in categories_nodes"
mutate unsorted 's, n = t["categories_segments"][0], t["categories_sizes"][0]; t["categories"][s:s + n] = t["categories"][s:s + n][::-1]'
expect_status "categories not ascending" 65 2 "$BIN" "$WORK/unsorted.json" "$WORK/$m.csv" "$E/p.csv"
err_has "unsorted: named" "tree 0: node [0-9]+: categories [0-9]+, [0-9]+ are not ascending and distinct"
mutate badtype 'L["feature_types"][0] = "categorical"'
expect_status "an unknown feature type" 65 2 "$BIN" "$WORK/badtype.json" "$WORK/$m.csv" "$E/p.csv"
err_has "unknown type: named" "feature_types\\[0\\] \"categorical\" is not a known type"
check "malformed models: no output" empty_dir

finish
