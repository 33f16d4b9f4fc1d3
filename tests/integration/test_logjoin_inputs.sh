#!/usr/bin/env bash
# test_logjoin_inputs.sh -- logjoin reading logs as they are kept: a folder
# or a glob of daily files, plain, gzip (also multi-member), zstd and BGZF
# (made here with gzip, zstd and bgzip), headers in any column order, hidden
# and _ files skipped, --recursive. The oracle: logjoin on the same rows
# concatenated into one plain file (itself held to sqlite3 by
# test_logjoin.sh): features.csv and every dataset of features.h5 the same,
# for 1 to 3 ranks. Then FILE:LINE of bad rows, the inputs in the summary
# and HDF5 attributes, and corrupt or missing inputs (exit 65/66, one line
# naming the file, no OUTDIR).
source "$(dirname "$0")/lib.sh"
LJ="$ROOT/bin/logjoin"
G="$WORK/gen"
"$ROOT/scripts/genlogs" --quiet --plays 120000 --users 4000 --max-id 30000 --seed 21 "$G" >/dev/null ||
  not_ok "genlogs writes the logs"
for t in gzip zstd bgzip; do
  command -v $t >/dev/null || { not_ok "$t is installed"; finish; exit; }
done
L1="$G/log1.csv"; L2="$G/log2.csv"
ARGS=(--extra-features 1 25000)

# split LOG2's rows in order into N daily files, each with the header
split_days() { # DIR N
  local dir=$1 n=$2 rows per i=0
  mkdir -p "$dir"
  rows=$(($(wc -l <"$L2") - 1)); per=$(((rows + n - 1) / n))
  tail -n +2 "$L2" | split -l "$per" -d -a 2 - "$dir/part."
  for f in "$dir"/part.*; do
    i=$((i + 1))
    { head -1 "$L2"; cat "$f"; } >"$dir/2017-10-$(printf %02d "$i").csv"
    rm "$f"
  done
}
# features.csv and every dataset of features.h5 equal those of OUT1
same_output() { # OUT1 OUT2
  cmp -s "$1/features.csv" "$2/features.csv" || { echo "    features.csv differ"; return 1; }
  $PY - "$1/features.h5" "$2/features.h5" <<'PY'
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r")["features"] for p in sys.argv[1:])
assert sorted(a) == sorted(b), (sorted(a), sorted(b))
for k in a:
    assert a[k].dtype == b[k].dtype and np.array_equal(a[k][:], b[k][:]), k
PY
}
ref() { expect_status "$1" 0 "$2" "$LJ" "${ARGS[@]}" "${@:3}"; }

expect_status "the reference: one plain LOG2 np=2" 0 2 "$LJ" "${ARGS[@]}" "$L1" "$L2" "$WORK/ref"

