# lib_gbpredict.sh -- what the gbpredict tests share (sourced after lib.sh,
# with BIN the gbpredict binary, CHK tests/integration/gbpredict_check.py):
# predict queues a run and its comparison with xgboost, run_checks runs the
# queued comparisons in one Python process.

# predict NAME NP MODEL DATA OUTFILE [OPTIONS...]: runs gbpredict and queues
# the comparison with xgboost (run_checks runs them; the options that matter to
# the checker are passed on)
predict() {
  local name=$1 np=$2 model=$3 data=$4 out=$5; shift 5
  local chk=() a prev=
  for a in "$@"; do
    case $prev in --keep) chk+=(--keep "$a");; --group) chk+=(--group "$a");; esac
    [ "$a" = --margin ] && chk+=(--margin)
    prev=$a
  done
  expect_status "$name" 0 "$np" "$BIN" "$@" "$model" "$data" "$out"
  printf '%s: equals xgboost\t%s\n' "$name" "$(printf '%q ' "${chk[@]}" "$model" "$data" "$out")" \
    >>"$WORK/checks"
}

# run_checks: the queued comparisons with xgboost, in one Python process
run_checks() {
  local line want got=0
  [ -s "$WORK/checks" ] || return 0
  want=$(wc -l <"$WORK/checks")
  while IFS= read -r line; do
    case $line in
      "ok - "*) ok "${line#ok - }"; got=$((got + 1)) ;;
      "not ok - "*) not_ok "${line#not ok - }"; got=$((got + 1)) ;;
      *) echo "$line" ;;
    esac
  done < <("$PY" "$CHK" batch "$WORK/checks" 2>&1)
  [ "$got" -eq "$want" ] || not_ok "the checker reported $got of $want comparisons"
  : >"$WORK/checks"
}
