#!/usr/bin/env bash
# test_logjoin_hostile.sh -- logjoin against inputs and outputs that a hostile
# or unlucky user gives it: logs truncated while they are read, OUTDIR that
# is or holds an input, full disks, signals, long names.
source "$(dirname "$0")/lib.sh"
LJ="$ROOT/bin/logjoin"

"$ROOT/scripts/genlogs" --quiet --plays 2000000 --users 50000 --max-id 100000 --seed 5 "$WORK/big" >/dev/null
B1="$WORK/big/log1.csv"; B2="$WORK/big/log2.csv"
expect_status "big logs, untouched" 0 2 "$LJ" 1 100000 "$B1" "$B2" "$WORK/full"

# ---- an input truncated while logjoin reads it (log rotation): each run ends
# either with exit 74 naming the file and no output, or with the result of
# one consistent snapshot: all of the file, or only the truncated file.
head -c 1000000 "$B2" >"$WORK/cut.csv"
mpi 2 "$LJ" 1 100000 "$B1" "$WORK/cut.csv" "$WORK/cutref"
cut_rc=$?
n74=0
# wait_tmp: until logjoin's temporary OUTDIR (made once the headers are read)
# appears in $WORK, at most 20 s
wait_tmp() { local i; for i in $(seq 1 2000); do ls -A "$WORK" | grep -q '^\.race\.tmp' && return; sleep 0.01; done; }
for delay in 0 0.05 0.1 0.2 0.3 0.45 0.6 0.8; do
  cp "$B2" "$WORK/race.csv"
  rm -rf "$WORK/race"
  ( wait_tmp; sleep "$delay"; truncate -s 1000000 "$WORK/race.csv" ) &
  tpid=$!
  mpi 2 "$LJ" 1 100000 "$B1" "$WORK/race.csv" "$WORK/race"
  rc=$?
  wait "$tpid"
  if [ "$rc" -eq 74 ]; then
    n74=$((n74 + 1))
    if grep -q "race.csv" "$WORK/err" && [ ! -e "$WORK/race" ] && [ -z "$(ls -A "$WORK" | grep '^\.race')" ]; then
      ok "truncated ${delay}s after the headers: exit 74 naming the file, no output"
    else
      not_ok "truncated ${delay}s after the headers: exit 74 but message or leftovers wrong"; sed 's/^/    /' "$WORK/err" | head -5
    fi
  elif [ "$rc" -eq 0 ] && cmp -s "$WORK/full/features.csv" "$WORK/race/features.csv"; then
    ok "truncated ${delay}s after the headers: finished before the cut, full result"
  elif [ "$rc" -eq "$cut_rc" ] && { [ "$rc" -ne 0 ] || cmp -s "$WORK/cutref/features.csv" "$WORK/race/features.csv"; }; then
    ok "truncated ${delay}s after the headers: cut before the start, the truncated file's result"
  else
    not_ok "truncated ${delay}s after the headers: exit $rc with a result of neither snapshot"; sed 's/^/    /' "$WORK/err" | head -5
  fi
done
check "at least one truncation landed mid-run (exit 74)" test "$n74" -ge 1

# ---- an input that grows while it is read (appended to) is not a snapshot either
{ cat "$B2"; head -c 3000000 "$B2" | tail -n +2; } >"$WORK/grown.csv"
mpi 2 "$LJ" 1 100000 "$B1" "$WORK/grown.csv" "$WORK/grownref"
n74=0
for delay in 0 0.1 0.3 0.6; do
  cp "$B2" "$WORK/race.csv"
  rm -rf "$WORK/race"
  ( wait_tmp; sleep "$delay"; head -c 3000000 "$B2" | tail -n +2 >>"$WORK/race.csv" ) &
  tpid=$!
  mpi 2 "$LJ" 1 100000 "$B1" "$WORK/race.csv" "$WORK/race"
  rc=$?
  wait "$tpid"
  if [ "$rc" -eq 74 ] && grep -q "race.csv changed while being read" "$WORK/err" && [ ! -e "$WORK/race" ]; then
    n74=$((n74 + 1)); ok "appended ${delay}s after the headers: exit 74, no output"
  elif [ "$rc" -eq 0 ] && cmp -s "$WORK/full/features.csv" "$WORK/race/features.csv"; then
    ok "appended ${delay}s after the headers: finished before, full result"
  elif [ "$rc" -eq 0 ] && cmp -s "$WORK/grownref/features.csv" "$WORK/race/features.csv"; then
    ok "appended ${delay}s after the headers: appended before the start, the grown file's result"
  else
    not_ok "appended ${delay}s after the headers: exit $rc"; sed 's/^/    /' "$WORK/err" | head -5
  fi
