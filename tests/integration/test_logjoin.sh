#!/usr/bin/env bash
# test_logjoin.sh -- logjoin end to end against an independent oracle
# (tests/reference_join.py: Python csv + sqlite3), for 1..4 ranks.
source "$(dirname "$0")/lib.sh"
LJ="$ROOT/bin/logjoin"
SEED="$ROOT/../shared/seed"
ORACLE="$ROOT/tests/reference_join.py"

# ---- the seed's sample logs: the exact expected result
if [ -f "$SEED/test_log1.csv" ]; then
  cat >"$WORK/seed.expected" <<'X'
userId;topGenderId;topGenderIdSongs;distSongIds;region;type;paid
4052;22;1;2;1;2;false
12832;15;1;1;0;1;true
27103;16;1;2;0;0;true
36462;28;1;1;1;0;true
X
  for np in 1 2 3 4; do
    expect_status "seed sample np=$np" 0 "$np" "$LJ" 1 49999 "$SEED/test_log1.csv" "$SEED/test_log2.csv" "$WORK/seed$np"
    check "seed sample np=$np exact result" same_file "$WORK/seed.expected" "$WORK/seed$np/features.csv"
    check "seed sample np=$np _SUCCESS" test -f "$WORK/seed$np/_SUCCESS"
  done
  check "oracle agrees on the seed sample" bash -c "$PY '$ORACLE' 1 49999 '$SEED/test_log1.csv' '$SEED/test_log2.csv' | cmp -s - '$WORK/seed.expected'"
else
  echo "# seed sample not found beside the repo; skipped"
fi

# ---- the committed sample logs in data/sample
S1="$ROOT/data/sample/log1.csv"; S2="$ROOT/data/sample/log2.csv"
$PY "$ORACLE" --extra-features 1 99999 "$S1" "$S2" >"$WORK/sample.ref"
for np in 1 2 3 4; do
  expect_status "data/sample np=$np" 0 "$np" "$LJ" --extra-features 1 99999 "$S1" "$S2" "$WORK/sample$np"
  check "data/sample np=$np equals the oracle" same_file "$WORK/sample.ref" "$WORK/sample$np/features.csv"
done
for np in 2 3 4; do
  check "data/sample features.h5 bytes np=1 == np=$np" same_file "$WORK/sample1/features.h5" "$WORK/sample$np/features.h5"
done

# ---- generated logs with bad rows, CRLF and quoting, narrower id range
"$ROOT/scripts/genlogs" --quiet --plays 60000 --users 3000 --max-id 20000 --bad-rate 0.002 --seed 11 "$WORK/gen" >/dev/null
"$ROOT/scripts/genlogs" --quiet --plays 30000 --users 2000 --max-id 9000 --crlf --seed 12 "$WORK/gencr" >/dev/null
G1="$WORK/gen/log1.csv"; G2="$WORK/gen/log2.csv"
$PY "$ORACLE" --counts 2000 15000 "$G1" "$G2" >"$WORK/gen.ref" 2>"$WORK/gen.counts"
$PY "$ORACLE" --extra-features 2000 15000 "$G1" "$G2" >"$WORK/genx.ref"
for np in 1 2 3 4; do
  expect_status "generated np=$np" 0 "$np" "$LJ" --max-bad-rows 100000 2000 15000 "$G1" "$G2" "$WORK/g$np"
  check "generated np=$np equals the oracle" same_file "$WORK/gen.ref" "$WORK/g$np/features.csv"
  expect_status "generated extra np=$np" 0 "$np" "$LJ" --extra-features --max-bad-rows 100000 2000 15000 "$G1" "$G2" "$WORK/gx$np"
  check "generated extra np=$np equals the oracle" same_file "$WORK/genx.ref" "$WORK/gx$np/features.csv"
done
for np in 2 3 4; do
  check "generated features.h5 bytes np=1 == np=$np" same_file "$WORK/g1/features.h5" "$WORK/g$np/features.h5"
  check "generated extra features.h5 bytes np=1 == np=$np" same_file "$WORK/gx1/features.h5" "$WORK/gx$np/features.h5"
done
$PY "$ORACLE" 1 9000 "$WORK/gencr/log1.csv" "$WORK/gencr/log2.csv" >"$WORK/gencr.ref"
expect_status "CRLF logs np=3" 0 3 "$LJ" 1 9000 "$WORK/gencr/log1.csv" "$WORK/gencr/log2.csv" "$WORK/gcr"
check "CRLF logs equal the oracle" same_file "$WORK/gencr.ref" "$WORK/gcr/features.csv"

