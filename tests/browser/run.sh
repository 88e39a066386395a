#!/usr/bin/env bash
# tests/browser/run.sh — start the demo stack on test ports, run the
# browser tests in Debian's chromium, stop the stack.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-build}
cd "$here"
if [ ! -d node_modules/playwright-core ]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
export RUN_DIR
RUN_DIR=$(mktemp -d /tmp/postern-browser-XXXXXX)
chmod 755 "$RUN_DIR"   # nginx's workers (www-data) reach the sockets
export PORT=${BROWSER_PORT:-18090} MAIL_PORT_BASE=${BROWSER_MAIL_BASE:-21000}
# the hostile-HTML samples point their remote content at this marker server
# (started by mailbox.test.mjs), so the test can count what was fetched
export MARKER_URL="http://127.0.0.1:$((PORT + 1))/marker/"
export POSTERN_BIN="$repo/$BUILD/postern"
trap '"$repo/scripts/stack.sh" stop >/dev/null 2>&1 || true; rm -rf "$RUN_DIR"' EXIT
"$repo/scripts/stack.sh" start
cd "$repo"
rc=0
for t in ${BROWSER_TESTS:-settings mailbox live actions compose}; do
    BASE_URL="http://127.0.0.1:$PORT" SHOT_DIR="$repo/$BUILD/test-output" node "$here/$t.test.mjs" || rc=1
done
exit $rc
