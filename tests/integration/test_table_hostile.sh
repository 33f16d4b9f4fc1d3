#!/usr/bin/env bash
# test_table_hostile.sh -- the table reader (tk_table) and gbpredict's kept
# columns on inputs that used to give wrong results or poor messages:
# 64-bit ids (exact int64 end to end, CSV text and .h5 dtype checked with
# h5py/numpy), CSV string columns when every column is taken, files that are
# not what their name says, one-field headers, control bytes in values, and
# FIFOs or folders as DATA. BINDIR=... runs it against other binaries.
. "$(dirname "$0")/lib.sh"
BINDIR=${BINDIR:-$ROOT/bin}
GP=$BINDIR/gbpredict
GB=$BINDIR/gbtrain
LJ=$BINDIR/logjoin
MODEL=$ROOT/tests/data/models/reg_named.json # features plays, distSongs, region, hour
D=$WORK/in
O=$WORK/res
mkdir -p "$D" "$O"

if [ ! -x "$GP" ]; then not_ok "gbpredict is built"; finish; exit 1; fi

# ---- inputs, written by numpy/h5py: ids at +-(2^63-1), -2^63, around 2^53
"$PY" - "$D" <<'EOF' || not_ok "test data written"
import sys, h5py, numpy as np
d = sys.argv[1]
n = 2000
ids = np.arange(2**53, 2**53 + n, dtype=np.int64)
ids[0], ids[1], ids[2], ids[n - 1] = 2**63 - 1, -(2**63 - 1), -2**63, -(2**53 + 1)
rng = np.random.default_rng(5)
feats = {c: rng.integers(0, 50, n).astype(np.int32) for c in ["plays", "distSongs", "region", "hour"]}
np.save(d + "/ids.npy", ids)
with h5py.File(d + "/ids.h5", "w") as f:
    g = f.create_group("features")
    g["userId"] = ids
    g["u64ok"] = ids.view(np.uint64) & np.uint64(2**63 - 1)          # all <= INT64_MAX
    g["u64big"] = np.where(np.arange(n) == 1500, np.uint64(2**64 - 1), np.uint64(7))
    for c, v in feats.items():
        g[c] = v
with open(d + "/ids.csv", "w") as fo:
    fo.write("userId;plays;distSongs;region;hour;name\n")
    for i in range(n):
        fo.write("%d;%s;n%d\n" % (ids[i], ";".join(str(feats[c][i]) for c in feats), i))
# an integer column with missing values (empty fields)
with open(d + "/gaps.csv", "w") as fo:
    fo.write("userId,plays,distSongs,region,hour\n")
    for i in range(n):
        fo.write("%s,1,2,3,4\n" % ("" if i % 7 == 3 else str(ids[i])))
EOF

# ids_csv_ok OUT: OUT.csv's userId column is exactly the ids, as text
ids_csv_ok() {
  "$PY" - "$D/ids.npy" "$1" "${2:-}" <<'EOF'
import sys, numpy as np
ids = np.load(sys.argv[1])
lines = open(sys.argv[2]).read().split("\n")
assert lines[0].split(",")[0] == "userId", lines[0]
got = [l.split(",")[0] for l in lines[1:] if l]
want = [str(int(v)) for v in ids]
if sys.argv[3] == "gaps":
    want = ["" if i % 7 == 3 else w for i, w in enumerate(want)]
bad = [i for i in range(len(want)) if i >= len(got) or got[i] != want[i]]
assert len(got) == len(want) and not bad, "%d rows, first bad %s: %r vs %r" % (
    len(got), bad[:1], got[bad[0]] if bad and bad[0] < len(got) else None, want[bad[0]] if bad else None)
EOF
}

# ids_h5_ok OUT NAME [SRC]: OUT.h5's NAME is int64 and equals the ids (or SRC's column)
ids_h5_ok() {
  "$PY" - "$D/ids.npy" "$1" "$2" "${3:-}" <<'EOF'
import sys, h5py, numpy as np
ids = np.load(sys.argv[1])
if sys.argv[4]:
    with h5py.File(sys.argv[4], "r") as f:
        ids = f["features"][sys.argv[3]][:]
with h5py.File(sys.argv[2], "r") as f:
    d = f[sys.argv[3]]
    assert d.dtype == np.dtype("<i8"), d.dtype
    v = d[:]
assert len(v) == len(ids) and (v == ids.astype(np.int64)).all(), "values differ"
assert len(np.unique(v)) == len(np.unique(ids))
EOF
}