done
check "at least one append landed mid-run (exit 74)" test "$n74" -ge 1

# ---- OUTDIR that is, holds or sits inside an input: refused, inputs intact
mkdir -p "$WORK/logs/deep"
cp "$ROOT/data/sample/log1.csv" "$ROOT/data/sample/log2.csv" "$WORK/logs/deep/"
L1="$WORK/logs/deep/log1.csv"; L2="$WORK/logs/deep/log2.csv"
sum0=$(cat "$L1" "$L2" | md5sum)
ln -s "$WORK/logs/deep" "$WORK/link"
for out in "$L1" "$L2" "$WORK/logs/deep" "$WORK/logs" "$WORK/link" "$WORK/logs/deep/../deep/" "$L1/sub"; do
  expect_status "--overwrite OUTDIR=${out#$WORK/} overlapping an input refused" 64 2 "$LJ" --overwrite 1 99999 "$L1" "$L2" "$out"
  err_has "OUTDIR=${out#$WORK/}: the message names the clash" "overlaps the input"
done
check "the inputs are intact after the refused runs" test "$(cat "$L1" "$L2" | md5sum)" = "$sum0"
expect_status "OUTDIR beside the inputs is fine" 0 2 "$LJ" --overwrite 1 99999 "$L1" "$L2" "$WORK/logs/deep/out"

# ---- a full disk: tmpfs mounts so small that the space runs out in
# features.csv, in features.h5's data or in its metadata. Every run ends with
# exit 74 "no space left on device" on every rank, no hang, nothing left.
"$ROOT/scripts/genlogs" --quiet --plays 300000 --users 40000 --max-id 100000 --seed 3 "$WORK/df" >/dev/null
D1="$WORK/df/log1.csv"; D2="$WORK/df/log2.csv"
expect_status "disk-full inputs, reference run" 0 2 "$LJ" 1 100000 "$D1" "$D2" "$WORK/dfref"
csv_kb=$(( $(stat -c %s "$WORK/dfref/features.csv") / 1024 ))
h5_kb=$(( $(stat -c %s "$WORK/dfref/features.h5") / 1024 ))
MNT="$WORK/mnt"; mkdir -p "$MNT"
# full_disk NAME KB NP CMD...: CMD (with OUT standing for a path in a KB tmpfs) must
# fail with exit 74 and "no space left on device", leaving the mount empty
full_disk() {
  local name=$1 kb=$2 np=$3; shift 3
  if ! mount -t tmpfs -o size="${kb}k" tmpfs "$MNT"; then not_ok "$name: cannot mount a tmpfs"; return; fi
  local args=() a
  for a in "$@"; do args+=("${a//OUT/$MNT/out}"); done
  MPI_TIMEOUT=60 mpi "$np" "${args[@]}"
  local rc=$? left
  left=$(ls -A "$MNT")
  if [ "$rc" -eq 74 ] && grep -q "error: .*no space left on device" "$WORK/err" && [ -z "$left" ]; then
    ok "$name: ${kb} KiB disk, np=$np: exit 74, no space left on device, nothing left"
  else
    not_ok "$name: ${kb} KiB disk, np=$np: exit $rc, left '$left'"; grep -m3 error "$WORK/err" | sed 's/^/    /'
  fi
  umount "$MNT" 2>/dev/null || { sleep 1; umount -l "$MNT"; }
}
for kb in $((csv_kb / 2)) $((csv_kb - 8)) $((csv_kb + h5_kb / 10)) $((csv_kb + h5_kb / 2)) \
          $((csv_kb + h5_kb * 9 / 10)) $((csv_kb + h5_kb - 24)) $((csv_kb + h5_kb - 4)) $((csv_kb + 4)) $((csv_kb + h5_kb + 200)); do
  full_disk "logjoin" "$kb" 2 "$LJ" 1 100000 "$D1" "$D2" OUT
