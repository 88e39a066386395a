#!/usr/bin/env bash
# tests/run.sh — every test suite, one summary line: "N passed, N failed".
#
# Each suite prints TAP-like lines, "ok - name" or "not ok - name"; this
# script counts them. A suite that crashes or prints no result counts as a
# failure. Set SUITES="unit integration mailbox actions autoconfig upstream browser fuzz" to choose.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
SUITES=${SUITES:-unit integration mailbox live actions compose autoconfig upstream browser fuzz}
OUT=${TEST_OUT:-$BUILD/test-output}
mkdir -p "$OUT"
pass=0
fail=0

count() {   # count SUITE LOGFILE RC
    local suite=$1 log=$2 rc=$3 p f
    p=$(grep -cE '^ok( |$)' "$log" || true)
    f=$(grep -cE '^not ok( |$)' "$log" || true)
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - $suite: exited with status $rc" | tee -a "$log"
        f=1
    fi
    if [ $((p + f)) -eq 0 ]; then
        echo "not ok - $suite: ran no test" | tee -a "$log"
        f=1
    fi
    echo "# $suite: $p passed, $f failed (log: $log)"
    pass=$((pass + p))
    fail=$((fail + f))
}

run_unit() {
    local log=$OUT/unit.log rc=0
    : > "$log"
    for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] || continue
        CMOCKA_MESSAGE_OUTPUT=TAP "$t" >> "$log" 2>&1 || rc=1
    done
    grep -E '^(not )?ok ' "$log" | sed 's/^/  /' | grep -E 'not ok' || true
    count unit "$log" $rc
}

# One Python suite against its own stack: SUITE FILE [PATTERN of "# "
# lines worth showing, e.g. figures].
run_py() {
    local suite=$1 log=$OUT/$1.log rc=0
    python3 "tests/integration/$2" > "$log" 2>&1 || rc=$?
    grep -E '^not ok' "$log" || true
    [ -z "${3:-}" ] || grep -E "$3" "$log" || true
    count "$suite" "$log" $rc
}
run_integration() { run_py integration run.py; }
run_mailbox() { run_py mailbox mailbox.py; }
run_live() { run_py live live.py '^# (delivery|200 streams)'; }
run_actions() { run_py actions actions.py; }
run_compose() { run_py compose compose.py; }
run_autoconfig() { run_py autoconfig autoconfig.py; }
run_upstream() { run_py upstream upstream.py; }

run_browser() {
    local log=$OUT/browser.log rc=0
    tests/browser/run.sh > "$log" 2>&1 || rc=$?
    grep -E '^not ok' "$log" || true
    count browser "$log" $rc
}

run_fuzz() {
    local log=$OUT/fuzz.log rc=0 f name corpus
    : > "$log"
    for f in build/fuzz/fuzz_*; do
        [ -x "$f" ] || continue
        name=$(basename "$f" | sed 's/^fuzz_//')
        corpus=$(mktemp -d)
        cp tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
        if "$f" -max_total_time="${FUZZ_SMOKE_SECONDS:-10}" -timeout=5 "$corpus" >> "$log" 2>&1; then
            echo "ok - fuzz smoke: $name" >> "$log"
        else
            echo "not ok - fuzz smoke: $name" >> "$log"
            rc=1
        fi
        rm -rf "$corpus"
    done
    count fuzz "$log" 0
}

for s in $SUITES; do
    "run_$s"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