D="$WORK/days"; split_days "$D/plain" 7
for comp in gzip zstd bgzf; do
  mkdir -p "$D/$comp"
  for f in "$D"/plain/*.csv; do
    b=$(basename "$f")
    case $comp in
      gzip) gzip -c "$f" >"$D/gzip/$b.gz" ;;
      zstd) zstd -q -c "$f" >"$D/zstd/$b.zst" ;;
      bgzf) bgzip -c "$f" >"$D/bgzf/$b.bgz" ;;
    esac
  done
done
for comp in plain gzip zstd bgzf; do
  for np in 1 2 3; do
    ref "LOG2 a folder of 7 $comp files np=$np" $np "$L1" "$D/$comp" "$WORK/o-$comp-$np"
    check "$comp folder np=$np: the output of the one plain file" same_output "$WORK/ref" "$WORK/o-$comp-$np"
  done
done
check "features.h5 bytes: gzip folder np=1 == np=3" same_file "$WORK/o-gzip-1/features.h5" "$WORK/o-gzip-3/features.h5"
ref "a quoted glob of the gzip files np=2" 2 "$L1" "$D/gzip/2017-10-0*.csv.gz" "$WORK/o-glob"
check "glob: the output of the one plain file" same_output "$WORK/ref" "$WORK/o-glob"

# one big BGZF file split across ranks, and LOG1 gzip-compressed
bgzip -c -@ 1 "$L2" >"$WORK/log2.bgz"; gzip -c "$L1" >"$WORK/log1.csv.gz"
for np in 1 2 3; do
  ref "one BGZF LOG2, gzip LOG1 np=$np" $np "$WORK/log1.csv.gz" "$WORK/log2.bgz" "$WORK/o-big-$np"
  check "one BGZF file np=$np: the output of the plain file" same_output "$WORK/ref" "$WORK/o-big-$np"
done
# a multi-member gzip (cat a.gz b.gz) reads as the concatenation
M="$WORK/multi"; mkdir -p "$M"
head -40000 "$L2" | gzip -c >"$M/a.csv.gz"; tail -n +40001 "$L2" | gzip -c >>"$M/a.csv.gz"
ref "a two-member gzip file np=2" 2 "$L1" "$M/a.csv.gz" "$WORK/o-multi"
check "two-member gzip: the output of the plain file" same_output "$WORK/ref" "$WORK/o-multi"

# a mixed folder: plain, gzip, zstd and BGZF files; one header in another column
# order; hidden and _ files skipped; sub-folders only with --recursive
X="$WORK/mixed"; mkdir -p "$X/sub"
cp "$D/plain/2017-10-01.csv" "$X/"; cp "$D/gzip/2017-10-02.csv.gz" "$X/"
cp "$D/zstd/2017-10-03.csv.zst" "$X/"; cp "$D/bgzf/2017-10-04.csv.bgz" "$X/"
awk -F';' 'BEGIN { OFS = ";" } { print $5, $3, $1, $4, $2 }' "$D/plain/2017-10-05.csv" >"$X/2017-10-05.csv"
cp "$D/gzip/2017-10-06.csv.gz" "$X/sub/"; cp "$D/plain/2017-10-07.csv" "$X/sub/"
echo "garbage;not;a;log" >"$X/.hidden.csv"; : >"$X/_SUCCESS"; echo junk >"$X/sub/_tmp"
ref "a mixed folder with a sub-folder, --recursive np=3" 3 --recursive "$L1" "$X" "$WORK/o-mixed"
check "mixed and recursive: the output of the plain file" same_output "$WORK/ref" "$WORK/o-mixed"
ref "the mixed folder without --recursive np=2" 2 "$L1" "$X" "$WORK/o-flat"
check "without --recursive the sub-folder's rows are not read" bash -c "! cmp -s '$WORK/ref/features.csv' '$WORK/o-flat/features.csv'"
check "the summary lists the inputs" grep -qE '^logjoin: inputs: LOG1 1 file, [0-9.]+ MB; LOG2 5 files, [0-9.]+ MB \([0-9.]+ MB uncompressed\)$' "$WORK/out"
check "HDF5 attributes: files, bytes on disk and uncompressed" $PY - "$WORK/o-mixed/features.h5" "$X" <<'PY'
import sys, os, h5py
a = h5py.File(sys.argv[1], "r")["features"].attrs
files = [os.path.join(r, f) for r, _, fs in os.walk(sys.argv[2]) for f in fs if f[0] not in "._"]
assert a["log2_files"] == 7, a["log2_files"]
assert a["log2_bytes"] == sum(os.path.getsize(f) for f in files)
plain = os.path.join(os.path.dirname(sys.argv[2]), "days", "plain")
assert a["log2_bytes_uncompressed"] == sum(os.path.getsize(os.path.join(plain, f)) for f in os.listdir(plain)), a["log2_bytes_uncompressed"]
assert a["log1_files"] == 1 and a["log1_bytes"] == a["log1_bytes_uncompressed"]
PY

# bad rows are named by their own file and line
B="$WORK/bad"; cp -r "$D/plain" "$B"
sed -i '5s/.*/not;a;valid;row;at all/' "$B/2017-10-03.csv"
gzip "$B/2017-10-04.csv"; zcat "$B/2017-10-04.csv.gz" | sed '9s/.*/garbage/' | gzip -c >"$B/x" && mv "$B/x" "$B/2017-10-04.csv.gz"
for np in 1 2; do
  ref "bad rows in two files np=$np" $np "$L1" "$B" "$WORK/o-bad-$np"
  check "np=$np: the plain file's bad row at its own line 5" grep -q "$B/2017-10-03.csv:5: " "$WORK/err"
  check "np=$np: the gzip file's bad row at its own line 9" grep -q "$B/2017-10-04.csv.gz:9: " "$WORK/err"