# the HDF5 file holds the CSV's data, the counts and the column order
check "features.h5 matches features.csv and the counts" $PY - "$WORK/g3/features.h5" "$WORK/g3/features.csv" "$WORK/gen.counts" <<'PYEOF'
import sys, json, h5py, pandas as pd
h5, csv, counts = sys.argv[1:4]
df = pd.read_csv(csv, sep=';')
c = json.loads(open(counts).read().strip().splitlines()[-1])
with h5py.File(h5, 'r') as f:
    g = f['features']
    cols = [str(x) for x in g.attrs['columns']]
    assert cols == list(df.columns), cols
    for k in cols:
        v = g[k][:]
        want = df[k].astype('uint8').values if k == 'paid' else df[k].values
        assert (v == want).all(), k
    assert g['paid'].dtype == 'uint8' and g['userId'].dtype == 'int64'
    a = g.attrs
    assert a['users_written'] == len(df) == c['users']
    for log in ('log1', 'log2'):
        assert a[log + '_rows_read'] == c[log]['read'], (log, a[log + '_rows_read'], c[log])
        assert a[log + '_bad_rows'] == c[log]['bad'], (log, a[log + '_bad_rows'], c[log])
        assert a[log + '_rows_kept'] == c[log]['kept'], (log, a[log + '_rows_kept'], c[log])
    assert a['min_id'] == 2000 and a['max_id'] == 15000 and a['version']
PYEOF

# ---- bad rows: reported with their true line numbers whichever rank read them
bad_lines_ok() { # $1 = file label in the JSON, $2 = path
  $PY - "$WORK/gen.counts" "$WORK/err" "$1" "$2" <<'PYEOF'
import sys, json, re
counts, err, label, path = sys.argv[1:5]
want = sorted(json.loads(open(counts).read().strip().splitlines()[-1])['bad_lines'][label])
got = [int(m.group(1)) for m in re.finditer(re.escape(path) + r':(\d+): ', open(err).read())]
assert got == want[:20], (got, want[:20])
if len(want) > 20:
    assert re.search(re.escape(path) + r': %d more bad rows not shown' % (len(want) - 20), open(err).read())
PYEOF
}
for np in 1 3; do
  mpi "$np" "$LJ" --max-bad-rows 100000 2000 15000 "$G1" "$G2" "$WORK/bl$np"
  check "bad-row lines of LOG1 np=$np" bad_lines_ok log1 "$G1"
  check "bad-row lines of LOG2 np=$np" bad_lines_ok log2 "$G2"
done
expect_status "too many bad rows fails" 65 2 "$LJ" --max-bad-rows 3 2000 15000 "$G1" "$G2" "$WORK/toomany"
err_has "too many bad rows message" "bad rows exceed --max-bad-rows 3"
check "too many bad rows leaves no OUTDIR" test ! -e "$WORK/toomany"
check "no temporary folder left behind" bash -c "! ls -a '$WORK' | grep -q '^\.toomany'"

# ---- edge cases of the input format
printf 'paid;extra;userId;type;region\r\n"true";x;1;0;2\r\ntrue;y;"2";1;3\r\nFALSE;z;3;2;1' >"$WORK/e1.csv"
printf 'deviceId;genderId;hour;songId;userId;more\n0_1;20;01-01-2020 10:00:00;200;1;a\n1_1;21;01-01-2020 11:00:00;201;1;"b;c"\n\n0_2;22;29-02-2020 23:59:59;202;2;"d ""q"""\n0_3;20;01-01-2020 10:00:00;200;3;e' >"$WORK/e2.csv"
$PY "$ORACLE" --extra-features 1 10 "$WORK/e1.csv" "$WORK/e2.csv" >"$WORK/e.ref"
for np in 1 4; do
  expect_status "reordered/extra/quoted columns np=$np" 0 "$np" "$LJ" --extra-features 1 10 "$WORK/e1.csv" "$WORK/e2.csv" "$WORK/e$np"
  check "reordered/extra/quoted columns np=$np equals the oracle" same_file "$WORK/e.ref" "$WORK/e$np/features.csv"
done
check "edge-case oracle result is the expected one" bash -c "printf 'userId;topGenderId;topGenderIdSongs;distSongIds;region;type;paid;plays;distDevices;peakHour\n1;20;1;2;2;0;true;2;2;10\n2;22;1;1;3;1;true;1;1;23\n3;20;1;1;1;2;false;1;1;10\n' | cmp -s - '$WORK/e.ref'"

