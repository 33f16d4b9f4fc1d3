#!/usr/bin/env bash
# run.sh -- the whole test suite: CUnit unit tests (tests/unit, one child
# per suite; tests/unit_mpi across 3 ranks), every
# tests/integration/test_*.sh, then the notebooks (scripts/run-notebooks).
# Ends with one line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
BUILD=${BUILD:-build/release}
passed=0
failed=0

echo "== unit tests"
log=$(mktemp)
timeout 300 mpirun -np 1 "$BUILD/tests/unit_tests" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
line=$(grep -E '^unit: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
if [ -n "$line" ]; then
  p=$(echo "$line" | sed -E 's/^unit: ([0-9]+) passed.*/\1/')
  f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
  passed=$((passed + p)); failed=$((failed + f))
fi
if [ "$rc" -ne 0 ] && { [ -z "$line" ] || [ "${f:-0}" -eq 0 ]; }; then
  echo "not ok - unit test runner exited $rc"; failed=$((failed + 1))
fi
rm -f "$log"

echo "== unit tests across ranks"
log=$(mktemp)
timeout 120 mpirun -np 3 "$BUILD/tests/unit_mpi_tests" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
line=$(grep -E '^unit-mpi: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
f=0
if [ -n "$line" ]; then
  p=$(echo "$line" | sed -E 's/^unit-mpi: ([0-9]+) passed.*/\1/')
  f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
  passed=$((passed + p)); failed=$((failed + f))
fi
if [ "$rc" -ne 0 ] && { [ -z "$line" ] || [ "$f" -eq 0 ]; }; then
  echo "not ok - unit-mpi runner exited $rc"; failed=$((failed + 1))
fi
rm -f "$log"

# the runner itself: a failing, a crashing, an aborting, a hanging and an
# exiting test each fail alone, named, and the tests after them still run
log=$(mktemp)
UNIT_SELFTEST=1 UNIT_TIMEOUT=2 timeout 120 mpirun -np 1 "$BUILD/tests/unit_tests" >"$log" 2>/dev/null
rc=$?
if [ "$rc" -eq 1 ] && grep -qx 'unit: 2 passed, 5 failed' "$log" &&
   grep -q 'test "selftest: crashes" .* crashed: signal 11' "$log" &&
   grep -q 'test "selftest: aborts" .* crashed: signal 6' "$log" &&
   grep -q 'test "selftest: hangs" .* timed out after 2 s' "$log" &&
   grep -q 'test "selftest: exits" .* exited with status 0' "$log" &&
   grep -q 'selftest: passes after \.\.\.passed' "$log"; then
  echo "ok - unit runner: crash, abort, hang and exit each fail one named test"; passed=$((passed + 1))
else
  echo "not ok - unit runner selftest (exit $rc):"; sed 's/^/    /' "$log"; failed=$((failed + 1))
fi
rm -f "$log"

# every mpirun in a test script runs under timeout (the mpi helper of lib.sh
# does). A command segment (split at ; & | ( ) { } ` $( and newlines, after
# joining continued lines and dropping comments) calls mpirun when mpirun is
# its command: first, or after VAR=value, nohup/env/exec/time/setsid/nice,
# "bash -c" or lib.sh's "check NAME". Such a call needs timeout before it;
# mpirun as an argument (echo, grep, pgrep -x mpirun, a test's name) is not a call.
echo "== every mpirun has a timeout"
offenders=$(/usr/bin/python3 - tests/integration/*.sh tests/cluster/*.sh <<'PY'
import re, shlex, sys
WRAP = {"nohup", "env", "exec", "time", "setsid", "nice"}
def words_of(text):
    """shell words of text, and whether text ends inside a quoted string"""
    for closer in ("", '"', "'"):
        try:
            return shlex.split(text + closer), closer != ""
        except ValueError:
            pass
    return [w.strip("\"'") for w in text.split()], False
def is_bare_call(prefix_text):
    """prefix_text: the segment before mpirun; True when mpirun runs there as a
    command with no timeout"""
    words, quoted = words_of(prefix_text)
    if quoted:  # inside a string: a command only in bash -c "..." (or sh -c)
        if len(words) >= 3 and words[-3] in ("bash", "sh") and words[-2] == "-c":
            return "timeout" not in words[:-1] and is_bare_call(words[-1])
        return False
    if "timeout" in words:
        return False
    w = [x for x in words if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", x)]
    if w[:1] == ["check"]:  # lib.sh: check NAME CMD...
        w = w[2:]
    if len(w) >= 2 and w[0] in ("bash", "sh") and w[1] == "-c":
        w = w[2:]
    while w and w[0] in WRAP:
        w = w[1:]
    return not w
def strip_comment(line):
    q = None
    for i, ch in enumerate(line):
        if q:
            if ch == q and (q == "'" or line[i - 1] != "\\"):
                q = None
        elif ch in "'\"":
            q = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t;"):
            return line[:i]
    return line
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    except OSError:
        continue
    i = 0
    while i < len(lines):
        start, text = i + 1, lines[i]
        while text.endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text[:-1] + " " + lines[i]
        i += 1
        code = strip_comment(text)
        for seg in re.split(r"\$\(|&&|\|\||[;&|(){}`]", code):
            m = re.search(r"\bmpirun\b", seg)
            if not m:
                continue
            if not is_bare_call(seg[:m.start()]):
                continue
            print("%s:%d: %s" % (path, start, text.strip()[:160]))
PY
)
scan_rc=$?
if [ "$scan_rc" -ne 0 ]; then
  echo "not ok - the mpirun-timeout scan itself failed (exit $scan_rc)"; failed=$((failed + 1))
elif [ -z "$offenders" ]; then
  echo "ok - every mpirun in tests/integration and tests/cluster has a timeout"; passed=$((passed + 1))
else
  echo "not ok - mpirun without timeout:"; echo "$offenders" | sed 's/^/    /'; failed=$((failed + 1))
fi

for t in tests/integration/test_*.sh; do
  [ -n "${TESTS:-}" ] && ! echo "$t" | grep -qE "$TESTS" && continue
  echo "== $t"
  log=$(mktemp)
  timeout 1200 bash "$t" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  p=$(grep -c '^ok - ' "$log"); f=$(grep -c '^not ok - ' "$log")
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "not ok - $t exited $rc"; failed=$((failed + 1))
  fi
  rm -f "$log"
done

if [ -z "${TESTS:-}" ] || echo notebooks | grep -qE "$TESTS"; then
  echo "== notebooks"
  log=$(mktemp)
  timeout 900 scripts/run-notebooks 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '^notebooks: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ -n "$line" ]; then
    p=$(echo "$line" | sed -E 's/^notebooks: ([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    passed=$((passed + p)); failed=$((failed + f))
  fi
  if [ "$rc" -ne 0 ] && { [ -z "$line" ] || [ "${f:-0}" -eq 0 ]; }; then
    echo "not ok - scripts/run-notebooks exited $rc"; failed=$((failed + 1))
  fi
  rm -f "$log"
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