done

# errors: one line naming the file, no OUTDIR
C="$WORK/corrupt"; mkdir -p "$C/trunc" "$C/crc" "$C/zstd" "$C/nocol" "$C/empty"
cp "$D/gzip/"*.gz "$C/trunc/"; f="$C/trunc/2017-10-05.csv.gz"; head -c $(($(stat -c %s "$f") / 2)) "$f" >"$f.x" && mv "$f.x" "$f"
expect_fail "a truncated gzip file" 65 "2017-10-05.csv.gz.*(truncated|unexpected end).*uncompressed offset [0-9]+" 2 "$LJ" "${ARGS[@]}" "$L1" "$C/trunc" "$WORK/x1"
check "truncated gzip: no OUTDIR" test ! -e "$WORK/x1"
cp "$D/gzip/2017-10-02.csv.gz" "$C/crc/"; f="$C/crc/2017-10-02.csv.gz"; n=$(stat -c %s "$f")
printf '\x00\x00\x00\x00' | dd of="$f" bs=1 seek=$((n - 8)) conv=notrunc status=none
expect_fail "a gzip file with a bad CRC" 65 "2017-10-02.csv.gz.*uncompressed offset [0-9]+" 2 "$LJ" "${ARGS[@]}" "$L1" "$C/crc" "$WORK/x2"
check "bad CRC: no OUTDIR" test ! -e "$WORK/x2"
cp "$D/zstd/2017-10-01.csv.zst" "$C/zstd/"; printf '\x28\xb5\x2f\xfdgarbage-garbage-garbage' >"$C/zstd/2017-10-02.csv.zst"
expect_fail "a garbage zstd frame" 65 "2017-10-02.csv.zst.*uncompressed offset [0-9]+" 2 "$LJ" "${ARGS[@]}" "$L1" "$C/zstd" "$WORK/x3"
cp "$D/plain/2017-10-01.csv" "$C/nocol/"; cut -d';' -f1-4 "$D/plain/2017-10-02.csv" >"$C/nocol/2017-10-02.csv"
expect_fail "a file whose header lacks a column" 65 "2017-10-02.csv.*deviceId" 2 "$LJ" "${ARGS[@]}" "$L1" "$C/nocol" "$WORK/x4"
expect_fail "an empty folder" 66 "no input files" 2 "$LJ" "${ARGS[@]}" "$L1" "$C/empty" "$WORK/x5"
expect_fail "a glob that matches nothing" 66 "no input files" 1 "$LJ" "${ARGS[@]}" "$L1" "$D/gzip/1999-*.csv.gz" "$WORK/x6"
mkfifo "$C/empty/pipe.csv"
expect_fail "a FIFO in the folder" 66 "pipe.csv: not a regular file" 2 "$LJ" "${ARGS[@]}" "$L1" "$C/empty" "$WORK/x7"
expect_fail "OUTDIR inside the LOG2 folder" 64 "inside|input" 1 "$LJ" "${ARGS[@]}" "$L1" "$D/plain" "$D/plain/out"
check "no output after the errors" bash -c "! ls -d '$WORK'/x[0-9] '$D/plain/out' 2>/dev/null | grep -q ."
finish