# a stray CR inside a row makes it bad (one final CR is a line ending)
printf 'userId;region;type;paid\n1;2;3;true\r\r\n2;2;3;tr\rue\n3;2;3;"tr\rue"\n4;1;1;false\r\n' >"$WORK/cr1.csv"
printf 'hour;userId;songId;genderId;deviceId\n01-01-2020 10:00:00;1;5;6;0_1\n01-01-2020 10:00:00;4;5;6;0_4\n' >"$WORK/cr2.csv"
$PY "$ORACLE" 1 10 "$WORK/cr1.csv" "$WORK/cr2.csv" >"$WORK/cr.ref"
expect_status "stray carriage returns np=2" 0 2 "$LJ" 1 10 "$WORK/cr1.csv" "$WORK/cr2.csv" "$WORK/cr"
check "stray carriage returns equal the oracle" same_file "$WORK/cr.ref" "$WORK/cr/features.csv"
err_has "stray carriage return reported on its line" "cr1.csv:2: carriage return inside the row"
printf 'userId;region;type;paid;userId\n1;2;3;true;1\n' >"$WORK/dupcol.csv"
expect_status "duplicate header column" 65 2 "$LJ" 1 10 "$WORK/dupcol.csv" "$S2" "$WORK/dupcol"
err_has "duplicate header column named" "column 'userId' appears more than once"

printf 'userId;region;type;paid\n' >"$WORK/h1.csv"; printf 'hour;userId;songId;genderId;deviceId\n' >"$WORK/h2.csv"
expect_status "header-only logs, more ranks than rows" 0 4 "$LJ" 1 10 "$WORK/h1.csv" "$WORK/h2.csv" "$WORK/h"
check "header-only logs give an empty table" bash -c "[ \"\$(cat '$WORK/h/features.csv')\" = 'userId;topGenderId;topGenderIdSongs;distSongIds;region;type;paid' ]"
check "header-only logs give empty HDF5 columns" $PY -c "import h5py; f=h5py.File('$WORK/h/features.h5','r'); assert all(f['features'][k].shape==(0,) for k in f['features'])"

# ---- errors: one clear message, the right exit status, no OUTDIR
expect_status "missing LOG1" 66 2 "$LJ" 1 10 "$WORK/nope.csv" "$S2" "$WORK/x1"
err_has "missing LOG1 is named" "logjoin: error: .*nope.csv: No such file"
check "missing LOG1 leaves no OUTDIR" test ! -e "$WORK/x1"
printf 'userId;region;paid\n1;2;true\n' >"$WORK/nocol.csv"
expect_status "missing column" 65 2 "$LJ" 1 10 "$WORK/nocol.csv" "$S2" "$WORK/x2"
err_has "missing column is named" "missing column 'type'"
expect_status "MIN_ID > MAX_ID" 64 2 "$LJ" 10 1 "$S1" "$S2" "$WORK/x3"
err_has "MIN_ID > MAX_ID message" "MIN_ID 10 is greater than MAX_ID 1"
err_has "usage follows a usage error" "^usage: logjoin"
expect_status "non-numeric MIN_ID" 64 2 "$LJ" one 10 "$S1" "$S2" "$WORK/x4"
err_has "non-numeric MIN_ID message" "MIN_ID 'one' is not a 64-bit integer"
expect_status "wrong argument count" 64 1 "$LJ" 1 10 "$S1"
expect_status "unknown option" 64 1 "$LJ" --frobnicate 1 10 "$S1" "$S2" "$WORK/x5"
check "usage errors print once (rank 0 only)" test "$(grep -c '^usage:' "$WORK/err")" -eq 1
mkdir -p "$WORK/exists"; echo keep >"$WORK/exists/mine"
expect_status "existing OUTDIR refused" 73 2 "$LJ" 1 99999 "$S1" "$S2" "$WORK/exists"
err_has "existing OUTDIR message" "already exists \(use --overwrite\)"
check "existing OUTDIR untouched" test -f "$WORK/exists/mine"
expect_status "--overwrite replaces OUTDIR" 0 2 "$LJ" --overwrite 1 99999 "$S1" "$S2" "$WORK/exists"
check "--overwrite result is complete and old files gone" bash -c "test -f '$WORK/exists/_SUCCESS' && test ! -e '$WORK/exists/mine'"
mkdir -p "$WORK/ro"; chmod 555 "$WORK/ro"
if [ "$(id -u)" -ne 0 ]; then
  expect_status "unwritable OUTDIR parent" 73 2 "$LJ" 1 99999 "$S1" "$S2" "$WORK/ro/out"
else # root ignores modes: use a path under a regular file instead
  echo x >"$WORK/afile"
  expect_status "unwritable OUTDIR parent" 73 2 "$LJ" 1 99999 "$S1" "$S2" "$WORK/afile/out"
fi
err_has "unwritable OUTDIR message" "cannot create the folder of"
chmod 755 "$WORK/ro"