done
for kb in $((csv_kb + h5_kb / 2)) $((csv_kb + h5_kb - 4)) $((csv_kb + 4)); do
  full_disk "logjoin" "$kb" 3 "$LJ" 1 100000 "$D1" "$D2" OUT
done
# spilling (--memory-limit) onto a full disk: the spill file's write fails
full_disk "logjoin spilling" 64 2 "$LJ" --memory-limit 1 --round-kib 64 1 100000 "$D1" "$D2" OUT
check "the full disk was met by a spill file" grep -q "error: cannot write a spill file in .*: no space left on device" "$WORK/err"
if mount -t tmpfs -o size=$((csv_kb + h5_kb + 400))k tmpfs "$MNT"; then
  expect_status "logjoin with room for the data and 256 KiB" 0 2 "$LJ" 1 100000 "$D1" "$D2" "$MNT/out"
  check "just enough room: the same result" same_file "$WORK/dfref/features.h5" "$MNT/out/features.h5"
  umount "$MNT" 2>/dev/null || umount -l "$MNT"
fi

# gbpredict's outputs on a full disk, .h5 and .csv
GBT="$ROOT/bin/gbtrain"; GBP="$ROOT/bin/gbpredict"
mpi 2 "$GBT" --label paid --features topGenderId,distSongIds,region --num-round 5 "$WORK/dfref/features.h5" "$WORK/m.json"
expect_status "gbpredict reference .h5" 0 2 "$GBP" --keep userId,distSongIds "$WORK/m.json" "$WORK/dfref/features.h5" "$WORK/p.h5"
p_kb=$(( $(stat -c %s "$WORK/p.h5") / 1024 ))
for kb in $((p_kb / 8)) $((p_kb / 3)) $((p_kb * 2 / 3)) $((p_kb - 12)); do
  full_disk "gbpredict .h5" "$kb" 2 "$GBP" --keep userId,distSongIds "$WORK/m.json" "$WORK/dfref/features.h5" OUT.h5
done
for kb in $((p_kb / 2)) $((p_kb - 12)); do
  full_disk "gbpredict .h5" "$kb" 3 "$GBP" --keep userId,distSongIds "$WORK/m.json" "$WORK/dfref/features.h5" OUT.h5
done
full_disk "gbpredict .csv" $((p_kb / 3)) 2 "$GBP" --keep userId,distSongIds "$WORK/m.json" "$WORK/dfref/features.h5" OUT.csv