# ---- 1. 64-bit ids are exact, CSV and HDF5 in and out, 1 and 3 ranks
for np in 1 3; do
  for src in h5 csv; do
    expect_status "ids: $src -> csv np=$np" 0 $np "$GP" --keep userId "$MODEL" "$D/ids.$src" "$O/ids.$src.$np.csv"
    check "ids: $src -> csv np=$np: userId exact decimal" ids_csv_ok "$O/ids.$src.$np.csv"
    expect_status "ids: $src -> h5 np=$np" 0 $np "$GP" --keep userId "$MODEL" "$D/ids.$src" "$O/ids.$src.$np.h5"
    check "ids: $src -> h5 np=$np: userId int64, exact" ids_h5_ok "$O/ids.$src.$np.h5" userId
  done
  check "ids: np=$np csv output the same from h5 and csv" same_file "$O/ids.h5.$np.csv" "$O/ids.csv.$np.csv"
  expect_status "ids: uint64 <= INT64_MAX np=$np" 0 $np "$GP" --keep u64ok "$MODEL" "$D/ids.h5" "$O/u64.$np.h5"
  check "ids: uint64 <= INT64_MAX np=$np: int64, exact" ids_h5_ok "$O/u64.$np.h5" u64ok "$D/ids.h5"
  expect_status "ids: uint64 above INT64_MAX np=$np" 65 $np "$GP" --keep u64big "$MODEL" "$D/ids.h5" "$O/u64big.$np.csv"
  err_has "ids: uint64 above INT64_MAX: column and row named" "ids.h5: column 'u64big' holds 18446744073709551615 in row 1501, beyond int64"
  expect_status "ids: integer column with gaps np=$np" 0 $np "$GP" --keep userId "$MODEL" "$D/gaps.csv" "$O/gaps.$np.csv"
  check "ids: gaps np=$np: exact, missing empty" ids_csv_ok "$O/gaps.$np.csv" gaps
  expect_status "ids: gaps beyond 2^53 to .h5 np=$np" 65 $np "$GP" --keep userId "$MODEL" "$D/gaps.csv" "$O/gaps.$np.h5"
  err_has "ids: gaps to .h5: says why" "column 'userId' has missing values and integers beyond 2\\^53"
done
check "ids: no partial output" bash -c "[ ! -e '$O/u64big.1.csv' ] && [ ! -e '$O/gaps.1.h5' ]"
printf 'userId,plays,distSongs,region,hour\n1,1,1,1,1\n99999999999999999999,1,1,1,1\n' >"$D/huge.csv"
expect_status "ids: a kept integer literal beyond int64" 65 2 "$GP" --keep userId "$MODEL" "$D/huge.csv" "$O/huge.csv"
err_has "ids: beyond int64: line and column" "huge.csv:3: column 'userId': '99999999999999999999' is an integer beyond int64"

# ---- 2. the number rule: every NaN and infinity spelling; infinite features refused
printf 'plays,distSongs,region,hour,score\n1,2,3,4,inf\n1,2,3,4,-Infinity\n1,2,3,4,NAN\n1,2,3,4,3.4028235e38\n1,2,3,4,1e-45\n' >"$D/spell.csv"
for np in 1 3; do
  expect_status "numbers: kept infinities and NaN np=$np" 0 $np "$GP" --keep score "$MODEL" "$D/spell.csv" "$O/spell.$np.csv"
  check "numbers: kept values np=$np" bash -c "[ \"\$(cut -d, -f1 '$O/spell.$np.csv' | tr '\n' ' ')\" = 'score inf -inf  3.4028235e+38 1e-45 ' ]"
  expect_status "numbers: kept to .h5 np=$np" 0 $np "$GP" --keep score "$MODEL" "$D/spell.csv" "$O/spell.$np.h5"
  check "numbers: .h5 float64 values np=$np" "$PY" -c "
import sys, h5py, numpy as np
v = h5py.File(sys.argv[1], 'r')['score'][:]
assert v.dtype == np.float64 and v[0] == np.inf and v[1] == -np.inf and np.isnan(v[2]), v
assert v[3] == 3.4028235e38 and v[4] == 1e-45, v
" "$O/spell.$np.h5"
done
printf 'plays,distSongs,region,hour\n1,2,3,4\n1,-INF,3,4\n' >"$D/inffeat.csv"
expect_status "numbers: an infinite CSV feature" 65 2 "$GP" "$MODEL" "$D/inffeat.csv" "$O/inf.csv"
err_has "numbers: infinite feature: line and column" "inffeat.csv:3: column 'distSongs': '-INF' is infinite"
printf 'plays,distSongs,region,hour\n3.4028235e38,1.4e-45,NaN,nan\n' >"$D/edge.csv"
expect_status "numbers: float32 max and subnormal features" 0 2 "$GP" "$MODEL" "$D/edge.csv" "$O/edge.csv"