# ---- --help and --version
expect_status "--help exits 0" 0 2 "$LJ" --help
check "--help printed once with defaults and an example" bash -c "[ \$(grep -c '^usage:' '$WORK/out') -eq 1 ] && grep -q 'default: 1000' '$WORK/out' && grep -q 'mpirun -np' '$WORK/out'"
expect_status "--version exits 0" 0 1 "$LJ" --version
check "--version prints the version" grep -qE '^logjoin [0-9]+\.[0-9]+' "$WORK/out"

# ---- a killed job leaves nothing under OUTDIR
"$ROOT/scripts/genlogs" --quiet --plays 3000000 --users 50000 --max-id 100000 --seed 5 "$WORK/big" >/dev/null
# kill -9 every process of the job (mpirun and each rank, found as children
# of the timeout we started) once its temporary folder .killed.tmp.* exists,
# i.e. while it works; the kill must land before the job ends (exit 137)
timeout "$MPI_TIMEOUT" mpirun -np 2 "$LJ" 1 100000 "$WORK/big/log1.csv" "$WORK/big/log2.csv" "$WORK/killed" >/dev/null 2>&1 &
tpid=$!
appeared=0
for _ in $(seq 3000); do
  ls -A "$WORK" | grep -q '^\.killed\.tmp\.' && { appeared=1; break; }
  kill -0 "$tpid" 2>/dev/null || break
  sleep 0.01
done
check "killed job: its temporary folder .killed.tmp.* appeared" test "$appeared" -eq 1
mp=$(pgrep -P "$tpid" -x mpirun)
ranks=$(for p in $mp; do pgrep -P "$p" -x logjoin; done | tr '\n' ' ')
check "killed job: mpirun and 2 ranks running at the kill" test "$(echo $mp $ranks | wc -w)" -eq 3
kill -9 $mp $ranks 2>/dev/null
wait "$tpid" 2>/dev/null; rc=$?
sleep 0.5
check "killed job: ended by the kill (exit $rc, want 137)" test "$rc" -eq 137
# none_alive PID...: no PID is a live process (a zombie counts as gone)
none_alive() { local p s; for p in "$@"; do s=$(ps -o stat= -p "$p"); [ -n "$s" ] && [ "${s#Z}" = "$s" ] && return 1; done; return 0; }
check "killed job: no process of it survives" none_alive $mp $ranks
check "killed job leaves no OUTDIR" test ! -e "$WORK/killed"
check "killed job leaves only its .killed.tmp.* folder" test -z "$(ls -A "$WORK" | grep killed | grep -v '^\.killed\.tmp\.')"
expect_status "big logs np=2" 0 2 "$LJ" 1 100000 "$WORK/big/log1.csv" "$WORK/big/log2.csv" "$WORK/bigout"
check "summary line printed" grep -qE '^logjoin: rows read [0-9]+, bad 0, kept [0-9]+, users written [0-9]+, .* MB/s' "$WORK/out"
check "no spill without need" bash -c "! grep -q spilled '$WORK/out'"

# ---- --memory-limit: a small limit spills sorted runs to disk and merges
# them back; the result is the same bytes, for any np, extra features too
for np in 1 3; do
  expect_status "spilled np=$np" 0 "$np" "$LJ" --memory-limit 4M 1 100000 "$WORK/big/log1.csv" "$WORK/big/log2.csv" "$WORK/spill$np"
  check "spilled np=$np: the summary says it spilled" grep -qE 'spilled [0-9.]+ MiB in [0-9]+ runs' "$WORK/out"
  check "spilled np=$np: features.csv same bytes" same_file "$WORK/bigout/features.csv" "$WORK/spill$np/features.csv"
  check "spilled np=$np: features.h5 same bytes" same_file "$WORK/bigout/features.h5" "$WORK/spill$np/features.h5"
  check "spilled np=$np: only the outputs in OUTDIR" test "$(ls -A "$WORK/spill$np" | tr '\n' ' ')" = "_SUCCESS features.csv features.h5 "
done
expect_status "generated extra, spilled after every round" 0 2 "$LJ" --extra-features --memory-limit 1 --round-kib 64 --max-bad-rows 100000 2000 15000 "$G1" "$G2" "$WORK/gxspill"
check "generated extra spilled equals the oracle" same_file "$WORK/genx.ref" "$WORK/gxspill/features.csv"
check "no spill file left beside OUTDIR" test -z "$(ls -A "$WORK" | grep -i spill | grep -v '^spill[13]$' | grep -v '^gxspill$')"
expect_status "--memory-limit 12X is a usage error" 64 1 "$LJ" --memory-limit 12X 1 10 "$S1" "$S2" "$WORK/badlim"
check "--memory-limit error names the option" grep -q -- "--memory-limit: '12X' is not a size" "$WORK/err"
expect_status "--memory-limit 9999999T is out of range" 64 1 "$LJ" --memory-limit 9999999T 1 10 "$S1" "$S2" "$WORK/badlim"

finish
