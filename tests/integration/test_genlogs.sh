#!/usr/bin/env bash
# test_genlogs.sh -- genlogs' promise "the bytes depend only on the
# arguments": the same arguments (OUTDIR aside) give identical bytes (whatever the output
# folder, working directory, time zone or locale), another seed gives other
# bytes, and the files hold the rows --users and --plays ask for. Without
# the options added in 1.1 (--genres, --hot-users/--hot-share) the bytes are
# those of genlogs 1.0 (pinned md5s); with them, pandas checks what they
# promise: the number of genres, one genre per song, and the busiest share
# of the users holding the asked share of the plays. Runs bin/genlogs
# directly (GENLOGS=PATH tests another binary).
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

# ---- without the new options: the bytes of genlogs 1.0 (md5 of log1, log2)
md5s() { echo "$(md5sum <"$WORK/$1/log1.csv" | cut -c1-32) $(md5sum <"$WORK/$1/log2.csv" | cut -c1-32)"; }
check "seed 11: the md5s of genlogs 1.0" test "$(md5s s11.a)" = "317336444fe3fcbf3a3c07bcc64d36fc a18d1a169edba5d97e55996f793596dd"
check "all options (bad rows, CRLF, 300 songs): the md5s of genlogs 1.0" test "$(md5s all.a)" = "a0e157eeea844506da5be8d4eea4c3c1 250ac29ca3af29df49bfc0a2dfb00c18"
check "--genres 24 (the default) gives the default bytes" bash -c "'$G' --quiet ${A[*]} --seed 11 --genres 24 '$WORK/g24' && cmp -s '$WORK/g24/log1.csv' '$L1' && cmp -s '$WORK/g24/log2.csv' '$L2'"
check "--hot-users 0 --hot-share 0 (off) gives the default bytes" bash -c "'$G' --quiet ${A[*]} --seed 11 --hot-users 0 --hot-share 0 '$WORK/h0' && cmp -s '$WORK/h0/log1.csv' '$L1' && cmp -s '$WORK/h0/log2.csv' '$L2'"

