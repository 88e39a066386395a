#!/bin/sh
# scripts/deps.sh — install the Debian 12 packages postern needs to build,
# run its demo and run its tests. Idempotent: installs only what is missing.
# Not root: prints the apt-get line to run instead and exits 1 if something
# is missing. Called from the Makefile (make deps / run / test).
#
# Why each package is here is in README.md ("Dependencies").
set -eu

BUILD="build-essential pkg-config libfcgi-dev libetpan-dev libssl-dev \
libgumbo-dev libinih-dev libsqlite3-dev libhiredis-dev libcmocka-dev \
libsasl2-modules libqrencode-dev"
SERVERS="openssl dovecot-imapd dovecot-pop3d dovecot-lmtpd \
dovecot-submissiond nginx redis-server python3 python3-aiosmtpd postfix"
TESTS="clang libclang-rt-14-dev curl chromium nodejs npm wrk valgrind \
spawn-fcgi libplist-utils fetchmail isync zbar-tools"

want="$BUILD $SERVERS"
case "${1:-all}" in
    build) want="$BUILD" ;;
    run) want="$BUILD $SERVERS" ;;
    all|test) want="$BUILD $SERVERS $TESTS" ;;
    *) echo "usage: $0 [build|run|test|all]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
    # Node.js may come from elsewhere (NodeSource); Debian's is not needed then.
    case "$p" in nodejs|npm) command -v "$p" >/dev/null 2>&1 && continue ;; esac
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in *" installed") ;; *) missing="$missing $p" ;; esac
done

if [ -z "$missing" ]; then
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "postern needs these Debian packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi

echo "deps.sh: installing:$missing" >&2
# Keep package scripts from starting system-wide dovecot/nginx/redis: the
# demo and the tests run their own private instances on high ports.
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    made_policy=1
fi
cleanup() { [ -n "$made_policy" ] && rm -f "$policy"; return 0; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
# Postfix runs only as the stack's private instance (STACK_MTA=postfix):
# leave the system's /etc/postfix unconfigured
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2> /dev/null || true
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
