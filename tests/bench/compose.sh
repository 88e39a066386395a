#!/usr/bin/env bash
# tests/bench/compose.sh — make bench, writing mail (issue 7): time from
# submit to "sent and saved" through nginx and postern for a 10 KB and a
# 5 MB attachment vs a minimal client doing the same submission + APPEND
# (compose_bench.c), and postern's memory while a 25 MB attachment is
# uploaded and sent. Starts its own stack (ports COMPOSE_BENCH_PORT /
# COMPOSE_BENCH_MAIL_BASE) and stops it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
BUILD=${BUILD:-build}
export RUN_DIR
RUN_DIR=$(mktemp -d /tmp/postern-cbench-XXXXXX)
chmod 755 "$RUN_DIR"
export PORT=${COMPOSE_BENCH_PORT:-18560} MAIL_PORT_BASE=${COMPOSE_BENCH_MAIL_BASE:-26000}
export POSTERN_BIN="$repo/$BUILD/postern"
trap '"$repo/scripts/stack.sh" stop >/dev/null 2>&1 || true; rm -rf "$RUN_DIR"' EXIT
"$repo/scripts/stack.sh" start >/dev/null
ca=$RUN_DIR/ca/ca.pem
subm=$((MAIL_PORT_BASE + 465))
imaps=$((MAIL_PORT_BASE + 993))
rounds=${BENCH_COMPOSE_ROUNDS:-15}
cb() { "$repo/$BUILD/compose_bench" "$PORT" "$subm" "$imaps" "$ca" mail.example.test \
       alice@example.test wonderland bob@example.test "$@"; }
small=$(cb 10240 -n "$rounds")
big=$(cb 5242880 -n "$(( rounds < 8 ? rounds : 8 ))")
echo "  $small"
echo "  $big"
# memory: the workers' RSS when idle, then their peak (VmHWM) over one
# 25 MB attachment uploaded and sent
master=$(cat "$RUN_DIR/pids/postern.pid")
idle=0
for p in $(pgrep -P "$master"); do
    r=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status"); [ "$r" -gt "$idle" ] && idle=$r
done
huge=$(cb 26214400 -n 1)
peak=0
for p in $(pgrep -P "$master"); do
    r=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status"); [ "$r" -gt "$peak" ] && peak=$r
done
echo "  $huge"
python3 - "$small" "$big" "$idle" "$peak" <<'PY'
import re, sys
small, big, idle, peak = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def fig(t):
    m = re.search(r"send (\d+) median=([\d.]+) p90=([\d.]+) floor_median=([\d.]+) \S+ ratio=([\d.]+)", t)
    return m and (int(m.group(1)), float(m.group(2)), float(m.group(4)), float(m.group(5)))
for t, what in ((small, "send 10 KB : submission + APPEND floor"), (big, "send 5 MB : submission + APPEND floor")):
    f = fig(t)
    if f:
        print("%-44s %.2f ms vs %.2f ms = %.2f (target <= 1.2)  %s" % (what, f[1], f[2], f[3], "MET" if f[3] <= 1.2 else "MISSED"))
    else:
        print(what + ": no figure\n" + t)
grow = (peak - idle) / 1024.0
print("%-44s peak %.0f MB over an idle %.0f MB worker: %.1f MB = %.1f x the file (target: streamed, the file held once: <= 1.2 x)  %s" % (
    "memory, 25 MB attachment uploaded and sent", peak / 1024.0, idle / 1024.0, grow, grow / 25.0,
    "MET" if grow / 25.0 <= 1.2 else "MISSED"))
PY