# ---- signals: SIGTERM/SIGINT to the ranks (scancel, kill) or to mpirun
# (Ctrl-C) mid-run leave no temporary folder and no OUTDIR
{ cat "$B2"; for i in $(seq 1 9); do tail -n +2 "$B2"; done; } >"$WORK/big5.csv"
# stop_run SIG ranks|mpirun: starts logjoin np=2 on the big logs, signals once
# the temporary folder exists, and checks what is left
stop_run() {
  local sig=$1 target=$2 out="$WORK/sig/out" tpid mp ranks rc i
  rm -rf "$WORK/sig"; mkdir -p "$WORK/sig"
  # small rounds and reads keep the run long enough to be caught mid-run
  timeout "$MPI_TIMEOUT" mpirun -np 2 "$LJ" --round-kib 64 --chunk-kib 64 1 100000 "$B1" "$WORK/big5.csv" "$out" >"$WORK/out" 2>"$WORK/err" &
  tpid=$!
  for i in $(seq 1 1000); do ls -A "$WORK/sig" | grep -q '^\.out\.tmp' && break; sleep 0.01; done
  sleep 0.3
  mp=$(pgrep -P "$tpid" -x mpirun)
  ranks=$(pgrep -P "$mp" -x logjoin | tr '\n' ' ')
  if [ "$target" = ranks ]; then kill -"$sig" $ranks; else kill -"$sig" "$mp"; fi
  wait "$tpid"; rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ -z "$(ls -A "$WORK/sig")" ]; then
    ok "SIG$sig to $target mid-run: exit $rc, no temporary folder, no OUTDIR"
  else
    not_ok "SIG$sig to $target mid-run: exit $rc, left: $(ls -A "$WORK/sig" | tr '\n' ' ')"
  fi
}
stop_run TERM ranks
stop_run INT ranks
stop_run HUP ranks
stop_run TERM mpirun
stop_run INT mpirun

# ---- a failed run removes the parent folders it made for OUTDIR; a long but
# valid OUTDIR name works (the temporary name keeps within NAME_MAX)
"$ROOT/scripts/genlogs" --quiet --plays 20000 --users 1000 --max-id 5000 --bad-rate 0.01 --seed 9 "$WORK/bad" >/dev/null
expect_status "bad rows end the run" 65 2 "$LJ" --max-bad-rows 0 1 5000 "$WORK/bad/log1.csv" "$WORK/bad/log2.csv" "$WORK/made/a/b/out"
check "the failed run removed the folders it made" test ! -e "$WORK/made"
mkdir -p "$WORK/kept"
expect_status "bad rows, OUTDIR's parent existed" 65 2 "$LJ" --max-bad-rows 0 1 5000 "$WORK/bad/log1.csv" "$WORK/bad/log2.csv" "$WORK/kept/new/out"
check "the existing parent stays, the made one goes" bash -c "[ -d '$WORK/kept' ] && [ ! -e '$WORK/kept/new' ]"
long=$(printf 'o%.0s' $(seq 1 250))
expect_status "OUTDIR with a 250-character name" 0 2 "$LJ" 1 99999 "$ROOT/data/sample/log1.csv" "$ROOT/data/sample/log2.csv" "$WORK/$long"
check "the long OUTDIR is complete" test -f "$WORK/$long/_SUCCESS"
GBP="$ROOT/bin/gbpredict"
expect_status "gbpredict: a bad model fails" 65 2 "$GBP" "$WORK/bad/log1.csv" "$WORK/dfref/features.h5" "$WORK/pmade/x/p.csv"
check "gbpredict: the failed run removed the folders it made" test ! -e "$WORK/pmade"
expect_status "gbpredict: OUT with a 250-character name" 0 2 "$GBP" "$WORK/m.json" "$WORK/dfref/features.h5" "$WORK/$long.csv"
check "no temporary files left beside OUT" bash -c "! ls -A '$WORK' | grep -q '^\.'"
cp "$WORK/dfref/features.csv" "$WORK/pdata.csv"; cp "$WORK/m.json" "$WORK/pm.json"
sum0=$(cat "$WORK/pdata.csv" "$WORK/pm.json" | md5sum)
expect_status "gbpredict --overwrite OUT = DATA refused" 64 2 "$GBP" --overwrite "$WORK/pm.json" "$WORK/pdata.csv" "$WORK/pdata.csv"
err_has "gbpredict OUT = DATA: the message names the clash" "overlaps the input"
expect_status "gbpredict --overwrite OUT = MODEL refused" 64 2 "$GBP" --overwrite "$WORK/pm.json" "$WORK/pdata.csv" "$WORK/pm.json"
check "gbpredict: DATA and MODEL intact" test "$(cat "$WORK/pdata.csv" "$WORK/pm.json" | md5sum)" = "$sum0"

finish