# ---- 3. a CSV string column is skipped when every column is taken
expect_status "string column: gbtrain without --features" 0 3 "$GB" --label plays --num-round 3 "$D/ids.csv" "$O/m.json"
check "string column: the model's features are the numeric columns" "$PY" -c "
import json, sys
m = json.load(open(sys.argv[1]))
assert m['learner']['feature_names'] == ['distSongs', 'region', 'hour'], m['learner']['feature_names']
" "$O/m.json"
expect_status "string column: gbtrain --features naming it" 65 3 "$GB" --label plays --features region,name "$D/ids.csv" "$O/m2.json"
err_has "string column: --features: column and first bad row" "ids.csv:2: column 'name': 'n0' is not a number"
sed 's/"region"/"name"/' "$MODEL" >"$D/strmodel.json"
expect_status "string column: a model feature" 65 2 "$GP" "$D/strmodel.json" "$D/ids.csv" "$O/s.csv"
err_has "string column: model feature: column and first bad row" "ids.csv:2: column 'name': 'n0' is not a number"

# ---- 4. messages
rm -f "$O/t.csv"
printf 'plays,distSongs,region,hour\n1,2,3,4\n' >"$D/text.h5"
expect_status "a .h5 that is text" 65 2 "$GP" --overwrite "$MODEL" "$D/text.h5" "$O/t.csv"
err_has "a .h5 that is text: not an HDF5 file" "text.h5: not an HDF5 file"
head -c 3000 "$D/ids.h5" | tail -c 1000 >"$D/junk.hdf5"
expect_status "a .hdf5 of binary junk" 65 1 "$GP" --overwrite "$MODEL" "$D/junk.hdf5" "$O/t.csv"
err_has "a .hdf5 of binary junk: not an HDF5 file" "junk.hdf5: not an HDF5 file"
head -c 4000 "$D/ids.h5" >"$D/cut.h5"
expect_status "a truncated .h5 (unreadable)" 66 2 "$GP" --overwrite "$MODEL" "$D/cut.h5" "$O/t.csv"
err_has "a truncated .h5: HDF5's reason" "cut.h5: HDF5: truncated file"
printf 'plays\tdistSongs\tregion\thour\n1\t2\t3\t4\n' >"$D/tabs.csv"
expect_status "a tab-delimited CSV" 65 2 "$GP" --overwrite "$MODEL" "$D/tabs.csv" "$O/t.csv"
err_has "tab-delimited: one-field hint" "the header has one field; is the file '\\\\t'-delimited\\?"
printf 'userId,region,type,paid\n1,1,1,true\n' >"$D/log1comma.csv"
printf 'hour;userId;songId;genderId;deviceId\n01-01-2020 10:00:00;1;5;2;1_1\n' >"$D/log2.csv"
expect_status "logjoin: a ','-delimited LOG1" 65 2 "$LJ" 1 10 "$D/log1comma.csv" "$D/log2.csv" "$O/lj"
err_has "logjoin: ','-delimited: hint" "log1comma.csv: missing column 'userId' \\(the header has one field; is the file ','-delimited\\?\\)"
printf 'plays,distSongs,region,hour\n1,2,3,4\n1,"a\001b\tc",3,4\n' >"$D/ctl.csv"
printf '5,d\000e,3,4\n' >>"$D/ctl.csv"
expect_status "control bytes in a value" 65 2 "$GP" --overwrite "$MODEL" "$D/ctl.csv" "$O/t.csv"
err_has "control bytes: escaped" "ctl.csv:3: column 'distSongs': 'a\\\\x01b\\\\tc' is not a number"
printf 'plays,distSongs,region,hour\n1,2,3,4\n5,d\000e,3,4\n' >"$D/nul.csv"
expect_status "a NUL byte in a value" 65 2 "$GP" --overwrite "$MODEL" "$D/nul.csv" "$O/t.csv"
err_has "NUL byte: shown as \\0, not cut" "nul.csv:3: column 'distSongs': 'd\\\\0e' is not a number"

# ---- 5. FIFOs and folders as DATA: refused at once, exit 66
mkfifo "$D/fifo.csv" "$D/fifo.h5"
mkdir "$D/dir.csv" "$D/dir.h5"
for np in 1 3; do
  for f in fifo.csv fifo.h5 dir.csv dir.h5; do
    MPI_TIMEOUT=30 expect_status "DATA $f np=$np" 66 $np "$GP" "$MODEL" "$D/$f" "$O/f.csv"
    err_has "DATA $f np=$np: not a regular file" "$f: not a regular file"
  done
done
MPI_TIMEOUT=30 expect_status "gbtrain TRAIN fifo.h5" 66 2 "$GB" --label plays "$D/fifo.h5" "$O/f.json"

finish