# ---- stats DIR [F [NAME]]: what pandas sees in DIR, as key=value lines in
# NAME.stats (NAME defaults to DIR):
# genres (distinct genderIds), gmin, gmax, songs (distinct songIds), one_genre
# (1: every songId has one genderId), prefix (1: songId // 10^7 == genderId),
# hot (share of the busiest round(F * users) log1 users in the log1 users' plays)
stats() {
  "$PY" - "$WORK/$1" "${2:-0.01}" >"$WORK/${3:-$1}.stats" 2>"$WORK/${3:-$1}.pyerr" <<'PYEOF'
import sys
import pandas as pd
d, f = sys.argv[1], float(sys.argv[2])
l1 = pd.read_csv(d + "/log1.csv", sep=";")
l2 = pd.read_csv(d + "/log2.csv", sep=";")
g = l2.genderId
per_user = l2[l2.userId.isin(l1.userId)].groupby("userId").size().sort_values(ascending=False)
h = max(1, round(f * len(l1)))
print("genres=%d" % g.nunique())
print("gmin=%d" % g.min())
print("gmax=%d" % g.max())
print("songs=%d" % l2.songId.nunique())
print("one_genre=%d" % int(l2.groupby("songId").genderId.nunique().max() == 1))
print("prefix=%d" % int((l2.songId // 10**7 == g).all()))
print("hot=%.4f" % (per_user.iloc[:h].sum() / per_user.sum()))
PYEOF
}
val() { awk -F= -v k="$2" '$1 == k { print $2 }' "$WORK/$1.stats"; }
# near A B TOL: |A - B| <= TOL
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }

# ---- --genres N: N genres (genderIds 10..N+9), each song in one genre
check "--songs 10: the default shrinks to 10 genres" bash -c "'$G' --quiet --plays 5000 --users 50 --songs 10 --seed 3 '$WORK/s10'"
stats s10
check "--songs 10: 10 distinct genderIds, 10..19" test "$(val s10 genres) $(val s10 gmin) $(val s10 gmax)" = "10 10 19"
C=(--plays 60000 --users 2000 --max-id 20000 --songs 5000 --genres 100)
check "--genres 100: first run" gen g100.a "${C[@]}" --seed 21
check "--genres 100: second run gives identical bytes" bash -c "'$G' --quiet ${C[*]} --seed 21 '$WORK/g100.b' && cmp -s '$WORK/g100.a/log1.csv' '$WORK/g100.b/log1.csv' && cmp -s '$WORK/g100.a/log2.csv' '$WORK/g100.b/log2.csv'"
check "--genres 100: seed 22 gives other bytes" bash -c "'$G' --quiet ${C[*]} --seed 22 '$WORK/g100.c' && ! cmp -s '$WORK/g100.a/log2.csv' '$WORK/g100.c/log2.csv'"
stats g100.a
check "--genres 100: 100 distinct genderIds, 10..109" test "$(val g100.a genres) $(val g100.a gmin) $(val g100.a gmax)" = "100 10 109"
check "--genres 100: every songId has one genre, songId // 10^7 = genderId" test "$(val g100.a one_genre)$(val g100.a prefix)" = 11
check "--genres 100: at most --songs 5000 distinct songIds" test "$(val g100.a songs)" -le 5000
W=(--plays 100000 --users 2000 --max-id 20000 --songs 200000 --genres 1000 --seed 5)
check "--genres 1000 --songs 200000 runs" gen wide "${W[@]}"
stats wide
check "--genres 1000: 1000 distinct genderIds, 10..1009" test "$(val wide genres) $(val wide gmin) $(val wide gmax)" = "1000 10 1009"
check "--genres 1000: every songId has one genre, songId // 10^7 = genderId" test "$(val wide one_genre)$(val wide prefix)" = 11
check "--genres 1000: more distinct songIds than 24 genres' worth, at most 200000" bash -c "s=$(val wide songs); [ \"\$s\" -gt 30000 ] && [ \"\$s\" -le 200000 ]"
check "--genres 1000: the rows are well-formed (5 fields, 4-digit genderIds, 11-digit songIds)" test "$(awk -F';' 'NR > 1 && !(NF == 5 && $4 ~ /^[0-9]+$/ && length($3) == length($4) + 7)' "$WORK/wide/log2.csv" | wc -l)" -eq 0

# ---- --hot-users F --hot-share S: the busiest F of the users hold about S of the plays
H=(--plays 200000 --users 5000 --max-id 20000 --seed 8)
check "no skew: runs" gen hot0 "${H[@]}"
check "--hot-users 0.02 --hot-share 0.5: runs" gen hot50 "${H[@]}" --hot-users 0.02 --hot-share 0.5
check "--hot-users 0.02 --hot-share 0.5: second run gives identical bytes" bash -c "'$G' --quiet ${H[*]} --hot-users 0.02 --hot-share 0.5 '$WORK/hot50.b' && cmp -s '$WORK/hot50/log1.csv' '$WORK/hot50.b/log1.csv' && cmp -s '$WORK/hot50/log2.csv' '$WORK/hot50.b/log2.csv'"
check "--hot-users 0.01 --hot-share 0.15: runs" gen hot15 "${H[@]}" --hot-users 0.01 --hot-share 0.15
check "--hot-users 0.01 --hot-share 0.6: runs" gen hot60 "${H[@]}" --hot-users 0.01 --hot-share 0.6
stats hot0 0.02 hot0.02; stats hot0 0.01
stats hot50 0.02; stats hot15 0.01; stats hot60 0.01
check "--hot-share 0.5: the busiest 2% hold 0.50 +- 0.02 of the plays (got $(val hot50 hot))" near "$(val hot50 hot)" 0.5 0.02
check "--hot-share 0.15: the busiest 1% hold 0.15 +- 0.02 (flatter than without; got $(val hot15 hot))" near "$(val hot15 hot)" 0.15 0.02
check "--hot-share 0.6: the busiest 1% hold 0.60 +- 0.02 (got $(val hot60 hot))" near "$(val hot60 hot)" 0.6 0.02
check "without the skew the busiest 2% hold other than 0.5 (got $(val hot0.02 hot))" bash -c "! awk -v a='$(val hot0.02 hot)' 'BEGIN { exit !(a > 0.45 && a < 0.55) }'"
check "without the skew the busiest 1% hold between 0.2 and 0.55, neither 0.15 nor 0.6 (got $(val hot0 hot))" awk -v a="$(val hot0 hot)" 'BEGIN { exit !(a > 0.2 && a < 0.55) }'
check "--hot-*: the plays' count and the genres stay as asked" test "$(lines "$WORK/hot50/log2.csv") $(val hot50 genres)" = "200001 24"
check "--hot-* leaves log1's users (ids, region, type) as without it" bash -c "diff <(cut -d';' -f1-3 '$WORK/hot0/log1.csv') <(cut -d';' -f1-3 '$WORK/hot50/log1.csv') >/dev/null"

# ---- usage errors: exit 64, a message, no folder left behind
bad_usage() {   # bad_usage NAME REGEX ARGS...
  local name=$1 re=$2; shift 2
  "$G" "$@" "$WORK/bad" >"$WORK/bad.out" 2>"$WORK/bad.err"
  local rc=$?
  if [ "$rc" -eq 64 ] && grep -qE -- "$re" "$WORK/bad.err" && [ ! -e "$WORK/bad" ]; then ok "$name (exit 64)"
  else not_ok "$name (exit $rc)"; indent 5 <"$WORK/bad.err"; fi
}
bad_usage "--genres 0 is out of range" "genres: 0 is out of range \[1, 100000\]" --genres 0
bad_usage "--genres 100001 is out of range" "out of range" --genres 100001
bad_usage "--genres 1x is not an integer" "not an integer" --genres 1x
bad_usage "--genres above --songs" "--genres 51 exceeds --songs 50" --genres 51 --songs 50
bad_usage "--hot-users without --hot-share" "go together" --hot-users 0.1
bad_usage "--hot-share without --hot-users" "go together" --hot-share 0.3
bad_usage "--hot-share below --hot-users" "below --hot-users" --hot-users 0.2 --hot-share 0.1
bad_usage "--hot-users 1 (must be below 1)" "must be below 1" --hot-users 1 --hot-share 1
bad_usage "--hot-share 1.5 out of range" "hot-share: 1.5 is out of range" --hot-users 0.1 --hot-share 1.5
bad_usage "--hot-users nan is not a number" "not a number" --hot-users nan --hot-share 0.3
check "--help lists --genres, --hot-users and --hot-share" bash -c "'$G' --help | grep -q -- '--genres N' && '$G' --help | grep -q -- '--hot-users F' && '$G' --help | grep -q -- '--hot-share S'"

# ---- --files N --compress C: LOG2 as N daily files in OUTDIR/log2/, each with the
# header; decompressed (gzip -dc, zstd -dc, bgzip -dc) and concatenated minus the
# headers they are the rows of the plain log2.csv; LOG1 is the plain log1.csv
# rows_of DIR DEC: the data rows of DIR/log2/* (name order), each decompressed by DEC
rows_of() { local f; for f in "$WORK/$1"/log2/*; do $2 <"$f" | tail -n +2; done; }
# heads_ok DIR DEC WANT: every file of DIR/log2 starts with the log2 header line WANT
heads_ok() { local f; for f in "$WORK/$1"/log2/*; do [ "$($2 <"$f" | head -1)" = "$3" ] || return 1; done; }
names_of() { (cd "$WORK/$1/log2" && ls -a | grep -v '^\.\.\?$' | tr '\n' ' '); }
same_rows() { cmp -s <(rows_of "$1" "$2") <(tail -n +2 "$3"); }
HDR="hour;userId;songId;genderId;deviceId"
check "--files 4: runs" gen f4 "${A[@]}" --seed 11 --files 4
check "--files 4: four daily files, nothing else in log2/" test "$(names_of f4)" = "2017-10-18.csv 2017-10-19.csv 2017-10-20.csv 2017-10-21.csv "
check "--files 4: each file starts with the header" heads_ok f4 cat "$HDR"
check "--files 4: the files' rows concatenated are log2.csv's rows" same_rows f4 cat "$L2"
check "--files 4: nearly equal parts (5000 rows each)" test "$(for f in "$WORK"/f4/log2/*; do echo $(( $(wc -l <"$f") - 1 )); done | tr '\n' ' ')" = "5000 5000 5000 5000 "
check "--files 4: log1.csv is the same bytes" same_file "$WORK/f4/log1.csv" "$L1"
check "--files 4: no log2.csv, no temporary file left" test "$(cd "$WORK/f4" && ls -a | tr '\n' ' ')" = ". .. log1.csv log2 "
check "--files 4: the summary names the folder and its files" grep -qE "f4/log2/ 20000 rows [0-9]+ bytes in 4 files" "$WORK/f4.out"
for spec in "gzip:gzip -dc:.csv.gz:1f8b" "zstd:zstd -dcq:.csv.zst:28b52ffd" "bgzf:bgzip -dc:.csv.bgz:1f8b"; do
  IFS=: read -r comp dec suf magic <<<"$spec"
  for n in 1 3; do
    d="c$comp$n"
    check "--files $n --compress $comp: runs" gen "$d" "${A[@]}" --seed 11 --files "$n" --compress "$comp"
    check "--files $n --compress $comp: $n file(s) named for days, suffix $suf" test "$(names_of "$d")" = "$(for k in $(seq 18 $((17 + n))); do printf '2017-10-%s%s ' "$k" "$suf"; done)"
    check "--files $n --compress $comp: each file starts with the header" heads_ok "$d" "$dec" "$HDR"
    check "--files $n --compress $comp: $dec of the files, minus headers, is log2.csv's rows" same_rows "$d" "$dec" "$L2"
    check "--files $n --compress $comp: $dec of log1$suf is log1.csv" cmp -s <($dec <"$WORK/$d/log1$suf") "$L1"
    check "--files $n --compress $comp: the magic bytes are ${comp}'s" test "$(head -c 4 "$WORK/$d/log1$suf" | od -An -tx1 | tr -d ' \n' | cut -c1-${#magic})" = "$magic"
  done
done
check "gzip -t passes on every gzip file" bash -c "gzip -t '$WORK'/cgzip3/log2/* '$WORK/cgzip3/log1.csv.gz'"
check "zstd -t passes on every zstd file" bash -c "zstd -tq '$WORK'/czstd3/log2/* '$WORK/czstd3/log1.csv.zst'"
check "bgzip -t passes on every bgzf file" bash -c "for f in '$WORK'/cbgzf3/log2/* '$WORK/cbgzf3/log1.csv.bgz'; do bgzip -t \"\$f\" || exit 1; done"
check "bgzf files hold the BC subfield (BGZF, not plain gzip)" test "$(head -c 14 "$WORK/cbgzf3/log2/2017-10-18.csv.bgz" | tail -c 2)" = "BC"
check "bgzf files end with the empty end-of-file block" test "$(tail -c 28 "$WORK/cbgzf3/log2/2017-10-20.csv.bgz" | od -An -tx1 | tr -d ' \n')" = "1f8b08040000000000ff0600424302001b0003000000000000000000"
check "the summary gives the bytes before compression" grep -qE "log1.csv.bgz 1500 rows [0-9]+ bytes \(bgzf, $(bytes "$L1") uncompressed\), .*/log2/ 20000 rows [0-9]+ bytes in 3 bgzf files, $(( $(bytes "$L2") + 2 * ${#HDR} + 2 )) uncompressed" "$WORK/cbgzf3.out"
for comp in gzip zstd bgzf; do
  check "--files 3 --compress $comp: a second run gives identical bytes" bash -c "'$G' --quiet ${A[*]} --seed 11 --files 3 --compress $comp '$WORK/r$comp' && diff -r '$WORK/c${comp}3' '$WORK/r$comp' >/dev/null"
done
# bad rows and CRLF go into the parts as they are
check "all options --files 5 --compress gzip: runs" gen allz "${B[@]}" --files 5 --compress gzip
check "all options --files 5 --compress gzip: the rows of log2.csv, CRLF and bad rows included" same_rows allz "gzip -dc" "$WORK/all.a/log2.csv"
check "all options --files 5 --compress gzip: every file's header ends with CRLF" heads_ok allz "gzip -dc" "$HDR"$'\r'
# fewer plays than files: header-only files; across a month's end the names go on
check "--plays 5 --files 7: runs" gen few --plays 5 --users 10 --files 7
check "--plays 5 --files 7: seven files, five rows in all" test "$(names_of few | wc -w) $(rows_of few cat | wc -l)" = "7 5"
check "--plays 5 --files 7: the rows of the plain run" bash -c "'$G' --quiet --plays 5 --users 10 '$WORK/few1' && cmp -s <(for f in '$WORK'/few/log2/*; do tail -n +2 \"\$f\"; done) <(tail -n +2 '$WORK/few1/log2.csv')"
check "--files 20: the names run from 2017-10-18 to 2017-11-06" bash -c "'$G' --quiet --plays 100 --users 10 --files 20 '$WORK/f20' && set -- \$(ls '$WORK/f20/log2') && [ \$# -eq 20 ] && [ \$1 = 2017-10-18.csv ] && [ \${14} = 2017-10-31.csv ] && [ \${15} = 2017-11-01.csv ] && [ \${20} = 2017-11-06.csv ]"
# a second run into the same OUTDIR replaces the folder: no file of the first is left
check "a rerun with --files 2 replaces a log2/ of 4 files" bash -c "'$G' --quiet ${A[*]} --seed 11 --files 2 '$WORK/f4' && [ \"\$(ls '$WORK/f4/log2' | tr '\n' ' ')\" = '2017-10-18.csv 2017-10-19.csv ' ] && [ \"\$(ls -a '$WORK/f4' | tr '\n' ' ')\" = '. .. log1.csv log2 ' ]"
bad_usage "--files 0 is out of range" "files: 0 is out of range \[1, 10000\]" --files 0
bad_usage "--files 10001 is out of range" "out of range" --files 10001
bad_usage "--compress lz4 is not known" "--compress must be none, gzip, zstd or bgzf, not 'lz4'" --compress lz4
check "--help documents --files and --compress" bash -c "'$G' --help | grep -q -- '--files N' && '$G' --help | grep -q -- '--compress C' && '$G' --help | grep -q '2017-10-18.csv'"
check "--files 1 --compress none is the default layout (log2.csv, the same bytes)" bash -c "'$G' --quiet ${A[*]} --seed 11 --files 1 --compress none '$WORK/f1' && cmp -s '$WORK/f1/log2.csv' '$L2' && cmp -s '$WORK/f1/log1.csv' '$L1' && [ ! -e '$WORK/f1/log2' ]"

finish
