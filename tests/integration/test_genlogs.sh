#!/usr/bin/env bash
# test_genlogs.sh -- genlogs' promise "the bytes depend only on the
# arguments": the same arguments (OUTDIR aside) give identical bytes (whatever the output
# folder, working directory, time zone or locale), another seed gives other
# bytes, and the files hold the rows --users and --plays ask for. Runs
# bin/genlogs directly (GENLOGS=PATH tests another binary).
source "$(dirname "$0")/lib.sh"
G=${GENLOGS:-$ROOT/bin/genlogs}

# gen DIR ARGS...: genlogs ARGS into $WORK/DIR, its summary line in $WORK/DIR.out
gen() { local d=$1; shift; "$G" "$@" "$WORK/$d" >"$WORK/$d.out" 2>"$WORK/$d.err"; }
same_logs() { same_file "$WORK/$1/log1.csv" "$WORK/$2/log1.csv" && same_file "$WORK/$1/log2.csv" "$WORK/$2/log2.csv"; }
both_differ() { ! cmp -s "$WORK/$1/log1.csv" "$WORK/$2/log1.csv" && ! cmp -s "$WORK/$1/log2.csv" "$WORK/$2/log2.csv"; }
lines() { wc -l <"$1" | tr -d ' '; }
bytes() { wc -c <"$1" | tr -d ' '; }

A=(--plays 20000 --users 1500 --max-id 50000)

# ---- same arguments, same bytes: two runs, for two seeds
for seed in 11 12; do
  check "seed $seed: first run exits 0" gen "s$seed.a" "${A[@]}" --seed "$seed"
  check "seed $seed: second run exits 0" gen "s$seed.b" "${A[@]}" --seed "$seed"
  check "seed $seed: two runs give identical bytes" same_logs "s$seed.a" "s$seed.b"
done
# ... whatever the folder's name, the working directory, TZ and the locale
mkdir -p "$WORK/elsewhere"
check "seed 11 from another directory, TZ and locale" bash -c "cd '$WORK/elsewhere' && TZ=Pacific/Kiritimati LC_ALL=C.UTF-8 '$G' ${A[*]} --seed 11 other-name >/dev/null"
check "seed 11: same bytes from another folder name, cwd, TZ, locale" same_file "$WORK/s11.a/log1.csv" "$WORK/elsewhere/other-name/log1.csv"
check "seed 11: log2 the same too" same_file "$WORK/s11.a/log2.csv" "$WORK/elsewhere/other-name/log2.csv"
# ... and with every option given, bad rows and CRLF included
B0=(--plays 7000 --users 400 --min-id 1000 --max-id 9000 --songs 300 --days 5 --bad-rate 0.02 --crlf)
B=("${B0[@]}" --seed 99)
check "all options: first run" gen all.a "${B[@]}"
check "all options: second run" gen all.b "${B[@]}"
check "all options: identical bytes" same_logs all.a all.b

# ---- another seed, other bytes (both files)
check "seeds 11 and 12 give different log1 and log2" both_differ s11.a s12.a
check "all options with seed 100 instead of 99" gen all.c "${B0[@]}" --seed 100
check "all options: seeds 99 and 100 give different log1 and log2" both_differ all.a all.c

# ---- the rows asked for: a header and --users rows in log1, --plays rows in log2
L1="$WORK/s11.a/log1.csv"; L2="$WORK/s11.a/log2.csv"
check "log1 header" test "$(head -1 "$L1")" = "userId;region;type;paid"
check "log2 header" test "$(head -1 "$L2")" = "hour;userId;songId;genderId;deviceId"
check "log1 has 1 + 1500 lines (--users 1500)" test "$(lines "$L1")" -eq 1501
check "log2 has 1 + 20000 lines (--plays 20000)" test "$(lines "$L2")" -eq 20001
check "log1: 1500 distinct userIds within [1, 50000]" test "$(awk -F';' 'NR > 1 && $1 >= 1 && $1 <= 50000 && $1 ~ /^[0-9]+$/ { print $1 }' "$L1" | sort -u | wc -l)" -eq 1500
check "log1: 4 fields per row, paid true or false" test "$(awk -F';' 'NR > 1 && !(NF == 4 && ($4 == "true" || $4 == "false"))' "$L1" | wc -l)" -eq 0
check "log2: 5 fields per row, userId within [1, 50000]" test "$(awk -F';' 'NR > 1 && !(NF == 5 && $2 >= 1 && $2 <= 50000)' "$L2" | wc -l)" -eq 0
check "summary line: rows and bytes as in the files" grep -qF "log1.csv 1500 rows $(bytes "$L1") bytes, $WORK/s11.a/log2.csv 20000 rows $(bytes "$L2") bytes" "$WORK/s11.a.out"
# bad rows replace rows, CRLF ends every line: the counts hold there too
check "all options: 1 + 400 and 1 + 7000 lines" bash -c "[ \$(wc -l <'$WORK/all.a/log1.csv') -eq 401 ] && [ \$(wc -l <'$WORK/all.a/log2.csv') -eq 7001 ]"
check "all options: every line ends with CRLF" bash -c "[ \$(grep -c \$'\\r\$' '$WORK/all.a/log1.csv') -eq 401 ] && [ \$(grep -c \$'\\r\$' '$WORK/all.a/log2.csv') -eq 7001 ]"
check "all options: malformed rows were mixed in" grep -qE '\(.* [1-9][0-9]*\+[0-9]+ malformed|\+[1-9][0-9]* malformed' "$WORK/all.a.out"
# no plays: log2 is its header alone; byte counts scale with what is asked
check "--plays 0: log2 is only its header" bash -c "'$G' --quiet --plays 0 --users 10 '$WORK/p0' && [ \$(wc -l <'$WORK/p0/log2.csv') -eq 1 ] && [ \$(wc -l <'$WORK/p0/log1.csv') -eq 11 ]"
check "--plays 40000 makes log2 about twice the bytes of --plays 20000" bash -c "'$G' --quiet --plays 40000 --users 1500 --max-id 50000 --seed 11 '$WORK/p40k' && b1=\$(wc -c <'$L2') && b2=\$(wc -c <'$WORK/p40k/log2.csv') && [ \$((b2 * 100 / b1)) -ge 190 ] && [ \$((b2 * 100 / b1)) -le 210 ] && [ \$(wc -l <'$WORK/p40k/log2.csv') -eq 40001 ]"

finish
